"""The WebSocket feeds' server: ``websockets`` (asyncio) in a background thread, on its own
loopback port (Paxos serves the feeds from a host of their own, ws.sandbox.paxos.com).

- A path that is no feed, or an unknown market, is refused in the handshake: HTTP 404 with a
  one-line text naming the market and some known ones (a WebSocket client raises it).
- New subscriptions are rate limited per client IP (docs.paxos.com, Rate limits: one new
  subscription per second; excess connections get no error, they wait), when limits are on.
- A slow consumer (more than ``SLOW_BYTES`` unsent) is closed with code 1013 and a reason
  saying so: a market-data client that missed an UPDATE has a wrong book, so it must
  reconnect for a fresh SNAPSHOT rather than be skipped silently.
- While anyone listens and the clock is running, the ledger is moved to now four times a
  second, so the books' once-a-second background activity flows without any request; on a
  frozen clock only requests and ``emu.advance()`` move it. Stablecoin prices go out once a
  second.
- :meth:`FeedServer.stop` closes every connection (1001), the socket, and joins the thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, broadcast, serve
from websockets.http11 import Request, Response

from .feeds import STABLECOIN_MARKETS, FeedError, FeedHub, parse_path
from .ledger import Ledger
from .server import bind

__all__ = ["FeedServer"]

logger = logging.getLogger(__name__)

SLOW_BYTES = 4 * 1024 * 1024  # unsent bytes after which a subscriber is a slow consumer
POLL_EVERY = 0.25  # seconds between moves of a running clock's ledger while subscribed
STABLECOIN_EVERY = 1.0


class _Subscriber:
    """One connection: holds its messages until its first ones are sent."""

    __slots__ = ("backlog", "closed", "live", "ws")

    def __init__(self, ws: ServerConnection) -> None:
        self.ws = ws
        self.live = False  # its first messages are out: later ones go straight to it
        self.closed = False  # closed as a slow consumer: it gets nothing more
        self.backlog: list[str] = []


class FeedServer:
    """Serves the feeds of ``ledger`` on ``host:port`` (0: a free port) from a daemon thread."""

    def __init__(
        self,
        ledger: Ledger,
        now: Callable[[], datetime],
        frozen: Callable[[], bool],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        subscriptions_per_second: float | None = 1.0,
    ) -> None:
        self._sock = bind(host, port)
        self.host, self.port = self._sock.getsockname()[:2]
        self.hub = FeedHub(ledger, now)
        self._ledger, self._now, self._frozen = ledger, now, frozen
        self._rate = subscriptions_per_second
        self._next_admit: dict[str, float] = {}
        self._counts: Counter[str] = Counter()
        self._counts_lock = threading.Lock()
        self._closing: set[asyncio.Future[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Server | None = None
        self._stopping: asyncio.Event | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, name=f"paxos-nb-emulator-feeds:{self.port}", daemon=True
        )

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"ws://{host}:{self.port}"

    def stats(self) -> dict[str, int]:
        """Counters: connections, refused, delayed (rate limit), slow_closed, messages."""
        with self._counts_lock:
            return dict(self._counts)

    def buffered(self) -> int:
        """The most bytes any open connection has not sent yet (a producer can pace on it)."""
        server = self._server
        if server is None:
            return 0
        sizes = [
            c.transport.get_write_buffer_size()
            for c in list(server.connections)
            if c.transport is not None and not c.transport.is_closing()
        ]
        return max(sizes, default=0)

    def _count(self, name: str, n: int = 1) -> None:
        with self._counts_lock:
            self._counts[name] += n

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        if not self._started.wait(timeout) or self._error is not None:
            self._sock.close()
            raise RuntimeError(f"the emulator's feed server did not start: {self._error!r}")

    def stop(self, timeout: float = 5.0) -> None:
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop ended on its own
                loop.call_soon_threadsafe(stopping.set)
        if self._thread.is_alive():
            self._thread.join(timeout)
        self.hub.detach()
        self._sock.close()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:
            self._error = exc
            logger.debug("feed server on port %s ended with an error", self.port, exc_info=True)
        finally:
            self._started.set()

    async def _main(self) -> None:
        loop = self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        self.hub.attach(loop.call_soon_threadsafe, self._deliver)
        async with serve(
            self._handle,
            sock=self._sock,
            process_request=self._check,
            compression=None,
            close_timeout=1,
            ping_interval=20,
            logger=logger,
        ) as server:
            self._server = server
            self._started.set()
            tasks = [asyncio.create_task(self._poll()), asyncio.create_task(self._stablecoins())]
            try:
                await self._stopping.wait()
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await self._close_all(server)

    async def _close_all(self, server: Server) -> None:
        server.close(close_connections=True)
        await server.wait_closed()

    # -- connections --------------------------------------------------------------------------
    def _check(self, connection: ServerConnection, request: Request) -> Response | None:
        try:
            parse_path(request.path)
        except FeedError as exc:
            self._count("refused")
            return connection.respond(HTTPStatus(exc.status), exc.text + "\n")
        return None

    async def _admit(self, ip: str) -> None:
        """Wait for this IP's next subscription slot (no error, as Paxos does)."""
        if not self._rate:
            return
        now = time.monotonic()
        slot = max(now, self._next_admit.get(ip, now))
        self._next_admit[ip] = slot + 1.0 / self._rate
        if slot > now:
            self._count("delayed")
            await asyncio.sleep(slot - now)

    async def _handle(self, ws: ServerConnection) -> None:
        key = parse_path(ws.request.path if ws.request else "/")
        await self._admit(str(ws.remote_address[0]))
        self._count("connections")
        sub = _Subscriber(ws)
        try:
            first = await asyncio.to_thread(self.hub.subscribe, key, sub)
            try:
                for text in first:
                    await ws.send(text)
                for text in sub.backlog:
                    await ws.send(text)
                self._count("messages", len(first) + len(sub.backlog))
                sub.backlog, sub.live = [], True
                async for _ in ws:  # the client sends nothing; anything it does is ignored
                    pass
            finally:
                self.hub.unsubscribe(key, sub)
        except asyncio.CancelledError:
            raise
        except Exception:  # a closed connection mid-send: nothing to answer
            logger.debug("feed connection ended", exc_info=True)

    def _deliver(self, batch: list[tuple[tuple[Any, ...], str]]) -> None:
        """On the loop: write each message to its subscribers; close the slow ones."""
        sent = 0
        for targets, text in batch:
            ready = []
            for sub in targets:
                if sub.closed:
                    continue
                if not sub.live:
                    sub.backlog.append(text)
                    continue
                transport = sub.ws.transport
                if transport is None or transport.is_closing():
                    continue
                if transport.get_write_buffer_size() > SLOW_BYTES:
                    self._slow(sub)
                    continue
                ready.append(sub.ws)
            if ready:
                broadcast(ready, text)
                sent += len(ready)
        self._count("messages", sent)

    def _slow(self, sub: _Subscriber) -> None:
        sub.closed = True  # no more messages: the book it would build is already wrong
        self._count("slow_closed")
        reason = "slow consumer: messages were not read fast enough; reconnect for a snapshot"
        closing = asyncio.ensure_future(sub.ws.close(1013, reason))
        self._closing.add(closing)  # keep a reference until it is done
        closing.add_done_callback(self._closing.discard)

    # -- clocked work -------------------------------------------------------------------------
    def _tick(self) -> None:
        with self._ledger.at(self._now()):
            pass

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(POLL_EVERY)
            if self._frozen():
                continue
            if self.hub.has("marketdata") or self.hub.has("executiondata"):
                await asyncio.to_thread(self._tick)

    async def _stablecoins(self) -> None:
        while True:
            await asyncio.sleep(STABLECOIN_EVERY)
            for key in self.hub.keys("stablecoin"):
                targets = self.hub.targets(key)
                for market in [key[1]] if key[1] else STABLECOIN_MARKETS:
                    self.hub.publish(targets, self.hub.stablecoin(market))
