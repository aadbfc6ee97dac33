"""Stablecoin conversions, USD to USDP/PYUSD/USDG and back, 1:1 (API-BRIEF.md section 10.6).

Parsing and answers only; the conversion itself is in ``backends/conversions.py``.
"""

from __future__ import annotations

from .. import cursors
from ..backends.conversions import check_pair
from ..fmt import (
    body_of,
    check_precision,
    metadata_of,
    opt_str,
    parse_amount,
    range_filters,
    require,
    time_ok,
)
from ..records import ASSETS, StablecoinConversion
from . import Body, Call, handles
from ._shared import ledger_of, listing, refuse_first_party


@handles("CreateStablecoinConversion")
def create_conversion(call: Call) -> Body:
    body = body_of(call)
    refuse_first_party(call, body.get("identity_id"))
    require(body, "profile_id", "amount", "source_asset", "target_asset")
    source, target = body["source_asset"], body["target_asset"]
    check_pair(source, target)
    amount = parse_amount(body["amount"], "amount")
    # Precision is the lower of the two assets' precisions: USD's cents.
    check_precision(amount, "USD", min(ASSETS[source], ASSETS[target]))
    ref_id = opt_str(body, "ref_id")
    fields = {
        "metadata": metadata_of(body),
        "identity_id": opt_str(body, "identity_id"),
        "account_id": opt_str(body, "account_id"),
    }
    with ledger_of(call).at(call.now) as led:
        profile = led.profiles.find(body["profile_id"])
        record = led.conversions.create(
            profile, amount, source, target, body.get("recipient_profile_id") or None, ref_id,
            **fields,
        )  # fmt: skip
        return record.to_json()


@handles("GetStablecoinConversion")
def get_conversion(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        return led.conversions.find(call.path_params["id"]).to_json()


@handles("CancelStablecoinConversion")
def cancel_conversion(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        conversions = led.conversions
        return conversions.cancel(conversions.find(call.path_params["id"])).to_json()


@handles("ListStablecoinConversions")
def list_conversions(call: Call) -> Body:
    q = call.query
    limit = cursors.parse_limit(q, default=100, maximum=1000)
    order = cursors.parse_order(q, "DESC")
    created, updated = range_filters(q, "created_at"), range_filters(q, "updated_at")
    profile_id, ref_id = q.get("profile_id"), q.get("ref_id")

    def keep(r: StablecoinConversion) -> bool:
        return (
            (not profile_id or r.profile_id == profile_id)
            and (not ref_id or r.ref_id == ref_id)
            and time_ok(r.created_at, created)
            and time_ok(r.updated_at, updated)
        )

    with ledger_of(call).at(call.now) as led:
        found, cursor = cursors.page(
            led.conversions.created, kind="conversions", order=order, limit=limit,
            token=q.get("page_cursor"), keep=keep,
        )  # fmt: skip
        return listing(found, cursor)
