"""Concrete requests for catalog operations: path placeholders and required query parameters.

An id comes from the list one level up (``GetTransfer``'s ``{id}`` from ``ListTransfers``,
``GetProfileBalance``'s ``{asset}`` from ``ListProfileBalances``), a market from the
catalog's enum, a ``profile_id`` or ``identity_id`` from their lists. Each side of a parity
run binds from its own answers, so ids never cross sides. When nothing fits, the reason is
given in words (never with a value) and the operation is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote

from .. import catalog

__all__ = ["Binder", "Bound", "Unbound", "list_operation_at"]

_PLACEHOLDER = re.compile(r"\{([^}]+)\}")
PREFERRED_MARKET = "BTCUSD"
CANDIDATES = 3  # parent records tried when looking for a child id
# Where an id named this way comes from when the path above it is not a list.
ID_SOURCES = {
    "profile_id": "ListProfiles",
    "identity_id": "ListIdentities",
    "account_id": "ListAccounts",
    "account_ids": "ListAccounts",
}

# records(list_op, concrete_path) -> the records it answered, or its status when it failed
Records = Callable[[catalog.Operation, str], "list[Any] | str"]


@dataclass(frozen=True)
class Bound:
    """A concrete request: the path (with ids) and the query parameters it needs."""

    path: str
    query: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Unbound:
    """Why an operation cannot be called (no value in the text)."""

    reason: str


def list_operation_at(template: str) -> catalog.Operation | None:
    """The GET operation whose path template is exactly ``template``."""
    for op in catalog.operations():
        if op.method == "GET" and op.path == template:
            return op
    return None


def _choice(param: dict[str, Any]) -> str | None:
    values = list(param.get("enum") or ())
    if not values:
        return None
    return PREFERRED_MARKET if PREFERRED_MARKET in values else str(values[0])


class Binder:
    """Binds operations to concrete requests from one side's own answers.

    Parameters
    ----------
    allowed : callable
        ``allowed(op) -> bool``: the granted scopes allow calling ``op``.
    records : callable
        ``records(list_op, concrete_path)``: the records that list answers (the tour caches
        them), or its status (``"501"``) when it answered an error.
    """

    def __init__(self, allowed: Callable[[catalog.Operation], bool], records: Records) -> None:
        self.allowed = allowed
        self.records = records

    def bind(self, op: catalog.Operation) -> Bound | Unbound:
        """A concrete request for ``op``, or the reason there is none."""
        bindings: list[dict[str, str]] = [{}]
        for name in _PLACEHOLDER.findall(op.path):
            found = self._placeholder(op, name, bindings)
            if isinstance(found, Unbound):
                return found
            bindings = found
        query = self._query(op)
        if isinstance(query, Unbound):
            return query
        return Bound(_fill(op.path, bindings[0]), query)

    # -- path placeholders -------------------------------------------------------------------

    def _placeholder(
        self, op: catalog.Operation, name: str, bindings: list[dict[str, str]]
    ) -> list[dict[str, str]] | Unbound:
        param = next((p for p in op.params if p["in"] == "path" and p["name"] == name), {})
        fixed = _choice(param)
        if fixed is not None:
            return [dict(b, **{name: fixed}) for b in bindings]
        prefix = op.path.split("{" + name + "}", 1)[0].rstrip("/")
        source = list_operation_at(prefix) or catalog.by_id(ID_SOURCES.get(name, ""))
        if source is None:
            return Unbound(f"no list operation gives a {{{name}}}")
        if not self.allowed(source):
            return Unbound(
                f"needs a {{{name}}} from {source.operation_id}, which the granted scopes "
                "do not allow"
            )
        out: list[dict[str, str]] = []
        failed = ""
        for binding in bindings[:CANDIDATES]:
            found = self.records(source, _fill(source.path, binding))
            if isinstance(found, str):
                failed = found
                continue
            out += [dict(binding, **{name: value}) for value in _values(found, name)]
            if out:
                break
        if not out:
            what = f"answered {failed}" if failed else "answered no record"
            return Unbound(f"{source.operation_id} {what}, so no {{{name}}} to call it with")
        return out[:CANDIDATES]

    # -- required query parameters -----------------------------------------------------------

    def _query(self, op: catalog.Operation) -> dict[str, Any] | Unbound:
        query: dict[str, Any] = {}
        for param in op.params:
            if param["in"] != "query" or not param.get("required"):
                continue
            name = param["name"]
            value: Any = _choice(param)
            if value is None and name == "tax_year":
                value = str(date.today().year - 1)
            if value is None and name in ID_SOURCES:
                value = self._id_from(ID_SOURCES[name], name)
                if isinstance(value, Unbound):
                    return value
            if value is None:
                return Unbound(f"needs the query parameter {name}, which parity cannot choose")
            query[name] = [value] if param.get("type") == "array" else value
        return query

    def _id_from(self, source_id: str, name: str) -> str | Unbound:
        source = catalog.by_id(source_id)
        if source is None or not self.allowed(source):
            return Unbound(f"needs {name} from {source_id}, which the granted scopes do not allow")
        found = self.records(source, source.path)
        values = [] if isinstance(found, str) else _values(found, name)
        if not values:
            what = f"answered {found}" if isinstance(found, str) else "answered no record"
            return Unbound(f"{source_id} {what}, so no {name} to call it with")
        return values[0]


def _values(records: Iterable[Any], name: str) -> list[str]:
    """The values of ``name`` (else ``id``) in the records, first ones first."""
    keys = [name.removesuffix("s")] if name.endswith("_ids") else [name]
    if name == "id" or name.endswith("_id") or name.endswith("_ids"):
        keys.append("id")
    out: list[str] = []
    for record in records:
        if not isinstance(record, dict):
            continue
        for key in keys:
            value = record.get(key)
            if isinstance(value, str) and value:
                out.append(value)
                break
        if len(out) >= CANDIDATES:
            break
    return out


def _fill(template: str, binding: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: quote(binding.get(m.group(1), m.group(0)), safe=""), template)
