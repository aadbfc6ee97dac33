"""Request fragments checked against their catalog schema: types, enums, patterns, lengths.

Identity and account bodies are kept and answered back, so what a handler keeps must be what
the spec allows: a value the schema refuses is a 400 naming its field
(``person_details.first_name``) instead of a record that breaks the answer's schema later.
Fields the schema does not define are refused too (with the nearest known name), ``null``
means "not sent" (protobuf JSON), and ``date-time`` values come back as RFC 3339 UTC with Z.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from typing import Any

from ..catalog import schemas
from .fmt import fmt_ts, parse_ts
from .problems import bad_request

__all__ = ["checked", "fields_of"]


@cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


def _schema(schema: dict[str, Any] | str) -> dict[str, Any]:
    return schemas.resolve(schemas.components()[schema] if isinstance(schema, str) else schema)


def fields_of(schema: str) -> tuple[str, ...]:
    """The property names of a catalog component (e.g. ``"PersonDetails"``)."""
    return tuple(_schema(schema).get("properties", {}))


def checked(value: Any, schema: dict[str, Any] | str, where: str) -> Any:
    """``value`` if it fits ``schema`` (a component name or a schema object), cleaned: nulls
    dropped from objects, timestamps normalised. Raises a 400 Problem naming ``where`` (the
    field's path; ``""`` for a whole request body)."""
    spec = _schema(schema)
    if "enum" in spec:
        if value not in spec["enum"]:
            shown = value if isinstance(value, str) else repr(value)
            raise bad_request(f"{where} invalid: '{shown}' is not one of {', '.join(spec['enum'])}")
        return value
    kind = spec.get("type") or ("object" if "properties" in spec else "")
    if kind == "object":
        return _object(value, spec, where)
    if kind == "array":
        if not isinstance(value, list):
            raise bad_request(f"{where} must be a JSON array")
        return [
            checked(item, spec.get("items", {}), f"{where}[{n}]") for n, item in enumerate(value)
        ]
    if kind == "string":
        return _string(value, spec, where)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise bad_request(f"{where} must be true or false")
        return value
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad_request(f"{where} must be an integer")
        return value
    return value


def _object(value: Any, spec: dict[str, Any], where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad_request(f"{where} must be a JSON object")
    props: dict[str, Any] = spec.get("properties", {})
    extra = spec.get("additionalProperties")
    out: dict[str, Any] = {}
    for key, item in value.items():
        if item is None or item == "":  # unset, as protobuf JSON has it
            continue
        if key in props:
            out[key] = checked(item, props[key], _join(where, key))
        elif isinstance(extra, dict):
            out[key] = checked(item, extra, _join(where, key))
        else:
            near = difflib.get_close_matches(str(key), list(props), n=1)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            raise bad_request(f"{_join(where, key)} is not a field of {where or 'the body'}{hint}")
    for name in spec.get("required", ()):
        if out.get(name) in (None, ""):
            raise bad_request(f"{_join(where, name)} is required")
    return out


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _string(value: Any, spec: dict[str, Any], where: str) -> str:
    if not isinstance(value, str):
        raise bad_request(f"{where} must be a string")
    limit = spec.get("maxLength")
    if limit is not None and len(value) > limit:
        raise bad_request(f"{where} must be at most {limit} characters, got {len(value)}")
    pattern = spec.get("pattern")
    if pattern and value and not _pattern(pattern).search(value):
        raise bad_request(f"{where} invalid: '{value[:60]}' does not match {pattern}")
    if spec.get("format") == "date-time" and value:
        return fmt_ts(parse_ts(value, where))
    return value
