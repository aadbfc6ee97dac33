"""One market's live order book (the model): synthetic liquidity, the user's resting orders,
and the public trades, with every level change recorded for the feeds.

A level's amount is the synthetic market maker's amount plus the unfilled amounts of the
user's resting orders at that price. Changes are grouped (:meth:`Book.changes`): only the
levels whose amount differs at the end are announced, one ``(side, price, amount)`` each,
``amount`` 0 for a level that went away, so the feeds send exactly the documented UPDATEs
(docs.paxos.com, WebSocket market data: BUY updates the bids, SELL the asks, "0" deletes).
Pure data: the :class:`~.backends.books.Books` backend decides what changes, and when.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

__all__ = ["Book", "LevelChange", "PublicTrade"]

ZERO = Decimal(0)
SIDES = ("BUY", "SELL")  # BUY: the bids, SELL: the asks (the feeds' names)
TRADES_KEPT = 2000  # GET /markets/{market}/recent-executions answers the last 2000


@dataclass(frozen=True)
class LevelChange:
    """A price level's new total amount (0: the level is gone)."""

    market: str
    side: str  # BUY (bids) or SELL (asks)
    price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class PublicTrade:
    """One public execution of the market (anyone's fill; no order or profile)."""

    market: str
    match_number: str
    price: Decimal
    amount: Decimal
    executed_at: datetime


class Book:
    """Levels per side (price -> amount), best first on demand, and the recent trades."""

    def __init__(
        self,
        market: str,
        bids: list,
        asks: list,
        history: Callable[[int], list[PublicTrade]],
    ) -> None:
        self.market = market
        self.synthetic: dict[str, dict[Decimal, Decimal]] = {
            "BUY": dict(bids),
            "SELL": dict(asks),
        }
        self.resting: dict[str, dict[Decimal, Decimal]] = {"BUY": {}, "SELL": {}}
        # The seeded trades before the book went live come from ``history(count)`` (oldest
        # first), computed only when asked for: 2000 of them per market cost a while.
        self._history = history
        self.trades: deque[PublicTrade] = deque(maxlen=TRADES_KEPT)  # since it went live
        self.step = 0  # the last background step applied (whole seconds since the epoch)
        self._before: dict[tuple[str, Decimal], Decimal] | None = None
        self.pending: list[LevelChange] = []
        self.emptied: set[tuple[str, Decimal]] = set()  # synthetic levels a user's order emptied

    # -- reading ----------------------------------------------------------------------------
    def amount(self, side: str, price: Decimal) -> Decimal:
        return self.synthetic[side].get(price, ZERO) + self.resting[side].get(price, ZERO)

    def levels(self, side: str) -> list[tuple[Decimal, Decimal]]:
        """``(price, amount)`` of one side, best first (bids descending, asks ascending)."""
        prices = set(self.synthetic[side]) | set(self.resting[side])
        ordered = sorted(prices, reverse=side == "BUY")
        return [(p, self.amount(side, p)) for p in ordered]

    def synthetic_levels(self, side: str) -> list[tuple[Decimal, Decimal]]:
        """The market maker's levels only, best first: what a user's order can trade with."""
        return sorted(self.synthetic[side].items(), reverse=side == "BUY")

    def recent(self) -> list[PublicTrade]:
        """The last ``TRADES_KEPT`` public trades, oldest first."""
        missing = TRADES_KEPT - len(self.trades)
        earlier = self._history(missing) if missing > 0 else []
        return [*earlier, *self.trades][-TRADES_KEPT:]

    def last_trade(self) -> PublicTrade:
        return self.trades[-1] if self.trades else self._history(1)[-1]

    def best(self, side: str) -> Decimal | None:
        levels = self.levels(side)
        return levels[0][0] if levels else None

    # -- changing ---------------------------------------------------------------------------
    @contextmanager
    def changes(self) -> Iterator[None]:
        """Group changes: on exit, each level whose amount moved is appended to ``pending``."""
        if self._before is not None:  # nested: the outer group announces
            yield
            return
        self._before = {}
        try:
            yield
        finally:
            before, self._before = self._before, None
            for (side, price), old in before.items():
                new = self.amount(side, price)
                if new != old:
                    self.pending.append(LevelChange(self.market, side, price, new))

    def _touch(self, side: str, price: Decimal) -> None:
        assert self._before is not None, "change a book inside book.changes()"
        self._before.setdefault((side, price), self.amount(side, price))

    def set_synthetic(self, side: str, price: Decimal, amount: Decimal) -> None:
        self._touch(side, price)
        if amount > 0:
            self.synthetic[side][price] = amount
        else:
            self.synthetic[side].pop(price, None)

    def add_resting(self, side: str, price: Decimal, amount: Decimal) -> None:
        self._touch(side, price)
        total = self.resting[side].get(price, ZERO) + amount
        if total > 0:
            self.resting[side][price] = total
        else:
            self.resting[side].pop(price, None)

    def take_pending(self) -> list[LevelChange]:
        out, self.pending = self.pending, []
        return out
