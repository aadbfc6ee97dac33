"""Internal transfers between two profiles (API-BRIEF.md section 10.5)."""

from __future__ import annotations

from ..fmt import body_of, check_precision, opt_str, parse_amount, require
from ..problems import bad_request
from ..records import ASSETS
from . import Body, Call, handles
from ._shared import ledger_of, leg_fields, refuse_first_party


@handles("CreateInternalTransfer")
def create_internal_transfer(call: Call) -> Body:
    body = body_of(call)
    refuse_first_party(call, body.get("from_identity_id"), body.get("to_identity_id"))
    require(body, "from_profile_id", "to_profile_id", "amount", "asset")
    asset = body["asset"]
    if asset not in ASSETS:
        raise bad_request(f"asset invalid: '{asset}' is not a supported asset")
    amount = parse_amount(body["amount"], "amount")
    check_precision(amount, asset, ASSETS[asset])
    if body["from_profile_id"] == body["to_profile_id"]:
        raise bad_request("from_profile_id and to_profile_id must be different profiles")
    ref_id = opt_str(body, "ref_id")
    debit_fields, credit_fields = leg_fields(body)
    with ledger_of(call).at(call.now) as led:
        source = led.profiles.find(body["from_profile_id"])
        # A deactivated profile may receive funds (and is reactivated by them).
        target = led.profiles.find(body["to_profile_id"], include_deactivated=True)
        debit = led.transfers.internal(
            source, target, asset, amount, ref_id=ref_id,
            debit_fields=debit_fields, credit_fields=credit_fields,
        )  # fmt: skip
        return debit.to_json()
