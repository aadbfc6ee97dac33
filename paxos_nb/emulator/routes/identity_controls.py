"""Identity controls (preview): list, create, delete (API-BRIEF-2.md section 10).

The preview spec puts DeleteIdentityControl's ``control_id`` and ``reason`` in the query; the
docs.paxos.com guide sends a body ``{id, reason}``: both are accepted.
"""

from __future__ import annotations

from typing import Any

from .. import cursors
from ..backends.controls import IdentityControl
from ..fmt import body_of, query_bool
from ..problems import bad_request
from ..shapes import checked
from . import Body, Call, handles
from ._shared import ledger_of, listing


@handles("ListIdentityControls")
def list_identity_controls(call: Call) -> Body:
    q = call.query
    identity_id = q.get("identity_id")
    if not identity_id:
        raise bad_request("identity_id is required (the identity whose controls to list)")
    deleted = query_bool(q, "include_deleted")
    limit = cursors.parse_limit(q, default=100, maximum=1000)

    def keep(control: IdentityControl) -> bool:
        return control.identity_id == identity_id and (deleted or control.deleted_at is None)

    with ledger_of(call).at(call.now) as led:
        led.identities.find(identity_id, "identity not found")
        found, cursor = cursors.page(
            led.controls.created,
            kind="identity_controls",
            order="ASC",
            limit=limit,
            token=q.get("page_cursor"),
            keep=keep,
        )
        return listing(found, cursor)


@handles("CreateIdentityControl")
def create_identity_control(call: Call) -> Body:
    data = checked(body_of(call), "CreateIdentityControlRequest", "")
    for name in ("identity_id", "type", "reason_code"):
        if not data.get(name):
            raise bad_request(f"{name} is required")
    with ledger_of(call).at(call.now) as led:
        control = led.controls.create(
            data["identity_id"], data["type"], data["reason_code"], led.now, data.get("reason", "")
        )
        return control.to_json()


def _delete_target(call: Call) -> tuple[str, str]:
    """(control id, reason) from the query (the spec) or a body ``{id, reason}`` (the guide)."""
    body: Any = call.body
    sent = body if isinstance(body, dict) else {}
    control_id = call.query.get("control_id") or sent.get("id")
    reason = call.query.get("reason") or sent.get("reason") or ""
    if not isinstance(control_id, str) or not control_id:
        raise bad_request(
            "control_id is required (the query parameter; or send a body {id, reason})"
        )
    if not isinstance(reason, str):
        raise bad_request("reason must be a string")
    return control_id, reason


@handles("DeleteIdentityControl")
def delete_identity_control(call: Call) -> Body:
    control_id, reason = _delete_target(call)
    with ledger_of(call).at(call.now) as led:
        led.controls.delete(control_id, led.now, reason)
        return {}
