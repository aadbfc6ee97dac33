"""One column of Paxos values -> its pandas type: exact Decimals, UTC datetimes, categories.

:func:`convert` types one object array by its field name (:func:`~paxos_nb.frame_fields.kind_of`)
and its values. Speed matters here (a few hundred thousand rows per second is the goal), and
the cost is memory traffic: every pass over a column touches 10^4-10^6 scattered objects. So
each column is scanned as few times as possible, and the decisions that only need a peek use
the first present value (:func:`first_present`) instead of a full type scan.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray
from pandas.api.types import infer_dtype

from .frame_fields import NIL_UUID, kind_of

__all__ = ["convert", "first_present"]

logger = logging.getLogger(__name__)


def first_present(col: np.ndarray) -> Any:
    """The first present (not None, not NaN) value of a column, or None."""
    for v in col:
        if v is not None and v == v:
            return v
    return None


def convert(name: str, col: np.ndarray, gaps: bool, amounts: str) -> Any:
    """Type one column by its name and values; ``gaps``: it may hold NaN for missing."""
    kind = kind_of(name)
    first = first_present(col)
    if kind == "amount" and amounts != "string":
        return _amounts(name, col, gaps, amounts)
    if isinstance(first, str):
        if kind == "enum":
            with suppress(TypeError):  # unhashable or unsortable values: leave as they are
                return _categorical(col)
        if kind == "timestamp" and infer_dtype(col, skipna=True) == "string":
            return _timestamps(name, col)
        # pandas makes it a string column, where NaN is missing too. Only id columns can
        # hold the nil UUID, so only they pay for that comparison.
        cleaned = _blanks_to_none(col, ids=name.endswith("id"))
        # A column that had blanks may now be all missing and stay an object column, so
        # give it one missing marker (None) rather than a None/NaN mix.
        return _nan_to_none(cleaned) if gaps and cleaned is not col else cleaned
    if gaps:
        col = _nan_to_none(col)
    if type(first) in (int, bool, float):
        inferred = infer_dtype(col, skipna=True)
        missing = pd.isna(col).any()
        if inferred == "integer":  # nullable Int64, not float64 with NaN: ints stay exact
            return _as(col, "Int64" if missing else np.int64)
        if inferred == "boolean":
            return pd.array(col, dtype="boolean") if missing else col.astype(bool)
        if inferred in ("floating", "mixed-integer-float"):
            return col.astype("float64")
    return col  # lists, dicts, mixed types: kept as they are


def _as(col: np.ndarray, dtype: Any) -> Any:
    try:
        return pd.array(col, dtype=dtype) if dtype == "Int64" else col.astype(dtype)
    except (OverflowError, TypeError, ValueError):  # beyond 64 bits: keep the Python ints
        return col


def _nan_to_none(col: np.ndarray) -> np.ndarray:
    missing = pd.isna(col)
    if missing.any():
        col = col.copy()
        col[missing] = None
    return col


def _blanks_to_none(col: np.ndarray, ids: bool = True) -> np.ndarray:
    blank = (col == "") | (col == NIL_UUID) if ids else col == ""
    if blank.any():
        col = col.copy()
        col[blank] = None
    return col


def _categorical(col: np.ndarray) -> ExtensionArray:
    """A non-strict categorical of the values present, categories sorted; "" is missing."""
    codes, uniques = pd.factorize(col)  # None and NaN get code -1
    keep = uniques != ""
    order = np.argsort(uniques[keep])
    rank = np.full(len(uniques), -1, dtype=np.int64)
    rank[np.flatnonzero(keep)[order]] = np.arange(len(order))
    codes = np.where(codes >= 0, rank[codes], -1) if len(rank) else codes
    return pd.Categorical.from_codes(
        codes, dtype=pd.CategoricalDtype(list(uniques[keep][order]), ordered=False), validate=False
    )


def _amounts(name: str, col: np.ndarray, gaps: bool, amounts: str) -> Any:
    if amounts == "decimal":
        exact = _decimal_strings(col)
        if exact is not None:
            return exact
    # "string" with skipna=False: strings only, no None/NaN, so the fast path is safe
    # (Decimal(float("nan")) would not fail, it would make a Decimal NaN).
    strings = infer_dtype(col, skipna=False) == "string"
    if not strings:
        col = _nan_to_none(col) if gaps else col
    try:
        if amounts == "float":
            return pd.to_numeric(_blanks_to_none(col)).astype("float64", copy=False)
        out: list[Decimal | None] | None = None
        if strings:
            with suppress(InvalidOperation):  # the usual case: no blanks
                out = list(map(Decimal, col))
        if out is None and (strings or infer_dtype(col, skipna=True) in ("string", "empty")):
            out = [Decimal(v) if v else None for v in col]
        elif out is None:  # JSON numbers, or already Decimal
            out = [_decimal(v) for v in col]
    except (InvalidOperation, ValueError, TypeError):
        # Not numbers after all: keep the column as sent rather than guess.
        logger.warning("column %r is not all decimal numbers; left unconverted", name)
        return _blanks_to_none(col)
    result = np.empty(len(out), dtype=object)
    result[:] = out  # Decimals and None only: safe to assign in one step
    return result


_ZERO = Decimal(0)


def _decimal_strings(col: np.ndarray) -> np.ndarray | None:
    """Decimals for a column of decimal strings and missing values, each distinct text
    converted once (amounts repeat: most fees are "0"). None when the column holds anything
    else (JSON numbers, junk): the general path in :func:`_amounts` decides then."""
    try:
        codes, uniques = pd.factorize(col)  # None and NaN get code -1
    except TypeError:  # unhashable values (an object where the spec has a decimal string)
        return None
    if infer_dtype(uniques, skipna=False) not in ("string", "empty"):
        return None
    values: list[Decimal | None]
    try:
        try:
            values = list(map(Decimal, uniques))
        except InvalidOperation:  # blanks ("" is missing), or not numbers at all
            values = [Decimal(v) if v else None for v in uniques]
    except InvalidOperation:
        return None
    # Zero keeps its scale in Decimal and prints as "0E-8" for "0.00000000"; show "0".
    values = [_ZERO if v is not None and not v else v for v in values]
    table = np.empty(len(values) + 1, dtype=object)  # the last slot, code -1, stays None
    table[:-1] = values
    return table[codes]


def _decimal(v: Any) -> Decimal | None:
    if v is None or v == "":
        return None
    if isinstance(v, float):
        return Decimal(repr(v))  # the shortest text of the JSON number, not its binary value
    if isinstance(v, (bool, dict, list)):
        raise TypeError(f"not a decimal: {type(v).__name__}")
    return Decimal(v)


def _timestamps(name: str, col: np.ndarray) -> Any:
    try:
        values = pd.to_datetime(col, utc=True, format="ISO8601")
    except (ValueError, TypeError, OverflowError):
        logger.debug("column %r does not hold RFC 3339 timestamps; left as text", name)
        return _blanks_to_none(col)
    try:
        return values.as_unit("ns")
    except (ValueError, OverflowError):  # beyond year 2262: keep the parsed resolution
        return values
