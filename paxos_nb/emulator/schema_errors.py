"""fastjsonschema's errors as Paxos words them: the field first, then what it expected.

``explain`` turns a :class:`fastjsonschema.JsonSchemaValueException` into the detail of a 400
(``amount invalid: invalid amount '12.5': must be positive decimal ...``,
``destination.profile.profile_idd is not a field of destination.profile; did you mean ...``).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

from fastjsonschema import JsonSchemaValueException

__all__ = ["expected", "explain", "field_of"]

_DECIMAL_PATTERN = "[0-9]*\\.?[0-9]"  # the spec's decimal-string patterns contain this
_INTEGER_FORMATS = ("int32", "int64", "uint32", "uint64")


def field_of(exc: JsonSchemaValueException) -> str:
    """The failing field: ``data.destination.profile`` -> ``destination.profile``."""
    name = exc.name or "data"
    return name[5:] if name.startswith("data.") else name[4:]


_ARTICLE = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "object": "a JSON object",
    "array": "a list",
    "null": "null",
}


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    text = str(value)
    return repr(text if len(text) <= 80 else text[:77] + "...")


def expected(definition: Mapping[str, Any]) -> str:
    """What ``definition`` (the failing schema) takes, in words."""
    pattern = definition.get("pattern", "")
    if _DECIMAL_PATTERN in pattern:
        return 'a decimal string such as "12.50"'
    if "enum" in definition:
        return "one of " + ", ".join(map(str, definition["enum"]))
    if definition.get("format") == "date-time":
        return "an RFC 3339 timestamp such as 2006-01-02T15:04:05Z"
    if definition.get("format") in _INTEGER_FORMATS and definition.get("type") == "string":
        return 'an integer in a string, such as "1767225600000"'
    kind = definition.get("type")
    if isinstance(kind, list):
        return " or ".join(_ARTICLE.get(str(k), str(k)) for k in kind)
    if pattern:
        return f"text matching {pattern}"
    return _ARTICLE.get(str(kind), str(kind))


def _not_decimal(at: str, value: Any) -> str:
    """Paxos's wording for a bad amount, and how to send it."""
    shown = value if isinstance(value, str) else json.dumps(value, default=str)
    message = f"{at} invalid: invalid amount '{shown}': must be positive decimal"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'{message} sent as a string, such as "{value}"'
    if not isinstance(value, str):
        return f'{message} sent as a string, such as "12.50"'
    return message


def explain(exc: JsonSchemaValueException, prefix: str) -> str:
    """The detail of the 400 for ``exc``; ``prefix`` says where (``"query parameter "``)."""
    field = field_of(exc)
    at = f"{prefix}{field}" if field else ("the request body" if not prefix else prefix.strip())
    rule, definition, value = exc.rule, exc.definition or {}, exc.value
    if rule == "required" and isinstance(value, dict):
        missing = [name for name in exc.rule_definition if name not in value]
        inside = f"{field}." if field else ""
        names = " and ".join(f"{prefix}{inside}{m}" for m in missing)
        return f"{names} {'is' if len(missing) == 1 else 'are'} required"
    if rule == "additionalProperties" and isinstance(value, dict):
        known = sorted(definition.get("properties", {}))
        unknown = sorted(set(value) - set(known))
        inside = f"{field}." if field else ""
        name = unknown[0] if unknown else "?"
        head = f"{prefix}{inside}{name} is not a field of {at if field else 'the request body'}"
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        if close:
            return f"{head}; did you mean {inside}{close[0]}?"
        return f"{head}; its fields are {', '.join(known)}" if known else head
    if rule in ("type", "pattern") and _DECIMAL_PATTERN in definition.get("pattern", ""):
        return _not_decimal(at, value)
    if rule in ("type", "enum", "pattern", "format"):
        return f"{at} invalid: expected {expected(definition)}, got {_shown(value)}"
    detail = exc.message.replace(exc.name or "data", "the value", 1)
    return f"{at} invalid: {detail} (got {_shown(value)})"
