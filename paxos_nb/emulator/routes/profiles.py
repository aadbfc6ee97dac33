"""Profiles, balances and the sandbox deposit (API-BRIEF.md sections 10.1 and 10.8)."""

from __future__ import annotations

from typing import Any

from .. import cursors
from ..backends.deposits import check_sandbox_network
from ..fmt import (
    body_of,
    check_precision,
    compare_filters,
    fmt_dec,
    opt_str,
    parse_amount,
    query_bool,
    query_choice,
    query_list,
    require,
    time_ok,
)
from ..ledger import Ledger
from ..problems import bad_request, not_found
from ..records import ASSETS
from . import Body, Call, handles
from ._shared import ledger_of, listing

PROFILE_TYPES = ("DEFAULT", "NORMAL")


@handles("ListProfiles")
def list_profiles(call: Call) -> Body:
    q = call.query
    limit = cursors.parse_limit(q, default=1000, maximum=1000)
    order = cursors.parse_order(q, "ASC")  # the only style-A list that defaults to ASC
    query_choice(q, "order_by", ("CREATED_AT",))
    created = compare_filters(q, "created_at")
    ids = set(query_list(q, "ids"))
    prefix = (q.get("nickname") or "").lower()

    def keep(p) -> bool:
        return (
            not p.deactivated
            and (not ids or p.id in ids)
            and p.nickname.lower().startswith(prefix)
            and time_ok(p.created_at, created)
        )

    with ledger_of(call).at(call.now) as led:
        found, cursor = cursors.page(
            led.profiles.created,
            kind="profiles",
            order=order,
            limit=limit,
            token=q.get("page_cursor"),
            keep=keep,
        )
        return listing(found, cursor)


@handles("GetProfile")
def get_profile(call: Call) -> Body:
    deactivated = query_bool(call.query, "include_deactivated")
    with ledger_of(call).at(call.now) as led:
        return led.profiles.find(
            call.path_params["profile_id"], include_deactivated=deactivated
        ).to_json()


def _nickname(body: dict[str, Any]) -> str:
    require(body, "nickname")
    nickname = body["nickname"]
    if not isinstance(nickname, str) or not nickname.strip():
        raise bad_request("nickname must be a non-empty string")
    if len(nickname) > 100:
        raise bad_request("nickname must be at most 100 characters")
    return nickname


@handles("CreateProfile")
def create_profile(call: Call) -> Body:
    body = body_of(call)
    nickname = _nickname(body)
    description = opt_str(body, "description")
    with ledger_of(call).at(call.now) as led:
        return led.profiles.create(nickname, "NORMAL", led.now, description).to_json()


@handles("UpdateProfile")
def update_profile(call: Call) -> Body:
    nickname = _nickname(body_of(call))
    with ledger_of(call).at(call.now) as led:
        profile = led.profiles.find(call.path_params["profile_id"])
        return led.profiles.rename(profile, nickname).to_json()


@handles("DeactivateProfile")
def deactivate_profile(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        led.balances.deactivate(led.profiles.find(call.path_params["profile_id"]))
        return {}


def _balance_json(led: Ledger, profile_id: str, asset: str) -> dict[str, str]:
    available, trading = led.balances.pair(profile_id, asset)
    return {"asset": asset, "available": fmt_dec(available), "trading": fmt_dec(trading)}


@handles("ListProfileBalances")
def list_balances(call: Call) -> Body:
    wanted = query_list(call.query, "assets")
    for asset in wanted:
        if asset not in ASSETS:
            raise bad_request(f"assets invalid: '{asset}' is not a supported asset")
    with ledger_of(call).at(call.now) as led:
        profile = led.profiles.find(call.path_params["profile_id"])
        assets = [a for a in ASSETS if not wanted or a in wanted]
        return {"items": [_balance_json(led, profile.id, a) for a in assets]}


@handles("GetProfileBalance")
def get_balance(call: Call) -> Body:
    asset = call.path_params["asset"]
    with ledger_of(call).at(call.now) as led:
        profile = led.profiles.find(call.path_params["profile_id"])
        if asset not in ASSETS:
            raise not_found(f"asset not found: {asset}")
        return _balance_json(led, profile.id, asset)


@handles("CreateSandboxDeposit")
def sandbox_deposit(call: Call) -> Body:
    body = body_of(call)
    require(body, "asset", "amount")
    asset = body["asset"]
    if asset not in ASSETS:
        raise bad_request(f"asset invalid: '{asset}' is not a supported asset")
    amount = parse_amount(body["amount"], "amount")
    check_precision(amount, asset, ASSETS[asset])
    network = opt_str(body, "crypto_network")
    address = opt_str(body, "crypto_address")
    check_sandbox_network(asset, network)
    with ledger_of(call).at(call.now) as led:
        profile = led.profiles.find(call.path_params["profile_id"], include_deactivated=True)
        transfer = led.deposits.sandbox(profile, asset, amount, network, address)
        return {"activity_id": transfer.id}
