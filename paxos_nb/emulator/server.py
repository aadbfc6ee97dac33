"""A threaded werkzeug server in a background thread, with real HTTP/1.1 keep-alive.

werkzeug's development handler answers every request with ``Connection: close`` and then
waits 10 ms for stray body bytes; both would cap a benchmark far below what the emulator
can serve. :class:`_Handler` replaces ``run_wsgi`` with a small keep-alive version: it reads
exactly ``Content-Length`` body bytes (draining what the app left), answers with an exact
``Content-Length``, and keeps the connection unless the client asked to close it.

It also performs injected connection resets: when the app sets ``environ[RESET_KEY]``,
nothing is written and the socket is closed with ``SO_LINGER`` 0, so the peer gets a TCP
RST (``ConnectionResetError``) instead of an answer.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler
from werkzeug.wsgi import LimitedStream

from .app import RESET_KEY
from .stats import Stats

__all__ = ["ServerThread"]

logger = logging.getLogger(__name__)

_LINGER_RESET = struct.pack("ii", 1, 0)
_FALLBACK_500 = (
    b'{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"emulator error"}'
)


class _Handler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 120  # an idle keep-alive connection is closed after this many seconds

    server: _Server

    def setup(self) -> None:
        super().setup()
        self._reset = False
        self.server.opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.closed(self.connection)
            if self._reset:
                # Linger 0 turns close() into a TCP RST; the client sees a reset connection.
                try:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
                    self.connection.close()
                except OSError:
                    pass

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        self.close_connection = True

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.environ = environ = self.make_environ()
        stream = None
        if environ.get("wsgi.input_terminated"):  # chunked body: no length to drain by
            self.close_connection = True
        else:
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                if length < 0:
                    raise ValueError(length)
            except ValueError:
                self.close_connection = True
                self._write("400 BAD REQUEST", [("Content-Type", "text/plain")], b"bad length")
                return
            stream = LimitedStream(self.rfile, length)
            environ["wsgi.input"] = stream
            environ["wsgi.input_terminated"] = True

        started: list[Any] = []

        def start_response(status: str, headers: list, exc_info: Any = None) -> Any:
            started[:] = [status, headers]
            return lambda data: None  # the legacy write() callable; Flask never uses it

        try:
            app_iter = self.server.app(environ, start_response)
            try:
                body = b"".join(app_iter)
            finally:
                if hasattr(app_iter, "close"):
                    app_iter.close()
        except (ConnectionError, TimeoutError) as exc:
            self.connection_dropped(exc, environ)
            return
        except Exception:
            logger.exception("unhandled error serving %s %s", self.command, self.path)
            started[:] = ["500 INTERNAL SERVER ERROR", [("Content-Type", "application/json")]]
            body = _FALLBACK_500
        if environ.get(RESET_KEY):
            self.close_connection = True
            self._reset = True
            return
        if stream is not None and not stream.is_exhausted:
            stream.exhaust()  # the unread body must not be parsed as the next request
        status, headers = started
        if self.command == "HEAD":
            self._write(status, headers, b"", len(body))
        else:
            self._write(status, headers, body)

    def _write(self, status: str, headers: list, body: bytes, length: int | None = None) -> None:
        lines = [
            f"{self.protocol_version} {status}",
            f"Server: {self.version_string()}",
            f"Date: {self.date_time_string()}",
        ]
        for key, value in headers:
            low = key.lower()
            if low not in ("content-length", "connection", "transfer-encoding"):
                lines.append(f"{key}: {value}")
        lines.append(f"Content-Length: {len(body) if length is None else length}")
        if self.close_connection:
            lines.append("Connection: close")
        elif self.request_version == "HTTP/1.0":
            lines.append("Connection: keep-alive")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + body)
        self.log_request(status.split(" ", 1)[0], len(body))

    # -- logging: request lines at DEBUG only, never to stderr by default ---------------
    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                '%s "%s %s %s" %s %s',
                self.client_address[0],
                self.command,
                self.path,
                self.request_version,
                code,
                size,
            )

    def log(self, type: str, message: str, *args: Any) -> None:
        logger.debug("%s " + message, self.client_address[0], *args)


class _Server(ThreadedWSGIServer):
    daemon_threads = True

    def __init__(self, sock: socket.socket, app: Any, stats: Stats) -> None:
        self.stats = stats
        self._conn_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        host, port = sock.getsockname()[:2]
        super().__init__(host, port, app, handler=_Handler, fd=sock.fileno())

    def opened(self, conn: socket.socket) -> None:
        self.stats.connection()
        with self._conn_lock:
            self._connections.add(conn)

    def closed(self, conn: socket.socket) -> None:
        with self._conn_lock:
            self._connections.discard(conn)

    def close_connections(self) -> None:
        """Shut down every open keep-alive connection so its thread ends."""
        with self._conn_lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("error on a connection from %s", client_address, exc_info=True)

    def log(self, type: str, message: str, *args: Any) -> None:
        logger.debug(message, *args)


class ServerThread:
    """Binds ``host:port`` (0 = a free port), serves ``app`` in a daemon thread."""

    def __init__(self, app: Any, stats: Stats, host: str = "127.0.0.1", port: int = 0) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(128)
            self.server = _Server(sock, app, stats)  # works on a dup of the socket
        except OSError as exc:
            raise OSError(
                exc.errno, f"cannot listen on {host}:{port}: {exc.strerror or exc}"
            ) from None
        finally:
            sock.close()
        self.host, self.port = self.server.server_address[:2]
        self._thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"paxos-nb-emulator:{self.port}",
            daemon=True,
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, end open connections, close the socket, join the thread."""
        self.server.shutdown()
        self._thread.join(timeout)
        self.server.close_connections()
        self.server.server_close()
