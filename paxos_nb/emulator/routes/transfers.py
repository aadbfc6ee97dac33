"""Listing and reading transfers (API-BRIEF.md sections 8 and 10.5)."""

from __future__ import annotations

from .. import cursors
from ..fmt import compare_filters, query_choice, query_list, time_ok
from ..problems import bad_request
from ..records import TRANSFER_TYPES
from . import Body, Call, handles
from ._shared import ledger_of, listing

STATUSES = ("PENDING", "COMPLETED", "FAILED")
SECONDARY = (
    "TRAVEL_RULE_INFO_REQUESTED",
    "TRAVEL_RULE_REJECTED",
    "CUSTOMER_REJECTED",
    "PENDING_CUSTOMER_APPROVAL",
)
_SET_FILTERS = {  # query parameter -> Transfer attribute
    "profile_ids": "profile_id",
    "identity_ids": "identity_id",
    "account_ids": "account_id",
    "ids": "id",
    "ref_ids": "ref_id",
    "group_ids": "group_id",
    "crypto_tx_hashes": "crypto_tx_hash",
    "type": "type",
    "statuses": "status",
}


@handles("ListTransfers")
def list_transfers(call: Call) -> Body:
    q = call.query
    limit = cursors.parse_limit(q, default=100, maximum=1000)
    created = compare_filters(q, "created_at")
    updated = compare_filters(q, "updated_at")
    order_by = query_choice(q, "order_by", ("CREATED_AT", "UPDATED_AT"))
    # Pairing rule: an explicit order_by must match the timestamp filter in use.
    if order_by == "UPDATED_AT" and created:
        raise bad_request("order_by UPDATED_AT cannot be used with created_at filters")
    if order_by == "CREATED_AT" and updated:
        raise bad_request("order_by CREATED_AT cannot be used with updated_at filters")
    order_by = order_by or "CREATED_AT"
    order = cursors.parse_order(q, "ASC" if order_by == "UPDATED_AT" else "DESC")
    allowed = {"type": TRANSFER_TYPES, "statuses": STATUSES}
    sets = {
        attr: set(values)
        for name, attr in _SET_FILTERS.items()
        if (values := query_list(q, name, allowed.get(name)))
    }
    secondary = query_list(q, "secondary_statuses", SECONDARY)

    def keep(t) -> bool:
        if secondary and (t.secondary_status or {}).get("name") not in secondary:
            return False
        return (
            all(getattr(t, attr) in values for attr, values in sets.items())
            and time_ok(t.created_at, created)
            and time_ok(t.updated_at, updated)
        )

    filtered = bool(sets or secondary or created or updated)
    with ledger_of(call).at(call.now) as led:
        index = led.transfers.created if order_by == "CREATED_AT" else led.transfers.updated
        found, cursor = cursors.page(
            index,
            kind=f"transfers:{order_by}",
            order=order,
            limit=limit,
            token=q.get("page_cursor"),
            keep=keep if filtered else None,
        )
        return listing(found, cursor)


@handles("GetTransfer")
def get_transfer(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        return led.transfers.find(call.path_params["id"]).to_json()
