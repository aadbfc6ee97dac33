"""The events feed: ``GET /events`` and ``GET /events/{id}`` (docs.paxos.com, Events).

A time window, not a cursor: always ascending by ``created_at``; a client pages by moving
``created_at.gt`` to the last event it saw. ``limit`` is 1 to 100 (default 100).
"""

from __future__ import annotations

import difflib
from datetime import datetime

from ..backends.events import EVENT_TYPES
from ..fmt import compare_filters, query_bool
from ..problems import bad_request
from . import Body, Call, handles
from ._shared import ledger_of, listing

Bound = tuple[datetime, bool]  # an instant and whether it is included


def _limit(text: str | None) -> int:
    if text in (None, ""):
        return 100
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 100:
        raise bad_request("limit must be between 1 and 100")  # Paxos's wording
    return value


def _tightest(bounds: list[Bound], *, lower: bool) -> Bound | None:
    """The narrowest of several bounds (at one instant, an excluding bound is narrower)."""
    if not bounds:
        return None
    if lower:
        return max(bounds, key=lambda b: (b[0], not b[1]))
    return min(bounds, key=lambda b: (b[0], b[1]))


def _event_type(text: str | None) -> str | None:
    if text in (None, ""):
        return None
    if text not in EVENT_TYPES:
        close = difflib.get_close_matches(text, sorted(EVENT_TYPES), n=1)
        hint = f"; did you mean {close[0]}?" if close else " (see docs.paxos.com, Webhooks)"
        raise bad_request(f"type invalid: '{text}' is not a Paxos event type{hint}")
    return text


@handles("ListEvents")
def list_events(call: Call) -> Body:
    q = call.query
    limit = _limit(q.get("limit"))
    event_type = _event_type(q.get("type"))
    is_test = query_bool(q, "is_test")
    lowers: list[Bound] = []
    uppers: list[Bound] = []
    for op, moment in compare_filters(q, "created_at"):
        if op in ("gt", "gte", "eq"):
            lowers.append((moment, op != "gt"))
        if op in ("lt", "lte", "eq"):
            uppers.append((moment, op != "lt"))
    with ledger_of(call).at(call.now) as led:
        found = led.events.window(
            lower=_tightest(lowers, lower=True),
            upper=_tightest(uppers, lower=False),
            event_type=event_type,
            is_test=is_test,
            limit=limit,
        )
        return listing(found, None, "events")


@handles("GetEvent")
def get_event(call: Call) -> Body:
    is_test = query_bool(call.query, "is_test")
    with ledger_of(call).at(call.now) as led:
        return led.events.find(call.path_params["id"], is_test=is_test).to_json()
