"""px.widgets.live_book in the kernel: it follows the feeds, stops cleanly, leaks nothing."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import pytest

import paxos_nb as px
from paxos_nb.emulator import Clock, Emulator
from paxos_nb.errors import NotFound

START = datetime(2026, 7, 1, 9, 30, tzinfo=timezone.utc)


def live_threads() -> list[str]:
    prefixes = ("paxos-nb-order-book", "paxos-nb-executions", "paxos-nb-live-book")
    return [t.name for t in threading.enumerate() if t.name.startswith(prefixes)]


@pytest.fixture
def frozen_session():
    with Emulator(seed=0, rate_limits=False, clock=Clock(at=START)) as emu:
        demo = emu.demo_client
        creds = px.Credentials(
            demo.client_id, demo.client_secret, "local", api_url=emu.api_url, ws_url=emu.ws_url
        )
        with px.connect(creds, scopes=["exchange:write_order", "funding:read_profile"]) as s:
            yield emu, s


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_live_book_draws_updates_trades_and_stops(frozen_session, ui):
    emu, session = frozen_session
    widget = ui(px.widgets.live_book(session, "BTCUSD", interval=0.05))
    assert "paxos-nb-depth-chart" in widget.chart.value
    assert "live" in widget.status.value
    drawn = widget.redraws
    pid = session.get("/profiles", params={"nickname": "default"})["items"][0]["id"]
    session.post(
        f"/profiles/{pid}/orders",
        json={"side": "BUY", "market": "BTCUSD", "type": "MARKET", "quote_amount": "5000.00"},
    )
    emu.advance(3)
    wait_until(lambda: widget.redraws > drawn and widget.book.updates > 0 and widget.trades)
    wait_until(lambda: f">{widget.book.updates}</span> updates" in widget.status.value)
    assert widget.trades[0]["market"] == "BTCUSD"
    wait_until(lambda: widget.trades[0]["executed_at"] in widget.table.value)  # redrawn
    assert repr(widget) == "<LiveBook: BTCUSD live>"
    widget.stop_button.click()
    assert widget.error is None, widget.error_text
    assert widget.stopped
    assert widget.stop_button.disabled
    assert "stopped" in widget.status.value
    assert live_threads() == []


def test_unknown_market_fails_at_once_without_threads(frozen_session):
    _, session = frozen_session
    with pytest.raises(NotFound, match="unknown market 'BTCXYZ'"):
        px.widgets.live_book(session, "BTCXYZ")
    assert live_threads() == []


def test_close_stops_everything(frozen_session):
    _, session = frozen_session
    widget = px.widgets.live_book(session, "ETHUSD")
    widget.close()
    assert widget.stopped
    assert live_threads() == []
