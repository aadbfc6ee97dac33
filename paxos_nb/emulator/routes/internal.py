"""Internal transfers between two profiles (API-BRIEF.md section 10.5)."""

from __future__ import annotations

from ..fmt import body_of, check_precision, metadata_of, opt_str, parse_amount, require
from ..problems import already_exists, bad_request
from ..records import ASSETS
from . import Body, Call, handles
from ._shared import ledger_of


@handles("CreateInternalTransfer")
def create_internal_transfer(call: Call) -> Body:
    body = body_of(call)
    require(body, "from_profile_id", "to_profile_id", "amount", "asset")
    asset = body["asset"]
    if asset not in ASSETS:
        raise bad_request(f"asset invalid: '{asset}' is not a supported asset")
    amount = parse_amount(body["amount"], "amount")
    check_precision(amount, asset, ASSETS[asset])
    if body["from_profile_id"] == body["to_profile_id"]:
        raise bad_request("from_profile_id and to_profile_id must be different profiles")
    ref_id = opt_str(body, "ref_id")
    debit_fields = {
        "ref_id": ref_id,
        "metadata": metadata_of(body),
        "identity_id": opt_str(body, "from_identity_id"),
        "account_id": opt_str(body, "from_account_id"),
    }
    credit_fields = {
        "metadata": metadata_of(body, "recipient_metadata"),
        "identity_id": opt_str(body, "to_identity_id"),
        "account_id": opt_str(body, "to_account_id"),
    }
    with ledger_of(call).at(call.now) as led:
        source = led.profile(body["from_profile_id"])
        # A deactivated profile may receive funds (and is reactivated by them).
        target = led.profile(body["to_profile_id"], include_deactivated=True)
        if source.id == target.id:
            raise bad_request("from_profile_id and to_profile_id must be different profiles")
        if ref_id and (existing := led.transfers.refs.get(ref_id)):
            raise already_exists(
                f"transfer already exists with ref_id '{ref_id}'", existing.to_json()
            )
        debit, _ = led.open_pair(
            led.now,
            source=source.id,
            target=target.id,
            amount=amount,
            assets=(asset, asset),
            kind="internal",
            debit_fields=debit_fields,
            credit_fields=credit_fields,
        )
        return debit.to_json()
