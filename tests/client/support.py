"""Helpers for the client tests: a recording sleep, emulator counters, and a scripted
loopback HTTP server for answers the emulator never gives (junk token responses, redirects)."""

from __future__ import annotations

import json
import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from paxos_nb.config import Credentials


class Sleeps(list):
    """A ``sleep`` that records instead of sleeping (retry tests assert the waits asked for)."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@dataclass
class Client:
    client_id: str
    client_secret: str
    creds: Credentials
    record: Any = None


def token_stats(emu) -> int:
    return emu.stats()["token_requests"]["granted"]


def api_total(emu) -> int:
    return emu.stats()["api_requests"]["total"]


# -- a scripted loopback server ----------------------------------------------------------------


@dataclass
class Answer:
    status: int = 200
    body: Any = field(default_factory=dict)  # dict/list -> JSON; str/bytes -> as is
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class ScriptedServer:
    """Answers requests from a queue (or a default), recording each request it receives."""

    def __init__(self, default: Answer | None = None) -> None:
        self.answers: deque[Answer] = deque()
        self.default = default or Answer(404, {"title": "Not Found", "status": 404})
        self.seen: list[Seen] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.seen.append(Seen(self.command, self.path, dict(self.headers), body))
                answer = outer.answers.popleft() if outer.answers else outer.default
                payload = answer.body
                headers = dict(answer.headers)
                if isinstance(payload, (dict, list)):
                    payload = json.dumps(payload).encode()
                    headers.setdefault("Content-Type", "application/json")
                elif isinstance(payload, str):
                    payload = payload.encode()
                self.send_response(answer.status)
                for key, value in headers.items():
                    self.send_header(key, value.replace("{origin}", outer.url))
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def queue(self, *answers: Answer) -> None:
        self.answers.extend(answers)

    def __enter__(self) -> ScriptedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def token_answer(scope="funding:read_profile", **extra) -> Answer:
    body = {
        "access_token": "tok-" + secrets.token_urlsafe(24),
        "expires_in": 3599,
        "scope": scope,
        "token_type": "bearer",
    }
    body.update(extra)
    return Answer(200, {k: v for k, v in body.items() if v is not None})
