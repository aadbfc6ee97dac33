"""Forced outcomes: the API, and the failure paths of the families emulated before."""

from __future__ import annotations

from decimal import Decimal

import pytest
from money_support import SINCE, Money
from part2_checks import assert_valid

from paxos_nb.emulator.backends.outcomes import CHOICES


@pytest.fixture
def m() -> Money:
    return Money()


def test_the_outcomes_api_names_what_is_allowed(m):
    outcomes = m.ledger.outcomes
    with pytest.raises(ValueError, match="operations that have them: CreateCryptoWithdrawal"):
        outcomes.next("ListProfiles", "FAILED")
    with pytest.raises(ValueError, match="choose one of COMPLETED, FAILED"):
        outcomes.next("CreateCryptoWithdrawal", "REJECTED")
    with pytest.raises(ValueError, match="count must be a positive integer"):
        outcomes.next("CreateCryptoWithdrawal", "FAILED", count=0)
    outcomes.next("CreateCryptoWithdrawal", "failed", count=2)
    outcomes.next("CreateSandboxDeposit", "NEEDS_INFO")
    assert outcomes.queued() == {
        "CreateCryptoWithdrawal": ["FAILED", "FAILED"],
        "CreateSandboxDeposit": ["NEEDS_INFO"],
    }
    # A USD sandbox deposit cannot be held for travel-rule info: the outcome stays queued.
    m.ok("POST", f"/sandbox/profiles/{m.pid}/deposit", {"asset": "USD", "amount": "1"})
    assert outcomes.queued()["CreateSandboxDeposit"] == ["NEEDS_INFO"]
    outcomes.clear("CreateCryptoWithdrawal")
    assert list(outcomes.queued()) == ["CreateSandboxDeposit"]
    m.ledger.reset()
    assert outcomes.queued() == {}
    assert set(CHOICES) >= {"CreateCryptoWithdrawal", "CreateOrchestration", "CreateSandboxDeposit"}


def test_a_failed_crypto_withdrawal_is_refunded(m):
    before = m.ok("GET", f"/profiles/{m.pid}/balances/BTC")["available"]
    m.ledger.outcomes.next("CreateCryptoWithdrawal", "FAILED")
    body = {
        "profile_id": m.pid,
        "asset": "BTC",
        "crypto_network": "BITCOIN",
        "destination_address": "tb1qx",
        "amount": "0.001",
    }
    made = m.ok("POST", "/transfer/crypto-withdrawals", body)
    m.later(1)
    failed = m.transfer(made["id"])
    assert failed["status"] == "FAILED"
    assert "crypto_tx_hash" not in failed
    assert m.ok("GET", f"/profiles/{m.pid}/balances/BTC")["available"] == before
    assert m.event_types() == [
        "transfer.crypto_withdrawal.pending",
        "transfer.crypto_withdrawal.failed",
    ]
    m.audit_ok()


def test_a_failed_orchestration_and_internal_transfer(m):
    before = m.usd()
    m.ledger.outcomes.next("CreateOrchestration", "FAILED")
    body = {
        "ref_id": "o-fail",
        "source_asset": "USD",
        "destination_asset": "USDG",
        "source_amount": "10",
    }
    made = m.ok("POST", "/orchestration/orchestrations", body)
    m.ledger.outcomes.next("CreateInternalTransfer", "FAILED")
    move = {"from_profile_id": m.pid, "to_profile_id": m.other, "amount": "3", "asset": "USD"}
    debit = m.ok("POST", "/transfer/internal", move)
    assert m.usd() == before - 13
    m.later(1)
    failed = m.ok("GET", f"/orchestration/orchestrations/{made['id']}")
    assert failed["status"] == "FAILED"
    assert failed["fail_reason"]["detail"]
    assert m.transfer(debit["id"])["status"] == "FAILED"
    assert m.usd() == before
    assert m.event_types() == ["orchestration.processing", "orchestration.failed"]
    m.audit_ok()


# -- status_details: a withdrawal failed with a reason (over HTTP) -----------------------------
SOLANA_ADDRESS = "7Vbsn3YqXb7kDFvEHCWZRh5osSQXzjYkeFnRhh2Mz5vT"  # the spec's example address


def _withdraw(world, **body):
    pid = world.profile_id("default")
    made = world.api.ok("POST", "/transfer/crypto-withdrawals", {"profile_id": pid, **body})
    assert_valid("CreateCryptoWithdrawal", made)
    assert made["status"] == "PENDING"
    assert "status_details" not in made  # a reason only once it failed
    return pid, made


def _available(world, pid, asset):
    return Decimal(world.api.ok("GET", f"/profiles/{pid}/balances/{asset}")["available"])


def _new_events(world):
    got = world.api.ok("GET", "/events", **{"created_at.gt": SINCE})
    assert_valid("ListEvents", got)
    return got["events"]


@pytest.mark.parametrize(
    ("outcome", "body", "details"),
    [
        (
            "MAX_RENT_EXCEEDED",
            {"asset": "USDG", "balance_asset": "USD", "crypto_network": "SOLANA",
             "destination_address": SOLANA_ADDRESS, "amount": "12.34"},
            {"max_rent_exceeded": {"message": "Transfer cancelled due to suspected system abuse",
                                   "destination_address": SOLANA_ADDRESS}},
        ),
        (
            "STALE_FEE_QUOTE",
            {"asset": "BTC", "crypto_network": "BITCOIN", "destination_address": "tb1qstale",
             "amount": "0.00123456"},
            {"stale_fee_quote": {"message": "Transfer cancelled due to a stale fee quote"}},
        ),
    ],
)  # fmt: skip
def test_a_withdrawal_failed_with_a_reason_carries_status_details(world, outcome, body, details):
    pid = world.profile_id("default")
    balance = body.get("balance_asset", body["asset"])
    before = _available(world, pid, balance)
    world.emu.outcomes.next("CreateCryptoWithdrawal", outcome)
    _, made = _withdraw(world, **body)
    debited = Decimal(made["total"])
    assert _available(world, pid, balance) == before - debited
    world.clock.advance(1)
    failed = world.api.ok("GET", f"/transfer/transfers/{made['id']}")
    assert_valid("GetTransfer", failed)
    assert failed["status"] == "FAILED"
    assert failed["status_details"] == details
    assert "crypto_tx_hash" not in failed
    assert _available(world, pid, balance) == before  # refunded to the last unit
    listed = world.api.ok("GET", "/transfer/transfers", ids=[made["id"]])
    assert_valid("ListTransfers", listed)
    assert listed["items"] == [failed]
    by_status = world.api.ok("GET", "/transfer/transfers", profile_ids=[pid], statuses=["FAILED"])
    assert failed in by_status["items"]
    events = _new_events(world)
    assert [e["type"] for e in events] == [
        "transfer.crypto_withdrawal.pending",
        "transfer.crypto_withdrawal.failed",
    ]
    last = events[-1]
    assert last["object_type"] == "transfer_status_change"
    # The event object has the documented fields only: GetTransfer on its id gives the details.
    assert last["object"]["id"] == made["id"]
    assert last["object"]["status"] == "FAILED"
    assert "status_details" not in last["object"]
    assert world.emu.outcomes.queued() == {}
    assert all(line["difference"] == 0 for line in world.ledger.audit().values())


def test_max_rent_stays_queued_off_solana(world):
    outcomes = world.emu.outcomes
    outcomes.next("CreateCryptoWithdrawal", "MAX_RENT_EXCEEDED")
    pid, made = _withdraw(
        world, asset="USDG", crypto_network="ETHEREUM", destination_address="0x" + "ab" * 20,
        amount="5",
    )  # fmt: skip
    assert outcomes.queued() == {"CreateCryptoWithdrawal": ["MAX_RENT_EXCEEDED"]}
    world.clock.advance(1)
    done = world.api.ok("GET", f"/transfer/transfers/{made['id']}")
    assert done["status"] == "COMPLETED"
    assert "status_details" not in done
    # The next SOLANA withdrawal takes it; a FAILED queued behind it waits its turn.
    outcomes.next("CreateCryptoWithdrawal", "FAILED")
    _, solana = _withdraw(
        world, asset="USDG", crypto_network="SOLANA", destination_address=SOLANA_ADDRESS,
        amount="5",
    )  # fmt: skip
    assert outcomes.queued() == {"CreateCryptoWithdrawal": ["FAILED"]}
    world.clock.advance(1)
    failed = world.api.ok("GET", f"/transfer/transfers/{solana['id']}")
    assert failed["status"] == "FAILED"
    assert set(failed["status_details"]) == {"max_rent_exceeded"}
    assert pid == failed["profile_id"]


def test_a_plain_failure_has_no_status_details(world):
    world.emu.outcomes.next("CreateCryptoWithdrawal", "FAILED")
    _, made = _withdraw(
        world, asset="USDG", crypto_network="SOLANA", destination_address=SOLANA_ADDRESS,
        amount="1",
    )  # fmt: skip
    world.clock.advance(1)
    failed = world.api.ok("GET", f"/transfer/transfers/{made['id']}")
    assert failed["status"] == "FAILED"
    assert "status_details" not in failed
