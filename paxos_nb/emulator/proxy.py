"""The fault proxy: a loopback HTTP/1.1 proxy that turns marked responses into TCP resets.

An ASGI server cannot reset a connection on request, so injected connection resets (fault
kinds ``reset`` and ``reset_after_write``) need a hop that owns the client's socket. The
emulator, started with ``fault_proxy=True``, listens here; every client connection gets its
own upstream connection to the real server on a private port, and both sides are parsed by
h11. When the emulator marks a response with :data:`RESET_HEADER`, the proxy drops it and
closes the client's socket with ``SO_LINGER`` 0, so the client sees ``ConnectionResetError``
instead of an answer. Unmarked responses pass through unchanged. Normal serving (no proxy)
pays nothing for this.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct

import h11

__all__ = ["RESET_HEADER", "FaultProxy"]

logger = logging.getLogger(__name__)

RESET_HEADER = "x-paxos-nb-reset"  # set by the emulator; never reaches a client
_RESET = RESET_HEADER.encode()
_LINGER_RESET = struct.pack("ii", 1, 0)
_CHUNK = 65536


class _Closed(Exception):
    """One side closed its connection (or broke the protocol)."""


async def _next_event(conn: h11.Connection, reader: asyncio.StreamReader) -> h11.Event:
    """The next h11 event of ``conn``, reading from ``reader`` as needed."""
    while True:
        try:
            event = conn.next_event()
        except h11.RemoteProtocolError as exc:
            raise _Closed(str(exc)) from None
        if event is h11.NEED_DATA:
            data = await reader.read(_CHUNK)
            conn.receive_data(data)  # b"" tells h11 the peer closed
            continue
        if event is h11.PAUSED or isinstance(event, h11.ConnectionClosed):
            raise _Closed("connection closed")
        assert isinstance(event, h11.Event)
        return event


class FaultProxy:
    """Forwards connections from ``sock`` (listening) to ``upstream`` (host, port)."""

    def __init__(self, sock: socket.socket, upstream: tuple[str, int]) -> None:
        self._sock = sock
        self._upstream = upstream
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, sock=self._sock)

    async def stop(self) -> None:
        """Stop accepting and end every open connection."""
        if self._server is not None:
            self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        up_writer = None
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._upstream)
            await self._relay(reader, writer, up_reader, up_writer)
        except (_Closed, ConnectionError, h11.LocalProtocolError) as exc:
            logger.debug("fault proxy: connection ended: %s", exc)
        except asyncio.CancelledError:
            pass  # the proxy is stopping
        finally:
            self._tasks.discard(task)
            for w in (writer, up_writer):
                if w is not None:
                    w.close()

    async def _relay(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        up_reader: asyncio.StreamReader,
        up_writer: asyncio.StreamWriter,
    ) -> None:
        client = h11.Connection(h11.SERVER)  # the client's side: we answer it
        upstream = h11.Connection(h11.CLIENT)  # the emulator's side: we ask it
        while True:
            request = await _next_event(client, reader)
            assert isinstance(request, h11.Request)
            if client.they_are_waiting_for_100_continue:  # answer it here, forward no Expect
                writer.write(
                    client.send(h11.InformationalResponse(status_code=100, headers=[])) or b""
                )
                headers = [(k, v) for k, v in request.headers if k != b"expect"]
                request = h11.Request(method=request.method, target=request.target, headers=headers)
            up_writer.write(upstream.send(request) or b"")
            while True:  # the request body, streamed
                event = await _next_event(client, reader)
                up_writer.write(upstream.send(event) or b"")
                if isinstance(event, h11.EndOfMessage):
                    break
            await up_writer.drain()
            response = await _next_event(upstream, up_reader)
            while isinstance(response, h11.InformationalResponse):
                response = await _next_event(upstream, up_reader)
            assert isinstance(response, h11.Response)
            if any(name == _RESET for name, _ in response.headers):
                _reset(writer)
                raise _Closed("reset injected")
            writer.write(client.send(response) or b"")
            while True:
                event = await _next_event(upstream, up_reader)
                writer.write(client.send(event) or b"")
                if isinstance(event, h11.EndOfMessage):
                    break
            await writer.drain()
            try:  # keep-alive on both sides, unless either asked to close
                client.start_next_cycle()
                upstream.start_next_cycle()
            except h11.LocalProtocolError:
                return


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close the client's socket so that the peer gets a TCP RST, not a FIN."""
    sock = writer.get_extra_info("socket")
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
    writer.transport.abort()
