"""Paging families, envelopes and guards, with injected fetch functions (no HTTP)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from paxos_nb.errors import PaginationError
from paxos_nb.pagination import Pager, extract, query_params


class CursorServer:
    """A fake list endpoint: ``n`` items served ``limit`` at a time with opaque cursors."""

    def __init__(self, n, limit=3, key="items"):
        self.items = [{"id": f"t{i}", "amount": str(i)} for i in range(n)]
        self.limit, self.key, self.calls = limit, key, []

    def __call__(self, params):
        self.calls.append(dict(params))
        start = int(params.get("page_cursor", "c0")[1:])
        chunk = self.items[start : start + self.limit]
        end = start + len(chunk)
        return {self.key: chunk, "next_page_cursor": f"c{end}" if end < len(self.items) else ""}


@pytest.mark.parametrize("family", ["cursor", "cursor-time-filters", "cursor-range"])
def test_cursor_families_page_to_the_end(family):
    server = CursorServer(10)
    pager = Pager(server, family, envelope=("items",), progress=False)
    ids = [r["id"] for r in pager.records({"limit": 3})]
    assert ids == [f"t{i}" for i in range(10)]
    assert [c.get("page_cursor") for c in server.calls] == [None, "c3", "c6", "c9"]
    assert all(c["limit"] == 3 for c in server.calls)


def test_absent_cursor_ends_paging():
    pages = iter([{"items": [1, 2]}, {"items": [3]}])
    pager = Pager(lambda p: next(pages), "cursor", envelope=("items",), progress=False)
    assert list(pager.records()) == [1, 2]


def test_repeated_cursor_raises_instead_of_looping():
    def repeating(params):
        return {"items": [{"id": "x"}], "next_page_cursor": "SAME"}

    pager = Pager(repeating, "cursor", envelope=("items",), progress=False)
    with pytest.raises(PaginationError, match="cursor it had sent before"):
        list(pager.records())


def test_cursor_cycle_is_caught():
    cursors = iter(["A", "B", "A"])

    def cycling(params):
        return {"items": [{"id": params.get("page_cursor")}], "next_page_cursor": next(cursors)}

    with pytest.raises(PaginationError):
        list(Pager(cycling, "cursor", envelope=("items",), progress=False).records())


def test_runaway_paging_is_bounded():
    counter = iter(range(10**6))

    def endless(params):
        return {"items": [{"id": 1}], "next_page_cursor": f"c{next(counter)}"}

    pager = Pager(endless, "cursor", envelope=("items",), max_pages=50, progress=False)
    with pytest.raises(PaginationError, match="passed 50 pages"):
        list(pager.records())


def test_max_rows_stops_fetching():
    server = CursorServer(100, limit=10)
    pager = Pager(server, "cursor", envelope=("items",), progress=False)
    rows = list(pager.records(max_rows=15))
    assert len(rows) == 15
    assert len(server.calls) == 2  # no third page requested
    assert list(pager.records(max_rows=0)) == []


def test_offset_family_uses_total_count():
    prices = [{"price": str(i)} for i in range(250)]
    calls = []

    def fetch(params):
        calls.append(dict(params))
        off, lim = params["pagination.offset"], int(params.get("pagination.limit", 100))
        return {"items": prices[off : off + lim], "total_count": "250"}  # a string, as in docs

    pager = Pager(fetch, "offset", envelope=("items", "prices"), progress=False)
    got = list(pager.records({"pagination.limit": 100}))
    assert got == prices
    assert [c["pagination.offset"] for c in calls] == [0, 100, 200]


def test_offset_without_total_count_stops_on_a_short_page():
    prices = [{"price": str(i)} for i in range(120)]

    def fetch(params):
        off = params["pagination.offset"]
        return {"prices": prices[off : off + 100]}

    pager = Pager(fetch, "offset", envelope=("items", "prices"), progress=False)
    assert len(list(pager.records())) == 120


def _events(n, same_time=False):
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    return [
        {
            "id": f"e{i}",
            "created_at": (start + timedelta(seconds=0 if same_time else i)).isoformat()[:19] + "Z",
        }
        for i in range(n)
    ]


def test_time_window_moves_created_at_gt():
    events = _events(25)
    calls = []

    def fetch(params):
        calls.append(dict(params))
        after = params.get("created_at.gt") or params.get("created_at.gte")
        strict = "created_at.gt" in params
        chosen = [
            e
            for e in events
            if after is None or (e["created_at"] > after if strict else e["created_at"] >= after)
        ]
        return {"events": chosen[: int(params.get("limit", 100))]}

    pager = Pager(fetch, "time-window", envelope=("events",), progress=False)
    got = [e["id"] for e in pager.records({"limit": 10, "created_at.gte": events[0]["created_at"]})]
    assert got == [e["id"] for e in events]
    assert calls[1]["created_at.gt"] == events[9]["created_at"]
    assert "created_at.gte" not in calls[1]  # the lower bound moved to .gt


def test_time_window_that_cannot_move_raises():
    events = _events(10, same_time=True)
    pager = Pager(
        lambda p: {"events": events[:5]}, "time-window", envelope=("events",), progress=False
    )
    with pytest.raises(PaginationError, match="shares one created_at"):
        list(pager.records({"limit": 5}))


def test_unpaginated_is_one_call():
    calls = []
    pager = Pager(lambda p: calls.append(p) or {"items": [1, 2]}, None, envelope=("items",))
    assert list(pager.records()) == [1, 2]
    assert len(calls) == 1


def test_extract_envelopes():
    assert extract({"items": [1], "orchestrations": [2]}, ("items", "orchestrations")) == [1]
    assert extract({"orchestrations": [2]}, ("items", "orchestrations")) == [2]
    assert extract([{"a": 1}], ("tickers",)) == [{"a": 1}]  # a bare array
    assert extract({"items": []}, ("items",)) == []
    assert extract({"id": "p1"}) == [{"id": "p1"}]  # a single object is one record
    book = {"bids": [{"price": "1"}], "asks": [{"price": "2"}], "market": "BTCUSD"}
    assert extract(book, ("bids", "asks"), envelope_all=True) == [
        {"side": "bids", "price": "1"},
        {"side": "asks", "price": "2"},
    ]


def test_query_params_mapping():
    when = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
    got = query_params(
        {"order": "ASC"},
        created_at__gte=when,
        markets=["BTCUSD", "ETHUSD"],
        include=True,
        amount=Decimal("1.50"),
        skip=None,
    )
    assert got == {
        "order": "ASC",
        "created_at.gte": "2025-03-01T12:00:00Z",
        "markets": ["BTCUSD", "ETHUSD"],
        "include": "true",
        "amount": "1.50",
    }


def test_progress_bar_only_for_multi_page(capsys):
    server = CursorServer(6, limit=3)
    pager = Pager(server, "cursor", envelope=("items",), progress=True, label="/things")
    assert len(list(pager.records())) == 6
    assert "/things" in capsys.readouterr().err
    single = Pager(CursorServer(2, limit=3), "cursor", envelope=("items",), progress=True)
    list(single.records())
    assert capsys.readouterr().err == ""
