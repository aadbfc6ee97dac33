"""Profiles, balances and the sandbox deposit (API-BRIEF.md sections 10.1 and 10.8)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import cursors
from ..backends.orchestrations import on_deposit
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
from ..problems import already_exists, bad_request, not_found
from ..records import ASSETS, FIAT, Transfer
from ..seed import NETWORKS_BY_ASSET, make_tx_hash, usd_value
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
        return led.profile(
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


def _check_unique(led, nickname: str, own_id: str | None = None) -> None:
    # Uniqueness is case-insensitive and includes deactivated profiles (emulator choice).
    for profile in led.profiles:
        if profile.id != own_id and profile.nickname.lower() == nickname.lower():
            raise already_exists("nickname already exists", profile.to_json())


@handles("CreateProfile")
def create_profile(call: Call) -> Body:
    body = body_of(call)
    nickname = _nickname(body)
    description = opt_str(body, "description")
    with ledger_of(call).at(call.now) as led:
        _check_unique(led, nickname)
        return led.add_profile(nickname, "NORMAL", led.now, description).to_json()


@handles("UpdateProfile")
def update_profile(call: Call) -> Body:
    nickname = _nickname(body_of(call))
    with ledger_of(call).at(call.now) as led:
        profile = led.profile(call.path_params["profile_id"])
        if profile.type == "DEFAULT":
            raise bad_request("the default profile cannot be renamed")
        _check_unique(led, nickname, profile.id)
        profile.nickname = nickname
        return profile.to_json()


@handles("DeactivateProfile")
def deactivate_profile(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        profile = led.profile(call.path_params["profile_id"])
        if profile.type == "DEFAULT":
            raise bad_request("the default profile cannot be deactivated")
        if led.has_funds(profile.id):
            raise bad_request(
                "profile cannot be deactivated while it holds a non-zero balance; "
                "move its funds to another profile first"
            )
        profile.deactivated = True
        return {}


def _balance_json(led, profile_id: str, asset: str) -> dict[str, str]:
    available, trading = led.balance(profile_id, asset)
    return {"asset": asset, "available": fmt_dec(available), "trading": fmt_dec(trading)}


@handles("ListProfileBalances")
def list_balances(call: Call) -> Body:
    wanted = query_list(call.query, "assets")
    for asset in wanted:
        if asset not in ASSETS:
            raise bad_request(f"assets invalid: '{asset}' is not a supported asset")
    with ledger_of(call).at(call.now) as led:
        profile = led.profile(call.path_params["profile_id"])
        assets = [a for a in ASSETS if not wanted or a in wanted]
        return {"items": [_balance_json(led, profile.id, a) for a in assets]}


@handles("GetProfileBalance")
def get_balance(call: Call) -> Body:
    asset = call.path_params["asset"]
    with ledger_of(call).at(call.now) as led:
        profile = led.profile(call.path_params["profile_id"])
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
    if asset in FIAT:
        if network:
            raise bad_request("crypto_network must be left out for a fiat deposit")
    elif not network:
        raise bad_request(f"crypto_network is required for a {asset} deposit")
    elif network not in NETWORKS_BY_ASSET.get(asset, ()):
        raise bad_request(f"{asset} is not supported on network {network}")
    with ledger_of(call).at(call.now) as led:
        profile = led.profile(call.path_params["profile_id"], include_deactivated=True)
        extra: dict[str, Any] = {"type": "WIRE_DEPOSIT"}
        if network:
            rng = led.random("sandbox-deposit", len(led.transfers))
            extra = {
                "type": "CRYPTO_DEPOSIT",
                "crypto_network": network,
                "destination_address": address or _address_of(led, profile.id, network),
                "crypto_tx_hash": make_tx_hash(network, rng),
                "crypto_tx_index": "0",
                "notional_value": usd_value(led, asset, amount, led.now),
            }
        transfer = led.add_transfer(
            Transfer(
                id=led.new_id(),
                customer_id=led.customer_id,
                profile_id=profile.id,
                amount=amount,
                fee=Decimal(0),
                asset=asset,
                direction="CREDIT",
                status="COMPLETED",
                created_at=led.now,
                updated_at=led.now,
                kind="deposit",
                **extra,
            )
        )
        led.credit(profile.id, asset, amount)
        if network:  # a deposit to an orchestration rule's address starts its conversion
            on_deposit(led, led.now, transfer)
        return {"activity_id": transfer.id}


def _address_of(led, profile_id: str, network: str) -> str | None:
    for record in led.deposit_addresses:
        if record.profile_id == profile_id and network in record.compatible:
            return record.address
    return None
