"""session.feed() and session.order_book(): the public WebSocket feeds from the client side,
against the emulator and against a scripted server that drops connections."""

from __future__ import annotations

import itertools
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from websockets.sync.server import ServerConnection, serve

import paxos_nb as px
from paxos_nb.emulator import Clock, Emulator
from paxos_nb.errors import ConfigError, NotFound, TransportError
from paxos_nb.livebook import OrderBook
from paxos_nb.streams import Feed

START = datetime(2026, 7, 1, 9, 30, tzinfo=timezone.utc)
# Registered for redaction process-wide: it must not be a common word such as "secret".
SECRET = "ws-test-" + "Zq8xY2vK4mN7pR1t"


@pytest.fixture
def frozen():
    """An emulator on a frozen clock and a session on it (the demo client)."""
    with Emulator(seed=0, rate_limits=False, clock=Clock(at=START)) as emu:
        demo = emu.demo_client
        creds = px.Credentials(
            demo.client_id,
            demo.client_secret,
            "local",
            api_url=emu.api_url,
            ws_url=emu.ws_url,
        )
        with px.connect(creds, scopes=["exchange:write_order", "funding:read_profile"]) as s:
            yield emu, s


def feed_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("paxos-nb-order-book")]


def test_ws_url_defaults_per_environment(monkeypatch):
    sandbox = px.Credentials("id", SECRET)
    assert sandbox.ws_url == "wss://ws.sandbox.paxos.com"
    assert px.Credentials("id", SECRET, "production").ws_url == "wss://ws.paxos.com"
    monkeypatch.setenv("PAXOS_CLIENT_ID", "id")
    monkeypatch.setenv("PAXOS_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("PAXOS_WS_URL", "wss://ws.example.paxos.com/")
    from_env = px.Credentials.from_env(None)
    assert from_env.ws_url == "wss://ws.example.paxos.com"
    assert from_env.sources["PAXOS_WS_URL"] == "os.environ"
    with pytest.raises(ConfigError, match="plain ws:// to a host that is not loopback"):
        px.Credentials("id", SECRET, ws_url="ws://ws.sandbox.paxos.com")
    monkeypatch.setenv("PAXOS_WS_URL", "https://ws.sandbox.paxos.com")
    with pytest.raises(ConfigError, match="PAXOS_WS_URL is not a ws"):
        px.Credentials.from_env(None)


def test_embedded_session_uses_the_emulators_feeds():
    with px.connect(seed=11) as session:
        assert session.ws_url == session.emulator.ws_url
        with session.feed("executiondata", market="ETHUSD", timeout=10) as feed:
            first = next(feed)
        assert set(first) == {"market", "price", "amount", "executed_at", "match_number"}


def test_feed_names_and_markets_are_checked(frozen):
    _, session = frozen
    with pytest.raises(ConfigError, match="unknown feed 'marketdta'") as caught:
        session.feed("marketdta")
    assert "did you mean 'marketdata'" in str(caught.value)
    with pytest.raises(NotFound, match="unknown market 'DOGEUSD'"):
        next(session.feed("marketdata", market="DOGEUSD"))
    with pytest.raises(NotFound, match="unknown market 'NOPE'"):
        session.order_book("NOPE")
    assert feed_threads() == []


def test_order_book_applies_snapshot_and_updates_like_rest(frozen):
    emu, session = frozen
    with session.order_book("BTCUSD") as book:
        assert book.snapshots == 1
        assert list(book.bids.columns) == ["price", "amount"]
        assert isinstance(book.bids["price"][0], Decimal)
        for _ in range(3):
            before = book.updates
            emu.advance(2)
            rest = session.get("/markets/BTCUSD/order-book")
            bids = [Decimal(r["price"]) for r in rest["bids"]]
            asks = [(Decimal(r["price"]), Decimal(r["amount"])) for r in rest["asks"]]

            def like_rest(b, bids=bids, asks=asks):
                # bid and ask UPDATEs may arrive in different messages: wait for both sides
                return (
                    list(b.bids["price"]) == bids
                    and list(b.asks.itertuples(index=False, name=None)) == asks
                )

            assert book.wait(like_rest, timeout=10)
            assert book.updates > before
        bid, ask = book.best
        assert bid < ask
    assert book.closed
    assert feed_threads() == []


def test_feed_sees_a_market_order_once(frozen):
    _, session = frozen
    pid = session.get("/profiles", params={"nickname": "default"})["items"][0]["id"]
    with session.feed("executiondata", market="BTCUSD", timeout=10) as feed:
        latest = next(feed)
        session.post(
            f"/profiles/{pid}/orders",
            json={"side": "BUY", "market": "BTCUSD", "type": "MARKET", "quote_amount": "1000.00"},
        )
        fill = next(feed)
    assert fill["match_number"] != latest["match_number"]
    assert fill["market"] == "BTCUSD"


# -- a scripted server: drops, repeats, slow-consumer closes --------------------------------


@contextmanager
def scripted(handler) -> Iterator[str]:
    with serve(handler, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"ws://127.0.0.1:{server.socket.getsockname()[1]}"
        finally:
            server.shutdown()
            thread.join(5)


def test_dropped_connection_reconnects_and_repeats_are_dropped():
    connections = itertools.count(1)

    def handler(ws: ServerConnection) -> None:
        n = next(connections)
        # Each connection repeats the latest execution first (as Paxos does), then a new one.
        ws.send(json.dumps({"market": "BTCUSD", "match_number": f"M{n - 1}", "price": "1"}))
        ws.send(json.dumps({"market": "BTCUSD", "match_number": f"M{n}", "price": "1"}))
        if n < 3:
            # Dropped, no close frame. shutdown() sends the FIN at once even while the server's
            # reader thread still holds the socket (close() alone may not, e.g. on Python 3.10).
            ws.socket.shutdown(socket.SHUT_RDWR)
            ws.socket.close()

    with scripted(handler) as url, Feed(url + "/executiondata/BTCUSD", timeout=5) as feed:
        got = [m["match_number"] for m in itertools.islice(feed, 4)]
    assert got == ["M0", "M1", "M2", "M3"]
    assert feed.reconnects == 2
    assert feed.duplicates == 2


def test_slow_consumer_close_gives_a_fresh_snapshot():
    connections = itertools.count(1)
    level = {"price": "100.00", "amount": "1.00000000"}

    def handler(ws: ServerConnection) -> None:
        n = next(connections)
        snapshot = {"type": "SNAPSHOT", "market": "BTCUSD", "final_snapshot": True}
        ws.send(json.dumps({**snapshot, "bids": [level], "asks": [{**level, "price": "101.00"}]}))
        if n == 1:  # an UPDATE, then the server gives up on this slow reader
            update = {"type": "UPDATE", "market": "BTCUSD", "side": "BUY", "price": "99.00"}
            ws.send(json.dumps({**update, "amount": "2"}))
            ws.close(1013, "slow consumer: reconnect for a snapshot")
        else:
            for _ in ws:  # keep it open until the client closes
                pass

    with scripted(handler) as url:
        book = OrderBook(Feed(url + "/marketdata/BTCUSD"), "BTCUSD")
        try:
            assert book.wait(lambda b: b.snapshots == 2, timeout=10)
            assert list(book.bids["price"]) == [Decimal("100.00")]  # started over
            assert book.updates == 1
            assert book.error is None
        finally:
            book.close()
    assert feed_threads() == []


def test_unreachable_feed_is_a_transport_error():
    feed = Feed("ws://127.0.0.1:9/marketdata", retries=1)
    with pytest.raises(
        TransportError, match=r"cannot open the feed ws://127\.0\.0\.1:9/marketdata"
    ):
        next(feed)
