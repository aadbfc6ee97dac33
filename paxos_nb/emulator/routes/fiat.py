"""Fiat deposit instructions, fiat withdrawals and the sandbox fiat deposit
(docs.paxos.com, Fiat Transfers and Sandbox)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .. import cursors
from ..backends.fiat import FIAT_NETWORKS, DepositInstructions
from ..backends.fiat_accounts import network_instructions, owner_of
from ..fmt import (
    body_of,
    check_precision,
    compare_filters,
    metadata_of,
    opt_str,
    parse_amount,
    query_list,
    require,
    time_ok,
)
from ..problems import bad_request
from . import Body, Call, handles
from ._shared import ledger_of, listing

_MEMO_TEXT = re.compile(r"\A[0-9A-Za-z /?:().,&'+-]*\Z")


def _usd(body: dict[str, Any], name: str) -> Decimal:
    """A USD amount with at most 2 decimals (400 ``exceed-precision`` beyond)."""
    value = parse_amount(body[name], name)
    check_precision(value, "USD", 2)
    return value


@handles("CreateFiatDepositInstructions")
def create_instructions(call: Call) -> Body:
    body = body_of(call)
    require(body, "profile_id", "fiat_network")
    network = body["fiat_network"]
    if network not in FIAT_NETWORKS:
        choices = ", ".join(FIAT_NETWORKS)
        raise bad_request(f"fiat_network invalid: '{network}' is not one of {choices}")
    routing = opt_str(body, "routing_number_type")
    if network == "WIRE" and routing not in ("ABA", "SWIFT"):
        raise bad_request(
            "routing_number_type must be ABA (Fedwire) or SWIFT (international) for WIRE"
        )
    if network != "WIRE" and routing:
        raise bad_request("routing_number_type applies to fiat_network WIRE only")
    fields: dict[str, Any] = {
        "ref_id": opt_str(body, "ref_id"),
        "identity_id": opt_str(body, "identity_id"),
        "account_id": opt_str(body, "account_id"),
        "metadata": metadata_of(body),
    }
    with ledger_of(call).at(call.now) as led:
        made = led.fiat_instructions.create(body["profile_id"], network, routing, **fields)
        return made.to_json()


@handles("ListFiatDepositInstructions")
def list_instructions(call: Call) -> Body:
    q = call.query
    limit = cursors.parse_limit(q, default=100, maximum=1000)
    order = cursors.parse_order(q, "DESC")
    created = compare_filters(q, "created_at")
    ids, refs = set(query_list(q, "ids")), set(query_list(q, "ref_ids"))

    def keep(record: DepositInstructions) -> bool:
        return (
            (not ids or record.id in ids)
            and (not refs or record.ref_id in refs)
            and time_ok(record.created_at, created)
        )

    with ledger_of(call).at(call.now) as led:
        found, cursor = cursors.page(
            led.fiat_instructions.created, kind="fiat_deposit_instructions", order=order,
            limit=limit, token=q.get("page_cursor"), keep=keep,
        )  # fmt: skip
        return listing(found, cursor)


@handles("GetFiatDepositInstructions")
def get_instructions(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        return led.fiat_instructions.find(call.path_params["id"]).to_json()


@handles("CreateFiatWithdrawal")
def create_fiat_withdrawal(call: Call) -> Body:
    body = body_of(call)
    require(body, "profile_id", "fiat_account_id", "asset")
    if body["asset"] != "USD":
        raise bad_request(f"asset invalid: '{body['asset']}': fiat withdrawals are in USD")
    has_amount = body.get("amount") not in (None, "")
    if has_amount == (body.get("total") not in (None, "")):
        raise bad_request("specify exactly one of amount or total")
    name = "amount" if has_amount else "total"
    value = _usd(body, name)
    memo = opt_str(body, "memo")
    if memo and not _MEMO_TEXT.match(memo):
        raise bad_request("memo may hold only letters, digits, spaces and / ? : ( ) . , & ' + -")
    fields = {
        "metadata": metadata_of(body),
        "identity_id": opt_str(body, "identity_id"),
        "account_id": opt_str(body, "account_id"),
    }
    with ledger_of(call).at(call.now) as led:
        profile = led.profiles.find(body["profile_id"])
        transfer = led.fiat.withdraw(
            profile, body["fiat_account_id"], value if has_amount else None,
            None if has_amount else value, ref_id=opt_str(body, "ref_id"), memo=memo, **fields,
        )  # fmt: skip
        return transfer.to_json()


@handles("InitiateSandboxFiatDeposit")
def sandbox_fiat_deposit(call: Call) -> Body:
    body = body_of(call)
    if body.get("fiat_network_instructions") in (None, {}):
        raise bad_request("fiat network instructions required")  # Paxos's wording
    require(body, "amount", "asset", "memo_id")
    if body["asset"] != "USD":
        raise bad_request(f"asset invalid: '{body['asset']}': sandbox fiat deposits are in USD")
    amount = _usd(body, "amount")
    network_instructions(body["fiat_network_instructions"])  # the sender's bank, checked
    if body.get("fiat_account_owner") not in (None, {}):
        owner_of(body["fiat_account_owner"])
    memo_id = opt_str(body, "memo_id") or ""
    with ledger_of(call).at(call.now) as led:
        led.fiat.sandbox_deposit(memo_id, amount)
        return {}
