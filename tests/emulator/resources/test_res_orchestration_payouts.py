"""Orchestrations and rules that pay out: to a crypto destination address or a fiat account.

Real HTTP on loopback (the ``world`` fixture, a frozen clock the tests move): each variant
end to end with balances, the audit and the transfer list; the refusals; the
``auto_conversion`` links of a rule's deposit and withdrawal; and no 501 left.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from identity_support import person
from money_support import owner, wire

ETH_ADDRESS = "0x" + "ab" * 20
BTC_ADDRESS = "tb1q" + "x" * 38
SOL_ADDRESS = "7" * 44
UNKNOWN_ADDRESS = "crypto destination address not found"
NOT_ON_BITCOIN = "USDG is not supported on network BITCOIN"  # names the asset and the network


def held(world, pid: str, asset: str) -> Decimal:
    return Decimal(world.api.ok("GET", f"/profiles/{pid}/balances/{asset}")["available"])


def address(world, network: str = "ETHEREUM", where: str = ETH_ADDRESS) -> dict[str, Any]:
    body = {"crypto_network": network, "address": where}
    return world.api.ok("PUT", "/transfer/crypto-destination-address", body)["address"]


def fiat_account(world, *, approved: bool = True) -> dict[str, Any]:
    body = {"fiat_account_owner": owner(), "fiat_network_instructions": wire()}
    made = world.api.ok("POST", "/transfer/fiat-accounts", body)
    if approved:
        world.clock.advance(3)  # the review approves it 2 s later
    return made


def order(amount: str, destination: dict, *, ref_id: str, source: str = "USD",
          target: str = "USDG", **extra: Any) -> dict[str, Any]:  # fmt: skip
    return {"ref_id": ref_id, "source_asset": source, "destination_asset": target,
            "source_amount": amount, "destination": destination, **extra}  # fmt: skip


def audited(world) -> dict[str, dict[str, Decimal]]:
    audit = world.ledger.audit()
    assert all(line["difference"] == 0 for line in audit.values()), audit
    return audit


def event_types(world) -> list[str]:
    """The types of the events since the test began (after the seeded history)."""
    got = world.api.ok("GET", "/events", **{"created_at.gt": "2026-07-01T00:00:00Z"})
    return [e["type"] for e in got["events"]]


def test_to_a_crypto_address_converts_then_withdraws(world):
    pid = world.profile_id("default")
    dest = address(world)
    usd, before = held(world, pid, "USD"), audited(world)
    made = world.api.ok(
        "POST", "/orchestration/orchestrations",
        order("100", {"crypto": {"address_id": dest["id"]}}, ref_id="c-1"),
    )  # fmt: skip
    assert made["status"] == "PROCESSING"
    assert made["destination"] == {
        "crypto": {"address_id": dest["id"], "address": ETH_ADDRESS, "network": "ETHEREUM"}
    }
    assert held(world, pid, "USD") == usd - 100
    leg = world.api.ok("GET", f"/transfer/transfers/{made['destination_transfer']['transfer_id']}")
    assert (leg["type"], leg["status"], leg["direction"]) == (
        "CRYPTO_WITHDRAWAL",
        "PENDING",
        "DEBIT",
    )
    assert (leg["asset"], leg["balance_asset"], leg["crypto_network"]) == (
        "USDG",
        "USDG",
        "ETHEREUM",
    )
    assert leg["destination_address"] == ETH_ADDRESS
    assert (leg["amount"], leg["fee"], leg["total"]) == ("98.5", "1.5", "100")
    assert leg["group_id"] == made["id"]
    assert "auto_conversion" not in leg  # ad hoc: no deposit set it off
    audited(world)
    world.clock.advance(1.5)  # converted: the withdrawal is on its way
    mid = world.api.ok("GET", f"/orchestration/orchestrations/{made['id']}")
    assert mid["status"] == "PROCESSING"
    assert mid["source_transfer"]["status"] == "COMPLETED"
    assert mid["destination_transfer"]["status"] == "PENDING"
    audited(world)
    world.clock.advance(1.5)
    done = world.api.ok("GET", f"/orchestration/orchestrations/{made['id']}")
    assert done["status"] == "COMPLETED"
    leg = world.api.ok("GET", f"/transfer/transfers/{leg['id']}")
    assert leg["status"] == "COMPLETED"
    assert leg["crypto_tx_hash"].startswith("0x")
    assert held(world, pid, "USD") == usd - 100
    after = audited(world)
    assert after["USD"]["conversions"] - before["USD"]["conversions"] == -100
    assert after["USDG"]["conversions"] - before["USDG"]["conversions"] == 100
    assert after["USDG"]["withdrawals"] - before["USDG"]["withdrawals"] == 100
    assert after["USDG"]["in_flight"] == before["USDG"]["in_flight"]


def test_the_same_asset_to_a_crypto_address_and_the_events(world):
    pid = world.profile_id("default")
    dest = address(world, "SOLANA", SOL_ADDRESS)
    usdg = held(world, pid, "USDG")
    made = world.api.ok(
        "POST", "/orchestration/orchestrations",
        order("10", {"crypto": {"address_id": dest["id"]}}, ref_id="c-2", source="USDG"),
    )  # fmt: skip
    world.clock.advance(3)
    assert world.api.ok("GET", f"/orchestration/orchestrations/{made['id']}")["status"] == (
        "COMPLETED"
    )
    assert held(world, pid, "USDG") == usdg - 10
    assert event_types(world) == [
        "transfer.crypto_withdrawal.pending",  # the leg is made with the orchestration
        "orchestration.processing",
        "transfer.crypto_withdrawal.completed",
        "orchestration.completed",
    ]
    audited(world)


def test_to_a_fiat_account_wires_it_out(world):
    pid = world.profile_id("default")
    account = fiat_account(world)
    usdp = held(world, pid, "USDP")
    made = world.api.ok(
        "POST", "/orchestration/orchestrations",
        order("250.5", {"fiat": {"bank_account_id": account["id"], "memo": "inv 7"}},
              ref_id="f-1", source="USDP", target="USD"),
    )  # fmt: skip
    assert made["destination"] == {"fiat": {"bank_account_id": account["id"], "memo": "inv 7"}}
    assert held(world, pid, "USDP") == usdp - Decimal("250.5")
    leg = world.api.ok("GET", f"/transfer/transfers/{made['destination_transfer']['transfer_id']}")
    assert (leg["type"], leg["asset"], leg["status"]) == ("WIRE_WITHDRAWAL", "USD", "PENDING")
    assert (leg["fiat_account_id"], leg["memo"], leg["total"]) == (account["id"], "inv 7", "250.5")
    audited(world)
    world.clock.advance(1.5)
    assert world.api.ok("GET", f"/orchestration/orchestrations/{made['id']}")["status"] == (
        "PROCESSING"
    )  # the bank takes 3 s more
    world.clock.advance(3)
    done = world.api.ok("GET", f"/orchestration/orchestrations/{made['id']}")
    assert done["status"] == "COMPLETED"
    assert done["destination_transfer"]["status"] == "COMPLETED"
    assert held(world, pid, "USDP") == usdp - Decimal("250.5")
    audit = audited(world)
    assert audit["USD"]["in_flight"] == audit["USDP"]["in_flight"] == 0


def test_a_forced_failure_refunds_the_source_and_sends_nothing(world):
    pid = world.profile_id("default")
    dest = address(world)
    usd = held(world, pid, "USD")
    world.ledger.outcomes.next("CreateOrchestration", "FAILED")
    made = world.api.ok(
        "POST", "/orchestration/orchestrations",
        order("20", {"crypto": {"address_id": dest["id"]}}, ref_id="x-1"),
    )  # fmt: skip
    assert held(world, pid, "USD") == usd - 20
    world.clock.advance(1.5)
    failed = world.api.ok("GET", f"/orchestration/orchestrations/{made['id']}")
    assert failed["status"] == "FAILED"
    assert failed["fail_reason"]["detail"]
    assert failed["source_transfer"]["status"] == failed["destination_transfer"]["status"]
    assert failed["destination_transfer"]["status"] == "FAILED"
    assert held(world, pid, "USD") == usd
    world.clock.advance(5)
    leg = world.api.ok(
        "GET", f"/transfer/transfers/{failed['destination_transfer']['transfer_id']}"
    )
    assert leg["status"] == "FAILED"
    assert "crypto_tx_hash" not in leg
    audited(world)


def test_refusals_name_what_is_wrong_and_move_nothing(world):
    pid = world.profile_id("default")
    btc = address(world, "BITCOIN", BTC_ADDRESS)
    approved = fiat_account(world)
    pending = fiat_account(world, approved=False)
    usd = held(world, pid, "USD")
    cases = [
        ({"crypto": {"address_id": "nope"}}, {}, 404, f"{UNKNOWN_ADDRESS}: nope"),
        ({"crypto": {"address_id": btc["id"]}}, {}, 400, NOT_ON_BITCOIN),
        ({"crypto": {}}, {}, 400, "destination.crypto.address_id is required"),
        ({"fiat": {"bank_account_id": pending["id"]}}, {"target": "USD"}, 400,
         "fiat account has invalid status PENDING, must be approved"),
        ({"fiat": {"bank_account_id": "00000000-0000-4000-8000-000000000000"}},
         {"target": "USD"}, 404, "fiat account not found"),
        ({"fiat": {"bank_account_id": approved["id"]}}, {}, 400,
         "a fiat destination receives USD, not USDG"),
        # the docs guide's name: undeclared in the spec, discarded, so the id is missing
        ({"crypto": {"crypto_address_id": btc["id"]}}, {}, 400,
         "destination.crypto.address_id is required"),
        ({"profile": {"profile_id": pid}}, {"target": "USD"}, 400,
         "cannot convert USD to USD"),
    ]  # fmt: skip
    for n, (destination, extra, status, fragment) in enumerate(cases):
        target = extra.pop("target", "USDG")
        body = order("5", destination, ref_id=f"r-{n}", target=target, **extra)
        got, problem = world.api.post("/orchestration/orchestrations", body)
        assert got == status, problem
        assert fragment in problem["detail"], problem
    for kind in ({"crypto": {"network": "ETHEREUM"}}, {"fiat": {"network": "WIRE"}}):
        body = order("5", {"profile": {"profile_id": pid}}, ref_id="s-1")
        body["source"] = kind
        got, problem = world.api.post("/orchestration/orchestrations", body)
        assert got == 400, problem
        assert "source must be source.profile" in problem["detail"]
        assert "orchestration rules" in problem["detail"]
    assert held(world, pid, "USD") == usd
    assert (
        world.api.ok("GET", "/orchestration/orchestrations", ref_id=["r-0", "s-1"])["items"] == []
    )


def test_a_fiat_rule_to_a_crypto_address_links_deposit_and_withdrawal(world):
    pid = world.profile_id("default")
    dest = address(world)
    body = {
        "ref_id": "rule-c", "profile_id": pid, "source_asset": "USD", "destination_asset": "USDG",
        "source": {"fiat": {"network": "WIRE", "account_type": "ABA"}},
        "destination": {"crypto": {"crypto_address_id": dest["id"]}},
    }  # fmt: skip
    rule = world.api.ok("POST", "/orchestration/rules", body)["rule"]
    assert rule["destination"] == {"crypto": {"address": ETH_ADDRESS, "network": "ETHEREUM"}}
    usd, usdg = held(world, pid, "USD"), held(world, pid, "USDG")
    memo = rule["source"]["fiat"]["memo_id"]
    deposit = world.api.ok(
        "POST", "/sandbox/fiat-deposits",
        {"amount": "500", "asset": "USD", "memo_id": memo, "fiat_network_instructions": wire()},
    )  # fmt: skip
    world.clock.advance(61)  # the deposit lands and sets the rule off
    runs = world.api.ok("GET", "/orchestration/orchestrations", orchestration_rule_id=[rule["id"]])
    (run,) = runs["items"]
    assert run["source"] == {
        "fiat": {
            "deposit_instructions_id": rule["source"]["fiat"]["deposit_instructions_id"],
            "memo": memo,
        }
    }
    assert run["destination"]["crypto"]["address_id"] == dest["id"]
    deposit_id = next(
        t["id"] for t in world.api.ok("GET", "/transfer/transfers", limit=50)["items"]
        if t["type"] == "WIRE_DEPOSIT" and t.get("memo") == memo
    )  # fmt: skip
    leg_id = run["destination_transfer"]["transfer_id"]
    landed = world.api.ok("GET", f"/transfer/transfers/{deposit_id}")
    leg = world.api.ok("GET", f"/transfer/transfers/{leg_id}")
    assert landed["auto_conversion"] == {"to_transfer_id": leg_id}
    assert leg["auto_conversion"] == {"from_transfer_id": deposit_id}
    assert leg["type"] == "CRYPTO_WITHDRAWAL"
    assert deposit == {}
    world.clock.advance(3)
    assert world.api.ok("GET", f"/orchestration/orchestrations/{run['id']}")["status"] == (
        "COMPLETED"
    )
    assert (held(world, pid, "USD"), held(world, pid, "USDG")) == (usd, usdg)  # passed through
    listed = {t["id"]: t for t in world.api.ok("GET", "/transfer/transfers", limit=50)["items"]}
    assert listed[deposit_id]["auto_conversion"] == {"to_transfer_id": leg_id}
    assert listed[leg_id]["auto_conversion"] == {"from_transfer_id": deposit_id}
    audited(world)


def test_a_crypto_rule_to_a_fiat_account_wires_each_deposit_out(world):
    pid = world.profile_id("trading")
    account = fiat_account(world)
    body = {
        "ref_id": "rule-f", "profile_id": pid, "source_asset": "USDG", "destination_asset": "USD",
        "source": {"crypto": {"network": "SOLANA"}},
        "destination": {"fiat": {"fiat_account_id": account["id"], "memo": "sweep"}},
    }  # fmt: skip
    rule = world.api.ok("POST", "/orchestration/rules", body)["rule"]
    assert rule["destination"] == {"fiat": {"fiat_account_id": account["id"], "memo": "sweep"}}
    usd = held(world, pid, "USD")
    crypto = rule["source"]["crypto"]
    world.api.ok(
        "POST", f"/sandbox/profiles/{pid}/deposit",
        {"asset": "USDG", "amount": "75", "crypto_network": "SOLANA",
         "crypto_address": crypto["address"]},
    )  # fmt: skip
    (run,) = world.api.ok(
        "GET", "/orchestration/orchestrations", orchestration_rule_id=[rule["id"]]
    )["items"]
    assert run["source"] == {"crypto": crypto}
    assert run["destination"] == {"fiat": {"bank_account_id": account["id"], "memo": "sweep"}}
    leg_id = run["destination_transfer"]["transfer_id"]
    leg = world.api.ok("GET", f"/transfer/transfers/{leg_id}")
    assert leg["type"] == "WIRE_WITHDRAWAL"
    deposit_id = leg["auto_conversion"]["from_transfer_id"]
    landed = world.api.ok("GET", f"/transfer/transfers/{deposit_id}")
    assert landed["type"] == "CRYPTO_DEPOSIT"
    assert landed["auto_conversion"] == {"to_transfer_id": leg_id}
    world.clock.advance(5)
    assert world.api.ok("GET", f"/orchestration/orchestrations/{run['id']}")["status"] == (
        "COMPLETED"
    )
    assert held(world, pid, "USD") == usd  # converted and wired out
    audited(world)


def test_rule_destinations_are_checked_when_the_rule_is_made(world):
    pid = world.profile_id("default")
    btc = address(world, "BITCOIN", BTC_ADDRESS)
    pending = fiat_account(world, approved=False)
    base = {
        "ref_id": "rd", "profile_id": pid, "source_asset": "USD", "destination_asset": "USDG",
        "source": {"fiat": {"network": "WIRE", "account_type": "ABA"}},
    }  # fmt: skip
    for destination, status, fragment in [
        ({"crypto": {"crypto_address_id": "nope"}}, 404, f"{UNKNOWN_ADDRESS}: nope"),
        ({"crypto": {"crypto_address_id": btc["id"]}}, 400, NOT_ON_BITCOIN),
        ({"fiat": {"fiat_account_id": pending["id"]}}, 400, "must be approved"),
        ({"crypto": {}}, 400, "destination.crypto.crypto_address_id is required"),
        ({"fiat": {"bank_account_id": pending["id"]}}, 400,
         "destination.fiat.fiat_account_id is required"),  # the preview's name: discarded
    ]:  # fmt: skip
        got, problem = world.api.post("/orchestration/rules", {**base, "destination": destination})
        assert got == status, (destination, problem)
        assert fragment in problem["detail"], (destination, problem)
    assert "rd" not in {r["ref_id"] for r in world.api.ok("GET", "/orchestration/rules")["items"]}


@pytest.mark.parametrize("kind", ["profile", "crypto", "fiat", "other"])
def test_no_orchestration_request_answers_501(world, kind):
    pid = world.profile_id("default")
    dest, account = address(world), fiat_account(world)
    parts = {
        "profile": {"profile": {"profile_id": pid}},
        "crypto": {"crypto": {"address_id": dest["id"]}},
        "fiat": {"fiat": {"bank_account_id": account["id"]}},
        "other": {"carrier_pigeon": {}},
    }
    for n, source in enumerate(parts.values()):
        body = order("3", parts[kind], ref_id=f"n-{kind}-{n}", source="USD",
                     target="USD" if kind == "fiat" else "USDG")  # fmt: skip
        body["source"] = source
        status, problem = world.api.post("/orchestration/orchestrations", body)
        assert status < 500, (body, problem)
    rule_parts = {**parts, "crypto": {"crypto": {"crypto_address_id": dest["id"]}},
                  "fiat": {"fiat": {"fiat_account_id": account["id"]}}}  # fmt: skip
    for n, source in enumerate(
        ({"crypto": {"network": "ETHEREUM"}}, {"fiat": {"network": "WIRE", "account_type": "ABA"}})
    ):
        body = {
            "ref_id": f"nr-{kind}-{n}", "profile_id": pid, "source": source,
            "source_asset": "USD" if "fiat" in source else "USDG",
            "destination_asset": "USD" if "fiat" in source and kind != "fiat" else "USDG",
            "destination": rule_parts[kind],
        }  # fmt: skip
        if kind == "fiat":
            body.update(source_asset="USDG", destination_asset="USD")
        status, problem = world.api.post("/orchestration/rules", body)
        assert status < 500, (body, problem)


def test_a_payout_is_a_withdrawal_for_the_identity_controls(world):
    """A CLOSED identity may not withdraw: an orchestration of that identity paying out to a
    crypto address is refused (403 naming the control); one to a profile still runs."""
    ident = world.api.ok("POST", "/identity/identities", person(1))["id"]
    world.clock.advance(1)  # the onboarding decision: APPROVED
    control = {"identity_id": ident, "type": "CLOSED", "reason_code": "OTHER"}
    world.api.ok("POST", "/identity/controls", control)
    pid, dest = world.profile_id("default"), address(world)
    usd = held(world, pid, "USD")
    got, problem = world.api.post(
        "/orchestration/orchestrations",
        order("100", {"crypto": {"address_id": dest["id"]}}, ref_id="ctl-1", identity_id=ident),
    )
    assert got == 403, problem
    assert "active CLOSED control" in problem["detail"]
    assert held(world, pid, "USD") == usd
    kept = order("100", {"profile": {"profile_id": pid}}, ref_id="ctl-2", identity_id=ident)
    assert world.api.ok("POST", "/orchestration/orchestrations", kept)["status"] == "PROCESSING"
