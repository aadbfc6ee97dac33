"""The Flask app: routes every request, runs rate limits, faults and the auth chain, and
answers JSON (``application/json``) or problem+json (RFC 9457).

``/v2/...`` is routed from the operations catalog, ``/oauth2/token`` is the token endpoint
and ``/_emulator/stats`` the counters. Everything is one catch-all view: the catalog, not a
Flask rule per operation, decides what a path means, exactly as the client package does.
"""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import date, datetime, timezone
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from uuid import UUID

from flask import Flask, Request, Response, request
from werkzeug.datastructures import ImmutableMultiDict

from .. import catalog
from . import guard, routes
from .faults import TOKEN, Fault
from .problems import Problem
from .ratelimit import group_of, too_many_requests
from .routes import Call

if TYPE_CHECKING:
    from . import Emulator

__all__ = ["RESET_KEY", "create_app", "dumps"]

logger = logging.getLogger(__name__)

RESET_KEY = "paxos_nb.reset"  # environ flag: the server resets the connection, answers nothing
_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
_API_METHODS = ("GET", "POST", "PUT", "DELETE")
_JSON = "application/json"
_PROBLEM = "application/problem+json"
_BAD_GATEWAY = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)


def _default(o: Any) -> Any:
    if isinstance(o, Decimal):
        return format(o, "f")  # plain notation, never 1E+2
    if isinstance(o, datetime):
        if o.tzinfo is None:
            o = o.replace(tzinfo=timezone.utc)
        return o.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(o, date):
        return o.isoformat()
    if isinstance(o, UUID):
        return str(o)
    if isinstance(o, set | frozenset):
        return sorted(o)
    raise TypeError(f"cannot serialize {type(o).__name__} to JSON")


_encode = json.JSONEncoder(separators=(",", ":"), default=_default).encode


def dumps(obj: Any) -> bytes:
    """Compact JSON; Decimal as a plain decimal string, datetime as RFC 3339 UTC with Z."""
    return _encode(obj).encode()


def _template(path: str) -> re.Pattern[str]:
    parts = re.split(r"\{([^}]+)\}", path)
    pattern = "".join(f"(?P<{p}>[^/]+)" if i % 2 else re.escape(p) for i, p in enumerate(parts))
    return re.compile(pattern + r"/?\Z")


_PARAMS = {op.operation_id: _template(op.path) for op in catalog.operations()}


@lru_cache(maxsize=8192)
def _match(method: str, path: str) -> catalog.Operation | None:
    return catalog.match(method, path)


def _response(
    status: int, payload: Any, headers: dict[str, str] | None = None, mimetype: str = _JSON
) -> Response:
    return Response(dumps(payload), status=status, headers=headers, mimetype=mimetype)


def _problem(p: Problem) -> Response:
    return _response(p.status, p.body(), p.headers, _PROBLEM)


class _Query(ImmutableMultiDict):
    """Query parameters whose ``get`` of a missing key is cheap (werkzeug's raises and
    catches a KeyError subclass each time, which handlers probing many filters would pay)."""

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:
        if key not in self:
            return default
        return super().get(key, default, type)


class _Request(Request):
    parameter_storage_class = _Query


class _Dispatcher:
    """Per-emulator request handling; the emulator supplies state and settings."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.handlers = routes.load()

    # -- entry point ------------------------------------------------------------------
    def __call__(self, path: str = "") -> Response:
        req = request._get_current_object()  # type: ignore[attr-defined]
        try:
            p = req.path
            if p.startswith("/v2/"):
                resp = self.api(p[3:])
            elif p == "/oauth2/token":
                resp = self.token()
            elif p == "/_emulator/stats":
                resp = self.stats_view()
            elif p == "/":
                resp = _response(200, self.emu.describe())
            else:
                raise Problem(404, f"nothing at {p}; the API lives under /v2")
        except Problem as problem:
            resp = _problem(problem)
        except Exception as exc:  # a bug: answer problem+json, never an HTML traceback
            logger.exception("emulator error on %s %s", req.method, req.path)
            resp = _problem(Problem(500, f"emulator error: {type(exc).__name__}: {str(exc)[:200]}"))
        if RESET_KEY not in req.environ:  # a reset connection answers nothing
            self.emu.counters.status(resp.status_code)
        return resp

    # -- /v2 ----------------------------------------------------------------------------
    def api(self, rel: str) -> Response:
        emu, req = self.emu, request._get_current_object()  # type: ignore[attr-defined]
        method = req.method
        op = _match(method, rel)
        if op is None:
            allowed = [m for m in _API_METHODS if m != method and _match(m, rel)]
            if allowed:
                raise Problem(
                    405,
                    f"{method} is not allowed on /v2{rel}; use {' or '.join(allowed)}",
                    headers={"Allow": ", ".join(allowed)},
                )
            raise Problem(404, f"no operation at {method} /v2{rel}")
        emu.counters.operation(op.operation_id)
        limiter = emu.limiter
        if limiter is not None:
            name, key = group_of(op)
            try:
                limiter.check(req.remote_addr or "", name, key)
            except Problem:
                emu.counters.limited(name)
                raise
        fault = emu.faults.pick(op.operation_id, method, rel, op.public)
        if fault is not None:
            early = self.apply_fault(fault)
            if early is not None:
                return early
        raw = req.get_data(cache=True)
        principal = None
        if not op.public:
            principal = guard.check(
                op,
                authorization=req.headers.get("Authorization"),
                remote_addr=req.remote_addr or "",
                method=method,
                request_uri=_request_uri(req.environ),
                body=raw,
                signature_header=req.headers.get("Paxos-Signature"),
                tokens=emu.tokens,
                registry=emu.registry,
                config=emu.config,
            )
        body = None
        if raw:
            try:
                body = json.loads(raw, parse_float=Decimal)
            except ValueError as exc:
                raise Problem(400, f"request body is not valid JSON: {exc}") from None
            if not isinstance(body, dict):
                raise Problem(400, "request body must be a JSON object")
        handler = self.handlers.get(op.operation_id)
        if handler is None:
            raise Problem(501, f"{op.operation_id} is not emulated")
        m = _PARAMS[op.operation_id].match(rel)
        call = Call(
            op=op,
            path_params=m.groupdict() if m else {},
            query=req.args,
            body=body,
            raw_body=raw,
            client_id=principal.client.client_id if principal else None,
            scopes=principal.scopes if principal else (),
            now=emu.now(),
            emulator=emu,
        )
        resp = _response(200, handler(call))
        if fault is not None and fault.kind == "reset_after_write":
            req.environ[RESET_KEY] = True
        return resp

    # -- faults -------------------------------------------------------------------------
    def apply_fault(self, fault: Fault) -> Response | None:
        """The answer that replaces the normal one, or None to carry on."""
        self.emu.counters.fault(fault.kind)
        kind = fault.kind
        if kind == "slow":
            time.sleep(fault.delay)
            return None
        if kind == "revoke":
            auth = request.headers.get("Authorization", "")
            token = auth.partition(" ")[2].strip()
            if token:
                self.emu.tokens.revoke(token=token)
            return None
        if kind == "reset_after_write":
            return None
        if kind == "reset":
            request.environ[RESET_KEY] = True
            return Response(b"", status=500)
        if kind == "429":
            p = too_many_requests(fault.retry_after)
            return _problem(p)
        if kind == "502":
            return Response(_BAD_GATEWAY, status=502, mimetype="text/html")
        if kind == "503":
            headers = {"Retry-After": str(fault.retry_after)}
            return _problem(Problem(503, "service unavailable", headers=headers))
        return _problem(Problem(500, "internal error"))

    # -- /oauth2/token ------------------------------------------------------------------
    def token(self) -> Response:
        emu, req = self.emu, request
        if req.method != "POST":
            raise Problem(405, "the token endpoint accepts POST only", headers={"Allow": "POST"})
        limiter = emu.limiter
        if limiter is not None:
            try:
                limiter.check(req.remote_addr or "", "token", "token")
            except Problem:
                emu.counters.limited("token")
                emu.counters.token_request("rate_limited")
                raise
        fault = emu.faults.pick(TOKEN, "POST", "/oauth2/token")
        if fault is not None:
            early = self.apply_fault(fault)
            if early is not None:
                emu.counters.token_request(f"fault_{fault.kind}")
                return early
        body, status, headers = emu.oauth.respond(req)
        return Response(body, status=status, headers=headers)

    def stats_view(self) -> Response:
        if request.method not in ("GET", "HEAD"):
            raise Problem(405, "GET only", headers={"Allow": "GET"})
        return _response(200, self.emu.stats())


def _request_uri(environ: dict[str, Any]) -> str:
    """The request target as sent (path and query, undecoded), what a signature covers."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or ""
    if raw.startswith(("http://", "https://")):
        parts = urlsplit(raw)
        raw = parts.path + (f"?{parts.query}" if parts.query else "")
    return raw


def create_app(emu: Emulator) -> Flask:
    """A Flask app serving ``emu``: one catch-all view over the catalog."""
    app = Flask("paxos_nb.emulator")
    app.request_class = _Request
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    view = _Dispatcher(emu)
    for rule in ("/", "/<path:path>"):
        app.add_url_rule(
            rule, "dispatch", view, methods=list(_METHODS), provide_automatic_options=False
        )
    return app
