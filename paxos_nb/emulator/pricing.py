"""Seeded market world: a random walk per asset, and the books, trades and stats derived from it.

Each asset (and each fiat against USD) follows a daily log-normal random walk anchored at
``as_of`` and drawn from ``random.Random(f"{seed}:{asset}")``; between two daily points the
price is interpolated in log space with a small deterministic wiggle that vanishes at the
anchors. A market's price is ``usd(base) / usd(quote)``, so ETHEUR, ETHUSD and EURUSD agree.
Everything here is a pure function of (seed, as_of, market, instant): the same seed gives the
same prices, books and public trades for the same instant, every day. (Prices pass through
``math.exp``; a platform whose libm differs in the last bit could, rarely, round one tick apart.)
"""

from __future__ import annotations

import hashlib
import math
import random
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from .fmt import places_of

# The enums of API-BRIEF.md section 11.
MARKETS = [
    "ETHEUR", "ETHSGD", "ETHUSD", "BTCEUR", "BTCSGD", "BTCUSD", "PAXGUSD", "BCHUSD", "LTCUSD",
    "USDPUSD", "LINKUSD", "MATICUSD", "AAVEUSD", "UNIUSD",
]  # fmt: skip
MARKET_DATA_MARKETS = [
    *MARKETS,
    "ETHBRL", "BTCBRL", "LTCBRL", "BCHBRL", "USDPGBP", "USDPBRL", "AAVEMXN", "BCHMXN", "BTCMXN",
    "ETHMXN", "LTCMXN", "USDPMXN", "AAVEEUR", "BCHEUR", "LTCEUR", "LINKEUR", "MATICEUR",
    "PAXGEUR", "SOLEUR", "USDPEUR", "UNIEUR", "PYUSDEUR",
]  # fmt: skip
HISTORICAL_MARKETS = [
    *(m for m in MARKET_DATA_MARKETS if m not in ("ETHSGD", "BTCSGD")),
    "ETHGBP", "BTCGBP", "LTCGBP", "BCHGBP", "PYUSDGBP",
]  # fmt: skip
PRICE_MARKETS = [
    "ETHUSD", "BTCUSD", "PAXGUSD", "BCHUSD", "LTCUSD", "USDPUSD", "LINKUSD", "MATICUSD",
    "AAVEUSD", "UNIUSD",
]  # fmt: skip
FIATS = ("USD", "EUR", "SGD", "GBP", "BRL", "MXN")

# Anchor prices in USD at as_of, and daily volatility of the walk (emulator choices).
ANCHOR_USD = {
    "BTC": 105_000.0, "ETH": 3_500.0, "BCH": 450.0, "LTC": 95.0, "SOL": 160.0, "LINK": 16.0,
    "AAVE": 280.0, "UNI": 9.0, "MATIC": 0.25, "PAXG": 3_300.0,
    "USDP": 1.0, "PYUSD": 1.0, "USDG": 1.0, "USDC": 1.0,
    "EUR": 1.15, "SGD": 0.78, "GBP": 1.35, "BRL": 0.18, "MXN": 0.053,
}  # fmt: skip
DAILY_VOL = {"BTC": 0.03, "ETH": 0.04, "PAXG": 0.01, "EUR": 0.005, "SGD": 0.004, "GBP": 0.005}
STABLE = ("USDP", "PYUSD", "USDG", "USDC")
# Tick rates of the 14 trading markets; other markets get one from their price magnitude.
TICKS = {
    "BTCUSD": "0.25", "BTCEUR": "0.25", "BTCSGD": "0.25", "ETHUSD": "0.05", "ETHEUR": "0.05",
    "ETHSGD": "0.05", "PAXGUSD": "0.01", "BCHUSD": "0.05", "LTCUSD": "0.01",
    "USDPUSD": "0.0001", "LINKUSD": "0.001", "MATICUSD": "0.0001", "AAVEUSD": "0.01",
    "UNIUSD": "0.001",
}  # fmt: skip
SPAN_DAYS = 1095  # the walk covers as_of ± 3 years; outside it the price stays flat
BOOK_LEVELS = 40
TRADE_EVERY = 15  # seconds between public trade slots
INCREMENTS = {
    "ONE_MINUTE": 60, "FIVE_MINUTES": 300, "FIFTEEN_MINUTES": 900, "THIRTY_MINUTES": 1800,
    "ONE_HOUR": 3600, "TWO_HOURS": 7200, "TWELVE_HOURS": 43200, "ONE_DAY": 86400,
    "ONE_WEEK": 604800, "TWO_WEEKS": 1209600, "FOUR_WEEKS": 2419200,
}  # fmt: skip
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def split_market(market: str) -> tuple[str, str]:
    """``"PYUSDEUR"`` -> ``("PYUSD", "EUR")``: every quote asset is a 3-letter fiat."""
    return market[:-3], market[-3:]


def epoch_seconds(moment: datetime) -> float:
    return (moment - _EPOCH).total_seconds()


def from_epoch(seconds: float) -> datetime:
    return _EPOCH + timedelta(seconds=seconds)


class Prices:
    """Deterministic prices for every market of the spec, from ``seed`` and ``as_of``."""

    def __init__(self, seed: int, as_of: datetime) -> None:
        self.seed = seed
        self.as_of = as_of
        self._t0 = epoch_seconds(as_of)
        self._walks: dict[str, list[float]] = {}
        self.earliest = as_of - timedelta(days=SPAN_DAYS)

    # -- the walk -------------------------------------------------------------------------
    def _walk(self, asset: str) -> list[float]:
        """Log USD price at as_of + k days for k in -SPAN..SPAN (index k + SPAN)."""
        walk = self._walks.get(asset)
        if walk is None:
            rng = random.Random(f"paxos-nb:{self.seed}:{asset}")  # noqa: S311 - seeded walk
            if asset in STABLE:  # pegged: independent tiny deviations around 1, no drift
                walk = [rng.gauss(0.0, 0.0003) for _ in range(2 * SPAN_DAYS + 1)]
            else:
                vol = DAILY_VOL.get(asset, 0.05)
                anchor = math.log(ANCHOR_USD[asset]) + rng.gauss(0.0, 0.08)
                ahead, behind = [anchor], [anchor]
                for _ in range(SPAN_DAYS):
                    ahead.append(ahead[-1] + rng.gauss(0.0, vol))
                    behind.append(behind[-1] + rng.gauss(0.0, vol))
                walk = behind[:0:-1] + ahead
            self._walks[asset] = walk
        return walk

    @lru_cache(maxsize=4096)  # noqa: B019 - bounded, and one Prices lives as long as its ledger
    def _phases(self, asset: str, day: int) -> tuple[float, ...]:
        digest = hashlib.blake2b(f"{self.seed}:{asset}:{day}".encode(), digest_size=12).digest()
        return tuple(b / 255.0 * 2 * math.pi for b in digest[:3])

    def log_usd(self, asset: str, seconds: float) -> float:
        """Log of the USD price of ``asset`` at ``seconds`` since the epoch."""
        if asset == "USD":
            return 0.0
        walk = self._walk(asset)
        days = (seconds - self._t0) / 86400.0
        days = min(max(days, -SPAN_DAYS), SPAN_DAYS - 1e-9)
        k = math.floor(days)
        frac = days - k
        low, high = walk[k + SPAN_DAYS], walk[k + SPAN_DAYS + 1]
        vol = 0.0003 if asset in STABLE else DAILY_VOL.get(asset, 0.05)
        wiggle = sum(
            amp * math.sin(2 * math.pi * cycles * frac + phase)
            for amp, cycles, phase in zip(
                (0.5, 0.3, 0.2), (3, 17, 61), self._phases(asset, k), strict=True
            )
        )
        return low + (high - low) * frac + 0.35 * vol * math.sin(math.pi * frac) * wiggle

    def raw(self, market: str, moment: datetime | float) -> float:
        """The unrounded mid price of ``market`` (quote units per base unit)."""
        seconds = moment if isinstance(moment, float) else epoch_seconds(moment)
        base, quote = split_market(market)
        return math.exp(self.log_usd(base, seconds) - self.log_usd(quote, seconds))

    # -- rounding -------------------------------------------------------------------------
    def tick(self, market: str) -> Decimal:
        if market in TICKS:
            return Decimal(TICKS[market])
        base, quote = split_market(market)
        magnitude = math.floor(math.log10(ANCHOR_USD[base] / ANCHOR_USD.get(quote, 1.0)))
        return Decimal(1).scaleb(min(0, max(-4, magnitude - 4)))

    def to_tick(self, market: str, value: float, rounding: str = ROUND_HALF_EVEN) -> Decimal:
        tick = self.tick(market)
        steps = (Decimal(repr(value)) / tick).to_integral_value(rounding=rounding)
        return max(steps, Decimal(1)) * tick

    def fmt_price(self, market: str, value: Decimal) -> str:
        return format(value.quantize(Decimal(1).scaleb(-places_of(self.tick(market)))), "f")

    def mid(self, market: str, moment: datetime) -> Decimal:
        return self.to_tick(market, self.raw(market, moment))

    # -- synthetic liquidity --------------------------------------------------------------
    def _unit(self, *parts: object) -> float:
        """A uniform number in [0, 1) from a hash of the seed and ``parts``."""
        text = ":".join(str(p) for p in (self.seed, *parts)).encode()
        return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big") / 2.0**64

    def level_size(self, market: str) -> float:
        """About 25,000 USD of the base asset: the typical size of one book level."""
        return 25_000.0 / ANCHOR_USD[split_market(market)[0]]

    def book(self, market: str, moment: datetime) -> tuple[list, list]:
        """``(bids, asks)`` as lists of (price, amount) Decimals, best first, one per level."""
        second = math.floor(epoch_seconds(moment))
        mid = self.raw(market, moment)
        tick = float(self.tick(market))
        half = max(tick, mid * 0.0004)
        step = max(tick, mid * 0.0003)
        size = self.level_size(market)
        sides: dict[str, list] = {"bid": [], "ask": []}
        for side, sign in (("bid", -1), ("ask", 1)):
            last = None
            for i in range(BOOK_LEVELS):
                rounding = "ROUND_FLOOR" if sign < 0 else "ROUND_CEILING"
                price = self.to_tick(market, mid + sign * (half + i * step), rounding)
                if last is not None and price == last:  # one row per price level
                    price = last + sign * self.tick(market)
                if price <= 0:
                    break
                amount = size * (0.15 + 1.7 * self._unit(market, second, side, i)) * (1 + 0.08 * i)
                sides[side].append((price, Decimal(f"{amount:.8f}")))
                last = price
        return sides["bid"], sides["ask"]

    def trades(self, market: str, moment: datetime, count: int = 2000) -> list[dict]:
        """The last ``count`` public trades at or before ``moment``, oldest first."""
        now = epoch_seconds(moment)
        last_slot = math.floor(now / TRADE_EVERY)
        size = self.level_size(market) * 0.05
        tick = float(self.tick(market))
        out = []
        for slot in range(last_slot - count, last_slot + 1):
            at = slot * TRADE_EVERY + round(self._unit(market, "t", slot) * TRADE_EVERY, 3)
            if at > now:
                continue
            mid = self.raw(market, float(at))
            offset = (self._unit(market, "p", slot) - 0.5) * max(tick, mid * 0.0008)
            amount = size * (0.02 + 2 * self._unit(market, "a", slot) ** 2)
            out.append(
                {
                    "match_number": _base36(int(self._unit(market, "m", slot) * 36**12)),
                    "price": self.to_tick(market, mid + offset),
                    "amount": Decimal(f"{amount:.8f}"),
                    "executed_at": from_epoch(at),
                }
            )
        return out[-count:]

    def stats(self, market: str, begin: datetime, end: datetime) -> dict:
        """High, low, open, volume and VWAP of ``market`` sampled every 5 minutes in the range."""
        start, stop = epoch_seconds(begin), epoch_seconds(end)
        samples = max(2, math.ceil((stop - start) / 300) + 1)
        prices, volumes = [], []
        for i in range(samples):
            at = start + (stop - start) * i / (samples - 1)
            prices.append(self.raw(market, at))
            volumes.append(self.level_size(market) * 0.05 * (0.5 + self._unit(market, "v", at)))
        volume = sum(volumes)
        vwap = sum(p * v for p, v in zip(prices, volumes, strict=True)) / volume
        return {
            "high": self.to_tick(market, max(prices)),
            "low": self.to_tick(market, min(prices)),
            "open": self.to_tick(market, prices[0]),
            "volume": Decimal(f"{volume:.8f}"),
            "vwap": self.to_tick(market, vwap),
        }

    def average(self, market: str, begin: float, end: float) -> Decimal:
        """Time-weighted average price over [begin, end] (five-point midpoint rule)."""
        points = [begin + (end - begin) * (i + 0.5) / 5 for i in range(5)]
        return self.to_tick(market, sum(self.raw(market, p) for p in points) / 5)


def _base36(value: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    for _ in range(12):
        value, rest = divmod(value, 36)
        out = digits[rest] + out
    return out
