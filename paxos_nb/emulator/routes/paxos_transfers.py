"""Paxos transfers: ``POST /transfer/paxos`` (docs.paxos.com, Paxos Transfers)."""

from __future__ import annotations

from ..fmt import body_of, check_precision, opt_str, parse_amount, require
from ..problems import bad_request
from ..records import ASSETS
from . import Body, Call, handles
from ._shared import ledger_of, leg_fields


@handles("CreatePaxosTransfer")
def create_paxos_transfer(call: Call) -> Body:
    body = body_of(call)
    require(body, "from_profile_id", "to_profile_id", "amount", "asset")
    asset = body["asset"]
    if asset not in ASSETS:
        raise bad_request(f"asset invalid: '{asset}' is not a supported asset")
    amount = parse_amount(body["amount"], "amount")
    check_precision(amount, asset, ASSETS[asset])
    debit_fields, credit_fields = leg_fields(body)
    ref_id = opt_str(body, "ref_id")
    with ledger_of(call).at(call.now) as led:
        source = led.profiles.find(body["from_profile_id"])
        target = led.paxos_transfers.target(body["to_profile_id"])
        debit = led.paxos_transfers.send(
            source, target, asset, amount, ref_id=ref_id, debit_fields=debit_fields,
            credit_fields=credit_fields,
        )  # fmt: skip
        return debit.to_json()
