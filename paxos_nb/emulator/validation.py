"""Request validation from the catalog's schemas: path, query and body, before any handler runs.

One :func:`check` per request, called by the dispatcher after the auth chain. Each operation's
rules are compiled on first use (``fastjsonschema``) and cached for the process. Every refusal
is a 400 problem+json naming the field and what it expected, in Paxos's wording
(``base_amount invalid: ...``, worded by :mod:`.schema_errors`); a body that is not JSON is a
415. The policy where Paxos says nothing (unknown names, bodies where none is taken,
``null``) is in docs/emulator.md.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import Any

import fastjsonschema

from .. import catalog
from ..catalog import Operation, schemas
from .call import Query
from .problems import Problem, bad_request
from .schema_errors import expected, explain, field_of

__all__ = ["check", "request_components", "rfc3339"]

logger = logging.getLogger(__name__)

_INT_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint32": (0, 2**32 - 1),
    "uint64": (0, 2**64 - 1),
}
_INTEGER = re.compile(r"\A[+-]?[0-9]+\Z")
_RFC3339 = re.compile(
    r"\A(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(\.\d+)?([Zz]|[+-](\d\d):(\d\d))\Z"
)
# strconv.ParseBool, which Go services (grpc-gateway) use for boolean query parameters.
_BOOLEANS = {
    **dict.fromkeys(("1", "t", "T", "TRUE", "true", "True"), True),
    **dict.fromkeys(("0", "f", "F", "FALSE", "false", "False"), False),
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_JSON_MEDIA = re.compile(r"\Aapplication/(?:[\w.+-]+\+)?json\Z")


def rfc3339(text: str) -> bool:
    """Whether ``text`` is an RFC 3339 timestamp (``2006-01-02T15:04:05Z``, offsets allowed)
    naming a real instant that UTC can hold (``0001-01-01T00:00:00+00:01`` cannot)."""
    m = _RFC3339.match(text)
    if m is None:
        return False
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    sign, hours, minutes = m.group(8)[0], m.group(9), m.group(10)
    if int(minutes or 0) > 59:
        return False
    try:
        offset = timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
        zone = timezone(-offset if sign == "-" else offset)
        second = min(second, 59)  # 60: a leap second
        datetime(year, month, day, hour, minute, second, tzinfo=zone).astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return False
    return True


_FORMATS: dict[str, Any] = {
    "date-time": rfc3339,
    "int32": r"^[+-]?[0-9]+$",  # a string carrying an integer (formats apply to strings only)
    "int64": r"^[+-]?[0-9]+$",
    "uint64": r"^[0-9]+$",
}


def _strict(node: Any) -> Any:
    """A copy where every object schema with ``properties`` refuses other names (requests)."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _strict(value) for key, value in node.items()}
    if "properties" in node:
        out["properties"] = {k: _strict(v) for k, v in node["properties"].items()}
        out.setdefault("additionalProperties", False)
    return out


@cache
def request_components() -> dict[str, Any]:
    """The catalog's components as request validation reads them: unknown field names refused."""
    return {name: _strict(schema) for name, schema in schemas.components().items()}


def _compile(schema: dict[str, Any]) -> Callable[[Any], Any]:
    rooted = {
        "$schema": "http://json-schema.org/draft-04/schema#",  # OpenAPI 3.0's dialect
        "components": request_components(),
        "allOf": [_strict(schema)],
    }
    return fastjsonschema.compile(rooted, formats=_FORMATS)


@dataclass(frozen=True)
class _Param:
    """One query parameter: its JSON type (of its items, for an array) and integer range."""

    name: str
    array: bool
    kind: str  # "string", "integer", "number" or "boolean"
    bounds: tuple[int, int] | None  # an integer format's range


def _param(name: str, schema: dict[str, Any]) -> _Param:
    schema = schemas.resolve(schema)
    array = schema.get("type") == "array"
    if array:
        schema = schemas.resolve(schema.get("items", {}))
    kind = schema.get("type")
    return _Param(
        name,
        array,
        kind if isinstance(kind, str) else "string",
        _INT_RANGES.get(schema.get("format", "int64")),
    )


@dataclass(frozen=True)
class _Rules:
    """One operation's compiled request rules."""

    op: Operation
    path: Callable[[Any], Any]
    query: dict[str, _Param]
    required: tuple[str, ...]
    query_check: Callable[[Any], Any]
    body: Callable[[Any], Any] | None
    body_schema: dict[str, Any] | None
    body_required: bool


@cache
def _rules(operation_id: str) -> _Rules:
    op = catalog.by_id(operation_id)
    assert op is not None, operation_id
    found = schemas.for_operation(operation_id)
    return _Rules(
        op=op,
        path=_compile({"type": "object", "properties": found.path}),
        query={name: _param(name, schema) for name, schema in found.query.items()},
        required=found.required,
        query_check=_compile({"type": "object", "properties": found.query}),
        body=_compile(found.body) if found.body is not None else None,
        body_schema=found.body,
        body_required=found.body_required,
    )


# -- the entry point ---------------------------------------------------------------------
def check(
    op: Operation,
    path_params: Mapping[str, str],
    query: Query,
    body: bytes,
    content_type: str | None,
) -> dict[str, Any] | None:
    """Validate one request to ``op``; returns the JSON body for the handler (or None).

    The body comes back with ``Decimal`` numbers and without ``null`` members (Paxos reads
    ``null`` as "not given", like any protobuf JSON service).
    """
    rules = _rules(op.operation_id)
    _check_path(rules, path_params)
    _check_query(rules, query)
    return _check_body(rules, body, content_type)


def _where(op: Operation) -> str:
    return f"{op.method} /v2{op.path}"


def _check_path(rules: _Rules, values: Mapping[str, str]) -> None:
    for name, value in values.items():
        control = _CONTROL.search(value)
        if control:
            raise bad_request(
                f"path parameter {name} invalid: control character {control.group()!r} in {value!r}"
            )
    try:
        rules.path(dict(values))
    except fastjsonschema.JsonSchemaValueException as exc:
        if exc.rule == "enum":  # a path names a resource: an unknown one is not found
            raise Problem(
                404,
                f"{field_of(exc)} not found: {exc.value}; path parameter {field_of(exc)} "
                f"takes {expected(exc.definition or {})}",
            ) from None
        raise bad_request(explain(exc, "path parameter ")) from None


def _check_query(rules: _Rules, query: Query) -> None:
    given: dict[str, Any] = {}
    for name in query:
        param = rules.query.get(name)
        if param is None:
            raise bad_request(_unknown_query(rules, name))
        raw = [v for v in query.getlist(name) if v != ""]  # empty: not given
        if not raw:
            continue
        if param.array:
            given[name] = [_coerce(param, v) for v in raw]
        elif len(raw) > 1:
            raise bad_request(
                f"query parameter {name} invalid: given {len(raw)} times; it takes one value"
            )
        else:
            given[name] = _coerce(param, raw[0])
    for name in rules.required:
        if name not in given:
            raise bad_request(f"query parameter {name} is required")
    _run(rules.query_check, given, "query parameter ")


def _unknown_query(rules: _Rules, name: str) -> str:
    known = sorted(rules.query)
    head = f"query parameter {name} is not a parameter of {_where(rules.op)}"
    if not known:
        return f"{head}, which takes no query parameters"
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"{head}; did you mean {close[0]}?"
    return f"{head}; its parameters are {', '.join(known)}"


def _coerce(param: _Param, text: str) -> Any:
    """A query string value as its declared JSON type (strings stay strings)."""
    at = f"query parameter {param.name} invalid"
    if param.kind == "integer":
        if not _INTEGER.match(text):
            raise bad_request(f"{at}: expected an integer, got {text!r}")
        value, bounds = int(text), param.bounds or _INT_RANGES["int64"]
        if not bounds[0] <= value <= bounds[1]:
            raise bad_request(f"{at}: {text} is out of range ({bounds[0]} to {bounds[1]})")
        return value
    if param.kind == "number":
        try:
            number = Decimal(text)
        except ArithmeticError:
            number = Decimal("nan")
        if not number.is_finite():
            raise bad_request(f"{at}: expected a number, got {text!r}")
        return float(number)
    if param.kind == "boolean":
        if text not in _BOOLEANS:
            raise bad_request(f"{at}: expected true or false, got {text!r}")
        return _BOOLEANS[text]
    return text


def _check_body(rules: _Rules, raw: bytes, content_type: str | None) -> dict[str, Any] | None:
    where = _where(rules.op)
    if not raw:
        if rules.body_required:
            raise bad_request(f"{where} needs a JSON request body")
        return None
    if rules.body is None:
        raise bad_request(f"{where} takes no request body; send it without one")
    _check_media(content_type)
    checked = _parse(raw, float)
    if not isinstance(checked, dict):
        raise bad_request("request body must be a JSON object")
    assert rules.body_schema is not None
    checked = _discard_unknown(rules.body_schema, _without_nulls(checked), "")
    _run(rules.body, checked, "")
    body: dict[str, Any] = _discard_unknown(
        rules.body_schema, _without_nulls(_parse(raw, Decimal)), ""
    )
    return body


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _discard_unknown(schema: dict[str, Any], value: Any, where: str) -> Any:
    """``value`` without the object members its schema does not declare, as Paxos's protobuf
    JSON reader discards them (Paxos adds fields), except names a letter or two off a declared
    one (``ref_idd``): those stay, for the schema check to refuse as the typo they are. The
    same line as the client's own check (``paxos_nb.request_checks``)."""
    schema = schemas.resolve(schema)
    if isinstance(value, list):
        items = schema.get("items") or {}
        return [_discard_unknown(items, v, f"{where.rstrip('.')}[].") for v in value]
    props = schema.get("properties")
    if not isinstance(value, dict) or not props:
        return value
    by_norm = {_norm(name): name for name in props}
    out = {}
    for key, member in value.items():
        if key in props:
            out[key] = _discard_unknown(props[key], member, f"{where}{key}.")
        elif "additionalProperties" in schema or difflib.get_close_matches(
            _norm(key), by_norm, n=1, cutoff=0.85
        ):
            out[key] = member  # a map's entry, or a typo for the check to name
        else:
            logger.debug("request body field %s%s is not in the catalog: ignored", where, key)
    return out


def _check_media(content_type: str | None) -> None:
    mime, _, params = (content_type or "").partition(";")
    charset = re.search(r"charset\s*=\s*\"?([\w-]+)", params, re.IGNORECASE)
    ok = _JSON_MEDIA.match(mime.strip().lower()) and (
        charset is None or charset.group(1).lower() in ("utf-8", "utf8")
    )
    if not ok:
        got = f"'{content_type}'" if content_type else "none"
        raise Problem(
            415,
            f"the request body must be JSON sent with Content-Type: application/json; got {got}",
        )


def _parse(raw: bytes, parse_float: Callable[[str], Any]) -> Any:
    try:
        return json.loads(
            raw,
            parse_float=parse_float,
            parse_constant=_no_constant,
            object_pairs_hook=_no_duplicates,
        )
    except ValueError as exc:
        raise bad_request(f"request body is not valid JSON: {exc}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"field {key!r} is given more than once")
        out[key] = value
    return out


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _run(validate: Callable[[Any], Any], data: Any, prefix: str) -> None:
    try:
        validate(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise bad_request(explain(exc, prefix)) from None
