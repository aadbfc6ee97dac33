"""The two calls of a parity run that are not reads of the tour.

:func:`problem_probe`: an operation called with a token that lacks its scope, and what the
403 looks like (media type, problem members, the documented detail, whether paxos_nb reads
the missing scope from it). :func:`sandbox_deposit`: the one write ``--with-sandbox-writes``
allows.
"""

from __future__ import annotations

import re
from typing import Any

from .. import catalog
from ..catalog import schemas
from ..errors import ScopeError
from ..problems import from_response
from .binding import Bound, Unbound
from .shapes import Shape
from .tour import Observation, Tour, answer_shape, failed

__all__ = ["choose_probe", "problem_probe", "sandbox_deposit"]

_SCOPE_DETAIL = re.compile(r"insufficient scopes?:? .*found.*required one of", re.IGNORECASE)
_PROBE_PREFERENCE = ("ListTransfers", "ListProfiles", "ListOrders", "ListDepositAddresses")


def choose_probe(
    granted: frozenset[str], operations: tuple[catalog.Operation, ...]
) -> tuple[catalog.Operation, tuple[str, ...] | None] | None:
    """An operation for the 403 probe and, if the token has its scope, the narrower scopes.

    First choice: a simple list (no placeholder, no id to find) whose scope is not granted,
    called with the same token. Else one whose scope is granted, called with a token
    requested without that scope. None when neither exists.
    """
    simple = [
        op
        for op in operations
        if op.method == "GET"
        and op.scope
        and "{" not in op.path
        and op.source == "main"
        and all(p.get("enum") for p in op.params if p["in"] == "query" and p.get("required"))
    ]
    simple.sort(
        key=lambda op: (
            _PROBE_PREFERENCE.index(op.operation_id)
            if op.operation_id in _PROBE_PREFERENCE
            else len(_PROBE_PREFERENCE),
            op.path,
        )
    )
    for op in simple:
        if op.scope not in granted:
            return op, None
    for op in simple:
        rest = tuple(sorted(granted - {op.scope}))
        if rest:
            return op, rest
    return None


def problem_probe(tour: Tour, op: catalog.Operation, without: str) -> Observation:
    """Call ``op`` with a token that lacks ``without``; describe the error answer."""
    bound = tour.binder.bind(op)
    query = dict(bound.query) if isinstance(bound, Bound) else {}
    answer = tour.call("GET", op.path, query)
    if answer.status == "ok":
        return Observation("ok", facts={"refused": False})
    facts: dict[str, Any] = {"refused": True, "media type": answer.media_type or "(none)"}
    body = answer.body if isinstance(answer.body, dict) else None
    if body is None:
        facts["problem body"] = "not a JSON object"
        return Observation(answer.status, None, facts)
    kind = body.get("type")
    facts["problem type"] = (
        "about:blank"
        if kind == "about:blank"
        else "absent"
        if kind is None
        else "a URI"
        if isinstance(kind, str) and "://" in kind
        else "other"
    )
    facts["status member matches"] = body.get("status") == int(answer.status)
    detail = body.get("detail")
    facts["detail says insufficient scopes"] = isinstance(detail, str) and bool(
        _SCOPE_DETAIL.search(detail)
    )
    error = answer.error
    if error is not None and error.response is not None:
        read = from_response(error.response, required=None)
        facts["paxos_nb reads the missing scope"] = (
            isinstance(read, ScopeError) and read.required == without
        )
    problem = schemas.components().get("Problem")
    return Observation(answer.status, Shape().add(body, problem), facts)


def sandbox_deposit(tour: Tour) -> Observation:
    """The one sandbox write parity makes (opt-in): 100 USD deposited to the first profile."""
    op = catalog.by_id("CreateSandboxDeposit")
    if op is None:
        return Observation("skipped", reason="the catalog has no CreateSandboxDeposit")
    if not tour.allowed(op):
        return Observation("skipped", reason=f"the granted scopes do not include {op.scope}")
    bound = tour.binder.bind(op)
    if isinstance(bound, Unbound):
        return Observation("skipped", reason=bound.reason)
    answer = tour.call("POST", bound.path, {}, {"asset": "USD", "amount": "100"})
    if answer.status != "ok":
        return failed(op, answer)
    return Observation("ok", answer_shape(op, answer.body))
