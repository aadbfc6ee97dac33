"""The Paxos pagination families as page and record iterators (API-BRIEF section 8).

Layers, each testable on its own: :class:`Pager` turns a ``fetch(params) -> page`` callable
into pages (no HTTP here: the session injects its GET), :func:`extract` unwraps a page's
envelope into records, and ``frames.records_to_frame`` builds the DataFrame.

Families (``catalog.Operation.pagination``):

``cursor-time-filters`` / ``cursor-range`` / ``cursor``
    send ``next_page_cursor`` back as ``page_cursor`` until it is empty or absent.
``offset`` (historical prices)
    step ``pagination.offset`` by the items received until ``total_count`` is reached.
``time-window`` (``/events``)
    always ascending; move ``created_at.gt`` to the last item's ``created_at``.
``None``
    one page.

Guards: a repeated cursor, an offset or time window that does not move, or more than
``max_pages`` pages raise :class:`~paxos_nb.errors.PaginationError`; paging never loops.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from itertools import count
from typing import Any

from .errors import PaginationError

__all__ = ["FAMILIES", "Pager", "extract", "query_params"]

logger = logging.getLogger(__name__)

FAMILIES = ("cursor-time-filters", "cursor-range", "cursor", "offset", "time-window", None)
_CURSOR_FAMILIES = frozenset({"cursor-time-filters", "cursor-range", "cursor"})
EVENTS_DEFAULT_LIMIT = 100
OFFSET_DEFAULT_LIMIT = 100
_WINDOW_LOWER = ("created_at.gt", "created_at.gte", "created_at.eq")

Fetch = Callable[[dict[str, Any]], Any]


def query_params(params: Mapping[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    """Query parameters as Paxos spells them.

    ``created_at__gte=`` becomes ``created_at.gte``; lists and tuples stay lists (sent as
    repeated keys, ``markets=BTCUSD&markets=ETHUSD``); datetimes become RFC 3339 UTC with ``Z``;
    booleans ``true``/``false``; None values are dropped.
    """
    out: dict[str, Any] = {}
    for source in (params or {}, kwargs):
        for key, value in source.items():
            if value is None:
                continue
            name = key.replace("__", ".")
            if isinstance(value, (list, tuple, set, frozenset)):
                out[name] = [_scalar(v) for v in value if v is not None]
            else:
                out[name] = _scalar(value)
    return out


def _scalar(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        text = value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
        return text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if hasattr(value, "isoformat") and hasattr(value, "tz_convert"):  # pandas Timestamp
        return _scalar(value.to_pydatetime())
    return value


def extract(page: Any, envelope: Sequence[str] = (), envelope_all: bool = False) -> list[Any]:
    """The records of one page.

    ``envelope`` lists the keys that may hold the records, in order of preference (the
    catalog's ``Operation.envelope``); with ``envelope_all`` every key's records are joined and
    each record gets a ``side`` field naming its key (the order book's ``bids``/``asks``).
    A bare list is its own records; a dict without any known key is one record.
    """
    if isinstance(page, list):
        return page
    if not isinstance(page, dict):
        return [] if page is None else [page]
    if envelope_all:
        records: list[Any] = []
        for key in envelope:
            for item in page.get(key) or ():
                records.append({"side": key, **item} if isinstance(item, dict) else item)
        return records
    for key in envelope or ("items",):
        value = page.get(key)
        if isinstance(value, list):
            return value
    if not envelope and isinstance(page.get("items"), list):
        return page["items"]
    if envelope:
        return []  # the list key is absent: an empty page
    return [page]


def _interactive() -> bool:
    """True in a Jupyter kernel or when stderr is a terminal."""
    if "ipykernel" in sys.modules:
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class Pager:
    """Pages and records of one list operation.

    Parameters
    ----------
    fetch : callable
        ``fetch(params) -> page`` (the parsed JSON); the session passes its GET.
    family : str or None
        One of :data:`FAMILIES`.
    envelope, envelope_all
        As for :func:`extract`.
    max_pages : int
        More pages than this raise :class:`PaginationError` (runaway paging).
    progress : bool or None
        A ``tqdm.auto`` bar from the second page on; None: only when interactive.
    label : str
        The bar's description (the path).
    """

    fetch: Fetch
    family: str | None = None
    envelope: Sequence[str] = ()
    envelope_all: bool = False
    max_pages: int = 10_000
    progress: bool | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"unknown pagination family {self.family!r}")

    def records_of(self, page: Any) -> list[Any]:
        return extract(page, self.envelope, self.envelope_all)

    # -- pages -------------------------------------------------------------------------------

    def pages(self, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        """Every page, in order, fetched lazily (stop iterating to stop fetching)."""
        params = dict(params or {})
        if self.family in _CURSOR_FAMILIES:
            yield from self._cursor_pages(params)
        elif self.family == "offset":
            yield from self._offset_pages(params)
        elif self.family == "time-window":
            yield from self._window_pages(params)
        else:
            yield self.fetch(params)

    def _count(self, n: int) -> None:
        if n > self.max_pages:
            raise PaginationError(
                f"{self.label or 'paging'} passed {self.max_pages} pages without ending",
                hint="narrow the query (time filters, limit) or pass max_rows=; raise "
                "max_pages only if the result really is that large",
            )

    def _cursor_pages(self, params: dict[str, Any]) -> Iterator[Any]:
        seen: set[str] = set()
        if params.get("page_cursor"):
            seen.add(str(params["page_cursor"]))
        for n in count(1):
            self._count(n)
            page = self.fetch(dict(params))
            yield page
            cursor = page.get("next_page_cursor") if isinstance(page, dict) else None
            if not cursor or not self.records_of(page):
                return
            cursor = str(cursor)
            if cursor in seen:
                raise PaginationError(
                    f"{self.label or 'the server'} sent a page cursor it had sent before "
                    f"(after {n} pages); stopping instead of looping",
                    hint="this is a server bug; the records so far are complete up to that "
                    "page. Use max_rows= or narrower filters",
                )
            seen.add(cursor)
            params["page_cursor"] = cursor

    def _offset_pages(self, params: dict[str, Any]) -> Iterator[Any]:
        limit = int(params.get("pagination.limit") or OFFSET_DEFAULT_LIMIT)
        offset = int(params.get("pagination.offset") or 0)
        for n in count(1):
            self._count(n)
            params["pagination.offset"] = offset
            page = self.fetch(dict(params))
            yield page
            got = len(self.records_of(page))
            total = page.get("total_count") if isinstance(page, dict) else None
            try:
                total = int(total) if total is not None else None  # "50" in one example
            except (TypeError, ValueError):
                total = None
            offset += got
            if got == 0 or (total is not None and offset >= total):
                return
            if total is None and got < limit:
                return

    def _window_pages(self, params: dict[str, Any]) -> Iterator[Any]:
        limit = int(params.get("limit") or EVENTS_DEFAULT_LIMIT)
        last: str | None = None
        for n in count(1):
            self._count(n)
            page = self.fetch(dict(params))
            yield page
            records = self.records_of(page)
            if len(records) < limit:
                return
            newest = records[-1].get("created_at") if isinstance(records[-1], dict) else None
            if not newest or newest == last:
                raise PaginationError(
                    f"{self.label or '/events'}: a full page of {limit} items shares one "
                    "created_at, so the time window cannot move past it",
                    hint="use a larger limit or a narrower created_at range",
                )
            last = str(newest)
            for key in _WINDOW_LOWER:
                params.pop(key, None)
            params["created_at.gt"] = last

    # -- records -----------------------------------------------------------------------------

    def records(
        self, params: Mapping[str, Any] | None = None, *, max_rows: int | None = None
    ) -> Iterator[Any]:
        """Every record of every page, stopping (and fetching no more) at ``max_rows``."""
        if max_rows is not None and max_rows < 0:
            raise ValueError("max_rows must be >= 0")
        if max_rows == 0:
            return
        produced = 0
        bar = None
        try:
            for index, page in enumerate(self.pages(params)):
                records = self.records_of(page)
                if index == 1 and bar is None:
                    bar = self._bar(max_rows, page)
                    if bar is not None:
                        bar.update(produced)
                for record in records:
                    yield record
                    produced += 1
                    if max_rows is not None and produced >= max_rows:
                        return
                if bar is not None and index >= 1:
                    bar.update(len(records))
        finally:
            if bar is not None:
                bar.close()

    def _bar(self, max_rows: int | None, page: Any) -> Any:
        show = _interactive() if self.progress is None else self.progress
        if not show:
            return None
        from tqdm.auto import tqdm

        total = max_rows
        if total is None and isinstance(page, dict) and str(page.get("total_count", "")).isdigit():
            total = int(page["total_count"])
        return tqdm(total=total, desc=self.label or None, unit=" rows", leave=False)
