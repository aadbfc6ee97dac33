"""Hypothesis strategies for the catalog's request schemas (OpenAPI 3.0 schema objects).

Enough of JSON Schema draft 4 for the request bodies and query parameters of the spec:
``$ref`` into the catalog's components, ``allOf``, objects (required and optional
properties), arrays, strings (``enum``, ``pattern``, ``maxLength``, ``date-time``),
integers, numbers and booleans. Values are valid for the schema but otherwise as odd as
Hypothesis likes (empty strings, huge numbers, unknown ids): what a handler must survive.
"""

from __future__ import annotations

from datetime import timezone
from typing import Any

from hypothesis import strategies as st

from paxos_nb.catalog import schemas

__all__ = ["values"]

_MAX_DEPTH = 6


def values(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """A strategy of JSON values valid for ``schema``."""
    schema = schemas.resolve(schema)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(schemas.resolve(part))
        return values(merged, depth)
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type", "object" if "properties" in schema else None)
    if kind == "object":
        return _object(schema, depth)
    if kind == "array":
        if depth >= _MAX_DEPTH:
            return st.just([])
        return st.lists(values(schema.get("items", {}), depth + 1), max_size=3)
    if kind == "string":
        return _string(schema)
    if kind == "integer":
        return st.integers(min_value=-(2**31), max_value=2**31 - 1)
    if kind == "number":
        return st.decimals(allow_nan=False, allow_infinity=False, places=4).map(float)
    if kind == "boolean":
        return st.booleans()
    return st.one_of(st.none(), st.booleans(), st.text(max_size=10), st.integers())


def _object(schema: dict[str, Any], depth: int) -> st.SearchStrategy[dict[str, Any]]:
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties")
    if not properties and isinstance(extra, dict) and depth < _MAX_DEPTH:  # a map (metadata)
        return st.dictionaries(st.text(max_size=8), values(extra, depth + 1), max_size=3)
    if depth >= _MAX_DEPTH:
        properties = {}
    required = [name for name in schema.get("required", []) if name in properties]
    return st.fixed_dictionaries(
        {name: values(properties[name], depth + 1) for name in required},
        optional={
            name: values(sub, depth + 1) for name, sub in properties.items() if name not in required
        },
    )


def _string(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    longest = schema.get("maxLength")
    if schema.get("format") == "date-time":
        return st.datetimes(timezones=st.just(timezone.utc)).map(
            lambda moment: moment.isoformat().replace("+00:00", "Z")
        )
    if schema.get("format") in ("int32", "int64"):
        return st.integers(min_value=-(2**31), max_value=2**31 - 1).map(str)
    if "pattern" in schema:
        text = st.from_regex(schema["pattern"], fullmatch=True)
        return text.filter(lambda s: longest is None or len(s) <= longest)
    return st.text(max_size=longest if longest is not None else 60)
