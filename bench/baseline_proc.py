"""The bare baseline of the emulator-ratio benchmark: uvicorn + Starlette serving fixed bytes.

Run as a script it is the child: it reads the body to serve from stdin (the bytes the
emulator answered), serves them as ``application/json`` at every path with uvicorn's defaults
(the same HTTP parser the emulator uses), writes its URL as one line to stdout and serves until
its stdin closes. No auth, no routing work, no serialization: the ceiling of the stack.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


class BaselineProcess:
    """A child process serving ``body``; a context manager whose ``url`` is where."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def __enter__(self) -> BaselineProcess:
        self.proc = subprocess.Popen(
            [sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT
        )
        assert self.proc.stdin
        assert self.proc.stdout
        self.proc.stdin.write(len(self.body).to_bytes(8, "big") + self.body)
        self.proc.stdin.flush()
        self.url = self.proc.stdout.readline().decode().strip()
        if not self.url:
            raise RuntimeError("the baseline server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        assert proc.stdin
        proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait(5)


def _serve() -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    size = int.from_bytes(sys.stdin.buffer.read(8), "big")
    body = sys.stdin.buffer.read(size)

    async def page(request: Any) -> Response:
        return Response(body, media_type="application/json")

    app = Starlette(routes=[Route("/{path:path}", page)])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # connections queue from now on, before the server thread runs
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    sys.stdout.write(f"http://127.0.0.1:{port}/v2/transfer/transfers?limit=100\n")
    sys.stdout.flush()
    sys.stdin.buffer.read()  # until the parent closes the pipe
    server.should_exit = True
    thread.join(10)


if __name__ == "__main__":
    _serve()
