"""Paxos records -> pandas DataFrame: flattened, typed, exact. Pure: no HTTP here.

:func:`records_to_frame` takes the records of one operation, already unwrapped from their
envelope (``response["items"]``, the order book's ``asks``...), and returns a DataFrame:

* **Nested objects become dotted columns**: the columns ``pd.json_normalize(records)`` makes,
  except that ``metadata`` and ``recipient_metadata`` (free string->string maps) stay one
  column of dicts instead of ``metadata.<key>`` columns. Lists stay objects; an object that is
  empty in every record (``status_details: {}``) makes no column, as with ``json_normalize``.
  Column order: ``id`` first, then first-seen order, a nested object expanded in its place::

      >>> records = [
      ...     {"id": "t1", "amount": "1.5", "secondary_status": {"name": "X", "detail": "d"}},
      ...     {"id": "t2", "amount": "2", "metadata": {"k": "v"}},
      ... ]
      >>> records_to_frame(records)
         id amount secondary_status.name secondary_status.detail    metadata
      0  t1    1.5                     X                       d        None
      1  t2      2                   NaN                     NaN  {'k': 'v'}
      >>> pd.json_normalize(records)  # the same cells, untyped, metadata spread out
         id amount secondary_status.name secondary_status.detail metadata.k
      0  t1    1.5                     X                       d        NaN
      1  t2      2                   NaN                     NaN          v

  ``amount`` above holds ``Decimal('1.5')`` and ``Decimal('2')``, not strings or floats.
* **Amounts stay exact.** Paxos sends amounts and prices as decimal strings; columns named
  ``amount, total, fee, price, available, trading, base_amount, quote_amount, ...`` (the list
  is :data:`AMOUNT_FIELDS`, and dotted names ending in one of them, like ``best_bid.price``)
  become :class:`decimal.Decimal` objects in ``object`` columns (``amounts="decimal"``, the
  default), so ``df.amount.sum()`` is exact. ``amounts="float"`` gives ``float64`` instead and
  ``amounts="string"`` keeps the strings. For a frame already built, ``df.paxos.floats()``
  (or :func:`as_float`) returns a float64 copy for plotting. Missing amounts are ``None``,
  which ``sum()``, ``isna()``, arithmetic and ``astype(float)`` all treat as missing.
* **Timestamps** (``*_at``, ``timestamp``, ``start_time``... RFC 3339 with any fraction) become
  ``datetime64[ns, UTC]``.
* **Enum-like columns** (``status, type, side, direction, market, asset``... and ``*_status``,
  ``secondary_status.name``) become a ``CategoricalDtype`` built from the values present, so
  a value Paxos adds tomorrow is just one more category.
* ``""`` and the nil UUID ``00000000-0000-0000-0000-000000000000`` (Paxos's "no link") become
  missing values; ids stay strings; fields this module does not know pass through unchanged.

Speed: the records are read into one object array in C (``pd.DataFrame(records,
dtype=object)``), then each column is converted with vectorized or C-level calls; nothing is
done row by row in Python except the ``Decimal`` construction itself, once per distinct text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from contextlib import suppress
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from .errors import ConfigError

__all__ = [
    "AMOUNT_FIELDS",
    "ENUM_FIELDS",
    "NIL_UUID",
    "TIMESTAMP_FIELDS",
    "as_float",
    "decimal_columns",
    "records_to_frame",
]

logger = logging.getLogger(__name__)

NIL_UUID = "00000000-0000-0000-0000-000000000000"

# API brief §13, plus the market statistics of the ticker (high/low/open/volume) and the
# other decimal strings of orders and issuer quotes (stop_price, quantity).
AMOUNT_FIELDS = frozenset(
    {
        "amount",
        "total",
        "fee",
        "price",
        "available",
        "trading",
        "base_amount",
        "quote_amount",
        "amount_filled",
        "volume_weighted_average_price",
        "commission",
        "rebate",
        "gross_trade_amount",
        "current_price",
        "yesterday_price",
        "average_price",
        "notional_value",
        "limit",
        "remaining",
        "high",
        "low",
        "open",
        "volume",
        "stop_price",
        "quantity",
    }
)
# Plus every name ending in "_at".
TIMESTAMP_FIELDS = frozenset(
    {"timestamp", "start_time", "end_time", "expiration_date", "begin", "end"}
)
# Plus every name ending in "_status", and "<...>status.name" (secondary_status.name).
ENUM_FIELDS = frozenset(
    {
        "status",
        "type",
        "side",
        "direction",
        "market",
        "asset",
        "balance_asset",
        "base_asset",
        "quote_asset",
        "source_asset",
        "target_asset",
        "commission_asset",
        "rebate_asset",
        "limit_asset",
        "crypto_network",
        "fiat_network",
        "time_in_force",
        "conversion_target_asset",
        "routing_number_type",
        "buy_reason",
        "sell_reason",
        "recurrence",
        "custodian_type",
        "order_type",
    }
)
_KEEP_AS_DICT = frozenset({"metadata", "recipient_metadata"})
_NONE = type(None)
_EMPTY: dict = {}
_NUMERIC = frozenset({"integer", "floating", "mixed-integer-float", "decimal"})


def records_to_frame(
    records: Iterable[dict[str, Any]],
    *,
    amounts: str = "decimal",
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Build a typed DataFrame from the records of one Paxos operation.

    Parameters
    ----------
    records : iterable of dict
        The records, already unwrapped from the response envelope. Records that are not
        objects (a list of URLs) become one column named ``value``.
    amounts : {"decimal", "float", "string"}
        How amount and price columns are typed: exact ``Decimal`` objects (default),
        ``float64``, or the strings as sent.
    columns : sequence of str, optional
        Select and order the output columns; a name no record has becomes an all-missing
        column. With no records, the empty frame has these columns.

    Returns
    -------
    pandas.DataFrame
        One row per record, columns as described in the module docstring.

    Raises
    ------
    ConfigError
        ``amounts`` is not one of the three choices, or the records mix objects and
        plain values.
    """
    if amounts not in ("decimal", "float", "string"):
        raise ConfigError(
            f"amounts must be 'decimal', 'float' or 'string', not {amounts!r}",
            hint="use amounts='decimal' for exact sums, 'float' for plotting",
        )
    records = records if isinstance(records, list) else list(records)
    if not records:
        return pd.DataFrame(columns=list(columns or ()))
    kinds = set(map(type, records))
    if dict not in kinds:
        frame = pd.DataFrame({"value": _objects(records)})
    elif kinds != {dict}:
        bad = next(type(r).__name__ for r in records if type(r) is not dict)
        raise ConfigError(
            f"records mix objects with {bad} values; cannot build one table",
            hint="pass the list under one envelope key, e.g. response['items']",
        )
    else:
        raw: dict[str, tuple[np.ndarray, bool]] = {}
        _flatten(records, "", raw, len(records))
        names = sorted(raw, key=lambda n: n != "id")  # stable: id first, the rest as seen
        data = {name: _convert(name, *raw[name], amounts) for name in names}
        frame = pd.DataFrame(data, index=pd.RangeIndex(len(records)))
    if columns is not None:
        frame = frame.reindex(columns=list(columns))
    return frame


# Speed matters here (a few hundred thousand rows per second is the goal), and the cost is
# memory traffic: every pass over a column touches 10^4-10^6 scattered objects. So each
# column is scanned as few times as possible, and the decisions that only need a peek use
# the first present value (_first) instead of a full type scan.


def _flatten(
    records: list[dict],
    prefix: str,
    out: dict[str, tuple[np.ndarray, bool]],
    n_rows: int,
    rows: np.ndarray | None = None,
) -> None:
    """Column-wise flattening into ``out``: name -> (object array, may hold NaN for missing).

    ``rows`` are the positions of ``records`` in the full table, when these are the nested
    objects of only some rows (a nested object is expanded from the records that have it).
    """
    keys, columns = _table(records)
    if not keys:
        return
    complete = set(map(len, records)) == {len(keys)}  # then no key is missing anywhere
    for key, col in zip(keys, columns, strict=True):
        name = f"{prefix}{key}"
        if type(_first(col)) is dict and key not in _KEEP_AS_DICT:
            present = pd.notna(col)
            nested = col[present]
            if set(map(type, nested)) == {dict}:  # objects only: expand to dotted columns
                where = np.flatnonzero(present) if rows is None else rows[present]
                _flatten(nested.tolist(), f"{name}.", out, n_rows, where)
                continue
        if rows is not None:
            full = np.empty(n_rows, dtype=object)  # filled with None: absent parent object
            full[rows] = col
            col = full
        out[name] = (col, not complete)


def _table(records: list[dict]) -> tuple[list[str], list[np.ndarray]]:
    """The keys (first-seen order) and one object array per key; a missing key gives NaN.

    ``pd.DataFrame(records)`` finds the keys and reads the values in C, much faster than a
    Python loop; ``dtype=object`` keeps the values exactly as parsed from JSON (no inference).
    """
    frame = pd.DataFrame(records, dtype=object)
    table = frame.to_numpy(dtype=object)
    return list(frame.columns), [table[:, i] for i in range(table.shape[1])]


def _objects(values: list) -> np.ndarray:
    # Element by element: numpy would read a list of equal-length lists as a 2-D array.
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out


def _first(col: np.ndarray) -> Any:
    """The first present (not None, not NaN) value of a column, or None."""
    for v in col:
        if v is not None and v == v:
            return v
    return None


def _kind(name: str) -> str:
    last = name.rpartition(".")[2]
    if last in AMOUNT_FIELDS:
        return "amount"
    if last.endswith("_at") or last in TIMESTAMP_FIELDS:
        return "timestamp"
    if last in ENUM_FIELDS or last.endswith("_status") or name.endswith("status.name"):
        return "enum"
    return ""


def _convert(name: str, col: np.ndarray, gaps: bool, amounts: str) -> Any:
    """Type one column by its name and values; ``gaps``: it may hold NaN for missing."""
    kind = _kind(name)
    first = _first(col)
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


def _categorical(col: np.ndarray) -> pd.Categorical:
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
        out = None
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
    codes, uniques = pd.factorize(col)  # None and NaN get code -1
    if infer_dtype(uniques, skipna=False) not in ("string", "empty"):
        return None
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


def as_float(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with its Decimal columns as ``float64`` (for plots and statistics).

    Parameters
    ----------
    frame : pandas.DataFrame
        A frame from :func:`records_to_frame` (any frame works).
    columns : sequence of str, optional
        Convert only these; by default every column holding Decimal objects.

    Returns
    -------
    pandas.DataFrame
        A new frame; ``frame`` itself is not changed.
    """
    targets = list(columns) if columns is not None else decimal_columns(frame)
    out = frame.copy()
    for name in targets:
        out[name] = pd.to_numeric(out[name]).astype("float64")
    return out


def decimal_columns(frame: pd.DataFrame) -> list[str]:
    """The names of the columns holding Decimal objects."""
    return [
        name
        for name, dtype in frame.dtypes.items()
        if dtype == np.dtype(object) and infer_dtype(frame[name], skipna=True) == "decimal"
    ]


@pd.api.extensions.register_dataframe_accessor("paxos")
class PaxosAccessor:
    """``df.paxos``: helpers for frames built from Paxos records.

    ``df.paxos.floats()`` is a float64 copy of the exact Decimal columns;
    ``df.paxos.decimal_columns`` lists them.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    def floats(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """A copy with the Decimal columns (or ``columns``) as float64."""
        return as_float(self._frame, columns)

    @property
    def decimal_columns(self) -> list[str]:
        """Names of the columns holding Decimal objects."""
        return decimal_columns(self._frame)
