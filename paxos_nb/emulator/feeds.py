"""The public WebSocket feeds: which path is which feed, their messages, and the hub that
turns the ledger's market-data changes into messages for the subscribers of each feed.

Paxos documents (docs.paxos.com, WebSocket API): ``/marketdata[/{market}]`` sends a
``SNAPSHOT`` (``final_snapshot: true``) then ``UPDATE`` messages (BUY: bids, SELL: asks,
amount "0" deletes the level); ``/executiondata[/{market}]`` sends the latest execution,
then one message per execution, with ``match_number``; ``/marketdata/stablecoin[/{market}]``
sends ``{market, price, timestamp}`` about once a second. No authentication; the client
sends nothing. This module knows nothing of WebSocket framing (that is :mod:`.wsserver`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from .backends.core import Change
from .book import Book, LevelChange, PublicTrade
from .fmt import fmt_fixed, fmt_ts
from .ledger import Ledger
from .pricing import MARKET_DATA_MARKETS

__all__ = ["FEEDS", "STABLECOIN_MARKETS", "FeedError", "FeedHub", "Subscription", "parse_path"]

STABLECOIN_MARKETS = ("USDCUSD",)  # the documented stablecoin price feed
FEEDS = "/marketdata[/{market}], /executiondata[/{market}], /marketdata/stablecoin[/{market}]"

Key = tuple[str, "str | None"]  # (feed, market or None for every market)
Deliver = Callable[[list[tuple[tuple[Any, ...], str]]], None]


class FeedError(Exception):
    """A path that is no feed, or an unknown market: answered with ``status`` and ``text``."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status, self.text = status, text


def parse_path(path: str) -> Key:
    """``"/marketdata/BTCUSD"`` -> ``("marketdata", "BTCUSD")``; FeedError (404) otherwise."""
    parts = [p for p in path.split("?", 1)[0].split("/") if p]
    known: tuple[str, ...]
    if parts[:2] == ["marketdata", "stablecoin"]:
        feed, rest, known = "stablecoin", parts[2:], STABLECOIN_MARKETS
    elif parts[:1] in (["marketdata"], ["executiondata"]):
        feed, rest, known = parts[0], parts[1:], tuple(MARKET_DATA_MARKETS)
    else:
        raise FeedError(404, f"no feed at {path}: the feeds are {FEEDS}")
    if len(rest) > 1:
        raise FeedError(404, f"no feed at {path}: the feeds are {FEEDS}")
    market = rest[0] if rest else None
    if market is not None and market not in known:
        close = [m for m in known if m.startswith(market[:3].upper())][:5] or list(known[:5])
        raise FeedError(
            404, f"unknown market '{market}' for /{feed}: known markets include {', '.join(close)}"
        )
    return feed, market


def _dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))


@dataclass
class Subscription:
    """One connection's subscription; ``target`` is what the deliver function writes to."""

    key: Key
    target: Hashable


class FeedHub:
    """Subscriptions per feed, and the ledger listener that feeds them.

    The listener runs under the ledger lock (in whatever thread changed the book); it picks
    the subscribers of that moment, encodes the message once and hands batches to the
    server's loop (``deliver`` runs there). :meth:`subscribe` also runs under the lock, so a
    new subscriber's first messages and the updates it then receives meet exactly.
    """

    def __init__(self, ledger: Ledger, now: Callable[[], datetime]) -> None:
        self.ledger, self.now = ledger, now
        self._subs: dict[Key, set[Hashable]] = {}
        self._lock = threading.Lock()
        self._pending: list[tuple[tuple[Any, ...], str]] = []
        self._wake: Callable[[], None] | None = None
        self._deliver: Deliver | None = None

    # -- wiring -----------------------------------------------------------------------------
    def attach(self, wake: Callable[[Callable[[], None]], Any], deliver: Deliver) -> None:
        """Start listening: ``wake(fn)`` runs ``fn`` on the server's loop (thread-safe)."""
        self._wake = lambda: wake(self._flush)
        self._deliver = deliver
        self.ledger.core.listeners.append(self._on_change)

    def detach(self) -> None:
        if self._on_change in self.ledger.core.listeners:
            self.ledger.core.listeners.remove(self._on_change)
        self._wake = self._deliver = None

    def has(self, feed: str) -> bool:
        with self._lock:
            return any(k[0] == feed and subs for k, subs in self._subs.items())

    def keys(self, feed: str) -> list[Key]:
        with self._lock:
            return [k for k, subs in self._subs.items() if k[0] == feed and subs]

    def targets(self, key: Key) -> tuple[Any, ...]:
        with self._lock:
            return tuple(self._subs.get(key, ()))

    # -- subscribing ------------------------------------------------------------------------
    def subscribe(self, key: Key, target: Hashable) -> list[str]:
        """Register ``target`` and return its first messages (call off the server's loop)."""
        feed, market = key
        ledger = self.ledger
        with ledger.at(self.now()):
            if feed == "stablecoin":
                first = [self.stablecoin(m) for m in ([market] if market else STABLECOIN_MARKETS)]
            else:
                markets = [market] if market else MARKET_DATA_MARKETS
                books = [ledger.books.book(m) for m in markets]
                if feed == "marketdata":
                    first = [self.snapshot(book) for book in books]
                else:
                    latest = sorted((b.last_trade() for b in books), key=lambda t: t.executed_at)
                    first = [self.execution(t) for t in latest]
            with self._lock:
                self._subs.setdefault(key, set()).add(target)
        return first

    def unsubscribe(self, key: Key, target: Hashable) -> None:
        with self._lock:
            subs = self._subs.get(key)
            if subs is not None:
                subs.discard(target)
                if not subs:
                    del self._subs[key]

    # -- messages ---------------------------------------------------------------------------
    def _level(self, market: str, price: Decimal, amount: Decimal) -> dict[str, str]:
        return {
            "price": self.ledger.prices.fmt_price(market, price),
            "amount": fmt_fixed(amount, 8),
        }

    def snapshot(self, book: Book) -> str:
        m = book.market
        return _dumps(
            {
                "type": "SNAPSHOT",
                "market": m,
                "bids": [self._level(m, p, a) for p, a in book.levels("BUY")],
                "asks": [self._level(m, p, a) for p, a in book.levels("SELL")],
                "final_snapshot": True,
            }
        )

    def update(self, change: LevelChange) -> str:
        m = change.market
        amount = fmt_fixed(change.amount, 8) if change.amount else "0"
        price = self.ledger.prices.fmt_price(m, change.price)
        return _dumps(
            {"type": "UPDATE", "market": m, "side": change.side, "price": price, "amount": amount}
        )

    def execution(self, trade: PublicTrade) -> str:
        return _dumps(
            {
                "market": trade.market,
                "price": self.ledger.prices.fmt_price(trade.market, trade.price),
                "amount": fmt_fixed(trade.amount, 8),
                "executed_at": fmt_ts(trade.executed_at),
                "match_number": trade.match_number,
            }
        )

    def stablecoin(self, market: str) -> str:
        now = self.now()
        price = Decimal(repr(self.ledger.prices.raw(market, now))).quantize(Decimal("0.0001"))
        return _dumps({"market": market, "price": format(price, "f"), "timestamp": fmt_ts(now)})

    # -- the listener -----------------------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        encode: Callable[[Any], str]
        if change.kind == "book.updated":
            feed, encode = "marketdata", self.update
        elif change.kind == "trade.created":
            feed, encode = "executiondata", self.execution
        else:
            return
        record = change.record
        with self._lock:
            targets = tuple(self._subs.get((feed, record.market), ())) + tuple(
                self._subs.get((feed, None), ())
            )
        if targets:
            self.publish(targets, encode(record))

    def publish(self, targets: tuple[Any, ...], text: str) -> None:
        """Queue ``text`` for ``targets``; the loop is woken once per batch."""
        with self._lock:
            first = not self._pending
            self._pending.append((targets, text))
        if first and self._wake is not None:
            self._wake()

    def _flush(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
        if batch and self._deliver is not None:
            self._deliver(batch)
