"""Crypto withdrawals and their guaranteed fees (API-BRIEF.md sections 10.5 and 10.8)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..backends.withdrawals import check_balance_asset, check_destination
from ..fmt import body_of, check_precision, metadata_of, opt_str, parse_amount, require
from ..problems import bad_request
from ..records import ASSETS
from . import Body, Call, handles
from ._shared import ledger_of, refuse_first_party


def _destination(body: dict[str, Any]) -> tuple[str, str, str]:
    asset, network, address = body["asset"], body["crypto_network"], body["destination_address"]
    check_destination(asset, network, address)
    return asset, network, address


def _amount_or_total(body: dict[str, Any], asset: str) -> tuple[Decimal | None, Decimal | None]:
    has_amount, has_total = (
        body.get("amount") not in (None, ""),
        body.get("total") not in (None, ""),
    )
    if has_amount == has_total:
        raise bad_request("specify exactly one of amount or total")
    name = "amount" if has_amount else "total"
    value = parse_amount(body[name], name)
    check_precision(value, asset, ASSETS[asset])
    return (value, None) if has_amount else (None, value)


@handles("CreateCryptoWithdrawalFee")
def create_fee(call: Call) -> Body:
    body = body_of(call)
    require(body, "asset", "destination_address", "crypto_network")
    asset, network, address = _destination(body)
    amount, total = _amount_or_total(body, asset)
    with ledger_of(call).at(call.now) as led:
        return led.withdrawals.quote_fee(asset, network, address, amount, total).to_json()


@handles("CreateCryptoWithdrawal")
def create_crypto_withdrawal(call: Call) -> Body:
    body = body_of(call)
    refuse_first_party(call, body.get("identity_id"))
    require(body, "profile_id", "destination_address", "asset", "crypto_network")
    asset, network, address = _destination(body)
    amount, total = _amount_or_total(body, asset)
    balance_asset = opt_str(body, "balance_asset") or asset
    check_balance_asset(asset, balance_asset)
    ref_id, fee_id = opt_str(body, "ref_id"), opt_str(body, "fee_id")
    fields = {
        "metadata": metadata_of(body),
        "memo": opt_str(body, "memo"),
        "identity_id": opt_str(body, "identity_id"),
        "account_id": opt_str(body, "account_id"),
    }
    with ledger_of(call).at(call.now) as led:
        profile = led.profiles.find(body["profile_id"])
        transfer = led.withdrawals.crypto(
            profile, asset, network, address, amount, total, balance_asset=balance_asset,
            ref_id=ref_id, fee_id=fee_id, **fields,
        )  # fmt: skip
        return transfer.to_json()
