"""The WebSocket feeds, read by an outside ``websockets`` client: the live book's SNAPSHOT and
UPDATEs agree with the REST order book, a user's order shows in them, fills are executions."""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from paxos_nb.emulator import Clock, Emulator, RateLimits, wsserver


def recv(ws: ClientConnection, timeout: float = 5.0) -> dict:
    return json.loads(ws.recv(timeout=timeout))


def drain(ws: ClientConnection, quiet: float = 0.3) -> list[dict]:
    """Every message until the feed is quiet for ``quiet`` seconds."""
    out = []
    while True:
        try:
            out.append(json.loads(ws.recv(timeout=quiet)))
        except TimeoutError:
            return out


def read_until_closed(ws: ClientConnection) -> None:
    while True:
        ws.recv(timeout=10)


class LocalBook:
    """A client's book, built by the documented rules (and checking them on the way)."""

    def __init__(self, snapshot: dict) -> None:
        assert snapshot["type"] == "SNAPSHOT"
        assert snapshot["final_snapshot"] is True
        bids = [Decimal(b["price"]) for b in snapshot["bids"]]
        asks = [Decimal(a["price"]) for a in snapshot["asks"]]
        assert bids == sorted(bids, reverse=True), "bids are descending"
        assert asks == sorted(asks), "asks are ascending"
        self.market = snapshot["market"]
        self.sides = {
            "BUY": {Decimal(b["price"]): Decimal(b["amount"]) for b in snapshot["bids"]},
            "SELL": {Decimal(a["price"]): Decimal(a["amount"]) for a in snapshot["asks"]},
        }

    def apply(self, update: dict) -> None:
        assert update["type"] == "UPDATE"
        assert update["market"] == self.market
        assert set(update) == {"type", "market", "side", "price", "amount"}
        levels = self.sides[update["side"]]
        price, amount = Decimal(update["price"]), Decimal(update["amount"])
        if amount == 0:
            assert update["amount"] == "0"
            assert price in levels, f"deleting a level that is not there: {update}"
            del levels[price]
        else:
            assert amount > 0
            levels[price] = amount

    def rest(self) -> dict:
        """The book as GET /markets/{market}/order-book lays it out."""

        def rows(side: str) -> list[dict]:
            ordered = sorted(self.sides[side].items(), reverse=side == "BUY")
            return [{"price": p, "amount": a} for p, a in ordered]

        return {"bids": rows("BUY"), "asks": rows("SELL")}


def rest_book(world, market: str) -> dict:
    book = world.api.ok("GET", f"/markets/{market}/order-book")
    return {
        side: [{"price": Decimal(r["price"]), "amount": Decimal(r["amount"])} for r in book[side]]
        for side in ("bids", "asks")
    }


def test_snapshot_then_updates_agree_with_rest(world):
    with connect(world.emu.ws_url + "/marketdata/BTCUSD") as ws:
        book = LocalBook(recv(ws))
        assert book.rest() == rest_book(world, "BTCUSD")
        seen = 0
        for _ in range(5):
            world.emu.advance(2)  # seeded background activity, once per emulated second
            for message in drain(ws):
                book.apply(message)
                seen += 1
            local = book.rest()
            assert local == rest_book(world, "BTCUSD")
            assert local["bids"][0]["price"] < local["asks"][0]["price"]
        assert seen >= 5


def test_resting_order_is_an_update_and_cancel_removes_it(world):
    pid = world.profile_id("default")
    with connect(world.emu.ws_url + "/marketdata/ETHUSD") as ws:
        book = LocalBook(recv(ws))
        best_bid = max(book.sides["BUY"])
        price = (best_bid * Decimal("0.95") / Decimal("0.05")).to_integral_value() * Decimal("0.05")
        body = {
            "side": "BUY",
            "market": "ETHUSD",
            "type": "LIMIT",
            "base_amount": "0.5",
            "price": str(price),
        }
        order = world.api.ok("POST", f"/profiles/{pid}/orders", body)
        (update,) = drain(ws)
        assert update == {
            "type": "UPDATE",
            "market": "ETHUSD",
            "side": "BUY",
            "price": f"{price:.2f}",
            "amount": "0.50000000",
        }
        book.apply(update)
        assert book.rest() == rest_book(world, "ETHUSD")
        world.api.ok("DELETE", f"/profiles/{pid}/orders/{order['id']}")
        (gone,) = drain(ws)
        assert (gone["price"], gone["amount"]) == (f"{price:.2f}", "0")


def test_market_order_is_executions_and_book_changes(world):
    pid = world.profile_id("default")
    url = world.emu.ws_url
    with connect(url + "/executiondata/BTCUSD") as trades, connect(url + "/marketdata") as md:
        latest = recv(trades)
        assert set(latest) == {"market", "price", "amount", "executed_at", "match_number"}
        rest_last = world.api.ok("GET", "/markets/BTCUSD/recent-executions")["items"][-1]
        assert latest == {"market": "BTCUSD", **rest_last}
        books = {}
        while len(books) < 36:  # one SNAPSHOT per market of the market-data enum
            snap = recv(md)
            books[snap["market"]] = LocalBook(snap)
        body = {"side": "BUY", "market": "BTCUSD", "type": "MARKET", "quote_amount": "60000.00"}
        created = world.api.ok("POST", f"/profiles/{pid}/orders", body)
        fills = world.api.ok("GET", "/executions", order_id=created["id"])["items"]
        assert len(fills) >= 2
        messages = drain(trades)
        assert [(m["price"], m["amount"]) for m in messages] == sorted(
            (f["price"], f["amount"]) for f in fills
        )  # a buy walks the asks up
        assert len({m["match_number"] for m in [*messages, latest]}) == len(messages) + 1
        updates = drain(md)
        assert updates
        assert all(u["market"] == "BTCUSD" and u["side"] == "SELL" for u in updates)
        for u in updates:
            books["BTCUSD"].apply(u)
        assert books["BTCUSD"].rest() == rest_book(world, "BTCUSD")
        recent = world.api.ok("GET", "/markets/BTCUSD/recent-executions")["items"]
        assert [r["match_number"] for r in recent[-len(messages) :]] == [
            m["match_number"] for m in messages
        ]


def test_unknown_market_and_path_are_refused_clearly(world):
    for path, words in (
        ("/marketdata/DOGEUSD", "unknown market 'DOGEUSD'"),
        ("/executiondata/BTCUSDX", "unknown market 'BTCUSDX'"),
        ("/marketdata/stablecoin/BTCUSD", "unknown market 'BTCUSD' for /stablecoin"),
        ("/orderbook", "no feed at /orderbook"),
    ):
        with pytest.raises(InvalidStatus) as caught:
            connect(world.emu.ws_url + path)
        assert caught.value.response.status_code == 404
        assert words in caught.value.response.body.decode()
    assert world.emu.feeds.stats()["refused"] == 4


def test_same_seed_same_messages():
    def run() -> list[str]:
        clock = Clock(at=datetime(2026, 7, 1, 9, 30, tzinfo=timezone.utc))
        with (
            Emulator(seed=3, rate_limits=False, clock=clock) as emu,
            connect(emu.ws_url + "/marketdata/ETHEUR") as ws,
        ):
            out = [ws.recv(timeout=5)]
            emu.advance(4)
            out += [json.dumps(m) for m in drain(ws)]
        return out

    first = run()
    assert len(first) > 3
    assert run() == first


def test_subscriptions_beyond_one_per_second_wait():
    limits = RateLimits(window=10, throttle=60)  # subscriptions: the documented 1/s
    with Emulator(seed=0, rate_limits=limits) as emu:
        started = time.monotonic()
        for _ in range(3):
            with connect(emu.ws_url + "/marketdata/BTCUSD") as ws:
                assert recv(ws)["type"] == "SNAPSHOT"  # no error: it waited its turn
        assert time.monotonic() - started >= 1.9
        assert emu.feeds.stats()["delayed"] == 2


def test_stablecoin_price_about_once_a_second():
    with (
        Emulator(seed=0, rate_limits=False) as emu,
        connect(emu.ws_url + "/marketdata/stablecoin/USDCUSD") as ws,
    ):
        first, second = recv(ws), recv(ws, timeout=3)
    for m in (first, second):
        assert set(m) == {"market", "price", "timestamp"}
        assert m["market"] == "USDCUSD"
        assert len(m["price"].split(".")[1]) == 4
        assert abs(Decimal(m["price"]) - 1) < Decimal("0.01")


def test_running_clock_moves_the_book_without_requests():
    with (
        Emulator(seed=0, rate_limits=False) as emu,
        connect(emu.ws_url + "/marketdata/LTCUSD") as ws,
    ):
        book = LocalBook(recv(ws))
        book.apply(recv(ws, timeout=5))  # within a couple of wall-clock seconds


def test_slow_consumer_is_closed_with_a_reason(world, monkeypatch):
    monkeypatch.setattr(wsserver, "SLOW_BYTES", 64 * 1024)
    host, port = world.emu.ws_url.removeprefix("ws://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024)  # a reader that falls behind
    sock.connect((host, int(port)))
    with (
        connect(world.emu.ws_url + "/marketdata", sock=sock, max_queue=4) as slow,
        connect(world.emu.ws_url + "/marketdata/BTCUSD") as fine,
    ):
        recv(fine)
        recv(slow)
        # Each long jump rebuilds every book: thousands of UPDATEs. The hub delivers them on
        # the server's loop after advance() returns, so wait for it rather than check at once.
        deadline = time.monotonic() + 60
        while not world.emu.feeds.stats().get("slow_closed") and time.monotonic() < deadline:
            world.emu.advance(200)
            time.sleep(0.2)
        assert world.emu.feeds.stats()["slow_closed"] == 1
        with pytest.raises(ConnectionClosed) as closed:
            read_until_closed(slow)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1013
        assert "slow consumer" in closed.value.rcvd.reason
        assert drain(fine)  # the others are still served


def test_stop_closes_connections_and_leaves_no_thread():
    emu = Emulator(seed=0, rate_limits=False).start()
    with connect(emu.ws_url + "/marketdata/BTCUSD") as ws:
        recv(ws)
        emu.stop()
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1001
    names = [t.name for t in threading.enumerate()]
    assert not [n for n in names if n.startswith("paxos-nb-emulator")], names
