"""The ASGI application: Starlette reads the HTTP request, the dispatcher answers it.

This layer only translates: ASGI scope and body -> :class:`~.dispatch.Inbound` (raw path,
raw query, headers, body, and the parsed form of a token request) and
:class:`~.dispatch.Outbound` -> a Starlette ``Response``. A body over :data:`MAX_BODY` is
refused here (413) before it is read. Request lines are logged here, at
DEBUG, without headers or bodies (they carry tokens and secrets).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from .dispatch import Dispatcher, Inbound
from .files import PREFIX as FILES_PREFIX
from .fmt import dumps
from .problems import Problem
from .proxy import RESET_HEADER

__all__ = ["EmulatorApp", "dumps"]

logger = logging.getLogger(__name__)

_URLENCODED = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
MAX_BODY = 1 << 20  # bytes; the largest Paxos request body is a few kilobytes [unverified]


class EmulatorApp:
    """The ASGI callable serving one emulator (HTTP only)."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        files: Callable[[str, str], tuple[int, str, bytes]] | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.files = files  # pre-signed download links (files.py): no token, no pipeline

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        try:
            body = await _read_body(request)
        except ClientDisconnect:
            return  # the client left before sending its body: nobody to answer
        except Problem as problem:  # too large: answered without reading the rest
            out = self.dispatcher.refuse(problem)
            await Response(out.body, out.status, out.headers, media_type=out.content_type)(
                scope, receive, send
            )
            return
        path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        if self.files is not None and path.startswith(FILES_PREFIX) and scope["method"] == "GET":
            status, media, content = self.files(path, scope["query_string"].decode("latin-1"))
            await Response(content, status, media_type=media)(scope, receive, send)
            return
        form = None
        if path == "/oauth2/token":
            form = await _form(request, body)
        client = scope.get("client")
        inbound = Inbound(
            method=scope["method"],
            path=path,
            query_string=scope["query_string"].decode("latin-1"),
            headers=request.headers,
            body=body,
            remote_addr=client[0] if client else "",
            form=form,
        )
        out = await self.dispatcher.handle(inbound)
        logger.debug(
            '%s "%s %s HTTP/%s" %s',
            inbound.remote_addr,
            inbound.method,
            inbound.target,
            scope.get("http_version", "1.1"),
            "reset" if out.reset else out.status,
        )
        headers = dict(out.headers)
        if out.reset:
            headers[RESET_HEADER] = "1"  # the fault proxy resets instead of answering
        response = Response(out.body, out.status, headers, media_type=out.content_type)
        await response(scope, receive, send)


async def _read_body(request: Request) -> bytes:
    """The request body, refused with 413 beyond :data:`MAX_BODY` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise _too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> Problem:
    return Problem(
        413,
        f"request body larger than {MAX_BODY} bytes; Paxos request bodies are small JSON objects",
        headers={"Connection": "close"},
    )


async def _form(request: Request, body: bytes) -> list[tuple[str, str]] | None:
    """The fields of a urlencoded or multipart body (None for other content types)."""
    mimetype = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if mimetype == _URLENCODED:
        return parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    if mimetype == _MULTIPART:

        async def replay() -> dict[str, Any]:  # the body was read already: hand it over again
            return {"type": "http.request", "body": body, "more_body": False}

        try:
            form = await Request(request.scope, replay).form()
        except MultiPartException:
            return []  # unreadable: the token endpoint then names what is missing
        return [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    return None
