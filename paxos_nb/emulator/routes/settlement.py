"""Settlement transactions (spec tag Settlement; docs.paxos.com settlements guide).

Parsing and answers only; the window and the status machine are in ``backends/settlement.py``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from .. import cursors
from ..backends.settlement import SettlementTransaction
from ..fmt import body_of, check_precision, opt_str, parse_amount, parse_ts, query_list, require
from ..problems import bad_request
from ..records import ASSETS
from . import Body, Call, handles
from ._shared import ledger_of, listing

STATUSES = ("PENDING", "AFFIRMED", "SETTLED", "EXPIRED", "CANCELLED")
DIRECTIONS = ("DELIVER", "RECEIVE")
LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc)  # instants past this cannot carry a window


def _instant(body: dict[str, Any], name: str) -> datetime | None:
    text = opt_str(body, name)
    if text is None:
        return None
    moment = parse_ts(text, name)
    if moment >= LATEST:
        raise bad_request(f"{name} invalid: '{text}' is too far in the future")
    return moment


def _legs(body: dict[str, Any]) -> list[tuple[str, str, Decimal]]:
    legs = body.get("legs")
    if not isinstance(legs, list) or not legs:
        raise bad_request("legs is required: a list of {direction, asset, amount}")
    out = []
    for i, leg in enumerate(legs):
        where = f"legs[{i}]"
        if not isinstance(leg, dict):
            raise bad_request(f"{where} must be an object with direction, asset and amount")
        direction, asset = leg.get("direction"), leg.get("asset")
        if direction not in DIRECTIONS:
            raise bad_request(
                f"{where}.direction invalid: '{direction}' is not one of DELIVER, RECEIVE"
            )
        if asset not in ASSETS:
            raise bad_request(f"{where}.asset invalid: '{asset}' is not one of {', '.join(ASSETS)}")
        amount = parse_amount(leg.get("amount"), f"{where}.amount")
        check_precision(amount, asset, ASSETS[asset])
        out.append((direction, asset, amount))
    return out


@handles("CreateTransaction")
def create_transaction(call: Call) -> Body:
    body = body_of(call)
    require(body, "ref_id", "source_profile_id", "target_profile_id")
    ref_id = opt_str(body, "ref_id") or ""
    source, target = opt_str(body, "source_profile_id"), opt_str(body, "target_profile_id")
    legs = _legs(body)
    start = _instant(body, "settlement_window_start")
    end = _instant(body, "settlement_window_end")
    with ledger_of(call).at(call.now) as led:
        record = led.settlements.create(ref_id, source or "", target or "", legs, start, end)
        return record.to_json()


@handles("GetTransaction")
def get_transaction(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        return led.settlements.find(call.path_params["transaction_id"]).to_json()


@handles("AffirmTransaction")
def affirm_transaction(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        settlements = led.settlements
        return settlements.affirm(settlements.find(call.path_params["transaction_id"])).to_json()


@handles("CancelTransaction")
def cancel_transaction(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        settlements = led.settlements
        return settlements.cancel(settlements.find(call.path_params["transaction_id"])).to_json()


@handles("ListTransactions")
def list_transactions(call: Call) -> Body:
    q = call.query
    limit = cursors.parse_limit(q, default=100, maximum=1000)
    statuses = set(query_list(q, "statuses", STATUSES))
    source, target = q.get("source_profile_id"), q.get("target_profile_id")

    def keep(r: SettlementTransaction) -> bool:
        return (
            (not statuses or r.status in statuses)
            and (not source or r.source_profile_id == source)
            and (not target or r.target_profile_id == target)
        )

    with ledger_of(call).at(call.now) as led:
        found, cursor = cursors.page(
            led.settlements.created, kind="settlement", order="DESC", limit=limit,
            token=q.get("page_cursor"), keep=keep,
        )  # fmt: skip
        return listing(found, cursor)
