"""uvicorn in a background thread: the emulator's HTTP server, started and stopped cleanly.

The thread runs one asyncio event loop with uvicorn's server (HTTP/1.1 keep-alive, parsing by
httptools) on a socket bound here, so a busy port is a clear ``OSError`` instead of uvicorn's
``sys.exit``. When asked, the same loop also runs the fault proxy (:mod:`.proxy`) on the
public port, in front of the server. uvicorn's lifecycle messages ("Started server process",
...) are demoted to DEBUG for this thread: the embedded server is not the user's application.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Callable
from typing import Any, cast

import uvicorn
from uvicorn.protocols.http.auto import AutoHTTPProtocol

from .fmt import dumps
from .problems import Problem
from .proxy import FaultProxy

__all__ = ["ServerThread", "bind"]

logger = logging.getLogger(__name__)

_THREAD_PREFIX = "paxos-nb-emulator"
_KEEP_ALIVE = 120  # seconds an idle keep-alive connection stays open


def _ours(record: logging.LogRecord) -> bool:
    return (record.threadName or "").startswith(_THREAD_PREFIX)


# What uvicorn warns about a client's malformed request: the client's error, answered 400.
_CLIENT_ERRORS = ("Invalid HTTP request received.", "Unsupported upgrade request.")
_MALFORMED = "malformed HTTP request: its request line, headers or body framing do not parse"


class _QuietLifecycle(logging.Filter):
    """uvicorn logs its start and stop at INFO, and a client's malformed request at WARNING;
    from an emulator thread they are DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _ours(record) and (
            record.levelno == logging.INFO
            or (record.levelno == logging.WARNING and record.getMessage() in _CLIENT_ERRORS)
        ):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


class _ProblemProtocol(AutoHTTPProtocol):  # type: ignore[misc,valid-type]
    """uvicorn's HTTP protocol, answering a request it cannot parse with problem+json.

    uvicorn answers such a request itself (the app never sees it) with a text/plain 400; only
    its body and content type change here, the framing is uvicorn's status line and headers.
    """

    def send_400_response(self, msg: str) -> None:
        body = dumps(Problem(400, _MALFORMED).body())
        head = [b"HTTP/1.1 400 Bad Request\r\n"]
        head += [
            name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers
        ]
        head += [
            b"content-type: application/problem+json\r\n",
            b"content-length: " + str(len(body)).encode() + b"\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


class _NoAccessLog(logging.Filter):
    """The emulator logs its own request lines (at DEBUG); uvicorn's INFO copy is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _ours(record)


logging.getLogger("uvicorn.error").addFilter(_QuietLifecycle())
logging.getLogger("uvicorn.access").addFilter(_NoAccessLog())


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (0: a free port), or a clear ``OSError``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named explicitly: asyncio sets TCP_NODELAY only on sockets that say so.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.setblocking(False)
    return sock


class ServerThread:
    """Binds ``host:port`` at once; :meth:`start` serves an ASGI app from a daemon thread.

    Parameters
    ----------
    on_connection
        Called once for every accepted HTTP connection (the stats counter).
    host, port
        Where to listen; port 0 picks a free one.
    fault_proxy
        Put a :class:`~.proxy.FaultProxy` on ``host:port`` and the server on a private port
        behind it, so that responses marked for a connection reset are turned into resets.
    """

    def __init__(
        self,
        on_connection: Callable[[], None],
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        fault_proxy: bool = False,
    ) -> None:
        public = bind(host, port)
        self._sockets = [public]
        self.proxy: FaultProxy | None = None
        if fault_proxy:
            private = bind(host, 0)
            self._sockets.append(private)
            self.proxy = FaultProxy(public, private.getsockname()[:2])
            served = private
        else:
            served = public
        self._served = served
        self.host, self.port = public.getsockname()[:2]
        self._on_connection = on_connection
        self.server: uvicorn.Server | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, name=f"{_THREAD_PREFIX}:{self.port}", daemon=True
        )

    def _config(self, app: Any) -> uvicorn.Config:
        on_connection = self._on_connection

        def protocol(**kwargs: Any) -> asyncio.Protocol:
            on_connection()  # uvicorn makes one protocol per accepted connection
            return cast(Callable[..., asyncio.Protocol], _ProblemProtocol)(**kwargs)

        return uvicorn.Config(
            app,
            http=cast(Any, protocol),
            ws="none",
            lifespan="off",
            log_config=None,  # never reconfigure the process's logging
            proxy_headers=False,
            server_header=False,
            timeout_keep_alive=_KEEP_ALIVE,
            timeout_graceful_shutdown=2,
        )

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported by start(), or logged when it comes later
            self._error = exc
            logger.debug("emulator server on port %s ended with an error", self.port, exc_info=True)

    async def _serve(self) -> None:
        assert self.server is not None
        if self.proxy is not None:
            await self.proxy.start()
        try:
            await self.server.serve(sockets=[self._served])
        finally:
            if self.proxy is not None:
                await self.proxy.stop()

    def start(self, app: Any, timeout: float = 10.0) -> None:
        """Serve the ASGI ``app``; returns once the server accepts connections."""
        self.server = server = uvicorn.Server(self._config(app))
        self._thread.start()
        waited = 0.0
        while not server.started:
            if not self._thread.is_alive() or waited >= timeout:
                self._close_sockets()
                raise RuntimeError(f"the emulator server did not start: {self._error!r}")
            self._thread.join(0.002)
            waited += 0.002

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, close open connections and the sockets, join the thread."""
        if self.server is not None:
            self.server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._close_sockets()

    def _close_sockets(self) -> None:
        for sock in self._sockets:
            sock.close()
