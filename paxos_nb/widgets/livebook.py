"""A live order book in JupyterLab: a depth chart and the latest trades, updating as the
WebSocket feeds move, with a Stop button.

Two feeds run in background threads (the kernel stays free): ``session.order_book(market)``
and ``session.feed("executiondata", market)``. A third thread redraws at most every
``interval`` seconds when something changed, so a burst of UPDATEs costs one redraw. The
chart is an inline SVG in an ``HTML`` widget: cumulative bid (green) and ask (red) depth
around the mid, no plotting library, small enough to resend a few times a second.
"""

from __future__ import annotations

import html
import threading
from collections import deque
from decimal import Decimal
from typing import Any

import ipywidgets as w

from ..livebook import OrderBook
from ..streams import FeedThread
from ._base import PaxosBox

__all__ = ["LiveBook"]

_W, _H, _PAD = 560, 220, 28
_LEVELS = 25  # levels per side drawn
_TRADES = 12  # latest trades listed


def depth_svg(bids: list[tuple[Decimal, Decimal]], asks: list[tuple[Decimal, Decimal]]) -> str:
    """An SVG depth chart: cumulative amount against price, bids left, asks right."""
    bids, asks = bids[:_LEVELS], asks[:_LEVELS]
    if not bids or not asks:
        return f"<svg width='{_W}' height='{_H}'><text x='10' y='20'>no levels</text></svg>"

    def steps(levels: list[tuple[Decimal, Decimal]]) -> list[tuple[float, float]]:
        total, out = 0.0, []
        for price, amount in levels:
            total += float(amount)
            out.append((float(price), total))
        return out

    b, a = steps(bids), steps(asks)
    low, high = b[-1][0], a[-1][0]
    top = max(b[-1][1], a[-1][1]) or 1.0
    span = (high - low) or 1.0

    def x(price: float) -> float:
        return _PAD + (price - low) / span * (_W - 2 * _PAD)

    def y(depth: float) -> float:
        return _H - _PAD - depth / top * (_H - 2 * _PAD)

    def area(points: list[tuple[float, float]], start: float) -> str:
        path = [f"{x(start):.1f},{y(0):.1f}"]
        depth = 0.0
        for price, total in points:
            path.append(f"{x(price):.1f},{y(depth):.1f}")
            path.append(f"{x(price):.1f},{y(total):.1f}")
            depth = total
        path.append(f"{x(points[-1][0]):.1f},{y(0):.1f}")
        return " ".join(path)

    mid = (b[0][0] + a[0][0]) / 2
    return (
        f"<svg class='paxos-nb-depth-chart' width='{_W}' height='{_H}' "
        f"viewBox='0 0 {_W} {_H}' role='img' aria-label='order book depth'>"
        f"<polygon class='paxos-nb-depth-bids' points='{area(b, b[0][0])}' "
        "fill='rgba(46,160,67,0.35)' stroke='#2ea043'/>"
        f"<polygon class='paxos-nb-depth-asks' points='{area(a, a[0][0])}' "
        "fill='rgba(218,54,51,0.35)' stroke='#da3633'/>"
        f"<line x1='{x(mid):.1f}' x2='{x(mid):.1f}' y1='{_PAD}' y2='{_H - _PAD}' "
        "stroke='#888' stroke-dasharray='3,3'/>"
        f"<text x='{_PAD}' y='{_H - 8}' font-size='11'>{low:,.2f}</text>"
        f"<text x='{_W - _PAD}' y='{_H - 8}' font-size='11' text-anchor='end'>{high:,.2f}</text>"
        f"<text x='{_PAD}' y='16' font-size='11'>depth {top:,.4f}</text>"
        "</svg>"
    )


class LiveBook(PaxosBox):
    """``px.widgets.live_book(session, market)``: see the module docstring."""

    def __init__(self, session: Any, market: str, *, interval: float = 0.25) -> None:
        self.market = market.upper()
        self.interval = interval
        self.trades: deque[dict[str, Any]] = deque(maxlen=_TRADES)
        self.redraws = 0
        self._changed = threading.Event()
        self._stopped = threading.Event()
        self.status = w.HTML(layout=w.Layout(width="auto"))
        self.status.add_class("paxos-nb-live-status")
        self.chart = w.HTML()
        self.chart.add_class("paxos-nb-live-chart")
        self.table = w.HTML()
        self.table.add_class("paxos-nb-live-trades")
        self.stop_button = w.Button(description="Stop", icon="stop", button_style="warning")
        self.stop_button.add_class("paxos-nb-stop")
        super().__init__()  # makes self.errors
        self.children = (self.status, self.chart, self.table, self.stop_button, self.errors)
        self.add_class("paxos-nb-live-book")
        self.stop_button.on_click(self.guard(lambda _: self.stop(), "Stop: "))
        self.book: OrderBook = session.order_book(self.market)  # errors here: bad market...
        try:
            feed = session.feed("executiondata", market=self.market)
            self._trades = FeedThread(feed, self._on_trade, name=f"executions-{self.market}")
            self._trades.start()
        except BaseException:
            self.book.close()
            raise
        self.book.on_change(lambda _: self._changed.set())
        self._draw()
        self._painter = threading.Thread(
            target=self._paint, name=f"paxos-nb-live-book-{self.market}", daemon=True
        )
        self._painter.start()

    # -- feeds -> widgets ---------------------------------------------------------------------
    def _on_trade(self, message: dict[str, Any]) -> None:
        self.trades.appendleft(message)
        self._changed.set()

    def _paint(self) -> None:
        while not self._stopped.is_set():
            if self._changed.wait(self.interval) and not self._stopped.is_set():
                self._changed.clear()
                self.guard(self._draw, "live book: ")()
                self._stopped.wait(self.interval)  # at most one redraw per interval

    def _draw(self) -> None:
        bids = list(self.book.bids.itertuples(index=False, name=None))
        asks = list(self.book.asks.itertuples(index=False, name=None))
        self.chart.value = depth_svg(bids, asks)
        rows = "".join(
            f"<tr><td>{html.escape(t.get('executed_at', ''))}</td>"
            f"<td style='text-align:right'>{html.escape(t.get('price', ''))}</td>"
            f"<td style='text-align:right'>{html.escape(t.get('amount', ''))}</td></tr>"
            for t in list(self.trades)
        )
        self.table.value = (
            "<table class='paxos-nb-table paxos-nb-trades'><thead><tr><th>executed at</th>"
            f"<th>price</th><th>amount</th></tr></thead><tbody>{rows}</tbody></table>"
        )
        self.redraws += 1
        self._show_status()

    def _show_status(self) -> None:
        bid, ask = self.book.best
        state = "stopped" if self._stopped.is_set() else "live"
        self.status.value = (
            f"<b>{html.escape(self.market)}</b> <span class='paxos-nb-live-state' "
            f"data-state='{state}'>{state}</span> · best bid {bid} · best ask {ask} · "
            f"<span class='paxos-nb-live-updates'>{self.book.updates}</span> updates · "
            f"{len(self.trades)} trades"
        )

    # -- lifecycle ----------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop both feeds and the redraws, and join their threads (idempotent)."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self._changed.set()
        # getattr: a constructor that failed (an unknown market) leaves some of these unset
        for part in (getattr(self, "book", None), getattr(self, "_trades", None)):
            if part is not None:
                part.close()
        painter = getattr(self, "_painter", None)
        if painter is not None and painter is not threading.current_thread():
            painter.join(5)
        self.stop_button.disabled = True
        if getattr(self, "book", None) is not None:
            self._show_status()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def summary(self) -> str:
        return f"{self.market} {'stopped' if self.stopped else 'live'}"
