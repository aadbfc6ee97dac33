"""The shape of a JSON answer: field paths and type tags, never values.

:func:`shape_of` walks an answer beside its response schema (``paxos_nb.catalog.schemas``)
and records, for every field path (``items[].amount``: list items merged, map keys folded
into ``{*}``), the JSON types seen there, refined for strings by their form
(``string:decimal``, ``string:timestamp Z``, ``string:uuid``...). It also notes the fields
the schema does not declare and the enum values the schema does not list.

Nothing here keeps a value: a tag is a type and a form, an object key is kept only when it
looks like a field name (else it becomes ``{*}``), and an out-of-spec enum value is kept
only when it looks like an enum constant (else it is counted as ``<not shown>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..catalog import schemas

__all__ = ["HIDDEN", "Shape", "base", "parent", "safe_name", "shape_of", "tag_of"]

ROOT = ""  # the path of the whole body
ANY_KEY = "{*}"  # the folded keys of a map (metadata) or of a key that is not a name
HIDDEN = "<not shown>"  # an out-of-spec value that does not look like an enum constant

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,47}\Z")
_CONSTANT = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}\Z")
_HEXRUN = re.compile(r"[0-9A-Fa-f]{8,}")
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(?P<zone>[Zz]|[+-]\d{2}:?\d{2})?\Z"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_NIL_UUID = "00000000-0000-0000-0000-000000000000"
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)\Z")
_DIGITS = re.compile(r"\d+\Z")


@dataclass
class Shape:
    """Field paths -> type tags of one or more answers (merged with :meth:`add`).

    Attributes
    ----------
    types : dict of str to set of str
        Every path seen (``""`` is the body itself) and the tags seen there.
    undeclared : set of str
        Paths of fields the response schema does not declare.
    outside_enum : dict of str to set of str
        Paths whose schema lists an enum, and the values seen outside it (or ``<not shown>``).
    """

    types: dict[str, set[str]] = field(default_factory=dict)
    undeclared: set[str] = field(default_factory=set)
    outside_enum: dict[str, set[str]] = field(default_factory=dict)

    def add(self, value: Any, schema: dict[str, Any] | None = None) -> Shape:
        """Merge the shape of ``value`` (an answer) into this one; returns self."""
        _walk(value, schema, ROOT, self, declared=schema is not None)
        return self

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{"fields": {path: [tags]}, "undeclared": [...], "outside_enum": ...}``."""
        return {
            "fields": {path: sorted(tags) for path, tags in sorted(self.types.items())},
            "undeclared": sorted(self.undeclared),
            "outside_enum": {p: sorted(v) for p, v in sorted(self.outside_enum.items())},
        }


def shape_of(value: Any, schema: dict[str, Any] | None = None) -> Shape:
    """The :class:`Shape` of one answer, read beside its response schema (None: no schema)."""
    return Shape().add(value, schema)


def base(tag: str) -> str:
    """The JSON type of a tag: ``"string:decimal"`` -> ``"string"``."""
    return tag.partition(":")[0]


def parent(path: str) -> str | None:
    """The enclosing path (``"items[].fee"`` -> ``"items[]"`` -> ``"items"``); None for the body."""
    if path == ROOT:
        return None
    if path.endswith("[]"):
        return path[:-2]
    return path.rpartition(".")[0]


def safe_name(text: str) -> bool:
    """True when ``text`` reads as a field name or enum constant, not as an id or a secret."""
    if not _NAME.match(text):
        return False
    return not any(any(c.isdigit() for c in run) for run in _HEXRUN.findall(text))


def _constant(value: str) -> str:
    return value if _CONSTANT.match(value) and safe_name(value) else HIDDEN


def tag_of(value: Any, schema: dict[str, Any] | None = None) -> str:
    """The tag of one value: its JSON type, and for strings their form."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if not isinstance(value, str):
        return type(value).__name__
    return "string" + _form(value, schema)


def _form(text: str, schema: dict[str, Any] | None) -> str:
    if text == "":
        return ":empty"
    stamp = _TIMESTAMP.match(text)
    if stamp:
        zone = stamp.group("zone")
        if not zone:
            return ":timestamp no zone"
        return ":timestamp Z" if zone in "Zz" else ":timestamp offset"
    if _DATE.match(text):
        return ":date"
    if text == _NIL_UUID:
        return ":nil uuid"
    if _UUID.match(text):
        return ":uuid"
    if schema is not None and schema.get("format") == "date-time" and _DIGITS.match(text):
        return ":epoch ms" if len(text) >= 13 else ":epoch s"
    if _DECIMAL.match(text):
        return ":decimal"
    return ""


def _join(path: str, key: str) -> str:
    return key if path == ROOT else f"{path}.{key}"


def _walk(value: Any, schema: Any, path: str, shape: Shape, *, declared: bool) -> None:
    spec = schemas.resolve(schema) if isinstance(schema, dict) else None
    shape.types.setdefault(path, set()).add(tag_of(value, spec))
    if isinstance(value, dict):
        props = (spec or {}).get("properties") or {}
        more = (spec or {}).get("additionalProperties")
        for key, item in value.items():
            if key in props:
                _walk(item, props[key], _join(path, key), shape, declared=True)
            elif more is True or isinstance(more, dict):  # a map: its keys are data
                sub = more if isinstance(more, dict) else None
                _walk(item, sub, _join(path, ANY_KEY), shape, declared=True)
            else:
                name = key if safe_name(key) else ANY_KEY
                child = _join(path, name)
                if declared:  # the parent had a schema, and it does not know this field
                    shape.undeclared.add(child)
                _walk(item, None, child, shape, declared=False)
    elif isinstance(value, list):
        items = (spec or {}).get("items")
        for item in value:
            _walk(item, items, path + "[]", shape, declared=declared)
    elif isinstance(value, str) and _outside_enum(value, spec):
        shape.outside_enum.setdefault(path, set()).add(_constant(value))


def _outside_enum(value: str, spec: dict[str, Any] | None) -> bool:
    return spec is not None and bool(spec.get("enum")) and value not in spec["enum"]
