"""Compiled validators of the catalog's schemas, one per operation and side, built on first use.

The schemas (:mod:`paxos_nb.catalog.schemas`) are OpenAPI 3.0 schema objects, a JSON Schema
draft-4 dialect. fastjsonschema turns each into Python code once (a few milliseconds, then
cached), which checks a 100-record page in about a millisecond, fast enough to run on every
page of a frame.

Two variants of every schema, because the two directions follow different rules:

* **request** (what paxos_nb sends): the schema as generated, enums and patterns included.
* **response** (what Paxos answers): Paxos's compatibility policy makes additive changes
  non-breaking (new fields, new enum values: docs.paxos.com "API versioning"), so the
  response variant keeps types, required fields, objects, arrays and the ``date-time``
  format, and drops ``enum``, ``pattern``, lengths, bounds and ``additionalProperties: false``.

:func:`describe` turns a validation failure into the field (``items[3].amount``) and what
the spec expected there, in plain words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from .catalog import schemas

__all__ = ["Failure", "describe", "expectation", "request_validator", "response_validator"]

Validator = Callable[[Any], Any]

# Dropped from response schemas: what an additive change may break without being a break.
_RESPONSE_DROP = frozenset(
    {
        "enum",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minItems",
        "maxItems",
        "uniqueItems",
        "readOnly",
        "writeOnly",
    }
)
# Formats the spec uses that only restate the type (int32...) or that we do not police (uri).
_FREE_FORMATS: dict[str, Callable[[Any], bool]] = {
    name: (lambda value: True) for name in ("int32", "int64", "uint64", "double", "float", "uri")
}
# RFC 3339 date-time (Paxos answers "like 2006-01-02T15:04:05Z", any fraction, any zone).
DATE_TIME = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:?\d\d)\Z")
_FORMATS = {**_FREE_FORMATS, "date-time": lambda value: bool(DATE_TIME.match(value))}


def _tolerant(schema: Any) -> Any:
    """The response variant of ``schema``: :data:`_RESPONSE_DROP` and closed objects removed
    (property names are never mistaken for keywords)."""
    if isinstance(schema, list):
        return [_tolerant(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _RESPONSE_DROP or (key == "additionalProperties" and value is False):
            continue
        if key == "properties":
            out[key] = {name: _tolerant(sub) for name, sub in value.items()}
        else:
            out[key] = _tolerant(value)
    return out


@cache
def _components(side: str) -> dict[str, Any]:
    found = schemas.components()
    return found if side == "request" else {k: _tolerant(v) for k, v in found.items()}


def _compile(schema: dict[str, Any], side: str) -> Validator:
    import fastjsonschema  # loads with the first check, not with paxos_nb

    if side == "response":
        schema = _tolerant(schema)
    root = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "components": _components(side),
        "allOf": [schema],  # draft 4 ignores keywords next to a $ref
    }
    compiled: Validator = fastjsonschema.compile(root, formats=_FORMATS)
    return compiled


@cache
def request_validator(operation_id: str) -> Validator | None:
    """The validator of ``operation_id``'s JSON request body (None: it declares none)."""
    body = schemas.for_operation(operation_id).body
    return None if body is None else _compile(body, "request")


@cache
def response_validator(operation_id: str, status: int) -> Validator | None:
    """The validator of ``operation_id``'s answer with ``status`` (None: no schema).

    A success status the spec does not list is checked against the ``200`` schema.
    """
    found = schemas.for_operation(operation_id)
    schema = found.response(status)
    if schema is None and 200 <= status < 300:
        schema = found.response(200)
    return None if schema is None else _compile(schema, "response")


@dataclass(frozen=True)
class Failure:
    """One validation failure in plain words: ``field`` is ``"items[3].amount"`` (empty for
    the whole document), ``problem`` says what is wrong and what the spec expects."""

    field: str
    problem: str
    rule: str
    expected: Any = None


def _field(path: list[Any], document: Any) -> str:
    """``items[3].amount`` from fastjsonschema's path (``["data", "items", "3", "amount"]``:
    list positions come as text, so the document says which parts are positions)."""
    text, node = "", document
    for part in path[1:]:  # path[0] is fastjsonschema's name for the document, "data"
        if isinstance(node, list) and str(part).isdigit():
            text += f"[{part}]"
            node = node[int(part)] if int(part) < len(node) else None
        else:
            text += f".{part}" if text else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return text


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return f"a string ({value[:40]!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def expectation(schema: dict[str, Any]) -> str:
    """What a schema asks for, in words: ``"a string (RFC 3339 date-time)"``."""
    schema = schemas.resolve(schema)
    kind = schema.get("type")
    if "enum" in schema:
        return "one of " + ", ".join(map(str, schema["enum"]))
    if kind == "array":
        return "a list of " + expectation(schema.get("items") or {}).removeprefix("a ")
    words = {
        "string": "a string",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
        "object": "an object",
    }.get(str(kind), "a value")
    if schema.get("format") == "date-time":
        words += " (an RFC 3339 timestamp such as 2025-01-31T00:00:00Z)"
    return words


def describe(exc: Any, document: Any) -> Failure:
    """A fastjsonschema ``JsonSchemaValueException`` on ``document`` in plain words."""
    path = list(getattr(exc, "path", None) or ["data"])
    rule = str(getattr(exc, "rule", "") or "")
    definition = getattr(exc, "rule_definition", None)
    value = getattr(exc, "value", None)
    where = _field(path, document)
    if rule == "required":
        missing = [n for n in definition or () if not isinstance(value, dict) or n not in value]
        name = missing[0] if missing else "?"
        return Failure(f"{where}.{name}" if where else name, "is missing (required)", rule)
    if rule == "type":
        wanted = definition if isinstance(definition, str) else " or ".join(definition or ())
        noun = {"integer": "a whole number", "array": "a list", "object": "an object"}.get(
            wanted, f"a {wanted}" if wanted in ("string", "number", "boolean") else wanted
        )
        return Failure(where, f"is {_kind(value)}, not {noun}", rule, wanted)
    if rule == "enum":
        choices = ", ".join(map(str, definition or ()))
        return Failure(where, f"is {value!r}, not one of {choices}", rule, definition)
    if rule == "format":
        return Failure(where, f"is {_kind(value)}, not a valid {definition}", rule, definition)
    message = str(getattr(exc, "message", exc)).replace("data.", "").replace("data ", "")
    return Failure(where, message, rule, definition)
