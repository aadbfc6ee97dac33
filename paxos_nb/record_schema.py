"""The records an operation documents, and the empty frame of a list with no records.

An empty list would otherwise be a 0 x 0 DataFrame: code that selects ``df["amount"]`` or
filters on ``status`` breaks exactly when nothing matched. The response schema says what each
record holds (the envelope's item schema), so an empty result still has its columns, named
and typed as :func:`paxos_nb.frames.records_to_frame` names and types them (nested objects
as dotted columns, timestamps as UTC datetimes). Pure: no HTTP here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from . import catalog
from .catalog import schemas
from .frame_fields import KEEP_AS_DICT, kind_of

__all__ = ["documented_columns", "empty_frame"]

_DEPTH = 3  # nested objects deeper than this stay one column


def documented_columns(operation_id: str) -> list[str]:
    """The columns a frame of ``operation_id``'s records has, in the spec's order, ``id``
    first; empty when the spec does not describe the records."""
    op = catalog.by_id(operation_id)
    answer = schemas.for_operation(operation_id).response(200) if op else None
    if op is None or answer is None:
        return []
    props = schemas.resolve(answer).get("properties") or {}
    for key in op.envelope:
        listed = props.get(key)
        if listed is not None:
            items = schemas.resolve(listed).get("items")
            if items is None:
                return []
            names = _flatten(items, "", 0)
            if op.envelope_all:
                names = ["side", *names]  # the order book's bids/asks, as extract() marks them
            return sorted(dict.fromkeys(names), key=lambda n: n != "id")
    return []


def _flatten(schema: dict[str, Any], prefix: str, depth: int) -> list[str]:
    props = schemas.resolve(schema).get("properties") or {}
    names: list[str] = []
    for key, sub in props.items():
        resolved = schemas.resolve(sub)
        nested = resolved.get("properties")
        if nested and key not in KEEP_AS_DICT and depth < _DEPTH:
            names += _flatten(resolved, f"{prefix}{key}.", depth + 1)
        else:
            names.append(f"{prefix}{key}")
    return names


def empty_frame(operation_id: str | None, *, amounts: str = "decimal") -> pd.DataFrame:
    """A frame with no rows and the documented columns of ``operation_id``'s records.

    Timestamps are ``datetime64[ns, UTC]``, amounts ``float64`` with ``amounts="float"``
    (else ``object``), the rest ``object``, as they would be with records.
    """
    names = documented_columns(operation_id) if operation_id else []
    columns: dict[str, pd.Series] = {}
    for name in names:
        kind = kind_of(name)
        if kind == "timestamp":
            dtype: Any = "datetime64[ns, UTC]"
        elif kind == "amount" and amounts == "float":
            dtype = "float64"
        else:
            dtype = object
        columns[name] = pd.Series(dtype=dtype)
    return pd.DataFrame(columns, index=pd.RangeIndex(0))
