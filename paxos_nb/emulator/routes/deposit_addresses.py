"""Deposit addresses: create and list (API-BRIEF.md section 10.5)."""

from __future__ import annotations

from typing import Any

from .. import cursors
from ..fmt import (
    body_of,
    compare_filters,
    metadata_of,
    opt_str,
    query_choice,
    query_list,
    require,
    time_ok,
)
from ..networks import CRYPTO_NETWORKS
from ..problems import bad_request
from ..records import DepositAddress
from . import Body, Call, handles
from ._shared import ledger_of, listing, refuse_first_party


@handles("CreateDepositAddress")
def create_deposit_address(call: Call) -> Body:
    body = body_of(call)
    refuse_first_party(call, body.get("identity_id"))
    require(body, "profile_id", "crypto_network")
    network = body["crypto_network"]
    if network not in CRYPTO_NETWORKS:
        raise bad_request(
            f"crypto_network invalid: '{network}' is not one of {', '.join(CRYPTO_NETWORKS)}"
        )
    target = body.get("conversion_target_asset") or "NO_CONVERSION"
    if target not in ("NO_CONVERSION", "USD"):
        raise bad_request("conversion_target_asset must be NO_CONVERSION or USD")
    ref_id = opt_str(body, "ref_id")
    fields: dict[str, Any] = {
        "ref_id": ref_id,
        "metadata": metadata_of(body),
        "identity_id": opt_str(body, "identity_id"),
        "account_id": opt_str(body, "account_id"),
        "conversion_target_asset": target,
    }
    with ledger_of(call).at(call.now) as led:
        profile = led.profiles.find(body["profile_id"])
        return led.deposit_addresses.create(profile.id, network, led.now, **fields).to_json()


_FILTERS = {
    "profile_ids": "profile_id",
    "identity_ids": "identity_id",
    "account_ids": "account_id",
    "ids": "id",
    "ref_ids": "ref_id",
}


@handles("ListDepositAddresses")
def list_deposit_addresses(call: Call) -> Body:
    q = call.query
    limit = cursors.parse_limit(q, default=100, maximum=1000)
    order = cursors.parse_order(q, "DESC")
    query_choice(q, "order_by", ("CREATED_AT",))
    created = compare_filters(q, "created_at")
    sets = {attr: set(v) for name, attr in _FILTERS.items() if (v := query_list(q, name))}

    def keep(record: DepositAddress) -> bool:
        return all(getattr(record, a) in v for a, v in sets.items()) and time_ok(
            record.created_at, created
        )

    with ledger_of(call).at(call.now) as led:
        found, cursor = cursors.page(
            led.deposit_addresses.created,
            kind="deposit_addresses",
            order=order,
            limit=limit,
            token=q.get("page_cursor"),
            keep=keep,
        )
        return listing(found, cursor)
