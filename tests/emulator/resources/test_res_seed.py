"""The seeded world: size, shape, exact sums, and determinism from the seed."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from resources_harness import Direct

from paxos_nb.emulator.ledger import AS_OF, Ledger
from paxos_nb.emulator.pricing import HISTORICAL_MARKETS, MARKET_DATA_MARKETS, PRICE_MARKETS
from paxos_nb.emulator.seed import SEED_ASSETS

NOW = datetime(2026, 7, 1, 9, 30, tzinfo=timezone.utc)


def all_transfers(direct: Direct) -> list[dict]:
    items, cursor = [], None
    while True:
        target = "/transfer/transfers?limit=1000" + (f"&page_cursor={cursor}" if cursor else "")
        status, page = direct("GET", target)
        assert status == 200
        items += page["items"]
        cursor = page.get("next_page_cursor")
        if not cursor:
            return items


def test_seed_has_the_profiles_and_history_the_issue_asks_for(direct):
    profiles = direct("GET", "/profiles")[1]["items"]
    assert [(p["nickname"], p["type"]) for p in profiles] == [
        ("default", "DEFAULT"),
        ("trading", "NORMAL"),
        ("treasury", "NORMAL"),
    ]
    transfers = all_transfers(direct)
    assert len(transfers) >= 2500
    kinds = Counter(t["type"] for t in transfers)
    assert kinds["INTERNAL_TRANSFER_DEBIT"] == kinds["INTERNAL_TRANSFER_CREDIT"] > 100
    assert kinds["CRYPTO_DEPOSIT"]
    assert kinds["WIRE_DEPOSIT"]
    assert kinds["CRYPTO_WITHDRAWAL"]
    as_of = AS_OF.isoformat().replace("+00:00", "Z")
    assert all(t["created_at"] < as_of and t["updated_at"] < as_of for t in transfers)
    assert {t["status"] for t in transfers} == {"COMPLETED", "FAILED"}  # history is settled
    legs = defaultdict(list)
    for t in transfers:
        if t.get("group_id"):
            legs[t["group_id"]].append(t)
    assert all(len(pair) == 2 for pair in legs.values())
    for debit, credit in (
        sorted(p, key=lambda t: t["direction"], reverse=True) for p in legs.values()
    ):
        assert (debit["direction"], credit["direction"]) == ("DEBIT", "CREDIT")
        assert debit["amount"] == credit["amount"]
        assert debit["asset"] == credit["asset"]
        assert debit["profile_id"] != credit["profile_id"]


def test_sum_of_seeded_transfers_reproduces_every_balance_exactly(direct):
    net: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for t in all_transfers(direct):
        if t["status"] == "COMPLETED":
            sign = 1 if t["direction"] == "CREDIT" else -1
            net[(t["profile_id"], t["balance_asset"])] += sign * Decimal(t["total"])
    for profile in direct("GET", "/profiles")[1]["items"]:
        balances = direct("GET", f"/profiles/{profile['id']}/balances")[1]["items"]
        for row in balances:
            assert Decimal(row["available"]) == net[(profile["id"], row["asset"])], row
            assert row["trading"] == "0"
        held = {row["asset"] for row in balances if Decimal(row["available"]) > 0}
        assert held == set(SEED_ASSETS)


def test_audit_balances_at_seed():
    ledger = Ledger(0)
    audit = ledger.audit()
    assert set(audit) == set(SEED_ASSETS)
    for line in audit.values():
        assert line["difference"] == 0
        assert line["internal"] == 0
        assert line["in_flight"] == 0
        assert line["balances"] == line["deposits"] - line["withdrawals"] > 0


def test_same_seed_same_bytes_different_seed_different_data():
    paths = [
        "/profiles",
        "/transfer/transfers?limit=1000",
        "/transfer/deposit-addresses",
        "/markets/BTCUSD/order-book",
        "/markets/ETHEUR/ticker",
        "/markets/PAXGUSD/recent-executions",
        "/all-markets/prices?markets=BTCUSD&markets=UNIUSD",
        "/markets/SOLEUR/historical-prices?increment=ONE_DAY&range.begin=2026-01-01T00:00:00Z",
    ]
    first, again, other = Direct(Ledger(0), NOW), Direct(Ledger(0), NOW), Direct(Ledger(1), NOW)
    for path in paths:
        a, b, c = first("GET", path), again("GET", path), other("GET", path)
        assert a == b, path
        assert a[0] == 200, path
        assert a != c, path


def test_every_market_of_the_spec_is_priced(direct):
    for market in sorted(set(MARKET_DATA_MARKETS)):
        status, ticker = direct("GET", f"/markets/{market}/ticker")
        assert status == 200, market
        assert Decimal(ticker["best_bid"]["price"]) < Decimal(ticker["best_ask"]["price"])
    for market in HISTORICAL_MARKETS:
        status, page = direct("GET", f"/markets/{market}/historical-prices?increment=ONE_WEEK")
        assert status == 200, market
        assert page["total_count"] > 100, market
        assert all(Decimal(p["average_price"]) > 0 for p in page["items"])
    query = "&".join(f"markets={m}" for m in PRICE_MARKETS)
    assert len(direct("GET", f"/all-markets/prices?{query}")[1]["items"]) == len(PRICE_MARKETS)


def test_ledger_options_are_checked():
    with pytest.raises(TypeError, match="settel_after"):
        Ledger(0, settel_after=1)
    with pytest.raises(ValueError, match="settle_after"):
        Ledger(0, settle_after=-1)
    small = Ledger(5, history=10)
    assert 21 <= len(small.transfers) <= 41  # 21 funding deposits + 10 events (pairs count twice)
    assert all(line["difference"] == 0 for line in small.audit().values())
