"""Cursor paging of transfers: every item exactly once, in order, for many page sizes."""

from __future__ import annotations

import base64
import json
import random
from urllib.parse import quote

import pytest
from resources_harness import Direct

SIZES = sorted(
    {1, 2, 3, 7, 10, 64, 99, 100, 101, 500, 999, 1000, *random.Random(7).sample(range(4, 999), 8)}
)
CURSOR_ERROR = "page_cursor token cannot be parsed"


def walk(call, base: str, limit: int) -> list[list[dict]]:
    """Every page of ``base`` (a query string without limit or cursor)."""
    pages, cursor = [], None
    while True:
        target = f"/transfer/transfers?{base}&limit={limit}"
        if cursor:
            target += f"&page_cursor={quote(cursor)}"
        status, page = call("GET", target)
        assert status == 200, page
        pages.append(page["items"])
        cursor = page.get("next_page_cursor")
        if cursor is None:
            return pages
        assert cursor
        assert len(page["items"]) == limit


def order_key(field: str):
    return lambda t: (t[field], t["id"])


@pytest.fixture(scope="module")
def seeded() -> tuple[Direct, list[dict]]:
    direct = Direct()
    everything = [t for page in walk(direct, "order=ASC", 1000) for t in page]
    return direct, everything


@pytest.mark.parametrize("order", ["ASC", "DESC"])
@pytest.mark.parametrize("size", SIZES)
def test_every_transfer_exactly_once_in_order(seeded, size, order):
    direct, everything = seeded
    pages = walk(direct, f"order={order}", size)
    items = [t for page in pages for t in page]
    expected = sorted(everything, key=order_key("created_at"), reverse=order == "DESC")
    assert [t["id"] for t in items] == [t["id"] for t in expected]
    assert len(pages) == max(1, -(-len(everything) // size))


@pytest.mark.parametrize("size", [1, 37, 1000])
def test_updated_at_order_defaults_to_ascending(seeded, size):
    direct, everything = seeded
    items = [t for page in walk(direct, "order_by=UPDATED_AT", size) for t in page]
    assert [t["id"] for t in items] == [
        t["id"] for t in sorted(everything, key=order_key("updated_at"))
    ]


def test_paging_over_http_matches_in_process(world):
    direct = Direct()
    for order, size in (("DESC", 1000), ("ASC", 250), ("DESC", 61)):
        over_http = [t["id"] for page in walk(world.api.call, f"order={order}", size) for t in page]
        in_process = [t["id"] for page in walk(direct, f"order={order}", size) for t in page]
        assert over_http == in_process
        assert len(set(over_http)) == len(over_http) >= 2500


def test_defaults_limit_100_and_newest_first(seeded):
    direct, everything = seeded
    status, page = direct("GET", "/transfer/transfers")
    assert status == 200
    assert len(page["items"]) == 100
    assert page["next_page_cursor"]
    newest = sorted(everything, key=order_key("created_at"), reverse=True)[:100]
    assert [t["id"] for t in page["items"]] == [t["id"] for t in newest]


def test_writes_during_paging_neither_repeat_nor_skip():
    direct = Direct()
    pid = direct("GET", "/profiles/default")[1]["id"]
    other = direct("GET", "/profiles?nickname=treasury")[1]["items"][0]["id"]
    before = {t["id"] for page in walk(direct, "order=ASC", 1000) for t in page}
    seen, cursor, created = [], None, set()
    while True:
        target = "/transfer/transfers?order=ASC&limit=300" + (
            f"&page_cursor={cursor}" if cursor else ""
        )
        page = direct("GET", target)[1]
        seen += [t["id"] for t in page["items"]]
        body = {"from_profile_id": pid, "to_profile_id": other, "amount": "1", "asset": "USD"}
        created.add(direct("POST", "/transfer/internal", body)[1]["id"])
        cursor = page.get("next_page_cursor")
        if not cursor:
            break
    assert len(seen) == len(set(seen))
    assert before <= set(seen)  # nothing that existed was skipped
    assert created - set(seen)  # the last write came after the last page was read


REFS = ("seed-wd-00010", "seed-it-00012")
FILTERS = [
    (
        "type=CRYPTO_DEPOSIT&type=WIRE_DEPOSIT",
        lambda t: t["type"] in ("CRYPTO_DEPOSIT", "WIRE_DEPOSIT"),
    ),
    ("statuses=FAILED", lambda t: t["status"] == "FAILED"),
    ("ref_ids=seed-wd-00010&ref_ids=seed-it-00012&ref_ids=nope", lambda t: t.get("ref_id") in REFS),
    (
        "created_at.gte=2026-03-01T00:00:00Z&created_at.lt=2026-04-01T00:00:00Z",
        lambda t: "2026-03-01" <= t["created_at"] < "2026-04",
    ),
    (
        "updated_at.gt=2026-06-01T00:00:00Z&order_by=UPDATED_AT",
        lambda t: t["updated_at"] > "2026-06-01T00:00:00Z",
    ),
]


@pytest.mark.parametrize(("query", "predicate"), FILTERS)
def test_filters_select_exactly_the_matching_transfers(seeded, query, predicate):
    direct, everything = seeded
    got = [t["id"] for page in walk(direct, query, 53) for t in page]
    expected = {t["id"] for t in everything if predicate(t)}
    assert expected
    assert len(got) == len(set(got))
    assert set(got) == expected


def test_profile_and_group_filters(seeded):
    direct, everything = seeded
    profiles = direct("GET", "/profiles")[1]["items"]
    counts = []
    for profile in profiles:
        got = {t["id"] for page in walk(direct, f"profile_ids={profile['id']}", 400) for t in page}
        assert got == {t["id"] for t in everything if t["profile_id"] == profile["id"]}
        counts.append(len(got))
    assert sum(counts) == len(everything)
    group = next(t["group_id"] for t in everything if t.get("group_id"))
    legs = direct("GET", f"/transfer/transfers?group_ids={group}")[1]["items"]
    assert sorted(t["direction"] for t in legs) == ["CREDIT", "DEBIT"]
    some = [t["id"] for t in everything[:5]]
    got = direct("GET", "/transfer/transfers?" + "&".join(f"ids={i}" for i in some))[1]["items"]
    assert {t["id"] for t in got} == set(some)


def _tampered(token: str) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[5] ^= 1
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def test_malformed_cursors_are_400_with_the_paxos_message(seeded):
    direct, _ = seeded
    real = direct("GET", "/transfer/transfers?limit=5")[1]["next_page_cursor"]
    other_list = direct("GET", "/profiles?limit=1")[1]["next_page_cursor"]
    forged = base64.urlsafe_b64encode(
        json.dumps([1, "transfers:CREATED_AT", "DESC", 0, "x"]).encode()
    ).decode()
    bad = [
        "abc",
        "%%%%",
        real[:-3],
        _tampered(real),
        forged,
        other_list,
        "CgsIxom6iQYQwO39XBDbsdVz",
    ]
    for token in bad:
        status, problem = direct("GET", f"/transfer/transfers?page_cursor={quote(token)}")
        assert (status, problem["detail"]) == (400, CURSOR_ERROR), token
    # A cursor only resumes the listing it came from: same order and order_by.
    for query in ("order=ASC", "order_by=UPDATED_AT"):
        status, problem = direct("GET", f"/transfer/transfers?{query}&page_cursor={real}")
        assert (status, problem["detail"]) == (400, CURSOR_ERROR)


def test_malformed_cursor_over_http(world):
    status, problem = world.api.get("/transfer/transfers", page_cursor="not-a-cursor")
    assert status == 400
    assert problem["detail"] == CURSOR_ERROR
    assert world.api.last.headers["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("limit=0", "limit must be between 1 and 1000"),
        ("limit=1001", "limit must be between 1 and 1000"),
        ("limit=ten", "limit must be between 1 and 1000"),
        ("order=UP", "order invalid"),
        ("type=CRYPTO", "type invalid"),
        ("statuses=DONE", "statuses invalid"),
        ("created_at.gte=yesterday", "created_at.gte invalid"),
        ("order_by=UPDATED_AT&created_at.gt=2026-01-01T00:00:00Z", "order_by UPDATED_AT"),
        ("order_by=CREATED_AT&updated_at.gt=2026-01-01T00:00:00Z", "order_by CREATED_AT"),
        ("&".join(f"ids={n}" for n in range(101)), "at most 100 values"),
    ],
)
def test_bad_list_parameters_are_400_naming_the_problem(seeded, query, fragment):
    direct, _ = seeded
    status, problem = direct("GET", f"/transfer/transfers?{query}")
    assert status == 400
    assert fragment in problem["detail"]


def test_profiles_page_ascending_by_default(direct):
    ids, cursor = [], None
    while True:
        page = direct("GET", "/profiles?limit=1" + (f"&page_cursor={cursor}" if cursor else ""))[1]
        ids += [p["id"] for p in page["items"]]
        cursor = page.get("next_page_cursor")
        if not cursor:
            break
    everything = direct("GET", "/profiles")[1]["items"]
    assert ids == [p["id"] for p in everything]
    assert len(ids) == 3
    desc = direct("GET", "/profiles?order=DESC")[1]["items"]
    assert [p["id"] for p in desc] == ids[::-1]


def test_every_page_size_from_1_to_1000_both_orders():
    """The keyset pager itself, on the seeded transfer index, for all 1000 page sizes."""
    from paxos_nb.emulator import cursors
    from paxos_nb.emulator.ledger import Ledger

    index = Ledger(0).transfers.created
    expected = [t.id for _, t in index]
    for order in ("ASC", "DESC"):
        want = expected if order == "ASC" else expected[::-1]
        for size in range(1, 1001):
            got, token = [], None
            while True:
                page, token = cursors.page(index, kind="t", order=order, limit=size, token=token)
                got += [t.id for t in page]
                if token is None:
                    break
            assert got == want, (order, size)
