"""Public market data and pricing (docs.paxos.com, Market Data): prices from the seeded walk;
order books, tickers' best levels and recent executions from the live books (``ledger.books``),
which the WebSocket feeds share."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from .. import cursors
from ..fmt import fmt_fixed, fmt_ts, parse_ts, query_choice, query_list
from ..pricing import (
    HISTORICAL_MARKETS,
    INCREMENTS,
    MARKET_DATA_MARKETS,
    MARKETS,
    PRICE_MARKETS,
    epoch_seconds,
    from_epoch,
    split_market,
)
from ..problems import bad_request, not_found
from . import Body, Call, handles
from ._shared import ledger_of

_STATUS_SINCE = "2026-04-20T00:00:00Z"  # market_status was added to List Markets on 2026-04-20


def _market(call: Call, allowed: list[str]) -> str:
    market = call.path_params["market"]
    if market not in allowed:
        raise not_found(f"market not found: {market}")
    return market


def _status(market: str) -> dict[str, Any]:
    status: dict[str, Any] = {"buy_status": "AVAILABLE", "sell_status": "AVAILABLE"}
    if market.startswith("MATIC"):  # MATIC buying stopped on 2024-09-17
        status.update(buy_status="UNAVAILABLE", buy_reason="TRADING_SUSPENDED")
        status["updated_at"] = "2024-09-17T00:00:00Z"
    else:
        status["updated_at"] = _STATUS_SINCE
    status["scheduled_maintenance"] = []
    return status


@handles("ListMarkets")
def list_markets(call: Call) -> Body:
    prices = ledger_of(call).prices
    out = []
    for market in MARKETS:
        base, quote = split_market(market)
        out.append(
            {
                "market": market,
                "base_asset": base,
                "quote_asset": quote,
                "tick_rate": str(prices.tick(market)),
                "market_status": _status(market),
            }
        )
    return {"markets": out}


def _level(prices, market: str, price, amount) -> dict[str, str]:
    return {"price": prices.fmt_price(market, price), "amount": fmt_fixed(amount, 8)}


def _stats(prices, market: str, begin: datetime, end: datetime) -> dict[str, Any]:
    s = prices.stats(market, begin, end)
    return {
        "high": prices.fmt_price(market, s["high"]),
        "low": prices.fmt_price(market, s["low"]),
        "open": prices.fmt_price(market, s["open"]),
        "volume": fmt_fixed(s["volume"], 8),
        "volume_weighted_average_price": prices.fmt_price(market, s["vwap"]),
        "range": {"begin": fmt_ts(begin), "end": fmt_ts(end)},
    }


def _trade(prices, t) -> dict[str, str]:
    return {
        "match_number": t.match_number,
        "price": prices.fmt_price(t.market, t.price),
        "amount": fmt_fixed(t.amount, 8),
        "executed_at": fmt_ts(t.executed_at),
    }


@handles("GetTicker")
def get_ticker(call: Call) -> Body:
    market = _market(call, MARKET_DATA_MARKETS)
    ledger, now = ledger_of(call), call.now
    prices = ledger.prices
    with ledger.at(now):
        book = ledger.books.book(market)
        best_bid, best_ask = book.levels("BUY")[0], book.levels("SELL")[0]
        last = book.last_trade()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "market": market,
        "best_bid": _level(prices, market, *best_bid),
        "best_ask": _level(prices, market, *best_ask),
        "last_execution": _level(prices, market, last.price, last.amount),
        "last_day": _stats(prices, market, now - timedelta(days=1), now),
        "today": _stats(prices, market, midnight, now),
        "snapshot_at": fmt_ts(now),
    }


@handles("GetOrderBook")
def get_order_book(call: Call) -> Body:
    market = _market(call, MARKET_DATA_MARKETS)
    ledger = ledger_of(call)
    with ledger.at(call.now):
        book = ledger.books.book(market)
        bids, asks = book.levels("BUY"), book.levels("SELL")
    prices = ledger.prices
    return {
        "market": market,
        "asks": [_level(prices, market, p, a) for p, a in asks],
        "bids": [_level(prices, market, p, a) for p, a in bids],
    }


@handles("ListRecentExecutions")
def list_recent_executions(call: Call) -> Body:
    market = _market(call, MARKET_DATA_MARKETS)
    ledger = ledger_of(call)
    with ledger.at(call.now):
        trades = ledger.books.book(market).recent()
    return {"items": [_trade(ledger.prices, t) for t in trades]}


@handles("ListPrices")
def list_prices(call: Call) -> Body:
    markets = list(dict.fromkeys(query_list(call.query, "markets", tuple(PRICE_MARKETS))))
    if not markets:
        raise bad_request(
            "markets is required: pass one or more, e.g. markets=BTCUSD&markets=ETHUSD"
        )
    prices, now = ledger_of(call).prices, call.now
    day_ago = epoch_seconds(now) - 86400
    return {
        "items": [
            {
                "market": m,
                "current_price": prices.fmt_price(m, prices.mid(m, now)),
                # the one-minute average from 24 hours ago
                "yesterday_price": prices.fmt_price(m, prices.average(m, day_ago - 60, day_ago)),
                "snapshot_at": fmt_ts(now),
            }
            for m in markets
        ]
    }


@handles("ListTickers")
def list_tickers(call: Call) -> Body:
    raise not_found(
        "GET /all-markets/ticker reached end of life on 2023-11-15; "
        "use GET /markets/{market}/ticker or GET /all-markets/prices"
    )


def _bounds(first: int, upper: int, step: int) -> int:
    return (upper - first) // step + 1 if upper >= first else 0


@handles("ListHistoricalPrices")
def list_historical_prices(call: Call) -> Body:
    market = _market(call, HISTORICAL_MARKETS)
    q = call.query
    increment = query_choice(q, "increment", tuple(INCREMENTS))
    points_text = q.get("max_data_points")
    if (increment is None) == (points_text in (None, "")):
        raise bad_request("pass exactly one of increment or max_data_points")
    prices, now = ledger_of(call).prices, call.now
    begin = parse_ts(q["range.begin"], "range.begin") if q.get("range.begin") else prices.earliest
    end = parse_ts(q["range.end"], "range.end") if q.get("range.end") else now
    if end < begin:
        raise bad_request("range.end must not be before range.begin")
    limit = cursors.parse_limit(q, default=100, maximum=1000, name="pagination.limit")
    offset_text = q.get("pagination.offset") or "0"
    if not offset_text.isdigit():
        raise bad_request(f"pagination.offset must be a non-negative integer, got '{offset_text}'")
    low = math.ceil(epoch_seconds(max(begin, prices.earliest)))
    # Bucket starts fall in [begin, end) and never after now ("future dates are allowed");
    # without range.end the series runs up to now, ending on the current mid price.
    high = math.floor(epoch_seconds(now))
    if q.get("range.end"):
        high = min(math.ceil(epoch_seconds(end)) - 1, high)

    def first_of(step: int) -> int:
        return -(-low // step) * step

    if increment is None:
        try:
            wanted = int(points_text or "")
        except ValueError:
            wanted = 0
        if wanted < 1:
            raise bad_request(f"max_data_points must be a positive integer, got '{points_text}'")
        # The most granular increment that does not exceed max_data_points.
        increment = next(
            (n for n, s in INCREMENTS.items() if _bounds(first_of(s), high, s) <= wanted),
            "FOUR_WEEKS",
        )
    step = INCREMENTS[increment]
    first = first_of(step)
    total = _bounds(first, high, step)
    offset = int(offset_text)
    stop_at = epoch_seconds(now)
    items = []
    for n in range(offset, min(total, offset + limit)):
        start = first + n * step
        average = prices.average(market, float(start), min(float(start + step), stop_at))
        items.append(
            {
                "average_price": prices.fmt_price(market, average),
                "timestamp": fmt_ts(from_epoch(start)),
            }
        )
    return {"total_count": total, "items": items}
