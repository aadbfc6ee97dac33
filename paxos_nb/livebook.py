"""A live order book: Paxos's ``/marketdata/{market}`` feed applied by the documented rules
in a background thread, read as DataFrames.

>>> book = session.order_book("BTCUSD")                 # doctest: +SKIP
>>> book.bids.head(3), book.asks.head(3)                # best level first, exact Decimals
>>> book.close()

The rules (docs.paxos.com, WebSocket market data): a ``SNAPSHOT`` (``final_snapshot:
true``) replaces the book; an ``UPDATE`` sets one level (``BUY`` a bid, ``SELL`` an ask) and
amount ``"0"`` deletes it. After a dropped connection the feed reconnects and the next
SNAPSHOT starts the book over, so a missed UPDATE never leaves it wrong for long.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pandas as pd

from .errors import TransportError
from .streams import Feed, FeedThread

__all__ = ["OrderBook"]

_SIDES = {"BUY": "bids", "SELL": "asks"}


class OrderBook:
    """One market's live book; :attr:`bids` / :attr:`asks` are DataFrames (price, amount as
    ``Decimal``, best level first). Opened with ``session.order_book(market)``; the
    constructor waits for the first SNAPSHOT, so an unknown market fails at once."""

    def __init__(self, feed: Feed, market: str, *, first_timeout: float = 10.0) -> None:
        self.market = market
        self.snapshots = 0  # SNAPSHOTs applied (1 + one per reconnect)
        self.updates = 0  # UPDATEs applied
        self._levels: dict[str, dict[Decimal, Decimal]] = {"bids": {}, "asks": {}}
        self._cond = threading.Condition()
        self._listeners: list[Callable[[OrderBook], None]] = []
        feed.connect()  # a bad market or an unreachable host is an error here, not in a thread
        self._thread = FeedThread(feed, self._apply, name=f"order-book-{market}")
        self._thread.start()
        if not self.wait(lambda b: b.snapshots > 0, timeout=first_timeout):
            self.close()
            raise TransportError(f"no SNAPSHOT from {feed.url} within {first_timeout} s")

    # -- applying the feed --------------------------------------------------------------------
    def _apply(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        with self._cond:
            if kind == "SNAPSHOT":
                self._levels = {
                    side: {Decimal(lv["price"]): Decimal(lv["amount"]) for lv in message[side]}
                    for side in ("bids", "asks")
                }
                self.snapshots += 1
            elif kind == "UPDATE":
                levels = self._levels[_SIDES[message["side"]]]
                price, amount = Decimal(message["price"]), Decimal(message["amount"])
                if amount == 0:
                    levels.pop(price, None)
                else:
                    levels[price] = amount
                self.updates += 1
            else:
                return
            self._cond.notify_all()
            listeners = list(self._listeners)
        for listener in listeners:  # outside the lock: a listener may read the book
            listener(self)

    # -- reading ------------------------------------------------------------------------------
    def _frame(self, side: str) -> pd.DataFrame:
        with self._cond:
            rows = sorted(self._levels[side].items(), reverse=side == "bids")
        return pd.DataFrame(rows, columns=["price", "amount"], dtype=object)

    @property
    def bids(self) -> pd.DataFrame:
        """Bid levels, highest price first: columns ``price``, ``amount`` (Decimal)."""
        return self._frame("bids")

    @property
    def asks(self) -> pd.DataFrame:
        """Ask levels, lowest price first: columns ``price``, ``amount`` (Decimal)."""
        return self._frame("asks")

    @property
    def best(self) -> tuple[Decimal | None, Decimal | None]:
        """(best bid, best ask) prices."""
        with self._cond:
            bids, asks = self._levels["bids"], self._levels["asks"]
            return (max(bids) if bids else None, min(asks) if asks else None)

    def wait(self, until: Callable[[OrderBook], bool], timeout: float | None = 10.0) -> bool:
        """Block until ``until(book)`` holds (e.g. ``lambda b: b.updates >= 5``); False on
        timeout or when the feed stopped."""
        with self._cond:
            return self._cond.wait_for(lambda: until(self) or not self._thread.alive, timeout) and (
                until(self)
            )

    def on_change(self, listener: Callable[[OrderBook], None]) -> None:
        """Call ``listener(book)`` (in the feed's thread) after every SNAPSHOT and UPDATE."""
        with self._cond:
            self._listeners.append(listener)

    # -- lifecycle ----------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._thread.feed.closed

    @property
    def error(self) -> BaseException | None:
        """Why the feed stopped, if it stopped on its own (it reconnects on drops)."""
        return self._thread.error

    def close(self) -> None:
        """Stop the feed and join its thread."""
        self._thread.close()
        with self._cond:
            self._cond.notify_all()

    def __enter__(self) -> OrderBook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        bid, ask = self.best
        state = "closed" if self.closed else "live"
        return (
            f"OrderBook({self.market}, {state}, best bid {bid}, best ask {ask}, "
            f"{self.updates} updates)"
        )
