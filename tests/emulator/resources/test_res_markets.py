"""Market data and pricing from the seeded price walk."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paxos_nb.emulator.pricing import MARKETS


def test_list_markets(world):
    markets = world.api.ok("GET", "/markets")["markets"]
    assert [m["market"] for m in markets] == MARKETS
    btc = next(m for m in markets if m["market"] == "BTCUSD")
    assert (btc["base_asset"], btc["quote_asset"], btc["tick_rate"]) == ("BTC", "USD", "0.25")
    matic = next(m for m in markets if m["market"] == "MATICUSD")
    assert matic["market_status"]["buy_status"] == "UNAVAILABLE"


def test_order_book_full_depth_one_row_per_level(world):
    for market in ("BTCUSD", "USDPUSD", "ETHMXN", "PYUSDEUR"):
        book = world.api.ok("GET", f"/markets/{market}/order-book")
        asks = [Decimal(a["price"]) for a in book["asks"]]
        bids = [Decimal(b["price"]) for b in book["bids"]]
        assert book["market"] == market
        assert len(asks) >= 30
        assert len(bids) >= 30
        assert asks == sorted(set(asks))
        assert bids == sorted(set(bids), reverse=True)
        assert bids[0] < asks[0]
        assert all(Decimal(level["amount"]) > 0 for level in book["asks"] + book["bids"])
    assert world.api.get("/markets/DOGEUSD/order-book")[0] == 404


def test_ticker_and_recent_executions(world):
    ticker = world.api.ok("GET", "/markets/ETHUSD/ticker")
    book = world.api.ok("GET", "/markets/ETHUSD/order-book")
    assert ticker["best_bid"] == book["bids"][0]
    assert ticker["best_ask"] == book["asks"][0]
    day = ticker["last_day"]
    assert (
        Decimal(day["low"]) <= Decimal(day["volume_weighted_average_price"]) <= Decimal(day["high"])
    )
    assert day["range"] == {"begin": "2026-06-30T09:30:00Z", "end": "2026-07-01T09:30:00Z"}
    assert ticker["today"]["range"]["begin"] == "2026-07-01T00:00:00Z"
    trades = world.api.ok("GET", "/markets/ETHUSD/recent-executions")["items"]
    assert len(trades) == 2000
    times = [t["executed_at"] for t in trades]
    assert times == sorted(times)
    assert times[-1] <= "2026-07-01T09:30:00Z"
    assert len({t["match_number"] for t in trades}) == 2000
    assert ticker["last_execution"] == {
        "price": trades[-1]["price"],
        "amount": trades[-1]["amount"],
    }


def test_all_market_prices(world):
    items = world.api.ok("GET", "/all-markets/prices", markets=["BTCUSD", "UNIUSD"])["items"]
    assert [i["market"] for i in items] == ["BTCUSD", "UNIUSD"]
    assert all(Decimal(i["current_price"]) > 0 and Decimal(i["yesterday_price"]) > 0 for i in items)
    status, problem = world.api.get("/all-markets/prices")
    assert status == 400
    assert "markets is required" in problem["detail"]
    assert world.api.get("/all-markets/prices", markets=["ETHEUR"])[0] == 400  # not in the enum
    status, problem = world.api.get("/all-markets/ticker")
    assert status == 404
    assert "2023-11-15" in problem["detail"]


def test_historical_prices_offset_paging(world):
    query = {
        "increment": "ONE_HOUR",
        "range.begin": "2026-06-01T00:00:00Z",
        "range.end": "2026-06-03T00:00:00Z",
    }
    first = world.api.ok(
        "GET", "/markets/BTCUSD/historical-prices", **query, **{"pagination.limit": 30}
    )
    assert first["total_count"] == 48
    assert len(first["items"]) == 30
    rest = world.api.ok(
        "GET",
        "/markets/BTCUSD/historical-prices",
        **query,
        **{"pagination.limit": 30, "pagination.offset": 30},
    )
    stamps = [p["timestamp"] for p in first["items"] + rest["items"]]
    assert len(stamps) == 48
    assert stamps == sorted(stamps)
    assert stamps[0] == "2026-06-01T00:00:00Z"
    assert stamps[-1] == "2026-06-02T23:00:00Z"
    everything = world.api.ok(
        "GET", "/markets/BTCUSD/historical-prices", **query, **{"pagination.limit": 1000}
    )
    assert everything["items"] == first["items"] + rest["items"]


def test_historical_prices_rules(world):
    path = "/markets/ETHEUR/historical-prices"
    for query in ({}, {"increment": "ONE_DAY", "max_data_points": "10"}):
        status, problem = world.api.get(path, **query)
        assert status == 400
        assert "exactly one of increment or max_data_points" in problem["detail"]
    fit = world.api.ok(
        "GET",
        path,
        max_data_points="50",
        **{"range.begin": "2026-06-29T00:00:00Z", "range.end": "2026-06-30T00:00:00Z"},
    )
    assert 0 < fit["total_count"] <= 50  # the finest increment that fits: 30 minutes -> 48 points
    assert fit["total_count"] == 48
    # Without range.end the series runs to now; future dates are allowed.
    recent = world.api.ok(
        "GET", path, increment="ONE_DAY", **{"range.begin": "2026-06-25T00:00:00Z"}
    )
    assert recent["items"][-1]["timestamp"] == "2026-07-01T00:00:00Z"
    future = world.api.ok(
        "GET",
        path,
        increment="ONE_DAY",
        **{"range.begin": "2026-06-25T00:00:00Z", "range.end": "2027-01-01T00:00:00Z"},
    )
    assert future["items"] == recent["items"]
    assert world.api.get("/markets/ETHSGD/historical-prices", increment="ONE_DAY")[0] == 404
    assert world.api.get(path, increment="ONE_CENTURY")[0] == 400
    assert world.api.get(path, increment="ONE_DAY", **{"pagination.limit": "0"})[0] == 400


@pytest.mark.parametrize("market", ["BTCUSD", "ETHEUR", "USDPMXN"])
def test_prices_agree_across_endpoints(world, market):
    """One walk drives everything: the last minute's average sits at the book's mid."""
    book = world.api.ok("GET", f"/markets/{market}/order-book")
    mid = (Decimal(book["bids"][0]["price"]) + Decimal(book["asks"][0]["price"])) / 2
    query = {"increment": "ONE_MINUTE", "range.begin": "2026-07-01T09:29:00Z"}
    series = world.api.ok("GET", f"/markets/{market}/historical-prices", **query)["items"]
    assert [p["timestamp"] for p in series] == ["2026-07-01T09:29:00Z", "2026-07-01T09:30:00Z"]
    assert abs(Decimal(series[-1]["average_price"]) - mid) <= mid * Decimal("0.002")
