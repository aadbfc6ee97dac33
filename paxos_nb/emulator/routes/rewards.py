"""The rewards engine (preview spec): reward addresses, payout groups, claim schedules,
claims and reward details.

Parsing and answers only; accrual, claims and schedules are in ``backends/rewards.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import cursors
from ..backends.monitoring import valid_address
from ..backends.rewards import ASSET_TYPES, JURISDICTIONS, LEDGERS, Claim, RewardAddress
from ..fmt import body_of, parse_ts, query_bool, query_choice, query_list, require
from ..problems import bad_request
from . import Body, Call, handles
from ._shared import ledger_of

CLAIM_STATUSES = ("PENDING", "SUBMITTED", "CONFIRMED", "FAILED")


def _text(body: dict[str, Any], name: str) -> str | None:
    """A string field as sent (None when absent); 400 when it is not a string."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_request(f"{name} must be a string")
    return value.strip()


def _choice(value: str | None, name: str, allowed: tuple[str, ...]) -> str:
    if value is None or value not in allowed:
        raise bad_request(f"{name} invalid: '{value}' is not one of {', '.join(allowed)}")
    return value


def _address(ledger: str, address: str, name: str) -> str:
    network = "SOLANA" if ledger == "SOLANA" else "ETHEREUM"  # the others are EVM chains
    if not valid_address(network, address):
        raise bad_request(f"{name} invalid: '{address}' is not a {ledger} address")
    return address


def _page(call: Call, family: Any, kind: str, keep: Callable[[Any], bool], render) -> Body:
    """One page of ``family`` as ``{items, next_page_cursor}``; the records' JSON depends on
    the clock (balances), so it is rendered per request."""
    q = call.query
    limit = cursors.parse_limit(q, default=100, maximum=1000)
    order = cursors.parse_order(q, "DESC")
    found, cursor = cursors.page(
        family.created, kind=kind, order=order, limit=limit, token=q.get("page_cursor"),
        keep=keep,
    )  # fmt: skip
    out: dict[str, Any] = {"items": [render(r) for r in found]}
    if cursor:
        out["next_page_cursor"] = cursor
    return out


# -- reward addresses ------------------------------------------------------------------------
@handles("CreateAttributionAddress")
def create_reward_address(call: Call) -> Body:
    outer = body_of(call)
    body = outer.get("address")
    if not isinstance(body, dict):
        raise bad_request('address is required: {"address": {"ledger": ..., "address": ...}}')
    require(body, "ledger", "address")
    ledger = _choice(_text(body, "ledger"), "address.ledger", LEDGERS)
    address = _address(ledger, _text(body, "address") or "", "address.address")
    name, group = _text(body, "name") or "", _text(body, "payout_group_id") or ""
    with ledger_of(call).at(call.now) as led:
        record = led.rewards.add_address(ledger, address, name, group)
        return {"address": record.to_json(led.now)}


@handles("UpdateAttributionAddress")
def update_reward_address(call: Call) -> Body:
    body = body_of(call)
    name, group = _text(body, "name"), _text(body, "payout_group_id")
    with ledger_of(call).at(call.now) as led:
        rewards = led.rewards
        record = rewards.update_address(rewards.address(call.path_params["id"]), name, group)
        return {"address": record.to_json(led.now)}


@handles("DeleteAttributionAddress")
def delete_reward_address(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        led.rewards.remove_address(led.rewards.address(call.path_params["id"]))
        return {}


@handles("ListAttributionAddresses")
def list_reward_addresses(call: Call) -> Body:
    q = call.query
    ledger = query_choice(q, "ledger", LEDGERS)
    address, ident, group = q.get("address"), q.get("id"), q.get("payout_group_id")
    with_balance = query_bool(q, "include_balance")
    stamp = q.get("balance_timestamp")
    with ledger_of(call).at(call.now) as led:
        at = min(parse_ts(stamp, "balance_timestamp"), led.now) if stamp else led.now

        def keep(r: RewardAddress) -> bool:
            return (
                (not ledger or r.ledger == ledger)
                and (not address or r.address.lower() == address.lower())
                and (not ident or r.id == ident)
                and (not group or r.payout_group_id == group)
            )

        return _page(
            call, led.rewards.addresses, "reward_addresses", keep,
            lambda r: r.to_json(at, with_balance),
        )  # fmt: skip


# -- payout groups ---------------------------------------------------------------------------
@handles("CreatePayoutGroup")
def create_payout_group(call: Call) -> Body:
    body = body_of(call)
    require(body, "ledger", "asset_type", "jurisdiction", "name", "claimer_address")
    ledger = _choice(_text(body, "ledger"), "ledger", LEDGERS)
    asset = _choice(_text(body, "asset_type"), "asset_type", ASSET_TYPES)
    where = _choice(_text(body, "jurisdiction"), "jurisdiction", JURISDICTIONS)
    name = _text(body, "name") or ""
    claimer = _address(ledger, _text(body, "claimer_address") or "", "claimer_address")
    schedule = body.get("schedule_type")
    if schedule is not None:
        _choice(schedule, "schedule_type", ("DAILY",))
    with ledger_of(call).at(call.now) as led:
        rewards = led.rewards
        group = rewards.add_group(ledger, asset, where, name, claimer)
        if schedule:
            rewards.add_schedule(group, schedule)
        return {"group": group.to_json(led.now, rewards.group_balance(group, led.now))}


@handles("UpdatePayoutGroup")
def update_payout_group(call: Call) -> Body:
    body = body_of(call)
    name = _text(body, "name")
    where = _text(body, "jurisdiction")
    if where is not None:
        _choice(where, "jurisdiction", JURISDICTIONS)
    with ledger_of(call).at(call.now) as led:
        rewards = led.rewards
        group = rewards.update_group(rewards.group(call.path_params["id"]), name, where)
        return {"group": group.to_json(led.now, rewards.group_balance(group, led.now))}


@handles("DeletePayoutGroup")
def delete_payout_group(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        led.rewards.remove_group(led.rewards.group(call.path_params["id"]))
        return {}


@handles("ListPayoutGroups")
def list_payout_groups(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        rewards, now = led.rewards, led.now
        return _page(
            call, rewards.groups, "payout_groups", lambda r: True,
            lambda g: g.to_json(now, rewards.group_balance(g, now)),
        )  # fmt: skip


# -- claim schedules and claims --------------------------------------------------------------
@handles("CreateClaimSchedule")
def create_claim_schedule(call: Call) -> Body:
    body = body_of(call)
    require(body, "payout_group_id", "schedule_type")
    kind = _choice(_text(body, "schedule_type"), "schedule_type", ("DAILY",))
    group_id = _text(body, "payout_group_id") or ""
    with ledger_of(call).at(call.now) as led:
        rewards = led.rewards
        return {"claim_schedule": rewards.add_schedule(rewards.group(group_id), kind).to_json()}


@handles("UpdateClaimSchedule")
def update_claim_schedule(call: Call) -> Body:
    body = body_of(call)
    require(body, "schedule_type")
    kind = _choice(_text(body, "schedule_type"), "schedule_type", ("DAILY",))
    with ledger_of(call).at(call.now) as led:
        rewards = led.rewards
        record = rewards.update_schedule(rewards.find_schedule(call.path_params["id"]), kind)
        return {"claim_schedule": record.to_json()}


@handles("DeleteClaimSchedule")
def delete_claim_schedule(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        led.rewards.remove_schedule(led.rewards.find_schedule(call.path_params["id"]))
        return {}


@handles("ListClaimSchedules")
def list_claim_schedules(call: Call) -> Body:
    group = call.query.get("payout_group_id")
    with ledger_of(call).at(call.now) as led:
        return _page(
            call, led.rewards.schedules, "claim_schedules",
            lambda r: not group or r.payout_group_id == group, lambda r: r.to_json(),
        )  # fmt: skip


@handles("ListClaims")
def list_claims(call: Call) -> Body:
    q = call.query
    group, chain, where = q.get("payout_group_id"), q.get("chain"), q.get("jurisdiction")
    statuses = set(query_list(q, "onchain_statuses", CLAIM_STATUSES))
    start = parse_ts(q["start_time"], "start_time") if q.get("start_time") else None
    end = parse_ts(q["end_time"], "end_time") if q.get("end_time") else None

    def keep(r: Claim) -> bool:
        return (
            (not group or r.payout_group_id == group)
            and (not chain or r.blockchain == chain)
            and (not where or r.jurisdiction == where)
            and (not statuses or r.onchain_status in statuses)
            and (start is None or r.created_at >= start)
            and (end is None or r.created_at <= end)
        )

    with ledger_of(call).at(call.now) as led:
        return _page(call, led.rewards.claims, "claims", keep, lambda r: r.to_json())


@handles("GetRewardDetails")
def get_reward_details(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        return led.rewards.details()
