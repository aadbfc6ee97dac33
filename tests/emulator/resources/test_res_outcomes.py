"""Forced outcomes: the API, and the failure paths of the families emulated before."""

from __future__ import annotations

import pytest
from money_support import Money

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
