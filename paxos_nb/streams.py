"""Paxos's public WebSocket feeds as Python iterators, and a thread that runs one.

>>> for message in session.feed("executiondata", market="BTCUSD"):   # doctest: +SKIP
...     print(message["price"], message["amount"])

The feeds need no token and the client sends nothing: the path picks the feed
(docs.paxos.com, WebSocket API). Paxos asks clients to reconnect on their own and to drop
repeated executions by ``match_number`` (a reconnect repeats the latest one); :class:`Feed`
does both. A market-data feed starts again with a SNAPSHOT after a reconnect, which a book
applies by starting over (:mod:`paxos_nb.livebook`). Built on ``websockets``' threaded
client: a feed that is not read lets the server's buffer fill, and a server that closes a
slow consumer is simply reconnected to.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI, WebSocketException
from websockets.sync.client import ClientConnection, connect

from .environments import closest_hint
from .errors import ConfigError, NotFound, TransportError

__all__ = ["FEED_NAMES", "Feed", "FeedThread", "feed_url"]

logger = logging.getLogger(__name__)

FEED_NAMES = {
    "marketdata": "/marketdata",
    "executiondata": "/executiondata",
    "stablecoin": "/marketdata/stablecoin",
}
_SEEN_KEPT = 10_000  # match numbers remembered for dropping repeats
_BACKOFF = (0.2, 0.5, 1.0, 2.0, 4.0)  # seconds between reconnection attempts


def feed_url(ws_url: str, name: str, market: str | None = None) -> str:
    """``wss://host/marketdata/BTCUSD`` from the feeds' host, a feed name and a market."""
    if name not in FEED_NAMES:
        raise ConfigError(
            f"unknown feed {name!r}",
            hint=f"{closest_hint(name, FEED_NAMES)}the feeds are {', '.join(FEED_NAMES)}",
        )
    if market is not None and (not isinstance(market, str) or not market.isalnum()):
        raise ConfigError(f"market must be a market name such as 'BTCUSD', not {market!r}")
    path = FEED_NAMES[name] + (f"/{market.upper()}" if market else "")
    return ws_url.rstrip("/") + path


class Feed(Iterator[dict[str, Any]]):
    """An iterator of one feed's messages (dicts), reconnecting when the connection drops.

    Parameters
    ----------
    url : str
        The feed's full URL (:func:`feed_url`).
    timeout : float, optional
        Seconds :meth:`__next__` waits for a message before ``TimeoutError``; None waits
        for ever.
    reconnect : bool
        Reconnect after a dropped connection (the default; Paxos expects clients to).
    retries : int
        Failed connection attempts in a row before giving up with ``TransportError``.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float | None = None,
        reconnect: bool = True,
        retries: int = len(_BACKOFF),
        open_timeout: float = 10.0,
    ) -> None:
        self.url = url
        self.timeout = timeout
        self.reconnect = reconnect
        self.retries = retries
        self.open_timeout = open_timeout
        self.reconnects = 0  # how many times a dropped connection was opened again
        self.duplicates = 0  # executions dropped as repeats (by match_number)
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._ws: ClientConnection | None = None
        self._closed = False
        self._lock = threading.Lock()

    # -- connecting ---------------------------------------------------------------------------
    def _open(self) -> ClientConnection:
        for attempt in range(self.retries + 1):
            try:
                ws = connect(
                    self.url,
                    open_timeout=self.open_timeout,
                    compression=None,
                    max_size=16 * 2**20,
                    close_timeout=2,
                )
                # Held open beyond a with-block (close() ends it): websockets >= 17.1 asks
                # for connections to be entered, which every supported version allows.
                return ws.__enter__()
            except InvalidStatus as exc:
                body = bytes(exc.response.body or b"").decode("utf-8", "replace").strip()
                if exc.response.status_code == 404:
                    raise NotFound(
                        404, title="Not Found", detail=body or f"no feed at {self.url}"
                    ) from None
                error = f"HTTP {exc.response.status_code} {body}".strip()
            except InvalidURI as exc:
                raise ConfigError(f"not a WebSocket URL: {exc.uri!r}") from None
            except (OSError, WebSocketException, TimeoutError) as exc:
                error = f"{type(exc).__name__}: {exc}"
            if self._closed or attempt == self.retries:
                break
            time.sleep(_BACKOFF[min(attempt, len(_BACKOFF) - 1)])
        raise TransportError(f"cannot open the feed {self.url}: {error}")

    def connect(self) -> Feed:
        """Open the connection now (the first :meth:`__next__` would); returns self."""
        with self._lock:
            if self._ws is None and not self._closed:
                self._ws = self._open()
        return self

    # -- reading ------------------------------------------------------------------------------
    def __iter__(self) -> Feed:
        return self

    def __next__(self) -> dict[str, Any]:
        while True:
            if self._closed:
                raise StopIteration
            ws = self._ws or self.connect()._ws
            if ws is None:
                raise StopIteration
            try:
                text = ws.recv(timeout=self.timeout)
            except TimeoutError:
                raise TimeoutError(f"no message from {self.url} in {self.timeout} s") from None
            except ConnectionClosed as exc:
                if self._closed:
                    raise StopIteration from None
                self._dropped(ws, exc)
                continue
            message = json.loads(text)
            match = message.get("match_number") if isinstance(message, dict) else None
            if match is not None:
                if match in self._seen:
                    self.duplicates += 1
                    continue
                self._seen[match] = None
                if len(self._seen) > _SEEN_KEPT:
                    self._seen.popitem(last=False)
            return message

    def _dropped(self, ws: ClientConnection, exc: ConnectionClosed) -> None:
        ws.close()
        with self._lock:
            self._ws = None
        why = f"{exc.rcvd.code} {exc.rcvd.reason}" if exc.rcvd else "no close frame"
        if not self.reconnect:
            raise TransportError(f"the feed {self.url} closed ({why})") from None
        logger.info("feed %s closed (%s); reconnecting", self.url, why)
        self.reconnects += 1

    # -- closing ------------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Close the connection (and its reading thread); iteration then stops."""
        self._closed = True
        with self._lock:
            ws, self._ws = self._ws, None
        if ws is not None:
            ws.close()

    def __enter__(self) -> Feed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open" if self._ws else "not connected"
        return f"Feed({self.url!r}, {state}, reconnects={self.reconnects})"


class FeedThread:
    """Runs ``on_message`` for every message of a :class:`Feed` in a daemon thread, so a
    Jupyter kernel stays free; :meth:`close` ends it and joins the thread."""

    def __init__(
        self, feed: Feed, on_message: Callable[[dict[str, Any]], None], name: str = "feed"
    ) -> None:
        self.feed = feed
        self.error: BaseException | None = None
        self._on_message = on_message
        self._thread = threading.Thread(target=self._run, name=f"paxos-nb-{name}", daemon=True)

    def start(self) -> FeedThread:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            for message in self.feed:
                self._on_message(message)
        except BaseException as exc:  # kept for the owner to show; the thread just ends
            if not self.feed.closed:
                self.error = exc
                logger.warning("feed %s stopped: %s", self.feed.url, exc)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def close(self, timeout: float = 5.0) -> None:
        self.feed.close()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
