"""Which OAuth2 scopes a task needs: catalog queries, task presets, a least-privilege planner.

Everything here reads the generated operations catalog (:mod:`paxos_nb.catalog`); nothing
talks to the network. Names accepted wherever an operation is expected:

* an operation id, ``"ListProfiles"`` (case and ``_``/``-`` are ignored: ``"list_profiles"``);
* ``"METHOD /path"`` with a template or a concrete path, with or without ``/v2``, with or
  without a query string or the API host: ``"GET /v2/profiles/3f2a.../balances?assets=BTC"``;
* a tag from the API reference, ``"Transfers"`` (every operation under it).

>>> from paxos_nb import scopes
>>> scopes.required(["ListProfiles", "POST /transfer/internal"])
['funding:read_profile', 'transfer:write_internal_transfer']
>>> scopes.required("GET /markets")   # public: no scope needed
[]
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from . import catalog as _catalog
from .errors import ConfigError, UnknownNameError

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

_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")

_FIAT = (
    "transfer:read_fiat_account",
    "transfer:write_fiat_account",
    "transfer:read_fiat_deposit_instructions",
    "transfer:write_fiat_deposit_instructions",
)
_ORCHESTRATION = (
    "orchestration:read_orchestration",
    "orchestration:write_orchestration",
    "orchestration:read_orchestration_rule",
    "orchestration:write_orchestration_rule",
)

# Task presets (API brief §3.2). "convert" is the docs' 16-scope set in the docs' order.
# "analyst" and "trading" are ours: the docs recommend no set for them.
_PRESETS: dict[str, tuple[str, ...]] = {
    "convert": (
        *_ORCHESTRATION,
        "funding:read_profile",
        "funding:write_profile",
        "transfer:read_deposit_address",
        "transfer:read_transfer",
        "transfer:read_fiat_account",
        "transfer:read_fiat_deposit_instructions",
        "transfer:write_internal_transfer",
        "transfer:write_crypto_withdrawal",
        "transfer:write_deposit_address",
        "transfer:write_fiat_account",
        "transfer:write_fiat_deposit_instructions",
        "transfer:write_fiat_withdrawal",
    ),
    # Read-only reporting over money movement and trading. Left out on purpose: identity
    # and accounts (personal data), API credentials, tax and statements (documents), the
    # deprecated conversion API, settlement and rewards (niche products a credential
    # rarely has; requesting a scope the credential lacks fails the token request).
    "analyst": (
        "funding:read_profile",
        "transfer:read_transfer",
        "transfer:read_transfer_limit",
        "transfer:read_deposit_address",
        "transfer:read_fiat_account",
        "transfer:read_fiat_deposit_instructions",
        "transfer:read_crypto_destination_address",
        "exchange:read_order",
        "exchange:read_quote",
        "exchange:read_quote_execution",
        "exchange:historical_prices",
        "orchestration:read_orchestration",
        "orchestration:read_orchestration_rule",
        "events:read_event",
    ),
    # Order-book trading: balances, place/cancel orders, list orders and executions.
    "trading": ("funding:read_profile", "exchange:read_order", "exchange:write_order"),
    "quotes": (
        "funding:read_profile",
        "exchange:read_quote",
        "exchange:write_quote_execution",
        "exchange:read_quote_execution",
    ),
    "fiat_transfers": (
        *_FIAT,
        "transfer:write_fiat_withdrawal",
        "transfer:write_sandbox_fiat_deposit",
        "transfer:read_transfer",
        "funding:read_profile",
    ),
    "stablecoin_payments": (
        "funding:read_profile",
        "funding:write_profile",
        "transfer:read_transfer",
        "transfer:write_crypto_withdrawal",
        "transfer:write_deposit_address",
    ),
    "identity_onboarding": (
        "identity:read_identity",
        "identity:read_account",
        "identity:write_identity",
        "identity:write_account",
        "funding:read_profile",
        "funding:write_profile",
        "exchange:read_order",
        "exchange:write_order",
    ),
    # The guide's required set; add transfer:read/write_crypto_destination_address
    # for orchestrations that pay out to crypto addresses.
    "orchestrations": (*_ORCHESTRATION, "events:read_event", *_FIAT),
}


class _Presets(Mapping[str, tuple[str, ...]]):
    """Read-only preset table; an unknown name raises with the closest preset names."""

    def __init__(self, table: dict[str, tuple[str, ...]]) -> None:
        self._table = dict(table)

    def __getitem__(self, name: str) -> tuple[str, ...]:
        try:
            return self._table[name]
        except (KeyError, TypeError):
            key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
            if key in self._table:
                return self._table[key]
            raise UnknownNameError("preset", str(name), _closest(str(name), self._table)) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def __repr__(self) -> str:
        return f"PRESETS({', '.join(self._table)})"


PRESETS: Mapping[str, tuple[str, ...]] = _Presets(_PRESETS)


# -- name resolution ------------------------------------------------------------------------


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@cache
def _ids() -> dict[str, _catalog.Operation]:
    return {_norm(op.operation_id): op for op in _catalog.operations()}


@cache
def _tags() -> dict[str, tuple[_catalog.Operation, ...]]:
    table: dict[str, list[_catalog.Operation]] = {}
    for op in _catalog.operations():
        table.setdefault(op.tag, []).append(op)
    return {tag: tuple(ops) for tag, ops in table.items()}


@cache
def _tags_norm() -> dict[str, str]:
    return {_norm(tag): tag for tag in _tags()}


@cache
def _scopes() -> dict[str, _catalog.Scope]:
    return {s.scope: s for s in _catalog.scopes()}


@cache
def _candidates() -> tuple[str, ...]:
    ops = _catalog.operations()
    return (*(op.operation_id for op in ops), *(op.key for op in ops), *_tags())


def _closest(name: str, candidates: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    lowered = {c.lower(): c for c in candidates}
    hits = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=cutoff)
    return [lowered[h] for h in hits]


def _split_method_path(name: str) -> tuple[str, str] | None:
    parts = name.split(None, 1)
    if len(parts) == 2 and parts[0].upper() in _METHODS:
        return parts[0].upper(), parts[1].strip()
    if name.startswith(("/", "http://", "https://")):
        return "", name
    return None


def _relative_path(path: str) -> str:
    """Strip scheme, host, query and the /v2 prefix: what the catalog's templates match."""
    if path.startswith(("http://", "https://")):
        path = urlsplit(path).path
    path = path.split("?", 1)[0].split("#", 1)[0]
    if path == "/v2" or path.startswith("/v2/"):
        path = path[3:] or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    return path


def _resolve_path(name: str, method: str, raw_path: str) -> _catalog.Operation:
    path = _relative_path(raw_path)
    op = _catalog.match(method, path) if method else None
    if op is not None:
        return op
    others = [m for m in _METHODS if m != method and _catalog.match(m, path)]
    if others:
        keys = [_catalog.match(m, path).key for m in others]
        err = UnknownNameError("operation", name, keys)
        what = f"{path} has no {method} operation" if method else f"{path} needs a method"
        err.hint = f"{what}; it exists as {', '.join(others)}: try {' or '.join(map(repr, keys))}"
        raise err
    keys = [op.key for op in _catalog.operations()]
    guess = f"{method} {path}" if method else path
    # A concrete path differs from its template by its ids, hence the looser second try.
    closest = _closest(guess, keys) or _closest(guess, keys, cutoff=0.4)
    raise UnknownNameError("operation", name, closest)


def _resolve(name: str) -> tuple[_catalog.Operation, ...]:
    """The operations a user-typed name stands for (one, or every one under a tag)."""
    if isinstance(name, _catalog.Operation):
        return (name,)
    if not isinstance(name, str):
        raise ConfigError(
            f"expected an operation id, 'METHOD /path' or a tag, got {type(name).__name__}",
            hint="pass names such as 'ListProfiles', 'GET /profiles' or 'Transfers'",
        )
    text = name.strip()
    if not text:
        raise ConfigError("empty operation name", hint="pass e.g. 'ListProfiles'")
    op = _ids().get(_norm(text))
    if op is not None:
        return (op,)
    split = _split_method_path(text)
    if split is not None:
        return (_resolve_path(text, *split),)
    tag = _tags_norm().get(_norm(text))
    if tag is not None:
        return _tags()[tag]
    raise UnknownNameError("operation or tag", text, _closest(text, _candidates()))


def _names(names: str | Iterable[str]) -> list[str]:
    return [names] if isinstance(names, (str, _catalog.Operation)) else list(names)


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
    found = {op.scope for name in _names(names) for op in _resolve(name) if op.scope}
    return sorted(found)


def for_operation(op_or_name: str | _catalog.Operation) -> str | None:
    """The one scope an operation needs, or None for a public one.

    Parameters
    ----------
    op_or_name : str or catalog.Operation
        An operation id or ``"METHOD /path"`` (a tag names several operations: use
        :func:`required` for those).
    """
    ops = _resolve(op_or_name)
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
    items = re.split(r"[\s,]+", scopes) if isinstance(scopes, str) else list(scopes)
    known = _scopes()
    out: dict[str, None] = {}
    for item in items:
        if not isinstance(item, str):
            raise ConfigError(f"a scope must be a string, got {type(item).__name__}")
        item = item.strip()
        if not item:
            continue
        if item not in known:
            raise UnknownNameError("scope", item, _closest(item, known))
        out[item] = None
    return tuple(out)


def dashboard_string(scopes: str | Iterable[str]) -> str:
    """The space-delimited scope list to paste into the Dashboard or ``PAXOS_SCOPES``."""
    return " ".join(validate(scopes))


@dataclass(frozen=True)
class ScopeInfo:
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

    def _repr_html_(self) -> str:
        e = html.escape
        rows = (
            "".join(
                f"<tr><td><code>{e(line.split(' — ')[0])}</code></td>"
                f"<td>{e(line.partition(' — ')[2])}</td></tr>"
                for line in self.operations
            )
            or "<tr><td colspan='2'><i>no REST operation in the spec</i></td></tr>"
        )
        return (
            f"<p><code>{e(self.name)}</code> ({e(self.access)}, {e(self.family)}): "
            f"{e(self.description)}</p><table><thead><tr><th>operation</th><th>summary</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
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
    info = _scopes().get(str(scope).strip())
    if info is None:
        raise UnknownNameError("scope", str(scope), _closest(str(scope), _scopes()))
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
class Plan:
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

    def _repr_html_(self) -> str:
        e = html.escape
        rows = "".join(
            f"<tr><td>{e(s.name)}</td><td><code>{e(s.method)} {e(s.path)}</code></td>"
            f"<td>{e(s.operation_id)}</td><td><code>{e(s.scope or 'public')}</code></td></tr>"
            for s in self.steps
        )
        return (
            f"<p><b>{len(self.scopes)} scope(s)</b>: "
            f"<code>{e(self.dashboard_string) or '(none: all public)'}</code></p>"
            "<table><thead><tr><th>asked for</th><th>operation</th><th>id</th><th>scope</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )


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
    asked = _names(names)
    steps = []
    for name in asked:
        for op in _resolve(name):
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
