"""The Paxos v2 operations catalog: generated data, loaded with the standard library only.

Both the client package and the emulator read it (the emulator imports nothing else
from paxos_nb). ``build.py`` regenerates the JSON files from the OpenAPI documents.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

__all__ = ["Operation", "Scope", "by_id", "match", "operations", "scopes"]


@dataclass(frozen=True)
class Operation:
    """One operation of the Paxos v2 API, as the spec and the brief describe it."""

    operation_id: str
    method: str
    path: str  # relative to /v2, with {placeholders}
    tag: str
    summary: str
    scope: str | None  # None: public, no token needed
    pagination: str | None  # cursor-time-filters | cursor-range | cursor | offset | time-window
    envelope: tuple[str, ...]  # keys holding the records, in order of preference
    envelope_all: bool  # True: every envelope key holds records (the order book)
    sandbox_only: bool
    source: str  # "main" or "preview:<name>"
    params: tuple[dict, ...] = field(repr=False)
    body: dict | None = field(repr=False)

    @property
    def public(self) -> bool:
        return self.scope is None

    @property
    def key(self) -> str:
        """``"METHOD /path"``, the form users type."""
        return f"{self.method} {self.path}"

    def path_regex(self) -> re.Pattern[str]:
        return _template_regex(self.path)


@dataclass(frozen=True)
class Scope:
    """One OAuth2 scope with what it unlocks."""

    scope: str
    family: str
    access: str  # "read" or "write"
    description: str
    described_by: str  # scheme | preview-scheme | operations | docs
    operations: tuple[str, ...]


def _read(name: str):
    return json.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


@cache
def operations() -> tuple[Operation, ...]:
    """Every operation (main and preview specs), sorted by path then method."""
    out = []
    for raw in _read("operations.json"):
        raw = dict(raw, envelope=tuple(raw["envelope"]), params=tuple(raw["params"]))
        out.append(Operation(**raw))
    return tuple(out)


@cache
def scopes() -> tuple[Scope, ...]:
    """Every scope known to the specs and docs, sorted by name."""
    return tuple(
        Scope(**dict(raw, operations=tuple(raw["operations"]))) for raw in _read("scopes.json")
    )


@cache
def _ids() -> dict[str, Operation]:
    return {op.operation_id: op for op in operations()}


def by_id(operation_id: str) -> Operation | None:
    """The operation with this id (exact, case-sensitive), or None."""
    return _ids().get(operation_id)


@cache
def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    pattern = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(pattern + r"/?\Z")


@cache
def _by_method() -> dict[str, tuple[Operation, ...]]:
    table: dict[str, list[Operation]] = {}
    for op in operations():
        table.setdefault(op.method, []).append(op)
    # Literal paths beat templates: /profiles/default is GetProfile, not a new route,
    # and fewer placeholders win when two templates both match.
    return {
        m: tuple(sorted(ops, key=lambda o: (o.path.count("{"), -len(o.path))))
        for m, ops in table.items()
    }


def match(method: str, path: str) -> Operation | None:
    """The operation serving ``METHOD path`` (path relative to /v2, query ignored)."""
    path = path.split("?", 1)[0]
    if path.startswith("/v2/"):
        path = path[3:]
    for op in _by_method().get(method.upper(), ()):
        if _template_regex(op.path).match(path):
            return op
    return None
