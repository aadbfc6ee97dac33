"""The rewards engine: addresses accrue, groups claim, schedules run daily, details add up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import strategies as st
from part2_checks import assert_valid, no_server_errors

from paxos_nb.config import Credentials
from paxos_nb.session import connect

EVM = "0x52908400098527886E0F7030069857D2E4169EE7"
EVM2 = "0x8617E340B3D01FA5F11F306F4090FD50E238070D"
SOL = "7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV"


def _group(world, schedule=None, **change):
    body = {"ledger": "ETHEREUM", "asset_type": "USDG", "jurisdiction": "US", "name": "ops",
            "claimer_address": EVM, **change}  # fmt: skip
    if schedule:
        body["schedule_type"] = schedule
    got = world.api.ok("POST", "/rewards/payout-groups", body)
    assert_valid("CreatePayoutGroup", got)
    return got["group"]


def _address(world, group_id="", address=EVM2, ledger="ETHEREUM"):
    body = {"address": {"ledger": ledger, "address": address, "payout_group_id": group_id}}
    got = world.api.ok("POST", "/rewards/addresses", body)
    assert_valid("CreateAttributionAddress", got)
    return got["address"]


def _balances(world):
    items = world.api.ok("GET", "/rewards/addresses", include_balance="true")["items"]
    return {a["id"]: Decimal(a["balance"]) for a in items}


def test_addresses_activate_then_accrue_at_each_midnight(world):
    made = _address(world)
    assert (made["status"], made["balance"]) == ("PENDING", "0.000000")
    world.emu.advance(1)
    listed = world.api.ok("GET", "/rewards/addresses")
    assert_valid("ListAttributionAddresses", listed)
    assert listed["items"][0]["status"] == "ACTIVE"
    assert "balance" not in listed["items"][0]  # only with include_balance
    world.emu.advance(15 * 3600)  # past 00:00 UTC once
    daily = _balances(world)[made["id"]]
    assert daily > 0
    world.emu.advance(24 * 3600)
    assert _balances(world)[made["id"]] == 2 * daily
    details = world.api.ok("GET", "/rewards/details")
    assert_valid("GetRewardDetails", details)
    assert Decimal(details["lifetime_earned"]) == 2 * daily
    assert Decimal(details["total_available_rewards"]) == 2 * daily
    assert Decimal(details["est_next_accrual_amount"]) == daily
    assert {r["jurisdiction"]: r["rate"] for r in details["rates"]} == {
        "US": "0.0376",
        "EU": "0.0350",
    }


def test_a_daily_schedule_claims_the_group_and_a_claim_confirms(world):
    group = _group(world, schedule="DAILY")
    assert group["manager_address"] == group["destination_address"] == EVM
    member = _address(world, group["id"])
    world.emu.advance(1)
    schedules = world.api.ok("GET", "/rewards/claim-schedules")
    assert_valid("ListClaimSchedules", schedules)
    (schedule,) = schedules["items"]
    assert schedule["next_run_at"] == "2026-07-02T00:00:00Z"
    world.emu.advance(24 * 3600)
    claims = world.api.ok("GET", "/rewards/claims")
    assert_valid("ListClaims", claims)
    (claim,) = claims["items"]
    assert (claim["claim_type"], claim["claim_schedule_id"]) == ("CLAIM_ALL", schedule["id"])
    assert claim["onchain_status"] == "CONFIRMED"
    assert claim["addresses"] == [EVM2]
    assert Decimal(claim["amount"]) > 0
    assert claim["tx_hash"].startswith("0x")
    assert _balances(world)[member["id"]] == 0  # the day's accrual was claimed at 00:00
    groups = world.api.ok("GET", "/rewards/payout-groups")
    assert_valid("ListPayoutGroups", groups)
    assert groups["items"][0]["onchain_status"] == "ACTIVE"
    assert groups["items"][0]["last_claim_all_at"] == "2026-07-02T00:00:00Z"
    filtered = world.api.ok("GET", "/rewards/claims", onchain_statuses=["PENDING"])
    assert filtered["items"] == []


def test_updating_or_deleting_an_onchain_group_claims_it(world):
    group = _group(world)
    _address(world, group["id"])
    world.emu.advance(24 * 3600)
    updated = world.api.ok("PUT", f"/rewards/payout-groups/{group['id']}", {"name": "renamed"})
    assert_valid("UpdatePayoutGroup", updated)
    assert updated["group"]["name"] == "renamed"
    assert updated["group"]["balance"] == "0.000000"
    (claim,) = world.api.ok("GET", "/rewards/claims")["items"]
    assert (claim["claim_type"], claim["onchain_status"]) == ("CLAIM_ALL", "PENDING")
    assert "claim_schedule_id" not in claim
    world.emu.advance(24 * 3600)
    gone = world.api.ok("DELETE", f"/rewards/payout-groups/{group['id']}")
    assert_valid("DeletePayoutGroup", gone)
    assert len(world.api.ok("GET", "/rewards/claims")["items"]) == 2
    assert world.api.ok("GET", "/rewards/payout-groups")["items"] == []
    assert world.api.call("PUT", f"/rewards/payout-groups/{group['id']}", {"name": "x"})[0] == 404


def test_address_and_schedule_edits(world):
    group = _group(world)
    made = _address(world)
    moved = world.api.ok(
        "PUT", f"/rewards/addresses/{made['id']}", {"name": "hot", "payout_group_id": group["id"]}
    )
    assert_valid("UpdateAttributionAddress", moved)
    assert (moved["address"]["name"], moved["address"]["payout_group_id"]) == ("hot", group["id"])
    sol = _address(world, address=SOL, ledger="SOLANA")
    status, problem = world.api.call(
        "PUT", f"/rewards/addresses/{sol['id']}", {"payout_group_id": group["id"]}
    )
    assert status == 400
    assert "is on ETHEREUM, not SOLANA" in problem["detail"]
    only = world.api.ok("GET", "/rewards/addresses", payout_group_id=group["id"])["items"]
    assert [a["id"] for a in only] == [made["id"]]
    schedule = world.api.ok(
        "POST",
        "/rewards/claim-schedules",
        {"payout_group_id": group["id"], "schedule_type": "DAILY"},
    )
    assert_valid("CreateClaimSchedule", schedule)
    sid = schedule["claim_schedule"]["id"]
    again = world.api.ok("PUT", f"/rewards/claim-schedules/{sid}", {"schedule_type": "DAILY"})
    assert_valid("UpdateClaimSchedule", again)
    dup = {"payout_group_id": group["id"], "schedule_type": "DAILY"}
    assert world.api.call("POST", "/rewards/claim-schedules", dup)[0] == 400
    assert_valid("DeleteClaimSchedule", world.api.ok("DELETE", f"/rewards/claim-schedules/{sid}"))
    world.emu.advance(2 * 24 * 3600)
    assert world.api.ok("GET", "/rewards/claims")["items"] == []  # the schedule was deleted
    assert_valid(
        "DeleteAttributionAddress", world.api.ok("DELETE", f"/rewards/addresses/{sol['id']}")
    )
    assert world.api.call("DELETE", f"/rewards/addresses/{sol['id']}")[0] == 404


@pytest.mark.parametrize(
    ("path", "body", "words"),
    [
        ("/rewards/addresses", {"address": {"ledger": "BITCOIN", "address": EVM}},
         "ledger invalid"),
        ("/rewards/addresses", {"address": {"ledger": "SOLANA", "address": EVM}},
         "not a SOLANA"),
        ("/rewards/addresses", {"ledger": "ETHEREUM"}, "address is required"),
        ("/rewards/payout-groups", {"ledger": "ETHEREUM", "asset_type": "USDG",
         "jurisdiction": "MARS", "name": "x", "claimer_address": EVM}, "jurisdiction invalid"),
        ("/rewards/payout-groups", {"ledger": "ETHEREUM", "asset_type": "USDG",
         "jurisdiction": "US", "name": "x", "claimer_address": "0x1"}, "claimer_address invalid"),
        ("/rewards/claim-schedules", {"payout_group_id": "nope", "schedule_type": "DAILY"},
         "payout group not found"),
    ],
)  # fmt: skip
def test_errors_name_the_field(world, path, body, words):
    status, problem = world.api.call("POST", path, body)
    assert status in (400, 404)
    assert words in problem["detail"]


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        ("/rewards/addresses", "rewards:read_monitoring_address"),
        ("/rewards/payout-groups", "rewards:read_payout_groups"),
        ("/rewards/claim-schedules", "rewards:read_claims_schedule"),
        ("/rewards/claims", "rewards:read_claims"),
    ],
)
def test_session_frame_types_the_lists(world, path, scope):
    group = _group(world, schedule="DAILY")
    _address(world, group["id"])
    world.emu.advance(2 * 24 * 3600)
    client = world.emu.add_client(scopes=[scope])
    creds = Credentials(client.client_id, client.client_secret, "local", api_url=world.emu.api_url)
    with connect(creds, scopes=[scope], current=False) as session:
        frame = session.frame(path)
    assert len(frame) >= 1
    assert str(frame["created_at"].dtype) == "datetime64[ns, UTC]"
    if "balance" in frame:
        assert isinstance(frame["balance"].iloc[0], Decimal)


OPERATIONS = [
    "ListAttributionAddresses", "CreateAttributionAddress", "UpdateAttributionAddress",
    "DeleteAttributionAddress", "ListClaimSchedules", "CreateClaimSchedule",
    "UpdateClaimSchedule", "DeleteClaimSchedule", "ListClaims", "GetRewardDetails",
    "ListPayoutGroups", "CreatePayoutGroup", "UpdatePayoutGroup", "DeletePayoutGroup",
]  # fmt: skip


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_generated_inputs_never_give_a_server_error(direct, operation_id):
    body = {"ledger": "ETHEREUM", "asset_type": "USDG", "jurisdiction": "US", "name": "g",
            "claimer_address": EVM, "schedule_type": "DAILY"}  # fmt: skip
    status, group = direct("POST", "/v2/rewards/payout-groups", body)
    assert status == 200, group
    gid = group["group"]["id"]
    status, made = direct(
        "POST", "/v2/rewards/addresses",
        {"address": {"ledger": "ETHEREUM", "address": EVM2, "payout_group_id": gid}},
    )  # fmt: skip
    assert status == 200, made
    status, listed = direct("GET", "/v2/rewards/claim-schedules")
    ids = [gid, made["address"]["id"], listed["items"][0]["id"], "nope"]
    no_server_errors(direct, operation_id, path_values={"id": st.sampled_from(ids)}, examples=25)
