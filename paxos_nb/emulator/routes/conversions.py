"""Stablecoin conversions, USD to USDP/PYUSD/USDG and back, 1:1 (API-BRIEF.md section 10.6).

Deprecated by Paxos in favour of orchestrations, still emulated: the source asset is debited
at CREATED, the target credited at SETTLED (``settle_after`` later), and a CREATED conversion
can be cancelled (DELETE), which refunds the source.
"""

from __future__ import annotations

from datetime import datetime

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
from ..problems import Problem, already_exists, not_found
from ..records import ASSETS, StablecoinConversion
from . import Body, Call, handles
from ._shared import ledger_of, listing


@handles("CreateStablecoinConversion")
def create_conversion(call: Call) -> Body:
    body = body_of(call)
    require(body, "profile_id", "amount", "source_asset", "target_asset")
    source, target = body["source_asset"], body["target_asset"]
    check_pair(source, target)
    amount = parse_amount(body["amount"], "amount")
    # Precision is the lower of the two assets' precisions: USD's cents.
    check_precision(amount, "USD", min(ASSETS[source], ASSETS[target]))
    ref_id = opt_str(body, "ref_id")
    with ledger_of(call).at(call.now) as led:
        profile = led.profile(body["profile_id"])
        if ref_id and (existing := led.conversions.refs.get(ref_id)):
            raise already_exists(
                f"conversion already exists with ref_id '{ref_id}'", existing.to_json()
            )
        recipient = profile.id
        if body.get("recipient_profile_id"):
            recipient = led.profile(body["recipient_profile_id"]).id
        led.debit(profile.id, source, amount)
        record = StablecoinConversion(
            led.new_id(), profile.id, amount, source, target, "CREATED", led.now, led.now,
            recipient, ref_id=ref_id, metadata=metadata_of(body),
            identity_id=opt_str(body, "identity_id"), account_id=opt_str(body, "account_id"),
        )  # fmt: skip
        led.conversions.add(record)

        def settle(when: datetime) -> None:
            if record.status == "CREATED":  # not cancelled meanwhile
                led.credit(recipient, target, amount)
                record.status, record.settled_at, record.updated_at = "SETTLED", when, when

        led.schedule(led.now + led.settle_after, settle)
        return record.to_json()


def _conversion(led, ident: str) -> StablecoinConversion:
    record = led.conversions.get(ident)
    if record is None:
        raise not_found(
            f"conversion with id {ident} not found for customer with id {led.customer_id}"
        )
    return record


@handles("GetStablecoinConversion")
def get_conversion(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        return _conversion(led, call.path_params["id"]).to_json()


@handles("CancelStablecoinConversion")
def cancel_conversion(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        record = _conversion(led, call.path_params["id"])
        if record.status != "CREATED":
            raise Problem(403, f"conversion is {record.status} and can no longer be cancelled")
        led.credit(record.profile_id, record.source_asset, record.amount)
        record.status, record.cancelled_at, record.updated_at = "CANCELLED", led.now, led.now
        return record.to_json()


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
