"""The request pipeline: one HTTP request in, one answer out, in Paxos's order.

::

    route (catalog, raw path) -> rate limit -> faults           on the event loop
      -> auth chain -> request validation -> handler -> JSON    GET: on the loop too;
                                                                writes: the backend thread

Routing, limits and faults are cheap and run where the request arrived. Reads (GET) are
short and answered on the loop; writes (POST, PUT, DELETE) and token requests run on one
backend thread, in arrival order, so a long write never stalls the loop (and, later, the
WebSocket feeds). Both take the ledger's lock, so every read sees a consistent state.
Every error is problem+json (RFC 9457); the token endpoint answers RFC 6749 JSON.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, TypeVar

from .. import catalog
from . import guard, validation
from .call import Backends, Body, Call, Handler, Query
from .config import EmulatorConfig
from .faults import TOKEN, Fault, FaultInjector
from .fmt import dumps
from .oauth import TokenEndpoint
from .problems import Problem
from .ratelimit import RateLimiter, group_of, too_many_requests
from .routing import Match, Router
from .stats import Stats
from .worker import BackendThread

__all__ = ["Dispatcher", "Inbound", "Outbound", "Services"]

logger = logging.getLogger(__name__)

JSON = "application/json"
PROBLEM = "application/problem+json"
_BAD_GATEWAY = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)
T = TypeVar("T")


@dataclass(frozen=True)
class Inbound:
    """One HTTP request as the server received it: the typed input of the pipeline."""

    method: str
    path: str  # raw: as sent, not percent-decoded
    query_string: str  # raw
    headers: Mapping[str, str]  # case-insensitive names
    body: bytes
    remote_addr: str
    form: Sequence[tuple[str, str]] | None = None  # the token endpoint's form fields

    @property
    def target(self) -> str:
        """The request target as sent (path and query), what a signature covers."""
        return self.path + (f"?{self.query_string}" if self.query_string else "")

    @cached_property
    def query(self) -> Query:
        return Query(self.query_string)


@dataclass
class Outbound:
    """One answer: status, body bytes, headers; ``reset`` asks the fault proxy for a TCP RST."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = JSON
    reset: bool = False


def json_answer(payload: Body, status: int = 200) -> Outbound:
    return Outbound(status, dumps(payload))


def problem_answer(p: Problem) -> Outbound:
    return Outbound(p.status, dumps(p.body()), p.headers, PROBLEM)


@dataclass(frozen=True)
class Services:
    """What the pipeline works with: one emulator's settings, state and counters."""

    config: EmulatorConfig
    backends: Backends  # ledger, credentials registry, tokens
    oauth: TokenEndpoint
    faults: FaultInjector
    limiter: RateLimiter | None
    counters: Stats
    clock: Callable[[], datetime]  # the emulator's now (tests move it by hand)
    describe: Callable[[], dict[str, Any]]  # what GET / answers


class Dispatcher:
    """Runs the pipeline for one emulator; :meth:`close` ends its backend thread."""

    def __init__(self, services: Services, handlers: Mapping[str, Handler], name: str) -> None:
        self.services = services
        self.handlers = handlers
        self.router = Router(catalog.operations())
        self._backend = BackendThread(f"{name}-backend")

    def close(self) -> None:
        self._backend.close()

    async def _on_backend(self, fn: Callable[..., T], *args: Any) -> T:
        return await self._backend.run(fn, *args)

    # -- entry point ------------------------------------------------------------------
    async def handle(self, req: Inbound) -> Outbound:
        """The answer to ``req``: never raises; every failure is problem+json."""
        try:
            out = await self._route(req)
        except Problem as problem:
            out = problem_answer(problem)
        except Exception as exc:  # a bug: answer problem+json, never a traceback
            logger.exception("emulator error on %s %s", req.method, req.path)
            detail = f"emulator error: {type(exc).__name__}: {str(exc)[:200]}"
            out = problem_answer(Problem(500, detail))
        if not out.reset:  # a reset connection answers nothing
            self.services.counters.status(out.status)
        return out

    def refuse(self, problem: Problem) -> Outbound:
        """The answer to a request refused before it reached the pipeline (counted)."""
        self.services.counters.status(problem.status)
        return problem_answer(problem)

    async def _route(self, req: Inbound) -> Outbound:
        path = req.path
        if path.startswith("/v2/"):
            return await self._api(req, path[3:])
        if path == "/oauth2/token":
            return await self._token(req)
        if path == "/_emulator/stats":
            return self._stats(req.method)
        if path == "/":
            return json_answer(self.services.describe())
        raise Problem(404, f"nothing at {path}; the API lives under /v2")

    # -- /v2 ----------------------------------------------------------------------------
    async def _api(self, req: Inbound, rel: str) -> Outbound:
        s, method = self.services, req.method
        match = self.router.match(method, rel)
        if match is None:
            allowed = self.router.allowed(rel, method)
            if allowed:
                raise Problem(
                    405,
                    f"{method} is not allowed on /v2{rel}; use {' or '.join(allowed)}",
                    headers={"Allow": ", ".join(allowed)},
                )
            raise Problem(404, f"no operation at {method} /v2{rel}")
        op = match.op
        s.counters.operation(op.operation_id)
        if s.limiter is not None:
            name, key = group_of(op)
            try:
                s.limiter.check(req.remote_addr, name, key)
            except Problem:
                s.counters.limited(name)
                raise
        fault = s.faults.pick(op.operation_id, method, rel, op.public)
        if fault is not None:
            early = await self._fault(fault, req)
            if early is not None:
                return early
        ledger = s.backends.ledger
        if method == "GET" and ledger.lock.acquire(blocking=False):
            try:  # reads are short: answered on the loop (the hot path)
                out = self._call(req, match)
            finally:
                ledger.lock.release()
        else:  # writes, and reads that would wait for the ledger: the backend thread
            out = await self._on_backend(self._call, req, match)
        if fault is not None and fault.kind == "reset_after_write":
            out.reset = True  # the write is done; the answer is lost
        return out

    def _call(self, req: Inbound, match: Match) -> Outbound:
        """Auth chain, then the handler (backend thread)."""
        s, op = self.services, match.op
        principal = None
        if not op.public:
            principal = guard.check(
                op,
                authorization=req.headers.get("authorization"),
                remote_addr=req.remote_addr,
                method=req.method,
                request_uri=req.target,
                body=req.body,
                signature_header=req.headers.get("paxos-signature"),
                tokens=s.backends.tokens,
                registry=s.backends.registry,
                config=s.config,
            )
        body = validation.check(
            op, match.path_params, req.query, req.body, req.headers.get("content-type")
        )
        handler = self.handlers.get(op.operation_id)
        if handler is None:
            raise Problem(501, f"{op.operation_id} is not emulated")
        call = Call(
            op=op,
            path_params=match.path_params,
            query=req.query,
            body=body,
            raw_body=req.body,
            client_id=principal.client.client_id if principal else None,
            scopes=principal.scopes if principal else (),
            now=s.clock(),
            backends=s.backends,
        )
        return json_answer(handler(call))

    # -- faults -------------------------------------------------------------------------
    async def _fault(self, fault: Fault, req: Inbound) -> Outbound | None:
        """The answer that replaces the normal one, or None to carry on."""
        self.services.counters.fault(fault.kind)
        kind = fault.kind
        if kind == "slow":
            await asyncio.sleep(fault.delay)
            return None
        if kind == "revoke":
            token = (req.headers.get("authorization") or "").partition(" ")[2].strip()
            if token:
                self.services.backends.tokens.revoke(token=token)
            return None
        if kind == "reset_after_write":
            return None
        if kind == "reset":
            return Outbound(500, b"", reset=True)
        if kind == "429":
            return problem_answer(too_many_requests(fault.retry_after))
        if kind == "502":
            return Outbound(502, _BAD_GATEWAY, content_type="text/html")
        if kind == "503":
            headers = {"Retry-After": str(fault.retry_after)}
            return problem_answer(Problem(503, "service unavailable", headers=headers))
        return problem_answer(Problem(500, "internal error"))

    # -- /oauth2/token and /_emulator/stats ---------------------------------------------
    async def _token(self, req: Inbound) -> Outbound:
        s = self.services
        if req.method != "POST":
            raise Problem(405, "the token endpoint accepts POST only", headers={"Allow": "POST"})
        if s.limiter is not None:
            try:
                s.limiter.check(req.remote_addr, "token", "token")
            except Problem:
                s.counters.limited("token")
                s.counters.token_request("rate_limited")
                raise
        fault = s.faults.pick(TOKEN, "POST", "/oauth2/token")
        if fault is not None:
            early = await self._fault(fault, req)
            if early is not None:
                s.counters.token_request(f"fault_{fault.kind}")
                return early
        return await self._on_backend(self._grant, req)

    def _grant(self, req: Inbound) -> Outbound:
        body, status, headers = self.services.oauth.respond(
            content_type=req.headers.get("content-type", ""),
            form=req.form,
            authorization=req.headers.get("authorization"),
            query_string=req.query_string,
        )
        return Outbound(status, body, headers)

    def _stats(self, method: str) -> Outbound:
        if method not in ("GET", "HEAD"):
            raise Problem(405, "GET only", headers={"Allow": "GET"})
        return json_answer(self.services.counters.snapshot())
