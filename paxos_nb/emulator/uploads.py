"""The pre-signed upload URLs of identity documents: ``PUT``/``POST /_emulator/uploads/<id>``.

At Paxos, DocumentUpload answers a pre-signed storage (S3) URL on another host; the emulator
serves its own beside the API: :class:`UploadsApp` is a raw ASGI layer in front of the API app
that takes the requests under ``/_emulator/uploads/`` and passes everything else on. The URL
carries its own authorisation (``expires`` and ``signature``, checked by
:meth:`~.backends.documents.Documents.accept`), like a pre-signed URL: no bearer token. A PUT
sends the file as the body; a POST sends it as the body or as the ``file`` field of a
multipart form (an S3 presigned POST). Success: 200 (PUT) or 204 (POST), as S3 answers;
errors are problem+json (400 not a PDF/JPG/PNG, 403 bad or expired URL, 404, 405, 409 sent
twice, 413 100 MB or more).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs

from .backends.documents import MAX_BYTES, UPLOAD_PATH
from .fmt import dumps
from .ledger import Ledger
from .problems import Problem

__all__ = ["UploadsApp"]

Answer = tuple[int, bytes, list[tuple[bytes, bytes]]]


class UploadsApp:
    """ASGI: document uploads under ``/_emulator/uploads/``; ``app`` answers the rest."""

    def __init__(self, app: Any, ledger: Ledger, clock: Callable[[], datetime]) -> None:
        self.app, self.ledger, self.clock = app, ledger, clock

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(UPLOAD_PATH):
            await self.app(scope, receive, send)
            return
        try:
            status, body, headers = await self._upload(scope, receive)
        except Problem as problem:
            status, body = problem.status, dumps(problem.body())
            headers = [(b"content-type", b"application/problem+json")]
            headers += [(k.lower().encode(), v.encode()) for k, v in problem.headers.items()]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _upload(self, scope: Any, receive: Any) -> Answer:
        method = scope["method"]
        if method not in ("PUT", "POST"):
            raise Problem(405, "send the file with PUT (or POST)", headers={"Allow": "PUT, POST"})
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        data = await _read(receive, headers.get("content-length"))
        kind = headers.get("content-type", "")
        if method == "POST" and kind.lower().startswith("multipart/form-data"):
            data = _form_file(kind, data)
        query = parse_qs(scope["query_string"].decode("latin-1"))
        file_id = scope["path"][len(UPLOAD_PATH) :]
        expires = (query.get("expires") or [""])[0]
        signature = (query.get("signature") or [""])[0]
        # The ledger's lock is taken off the event loop (the loop never waits for it).
        digest = await asyncio.to_thread(self._accept, file_id, expires, signature, data)
        if method == "POST":
            return 204, b"", []
        return 200, b"", [(b"etag", f'"{digest}"'.encode())]

    def _accept(self, file_id: str, expires: str, signature: str, data: bytes) -> str:
        with self.ledger.at(self.clock()) as led:
            doc = led.documents.accept(file_id, expires, signature, data, led.now)
            return str(doc.upload["sha256"][:32])


async def _read(receive: Any, length: str | None) -> bytes:
    """The request body; 413 as soon as it reaches 100 MB (before reading it all)."""
    too_big = Problem(413, "uploaded documents must be less than 100 MB")
    if length and length.isdigit() and int(length) >= MAX_BYTES:
        raise too_big
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Problem(400, "the client closed the connection before the file was sent")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size >= MAX_BYTES:
            raise too_big
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _form_file(content_type: str, body: bytes) -> bytes:
    """The ``file`` field of a multipart form (400 when there is none)."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if message.is_multipart():
        for part in message.iter_parts():
            if part.get_param("name", header="content-disposition") == "file":
                payload = part.get_payload(decode=True)
                return payload if isinstance(payload, bytes) else b""
    raise Problem(400, "a multipart upload needs the file in a form field named 'file'")
