"""OHLCV candles of the emulated price walk (``GET /markets/{market}/historical-candles``).

docs.paxos.com (List Historical Candles, newer than the spec copy): candles of one
``increment`` over ``[range.begin, range.end]``, newest first, in UTC; a candle starts on a
multiple of its increment (from the epoch) and the one still open ends on the current price.
Open and close are the walk's prices at the candle's ends, high and low the extremes of a
dozen samples in between with both ends; volume scales the walk's synthetic liquidity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from .fmt import fmt_ts
from .pricing import HISTORICAL_MARKETS, INCREMENTS, Prices, epoch_seconds

__all__ = ["CANDLE_MARKETS", "Candle", "candle_starts", "make_candle", "pick_increment"]

# The docs' 51 markets: the historical-prices markets but MATIC, plus 14 newer ones.
NEWER_MARKETS = (
    "PEPEUSD", "TRUMPUSD", "SHIBUSD", "ARBUSD", "BONKUSD", "ENAUSD", "MNTUSD", "ONDOUSD",
    "PENGUUSD", "QNTUSD", "RENDERUSD", "SKYUSD", "WIFUSD", "WLDUSD",
)  # fmt: skip
CANDLE_MARKETS = (
    *(m for m in HISTORICAL_MARKETS if m not in ("MATICUSD", "MATICEUR")),
    *NEWER_MARKETS,
)
SAMPLES = 12


@dataclass(frozen=True)
class Candle:
    start: int  # epoch seconds
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "timestamp": fmt_ts(datetime.fromtimestamp(self.start, timezone.utc)),
            "open": format(self.open, "f"),
            "high": format(self.high, "f"),
            "low": format(self.low, "f"),
            "close": format(self.close, "f"),
            "volume": format(self.volume, "f"),
        }


def candle_starts(begin: datetime, end: datetime, now: datetime, step: int) -> range:
    """Starts of the candles overlapping ``[begin, min(end, now)]``, oldest first."""
    last = math.floor(min(epoch_seconds(end), epoch_seconds(now)) / step) * step
    first = math.floor(epoch_seconds(begin) / step) * step
    return range(first, last + 1, step) if last >= first else range(0)


def pick_increment(begin: datetime, end: datetime, now: datetime, points: int) -> str:
    """The finest increment whose candles over the range number at most ``points``."""
    for name, step in INCREMENTS.items():
        if len(candle_starts(begin, end, now, step)) <= points:
            return name
    return "FOUR_WEEKS"


def make_candle(prices: Prices, market: str, start: int, step: int, now: datetime) -> Candle:
    stop = min(start + step, epoch_seconds(now))
    points = [start + (stop - start) * i / SAMPLES for i in range(SAMPLES + 1)]
    raw = [prices.raw(market, p) for p in points]
    hourly = prices.level_size(market) * 0.6  # synthetic turnover per hour of the walk
    wave = 0.75 + 0.5 * abs(math.sin(start))  # deterministic variation between candles
    volume = Decimal(f"{hourly * (stop - start) / 3600 * wave:.8f}")
    return Candle(
        start,
        prices.to_tick(market, raw[0]),
        prices.to_tick(market, max(raw)),
        prices.to_tick(market, min(raw)),
        prices.to_tick(market, raw[-1]),
        volume,
    )
