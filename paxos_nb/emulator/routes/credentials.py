"""API credentials: ``GET /api-creds/credentials`` and ``DELETE /api-creds/credentials/{id}``.

Listed like the spec's ``FirstPartyClient`` (never the secret). Deleting credentials marks
them DISABLED (listed with ``statuses=DISABLED``), revokes their tokens and makes the token
endpoint refuse them with ``invalid_client``.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ..problems import Problem, bad_request, not_found
from ..registry import ApiClient
from . import Body, Call, handles

_MAX_LIMIT = 1000
_MAX_FILTER = 100


def _sort_key(client: ApiClient) -> tuple[str, str]:
    return (client.created_at.isoformat() if client.created_at else "", client.id)


def _cursor(client: ApiClient) -> str:
    raw = json.dumps(list(_sort_key(client))).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after(cursor: str) -> tuple[str, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, cid = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(created, str) or not isinstance(cid, str):
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error):
        raise bad_request("page_cursor token cannot be parsed") from None
    return created, cid


def _list_param(query: Any, name: str) -> list[str]:
    values = [v for v in query.getlist(name) if v]
    if len(values) > _MAX_FILTER:
        raise bad_request(f"{name}: at most {_MAX_FILTER} values")
    return values


@handles("ListApiCredentials")
def list_credentials(call: Call) -> Body:
    q = call.query
    order = q.get("order", "DESC")
    if order not in ("ASC", "DESC"):
        raise bad_request("order must be ASC or DESC")
    if q.get("order_by", "CREATED_AT") != "CREATED_AT":
        raise bad_request("order_by must be CREATED_AT")
    try:
        limit = int(q.get("limit") or 0)
    except ValueError:
        raise bad_request("limit must be an integer") from None
    if not 0 <= limit <= _MAX_LIMIT:
        raise bad_request(f"limit must be between 0 and {_MAX_LIMIT}")
    statuses = _list_param(q, "statuses") or ["APPROVED"]
    bad = [s for s in statuses if s not in ("APPROVED", "DISABLED")]
    if bad:
        raise bad_request(f"statuses: unknown value(s) {bad}; use APPROVED or DISABLED")
    ids = set(_list_param(q, "ids"))
    client_ids = set(_list_param(q, "client_ids"))

    clients = [
        c
        for c in call.backends.registry.clients()
        if c.status in statuses
        and (not ids or c.id in ids)
        and (not client_ids or c.client_id in client_ids)
    ]
    clients.sort(key=_sort_key, reverse=order == "DESC")
    if q.get("page_cursor"):
        after = _after(q["page_cursor"])
        if order == "DESC":
            clients = [c for c in clients if _sort_key(c) < after]
        else:
            clients = [c for c in clients if _sort_key(c) > after]
    out: dict[str, Any] = {}
    if limit and len(clients) > limit:
        clients = clients[:limit]
        out["next_page_cursor"] = _cursor(clients[-1])
    return {"items": [c.as_paxos() for c in clients], **out}


@handles("DeleteApiCredentials")
def delete_credentials(call: Call) -> Body:
    emu = call.backends
    client_id = call.path_params["client_id"]
    client = emu.registry.get(client_id)
    if client is None or client.status != "APPROVED":
        raise not_found(f"credentials not found: {client_id}")
    try:
        client = emu.registry.disable(client_id, now=call.now)
    except KeyError:  # deleted concurrently
        raise Problem(404, f"credentials not found: {client_id}") from None
    emu.tokens.revoke(client_id=client_id)
    return {"credentials": client.as_paxos()}
