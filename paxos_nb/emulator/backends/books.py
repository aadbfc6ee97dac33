"""The live order books: one per market, shared by the REST market-data routes, the orders
backend and the WebSocket feeds.

A book starts, the first time anything looks at its market, as the seeded synthetic book of
that instant (:meth:`.pricing.Prices.book`) with the seeded public trades before it. From
then on it moves only through this backend, and every move is announced on the change hook
(``book.updated`` per level, ``trade.created`` per public trade), which the feeds turn into
UPDATE and execution messages:

- once per emulated second (driven by the ledger's clock: :meth:`Books.catch_up` runs in
  every ``ledger.at(now)``), seeded background activity: the touch follows the price walk,
  one level is requoted, and about one step in three a background trade takes part of the
  best bid or ask. A frozen clock therefore gives the same messages every run;
- a user's order takes synthetic liquidity (a level it empties is requoted at once unless
  that would cross one of the user's resting orders) and each fill is a public trade;
- a resting limit order adds its unfilled amount to its price level until it closes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from ..book import Book, PublicTrade
from ..pricing import BOOK_LEVELS, Prices, epoch_seconds, from_epoch
from ..trading import Order
from .core import Core

__all__ = ["Books"]

MAX_CATCH_UP = 120  # steps replayed one by one; a longer jump rebuilds the book at once
TRADE_CHANCE = 0.3  # of a background trade in one step
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _match_number(bits: int) -> str:
    out = ""
    for _ in range(12):
        bits, rest = divmod(bits, 36)
        out = _DIGITS[rest] + out
    return out


def _other(side: str) -> str:
    return "SELL" if side == "BUY" else "BUY"


class Books:
    """Every live book of the ledger, by market (created on first use)."""

    def __init__(self, core: Core, prices: Prices) -> None:
        self.core, self.prices = core, prices
        self.books: dict[str, Book] = {}
        self._trades = 0
        # Called as ``watcher(book, at)`` after each background step (and after a rebuild):
        # the orders backend triggers its stop orders there, at the step's own instant.
        self.watchers: list[Callable[[Book, datetime], None]] = []
        core.tickers.append(self.catch_up)

    def reset(self) -> None:
        self.books.clear()
        self._trades = 0

    # -- reading ----------------------------------------------------------------------------
    def book(self, market: str) -> Book:
        """The live book of ``market`` (a known market; the caller checked it)."""
        book = self.books.get(market)
        if book is None:
            now = self.core.now
            bids, asks = self.prices.book(market, now)

            def history(count: int) -> list[PublicTrade]:
                return [
                    PublicTrade(
                        market, t["match_number"], t["price"], t["amount"], t["executed_at"]
                    )
                    for t in self.prices.trades(market, now, count)
                ]

            book = self.books[market] = Book(market, bids, asks, history)
            book.step = math.floor(epoch_seconds(now))
        return book

    # -- the user's orders ------------------------------------------------------------------
    @contextmanager
    def trading(self, market: str) -> Iterator[Book]:
        """Group one order's fills and resting: the net level changes are announced once."""
        book = self.book(market)
        book.emptied = set()
        with book.changes():
            yield book
            for side, price in sorted(book.emptied):
                if not self._crosses_resting(book, side, price):
                    self._requote(book, side, price, "refill", price)
        self._announce(book)

    def fill(
        self, book: Book, taker_side: str, price: Decimal, amount: Decimal, at: datetime
    ) -> None:
        """A user's order took ``amount`` at ``price`` from the other side's synthetic level."""
        side = _other(taker_side)
        left = book.synthetic[side].get(price, Decimal(0)) - amount
        book.set_synthetic(side, price, left)
        if left <= 0:
            book.emptied.add((side, price))
        self._trade(book, price, amount, at)

    def rest(self, book: Book, order: Order) -> None:
        """A limit order rests: its unfilled amount joins its price level."""
        book.add_resting(order.side, order.price, order.base_amount - order.amount_filled)

    def unrest(self, order: Order) -> None:
        """A resting order closed (cancelled, expired): its unfilled amount leaves the book."""
        book = self.book(order.market)
        with book.changes():
            book.add_resting(order.side, order.price, order.amount_filled - order.base_amount)
        self._announce(book)

    # -- background activity ----------------------------------------------------------------
    def catch_up(self, now: datetime) -> None:
        """Apply the background steps due by ``now`` to every live book (under the lock)."""
        target = math.floor(epoch_seconds(now))
        for book in self.books.values():
            if target <= book.step:
                continue
            with book.changes():
                if target - book.step > MAX_CATCH_UP:
                    self._rebuild(book, now)
                    self._watch(book, now)
                else:
                    for step in range(book.step + 1, target + 1):
                        self._step(book, step)
                        self._watch(book, from_epoch(float(step)))
                book.step = target
            self._announce(book)

    def _rebuild(self, book: Book, now: datetime) -> None:
        bids, asks = self.prices.book(book.market, now)
        for side, fresh in (("BUY", dict(bids)), ("SELL", dict(asks))):
            for price in list(book.synthetic[side]):
                if price not in fresh:
                    book.set_synthetic(side, price, Decimal(0))
            for price, amount in fresh.items():
                if not self._crosses_resting(book, side, price):
                    book.set_synthetic(side, price, amount)

    def _step(self, book: Book, step: int) -> None:
        market, prices = book.market, self.prices
        rng = self.core.random("book", market, step)
        mid = prices.raw(market, float(step))
        tick = prices.tick(market)
        half, spacing = max(float(tick), mid * 0.0004), max(float(tick), mid * 0.0003)
        touch = {
            "BUY": prices.to_tick(market, mid - half, ROUND_FLOOR),
            "SELL": prices.to_tick(market, mid + half, ROUND_CEILING),
        }
        for side, sign in (("BUY", -1), ("SELL", 1)):
            levels = book.synthetic[side]
            for price in [p for p in levels if (p - touch[side]) * sign < 0]:
                book.set_synthetic(side, price, Decimal(0))  # the touch moved away
            ordered = sorted(levels, key=lambda p: p * sign)
            if (not ordered or ordered[0] != touch[side]) and not self._crosses_resting(
                book, side, touch[side]
            ):
                self._requote(book, side, touch[side], step, "touch")
                ordered = sorted(levels, key=lambda p: p * sign)
            for price in ordered[BOOK_LEVELS:]:
                book.set_synthetic(side, price, Decimal(0))
            gap = prices.to_tick(market, spacing, ROUND_CEILING)
            while ordered and len(levels) < BOOK_LEVELS:
                far = max(levels, key=lambda p: p * sign) + sign * gap
                if far <= 0:
                    break
                self._requote(book, side, far, step, "far")
        side = rng.choice(("BUY", "SELL"))
        top = book.synthetic_levels(side)[:10]
        if top:
            self._requote(book, side, rng.choice(top)[0], step, "amount")
        if rng.random() < TRADE_CHANCE:
            side = rng.choice(("BUY", "SELL"))
            taken = book.synthetic_levels(side)
            if taken:
                price, available = taken[0]
                amount = (available * Decimal(str(round(rng.uniform(0.05, 0.5), 4)))).quantize(
                    Decimal("1e-8")
                )
                if amount > 0:
                    book.set_synthetic(side, price, available - amount)
                    self._trade(book, price, amount, from_epoch(float(step)))

    # -- helpers ----------------------------------------------------------------------------
    def _watch(self, book: Book, at: datetime) -> None:
        for watcher in self.watchers:
            watcher(book, at)

    def _crosses_resting(self, book: Book, side: str, price: Decimal) -> bool:
        """Would a synthetic level at ``price`` cross a resting order of the user?"""
        other = book.resting[_other(side)]
        if not other:
            return False
        return price <= max(other) if side == "SELL" else price >= min(other)

    def _requote(self, book: Book, side: str, price: Decimal, *why: object) -> None:
        unit = self.core.random("quote", book.market, side, price, *why).random()
        size = self.prices.level_size(book.market) * (0.15 + 1.7 * unit)
        book.set_synthetic(side, price, Decimal(f"{size:.8f}"))

    def _trade(self, book: Book, price: Decimal, amount: Decimal, at: datetime) -> None:
        self._trades += 1
        bits = self.core.random("match", book.market, self._trades).getrandbits(62)
        trade = PublicTrade(book.market, _match_number(bits), price, amount, at)
        book.trades.append(trade)
        self.core.changed("trade.created", trade, at)

    def _announce(self, book: Book) -> None:
        for change in book.take_pending():
            self.core.changed("book.updated", change)
