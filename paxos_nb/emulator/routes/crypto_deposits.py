"""Crypto deposits held for travel-rule information: update (release) and reject
(docs.paxos.com, Crypto Deposits and the travel-rule guide)."""

from __future__ import annotations

from typing import Any

from ..backends.deposits import check_deposit_id
from ..fmt import body_of, require
from ..problems import bad_request
from . import Body, Call, handles
from ._shared import ledger_of


def _originator(value: Any) -> dict[str, Any]:
    """``originator_address_info``: exactly one of ``individual_info{first_name,
    last_name}`` or ``institution_info{institution_name}`` (the spec's required but
    undefined ``originator_info`` is not asked for)."""
    where = "originator_address_info"
    if not isinstance(value, dict):
        raise bad_request(f"{where} is required")
    kinds = [k for k in ("individual_info", "institution_info") if value.get(k) not in (None, {})]
    if len(kinds) != 1:
        raise bad_request(f"{where} must hold exactly one of individual_info or institution_info")
    info = value[kinds[0]]
    if not isinstance(info, dict):
        raise bad_request(f"{where}.{kinds[0]} must be an object")
    names = ("first_name", "last_name") if kinds[0] == "individual_info" else ("institution_name",)
    for name in names:
        if not isinstance(info.get(name), str) or not info[name].strip():
            raise bad_request(f"{where}.{kinds[0]}.{name} is required")
    return {kinds[0]: {name: info[name] for name in names}}


@handles("UpdateCryptoDeposit")
def update_crypto_deposit(call: Call) -> Body:
    ident = call.path_params["id"]
    check_deposit_id(ident)
    body = body_of(call)
    require(body, "identity_id")
    originator = _originator(body.get("originator_address_info"))
    with ledger_of(call).at(call.now) as led:
        held = led.deposits.held(ident)
        led.deposits.provide_info(held, str(body["identity_id"]), originator)
        return {}


@handles("RejectCryptoDeposit")
def reject_crypto_deposit(call: Call) -> Body:
    ident = call.path_params["id"]
    check_deposit_id(ident)
    body = body_of(call)
    require(body, "identity_id")
    with ledger_of(call).at(call.now) as led:
        led.deposits.reject(led.deposits.held(ident), str(body["identity_id"]))
        return {}
