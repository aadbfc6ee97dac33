"""A read-only tour of one environment: what each operation answers, as shapes and facts.

:class:`Tour` calls every operation it is given on one :class:`~paxos_nb.PaxosSession`
(lists before the gets that need their ids), walks a few pages of each list to learn the
paging behaviour (envelope key, ``limit`` honoured, ``next_page_cursor`` while more pages
exist and on the last page, a cursor that repeats, the default order), and keeps, per
operation, an :class:`Observation`: the status, the :class:`~paxos_nb.parity.shapes.Shape`
of the answers and those facts (:mod:`.pages`). Values stay inside the tour: an observation
holds types, forms and booleans only. The 403 probe and the sandbox write are in
:mod:`.probes`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from .. import catalog
from ..catalog import schemas
from ..errors import APIError, PaxosError, TransportError
from ..pagination import extract
from .binding import Binder, Bound, Unbound
from .pages import cursor_state, envelope, order
from .shapes import Shape

__all__ = ["Observation", "Tour", "answer_shape", "failed"]

logger = logging.getLogger(__name__)

WALK_LIMIT = 100  # records per page while walking a list
MAX_PAGES = 3  # pages walked per list (a long history is not walked to its end)
RESOLVE_LIMIT = 20  # records fetched to find an id for a get
PAST = "2000-01-01T00:00:00Z"  # before any record: a filter that must give an empty page
_BEFORE = ("created_at.lt", "order_time.end", "range.end", "created_at.end", "created_range.end")
_CURSOR_FAMILIES = ("cursor-time-filters", "cursor-range", "cursor")
# Optional parameters a tour sends anyway: the emulator (like the docs' examples) asks
# historical prices for an increment.
EXTRA_QUERY: dict[str, dict[str, Any]] = {"ListHistoricalPrices": {"increment": "ONE_DAY"}}


@dataclass
class Observation:
    """What one side answered for one operation (statuses, shapes and facts; no values).

    ``status`` is ``"ok"``, the HTTP status of an error (``"403"``), ``"no answer"``, or
    ``"skipped"`` with the ``reason``.
    """

    status: str
    shape: Shape | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status}
        if self.reason:
            out["reason"] = self.reason
        if self.facts:
            out["facts"] = dict(self.facts)
        if self.shape is not None:
            out["shape"] = self.shape.to_dict()
        return out


@dataclass
class Answer:
    """One answer inside the tour: its status, and the parsed body (kept in memory only)."""

    status: str
    body: Any = None
    media_type: str | None = None
    error: APIError | None = None


class Tour:
    """Observes catalog operations on one session.

    Parameters
    ----------
    session : PaxosSession
        Connected; its token's scopes decide what is ``allowed``.
    granted : iterable of str
        The scopes the token carries.
    """

    def __init__(self, session: Any, granted: tuple[str, ...]) -> None:
        self.session = session
        self.granted = frozenset(granted)
        self._records: dict[str, list[Any] | str] = {}  # list path -> records, or status
        self.binder = Binder(self.allowed, self.records)

    def allowed(self, op: catalog.Operation) -> bool:
        return op.scope is None or op.scope in self.granted

    # -- calls -------------------------------------------------------------------------------

    def call(self, method: str, path: str, params: dict[str, Any], body: Any = None) -> Answer:
        try:
            return Answer("ok", self.session.request(method, path, params=params, json=body))
        except APIError as exc:
            response = exc.response
            media = None
            payload = None
            if response is not None:
                media = (response.headers.get("Content-Type") or "").split(";")[0].strip()
                try:
                    payload = response.json()
                except ValueError:
                    payload = None
            return Answer(str(exc.status), payload, media or None, exc)
        except TransportError:
            return Answer("no answer")
        except PaxosError as exc:  # refused before sending (a client-side check)
            return Answer(f"refused by paxos_nb ({type(exc).__name__})")

    def records(self, op: catalog.Operation, path: str) -> list[Any] | str:
        """The records of a list, or its status when it failed (cached; fetched once with a
        small limit when the tour has not called it)."""
        if path not in self._records:
            bound = self.binder.bind(op)
            params = _query(op, bound) if isinstance(bound, Bound) else {}
            if _takes(op, "limit"):
                params["limit"] = RESOLVE_LIMIT
            answer = self.call("GET", path, params)
            ok = answer.status == "ok"
            self._records[path] = _records(op, answer.body) if ok else answer.status
        return self._records[path]

    # -- observing ---------------------------------------------------------------------------

    def observe(self, op: catalog.Operation) -> Observation:
        """Call ``op`` (a GET) as a read-only tour does; its :class:`Observation`."""
        bound = self.binder.bind(op)
        if isinstance(bound, Unbound):
            return Observation("skipped", reason=bound.reason)
        logger.info("parity: %s", op.operation_id)
        if op.pagination in _CURSOR_FAMILIES:
            return self._cursor(op, bound)
        if op.pagination == "offset":
            return self._offset(op, bound)
        if op.pagination == "time-window":
            return self._window(op, bound)
        answer = self.call("GET", bound.path, _query(op, bound))
        if answer.status != "ok":
            self._records[bound.path] = answer.status
            return failed(op, answer)
        self._records[bound.path] = _records(op, answer.body)
        facts = {"envelope": envelope(op, answer.body)} if op.envelope else {}
        return Observation("ok", answer_shape(op, answer.body), facts)

    def _cursor(self, op: catalog.Operation, bound: Bound) -> Observation:
        limit = {"limit": WALK_LIMIT} if _takes(op, "limit") else {}
        params = {**_query(op, bound), **limit}
        first = self.call("GET", bound.path, params)
        if first.status != "ok":
            self._records[bound.path] = first.status
            return failed(op, first)
        pages: list[Any] = [first.body]
        seen: set[str] = set()
        facts: dict[str, Any] = {}
        while True:
            state = cursor_state(pages[-1])
            if state != "present":
                facts["cursor on the last page"] = state
                break
            cursor = str(pages[-1]["next_page_cursor"])
            if cursor in seen:
                facts["cursor repeats"] = True
                break
            if len(pages) >= MAX_PAGES:
                break  # a long history: the end is not walked to
            seen.add(cursor)
            nxt = self.call("GET", bound.path, {**params, "page_cursor": cursor})
            if nxt.status != "ok":
                facts["next page answered"] = nxt.status
                break
            pages.append(nxt.body)
        facts.setdefault("cursor repeats", False)
        records = [r for page in pages for r in _records(op, page)]
        self._records[bound.path] = records
        if limit:
            facts["limit honoured"] = all(len(_records(op, p)) <= WALK_LIMIT for p in pages)
            small = self.call("GET", bound.path, {**_query(op, bound), "limit": 1})
            if small.status == "ok":
                pages.append(small.body)
                facts["limit honoured"] &= len(_records(op, small.body)) <= 1
                if len(records) >= 2:
                    facts["cursor while more pages"] = cursor_state(small.body)
        self._past_filter(op, bound, pages, facts)
        return self._listing(op, pages, records, facts)

    def _offset(self, op: catalog.Operation, bound: Bound) -> Observation:
        pages: list[Any] = []
        offset = 0
        facts: dict[str, Any] = {}
        for _ in range(MAX_PAGES):
            params = {
                **_query(op, bound),
                "pagination.limit": WALK_LIMIT,
                "pagination.offset": offset,
            }
            answer = self.call("GET", bound.path, params)
            if answer.status != "ok":
                if not pages:
                    self._records[bound.path] = answer.status
                    return failed(op, answer)
                facts["next page answered"] = answer.status
                break
            pages.append(answer.body)
            got = len(_records(op, answer.body))
            offset += got
            total = answer.body.get("total_count") if isinstance(answer.body, dict) else None
            if got < WALK_LIMIT or (isinstance(total, int) and offset >= total):
                break
        small = self.call("GET", bound.path, {**_query(op, bound), "pagination.limit": 1})
        records = [r for page in pages for r in _records(op, page)]
        facts["limit honoured"] = all(len(_records(op, p)) <= WALK_LIMIT for p in pages)
        if small.status == "ok":
            pages.append(small.body)
            facts["limit honoured"] &= len(_records(op, small.body)) <= 1
        self._records[bound.path] = records
        return self._listing(op, pages, records, facts)

    def _window(self, op: catalog.Operation, bound: Bound) -> Observation:
        first = self.call("GET", bound.path, {**_query(op, bound), "limit": WALK_LIMIT})
        if first.status != "ok":
            self._records[bound.path] = first.status
            return failed(op, first)
        pages = [first.body]
        records = _records(op, first.body)
        facts: dict[str, Any] = {"limit honoured": len(records) <= WALK_LIMIT}
        small = self.call("GET", bound.path, {**_query(op, bound), "limit": 1})
        if small.status == "ok":
            pages.append(small.body)
            facts["limit honoured"] &= len(_records(op, small.body)) <= 1
        self._records[bound.path] = records
        self._past_filter(op, bound, pages, facts)
        return self._listing(op, pages, records, facts)

    def _past_filter(
        self, op: catalog.Operation, bound: Bound, pages: list[Any], facts: dict[str, Any]
    ) -> None:
        """A time filter before any record: the page must be empty, and its cursor absent."""
        name = next((n for n in _BEFORE if _takes(op, n)), None)
        if name is None:
            return
        answer = self.call("GET", bound.path, {**_query(op, bound), name: PAST})
        if answer.status != "ok":
            facts["filter before 2000 answered"] = answer.status
            return
        pages.append(answer.body)
        empty = not _records(op, answer.body)
        facts["filter before 2000 gives no record"] = empty
        if empty and op.pagination in _CURSOR_FAMILIES:
            facts["cursor on an empty page"] = cursor_state(answer.body)

    def _listing(
        self, op: catalog.Operation, pages: list[Any], records: list[Any], facts: dict[str, Any]
    ) -> Observation:
        facts["envelope"] = envelope(op, pages[0])
        sorted_by = order(records)
        if sorted_by is not None:
            facts["default order"] = sorted_by
        shape = Shape()
        for page in pages:
            shape.add(page, schemas.for_operation(op.operation_id).response(200))
        return Observation("ok", shape, facts)


# -- helpers -------------------------------------------------------------------------------------


def _query(op: catalog.Operation, bound: Bound) -> dict[str, Any]:
    return {**EXTRA_QUERY.get(op.operation_id, {}), **bound.query}


def _takes(op: catalog.Operation, name: str) -> bool:
    return any(p["in"] == "query" and p["name"] == name for p in op.params)


def _records(op: catalog.Operation, body: Any) -> list[Any]:
    return extract(body, op.envelope, op.envelope_all)


def answer_shape(op: catalog.Operation, body: Any) -> Shape:
    """The shape of a successful answer of ``op``, read beside its 200 schema."""
    return Shape().add(body, schemas.for_operation(op.operation_id).response(200))


def failed(op: catalog.Operation, answer: Answer) -> Observation:
    """The observation of an error answer: its status and the shape of its body."""
    if answer.body is None:
        return Observation(answer.status)
    schema = None
    if answer.status.isdigit():
        schema = schemas.for_operation(op.operation_id).response(int(answer.status))
    schema = schema or schemas.components().get("Problem")
    facts = {"media type": answer.media_type or "(none)"}
    return Observation(answer.status, Shape().add(answer.body, schema), facts)
