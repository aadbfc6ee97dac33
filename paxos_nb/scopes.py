"""Which OAuth2 scopes a task needs: catalog queries, task presets, a least-privilege planner.

Everything here reads the generated operations catalog (:mod:`paxos_nb.catalog`); nothing
talks to the network. An operation may be named by its id (``"ListProfiles"``),
``"METHOD /path"`` (a template or a concrete path) or a tag (``"Transfers"``); see
:mod:`paxos_nb.operation_lookup`. The presets are in :mod:`paxos_nb.presets`, and the
notebook HTML of :class:`ScopeInfo` and :class:`Plan` in :mod:`paxos_nb.display`.

>>> from paxos_nb import scopes
>>> scopes.required(["ListProfiles", "POST /transfer/internal"])
['funding:read_profile', 'transfer:write_internal_transfer']
>>> scopes.required("GET /markets")   # public: no scope needed
[]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import catalog as _catalog
from .errors import ConfigError, UnknownNameError
from .htmlrepr import HTMLRepr
from .operation_lookup import closest, known_scopes, names_of, resolve
from .presets import PRESETS

if TYPE_CHECKING:  # pandas is imported only by the functions that build frames
    import pandas as pd

__all__ = [
    "PRESETS",
    "Plan",
    "PlanStep",
    "ScopeInfo",
    "catalog",
    "dashboard_string",
    "explain",
    "for_operation",
    "plan",
    "required",
    "validate",
]


# -- public API -----------------------------------------------------------------------------


def required(names: str | Iterable[str]) -> list[str]:
    """The least-privilege scope set for a list of operations.

    Parameters
    ----------
    names : str or iterable of str
        Operation ids, ``"METHOD /path"`` strings or tags (one string is one name).

    Returns
    -------
    list of str
        The distinct scopes, sorted. Public operations add nothing.

    Raises
    ------
    UnknownNameError
        A name matches nothing; ``.closest`` lists the nearest ids, paths and tags.
    """
    found = {op.scope for name in names_of(names) for op in resolve(name) if op.scope}
    return sorted(found)


def for_operation(op_or_name: str | _catalog.Operation) -> str | None:
    """The one scope an operation needs, or None for a public one.

    Parameters
    ----------
    op_or_name : str or catalog.Operation
        An operation id or ``"METHOD /path"`` (a tag names several operations: use
        :func:`required` for those).
    """
    ops = resolve(op_or_name)
    if len(ops) != 1:
        raise ConfigError(
            f"{op_or_name!r} is a tag with {len(ops)} operations, not one operation",
            hint=f"use scopes.required({op_or_name!r}) for the scopes of a whole tag",
        )
    return ops[0].scope


def validate(scopes: str | Iterable[str]) -> tuple[str, ...]:
    """Check scope names against the catalog; de-duplicate, keeping the given order.

    Parameters
    ----------
    scopes : str or iterable of str
        Either a space- (or comma-) separated string, as ``PAXOS_SCOPES`` holds, or names.

    Raises
    ------
    UnknownNameError
        A scope Paxos does not know; ``.closest`` suggests the intended one.
    """
    items = [scopes] if isinstance(scopes, str) else list(scopes)
    # Spaces (the Paxos form) or commas between names, in a string or inside a list item.
    items = [p for i in items for p in (re.split(r"[\s,]+", i) if isinstance(i, str) else [i])]
    known = known_scopes()
    out: dict[str, None] = {}
    for item in items:
        if not isinstance(item, str):
            raise ConfigError(f"a scope must be a string, got {type(item).__name__}")
        item = item.strip()
        if not item:
            continue
        if item not in known:
            raise UnknownNameError("scope", item, closest(item, known))
        out[item] = None
    return tuple(out)


def dashboard_string(scopes: str | Iterable[str]) -> str:
    """The space-delimited scope list to paste into the Dashboard or ``PAXOS_SCOPES``."""
    return " ".join(validate(scopes))


@dataclass(frozen=True)
class ScopeInfo(HTMLRepr):
    """What one scope is and what it unlocks (from :func:`explain`)."""

    name: str
    description: str
    family: str
    access: str  # "read" or "write"
    operations: tuple[str, ...]  # "METHOD /path — summary"
    operation_ids: tuple[str, ...]
    source: str  # where the scope is declared: scheme, preview-scheme, operations, docs

    def __str__(self) -> str:
        lines = [f"{self.name} ({self.access}, {self.family}): {self.description}"]
        if self.operations:
            lines += [f"  {line}" for line in self.operations]
        else:
            lines.append("  unlocks no REST operation in the spec")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"ScopeInfo({self.name!r}, access={self.access!r}, operations={len(self.operations)})"
        )


def _line(op: _catalog.Operation) -> str:
    return f"{op.key} — {op.summary or op.operation_id}"


def explain(scope: str) -> ScopeInfo:
    """Describe one scope and list the operations it unlocks.

    Raises
    ------
    UnknownNameError
        The scope is unknown; ``.closest`` suggests known ones.
    """
    info = known_scopes().get(str(scope).strip())
    if info is None:
        raise UnknownNameError("scope", str(scope), closest(str(scope), known_scopes()))
    ops = tuple(op for op in _catalog.operations() if op.scope == info.scope)
    return ScopeInfo(
        name=info.scope,
        description=info.description,
        family=info.family,
        access=info.access,
        operations=tuple(_line(op) for op in ops),
        operation_ids=tuple(op.operation_id for op in ops),
        source=info.described_by,
    )


def catalog() -> pd.DataFrame:
    """Every known scope as a DataFrame, one row per scope.

    Columns: ``scope, family, access, description, operations`` (how many operations it
    unlocks) and ``operation_ids`` (a comma-separated string, easy to search with
    ``.str.contains``).
    """
    import pandas as pd

    rows = []
    for s in _catalog.scopes():
        ids = [op.operation_id for op in _catalog.operations() if op.scope == s.scope]
        rows.append(
            {
                "scope": s.scope,
                "family": s.family,
                "access": s.access,
                "description": s.description,
                "operations": len(ids),
                "operation_ids": ", ".join(ids),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class PlanStep:
    """One operation of a plan and the scope it needs (None: public)."""

    name: str  # what the user asked for
    operation_id: str
    method: str
    path: str
    summary: str
    scope: str | None


@dataclass(frozen=True)
class Plan(HTMLRepr):
    """The least-privilege scope set for a list of names, with the reason for each scope."""

    names: tuple[str, ...]
    steps: tuple[PlanStep, ...]
    scopes: tuple[str, ...]

    @property
    def dashboard_string(self) -> str:
        """The space-delimited set to paste into the Dashboard or ``PAXOS_SCOPES``."""
        return " ".join(self.scopes)

    def frame(self) -> pd.DataFrame:
        """One row per operation: the name asked for, the operation and its scope."""
        import pandas as pd

        cols = ["name", "operation_id", "method", "path", "summary", "scope"]
        return pd.DataFrame([[getattr(s, c) for c in cols] for s in self.steps], columns=cols)

    def __str__(self) -> str:
        lines = [f"{len(self.scopes)} scope(s): {self.dashboard_string or '(none: all public)'}"]
        lines += [
            f"  {s.method} {s.path}  {s.operation_id} -> {s.scope or 'public'}" for s in self.steps
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Plan(scopes={self.scopes!r}, operations={len(self.steps)})"


def plan(names: str | Iterable[str]) -> Plan:
    """Plan the least-privilege scopes for some names and say which operation needs which.

    Parameters
    ----------
    names : str or iterable of str
        Operation ids, ``"METHOD /path"`` strings or tags.

    Returns
    -------
    Plan
        ``.scopes`` (sorted, distinct), ``.dashboard_string``, ``.steps`` and ``.frame()``.
    """
    asked = names_of(names)
    steps = []
    for name in asked:
        for op in resolve(name):
            steps.append(
                PlanStep(
                    name=name if isinstance(name, str) else op.operation_id,
                    operation_id=op.operation_id,
                    method=op.method,
                    path=op.path,
                    summary=op.summary or op.operation_id,
                    scope=op.scope,
                )
            )
    scopes = tuple(sorted({s.scope for s in steps if s.scope}))
    return Plan(names=tuple(map(str, asked)), steps=tuple(steps), scopes=scopes)
