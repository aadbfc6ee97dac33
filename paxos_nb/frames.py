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
dtype=object)``), then each column is converted with vectorized or C-level calls
(:mod:`paxos_nb.frame_columns`); nothing is done row by row in Python except the ``Decimal``
construction itself, once per distinct text. Which names are amounts, timestamps and enums
is :mod:`paxos_nb.frame_fields`.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from .errors import ConfigError
from .frame_columns import convert, first_present
from .frame_fields import AMOUNT_FIELDS, ENUM_FIELDS, KEEP_AS_DICT, NIL_UUID, TIMESTAMP_FIELDS

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
        data = {name: convert(name, *raw[name], amounts) for name in names}
        frame = pd.DataFrame(data, index=pd.RangeIndex(len(records)))
    if columns is not None:
        frame = frame.reindex(columns=list(columns))
    return frame


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
        if type(first_present(col)) is dict and key not in KEEP_AS_DICT:
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


def as_float(frame: pd.DataFrame, columns: Sequence[Hashable] | None = None) -> pd.DataFrame:
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


def decimal_columns(frame: pd.DataFrame) -> list[Hashable]:
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

    def floats(self, columns: Sequence[Hashable] | None = None) -> pd.DataFrame:
        """A copy with the Decimal columns (or ``columns``) as float64."""
        return as_float(self._frame, columns)

    @property
    def decimal_columns(self) -> list[Hashable]:
        """Names of the columns holding Decimal objects."""
        return decimal_columns(self._frame)
