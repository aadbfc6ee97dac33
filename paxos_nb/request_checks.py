"""What paxos_nb sends, checked against the operation's schemas before anything leaves.

Paxos answers an unknown query parameter by ignoring it: ``frame("/transfer/transfers",
status="FAILED")`` (the parameter is ``statuses``) returned every transfer. So every query
parameter must be one the operation declares, with a value its schema allows, and a JSON body
must fit the body schema. Each refusal is an :class:`~paxos_nb.errors.InvalidRequest` naming
the parameter or field, what was expected, and the closest real name.

The catalog may lag Paxos (a parameter or enum value added after it was generated; the
changelog's additions it knows, such as the transfer type ``RTP_DEPOSIT`` of 2026-02, are in
it): ``validate=False`` on a call, or ``session.validate = False``, sends the request unchecked.

Values are checked as they will be sent: after :func:`paxos_nb.pagination.query_params` has
turned datetimes into RFC 3339 text and booleans into ``true``/``false``; text that parses as
the declared type (``limit="10"`` from ``%paxos`` or the command line) is accepted.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote

from .catalog import Operation, schemas
from .errors import InvalidRequest
from .frame_fields import kind_of
from .validators import DATE_TIME, describe, expectation, request_validator

__all__ = ["ESCAPE", "check_body", "check_path", "check_query", "closest_names"]

ESCAPE = "pass validate=False to send it anyway if Paxos added it after paxos_nb's catalog"
_DATE_ONLY = re.compile(r"\d{4}-\d\d-\d\d\Z")
_NO_ZONE = re.compile(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d(:\d\d(\.\d+)?)?\Z")
_INTEGER = re.compile(r"[+-]?\d+\Z")
_BOOLEANS = frozenset({"true", "false", "1", "0", "t", "f", "TRUE", "FALSE", "True", "False"})
_MAX_LISTED = 12


def _some(choices: list[str], shown: int = 8) -> str:
    """The choices, the first ``shown`` of a long list: a message stays a line or two."""
    if len(choices) <= shown:
        return ", ".join(choices)
    return f"{', '.join(choices[:shown])}, … ({len(choices)} values)"


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def closest_names(name: str, known: Iterable[str], n: int = 2) -> list[str]:
    """The known names nearest ``name``; ``_``, ``.`` and case are ignored first
    (``created_at_gte`` -> ``created_at.gte``), then spelling (``status`` -> ``statuses``)."""
    known = list(known)
    same = [k for k in known if _norm(k) == _norm(name)]
    if same:
        return same[:n]
    by_norm = {_norm(k): k for k in known}
    hits = difflib.get_close_matches(_norm(name), list(by_norm), n=n, cutoff=0.6)
    return [by_norm[h] for h in hits]


def _spelled(name: str, extras: Mapping[str, str]) -> str:
    """How to write ``name`` in a call: ``created_at.gte`` as a keyword is ``created_at__gte``."""
    if name in extras:
        return f"{name}= ({extras[name]})"
    return f"{name!r} (as a keyword: {name.replace('.', '__')}=)" if "." in name else repr(name)


def check_query(
    op: Operation, params: Mapping[str, Any], *, extras: Mapping[str, str] | None = None
) -> None:
    """Every parameter known to ``op``, every value allowed, every required one present.

    Parameters
    ----------
    op : catalog.Operation
    params : mapping
        As they will be sent (Paxos's names, ``created_at.gte``).
    extras : mapping of str to str, optional
        Other names the caller takes (``frame()``'s ``max_rows``...) and what they are,
        offered as "did you mean" too.

    Raises
    ------
    InvalidRequest
    """
    declared = schemas.for_operation(op.operation_id)
    known = declared.query
    for name, value in params.items():
        schema = known.get(name)
        if schema is None:
            _unknown(op, name, known, extras or {})
        else:
            _check_value(op, name, schema, value)
    missing = [name for name in declared.required if params.get(name) in (None, "", [])]
    if missing:
        raise InvalidRequest(
            f"{op.operation_id} needs the query parameter {missing[0]!r}",
            operation=op.operation_id,
            field=missing[0],
            hint=f"pass {missing[0]}=... ({expectation(known[missing[0]])})",
        )


def _unknown(op: Operation, name: str, known: Mapping[str, Any], extras: Mapping[str, str]):
    nearest = closest_names(name, [*known, *extras])
    if nearest:
        hint = "did you mean " + " or ".join(_spelled(n, extras) for n in nearest) + "?"
    elif known:
        listed = sorted(known)
        more = f" and {len(listed) - _MAX_LISTED} more" if len(listed) > _MAX_LISTED else ""
        hint = f"{op.operation_id} takes: {', '.join(listed[:_MAX_LISTED])}{more}"
    else:
        hint = f"{op.operation_id} takes no query parameters"
    raise InvalidRequest(
        f"{op.operation_id} ({op.key}) has no parameter {name!r}; Paxos would ignore it "
        "and answer as if it were not there",
        operation=op.operation_id,
        field=name,
        closest=nearest,
        hint=f"{hint} ({ESCAPE})",
    )


def _check_value(op: Operation, name: str, schema: dict[str, Any], value: Any) -> None:
    schema = schemas.resolve(schema)
    if schema.get("type") == "array":
        item = schemas.resolve(schema.get("items") or {})
        for one in value if isinstance(value, list) else [value]:
            _check_scalar(op, name, item, one)
        return
    if isinstance(value, list):
        if len(value) != 1:
            raise InvalidRequest(
                f"{op.operation_id}: {name} takes one value, not a list of {len(value)}",
                operation=op.operation_id,
                field=name,
                hint=f"pass one {expectation(schema).removeprefix('a ')}",
            )
        value = value[0]
    _check_scalar(op, name, schema, value)


def _refuse(op: Operation, name: str, value: Any, problem: str, hint: str) -> InvalidRequest:
    return InvalidRequest(
        f"{op.operation_id}: {name}={value!r} {problem}",
        operation=op.operation_id,
        field=name,
        hint=hint,
    )


def _check_scalar(op: Operation, name: str, schema: dict[str, Any], value: Any) -> None:
    kind = schema.get("type")
    text = value if isinstance(value, str) else None
    if kind == "integer":
        whole = isinstance(value, int) and not isinstance(value, bool)
        if not (whole or (text is not None and _INTEGER.match(text.strip()))):
            raise _refuse(op, name, value, "is not a whole number", f"pass {name} as digits")
        return
    if kind == "number":
        try:
            float(value)
        except (TypeError, ValueError):
            raise _refuse(op, name, value, "is not a number", f"pass {name} as a number") from None
        return
    if kind == "boolean":
        if str(value) not in _BOOLEANS:
            raise _refuse(op, name, value, "is not true or false", f"pass {name}=True or False")
        return
    if isinstance(value, (dict, list, set, tuple)):
        raise _refuse(op, name, value, "is not text", f"pass {expectation(schema)}")
    text = str(value)
    choices = [str(c) for c in schema.get("enum") or ()]
    if choices and text not in choices:
        near = difflib.get_close_matches(text.upper(), choices, n=1)
        hint = f"did you mean {near[0]!r}?" if near else "use one of: " + ", ".join(choices)
        raise _refuse(op, name, value, f"is not one of {_some(choices)}", f"{hint} ({ESCAPE})")
    if schema.get("format") == "date-time" and not DATE_TIME.match(text):
        if _DATE_ONLY.match(text):
            problem = "is a date without a time; Paxos needs an RFC 3339 timestamp"
            fix = f"write {text + 'T00:00:00Z'!r} (midnight UTC) or pass a datetime"
        elif _NO_ZONE.match(text):
            problem = "has no time zone; Paxos needs an RFC 3339 timestamp"
            fix = f"add Z for UTC ({text.replace(' ', 'T') + 'Z'!r}) or pass an aware datetime"
        else:
            problem = "is not an RFC 3339 timestamp"
            fix = "write it like 2025-01-31T00:00:00Z, or pass a datetime"
        raise _refuse(op, name, value, problem, fix)
    pattern = schema.get("pattern")
    if pattern and not re.search(pattern, text):
        raise _refuse(op, name, value, f"does not match {pattern!r}", "check the value")


def check_path(op: Operation, path: str) -> None:
    """The path's values (``/markets/{market}/ticker``) against their schemas (enums)."""
    declared = schemas.for_operation(op.operation_id).path
    if not declared:
        return
    given_parts = path.split("?", 1)[0].rstrip("/").split("/")
    for template, given in zip(op.path.split("/"), given_parts, strict=False):
        if template.startswith("{") and template.endswith("}"):
            schema = declared.get(template[1:-1])
            if schema is not None:
                _check_scalar(op, template[1:-1], schemas.resolve(schema), unquote(given))


def check_body(op: Operation, body: Any) -> None:
    """A JSON body against ``op``'s body schema: required fields, types, enums, formats.

    Raises
    ------
    InvalidRequest
        Naming the field (``beneficiary.person_details.first_name``) and what it should be.
    """
    declared = schemas.for_operation(op.operation_id)
    if body is None:
        if declared.body_required:
            raise InvalidRequest(
                f"{op.operation_id} ({op.key}) needs a JSON body",
                operation=op.operation_id,
                hint=f"pass json={{...}}; px.catalog.schemas.for_operation({op.operation_id!r})"
                ".body describes it",
            )
        return
    validator = request_validator(op.operation_id)
    if validator is None:
        if body not in ({}, []):
            raise InvalidRequest(
                f"{op.operation_id} ({op.key}) takes no JSON body",
                operation=op.operation_id,
                hint=f"drop json=... ({ESCAPE})",
            )
        return
    import fastjsonschema

    try:
        validator(body)
    except fastjsonschema.JsonSchemaValueException as exc:
        failure = describe(exc, body)
        raise InvalidRequest(
            f"{op.operation_id} body: {failure.field or 'the body'} {failure.problem}",
            operation=op.operation_id,
            field=failure.field,
            hint=_body_hint(failure),
        ) from None
    _near_miss_fields(op, body, declared.body or {}, "")


def _body_hint(failure: Any) -> str:
    name = failure.field.rsplit(".", 1)[-1]
    if failure.rule == "required":
        return f"add {name!r} to the JSON body"
    if failure.rule == "type" and failure.expected == "string":
        if kind_of(name) == "amount":
            return f'Paxos takes {name} as a decimal string, such as "10.50", never a number'
        return f"pass {name} as a string"
    if failure.rule == "enum":
        return f"use one of the listed values ({ESCAPE})"
    return "see px.catalog.schemas.for_operation(...).body for the body's shape"


def _near_miss_fields(op: Operation, body: Any, schema: dict[str, Any], where: str) -> None:
    """An unknown field that is one letter off a documented one (``ammount``) is a typo
    Paxos would ignore; other unknown fields pass (Paxos may have added them)."""
    schema = schemas.resolve(schema)
    if isinstance(body, list) and schema.get("type") == "array":
        for index, item in enumerate(body):
            _near_miss_fields(op, item, schema.get("items") or {}, f"{where}[{index}]")
        return
    props = schema.get("properties")
    if not isinstance(body, dict) or not props:
        return
    for key, value in body.items():
        here = f"{where}.{key}" if where else key
        if key in props:
            _near_miss_fields(op, value, props[key], here)
            continue
        by_norm = {_norm(name): name for name in props}
        close = difflib.get_close_matches(_norm(key), list(by_norm), n=1, cutoff=0.85)
        near = [by_norm[c] for c in close]
        if near:
            raise InvalidRequest(
                f"{op.operation_id} body: {here!r} is not a field of this body; Paxos would "
                "ignore it",
                operation=op.operation_id,
                field=here,
                closest=near,
                hint=f"did you mean {near[0]!r}? ({ESCAPE})",
            )
