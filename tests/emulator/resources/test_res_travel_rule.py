"""Crypto deposits held for travel-rule information: update (release), reject, and the
confirming and failing deposits forced with emu.outcomes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from money_support import Money


@pytest.fixture
def m() -> Money:
    return Money()


def _held(m: Money) -> dict:
    m.ledger.outcomes.next("CreateSandboxDeposit", "NEEDS_INFO")
    body = {"asset": "ETH", "amount": "0.25", "crypto_network": "ETHEREUM"}
    activity = m.ok("POST", f"/sandbox/profiles/{m.pid}/deposit", body)["activity_id"]
    return m.transfer(activity)


def _eth(m: Money) -> Decimal:
    return Decimal(m.ok("GET", f"/profiles/{m.pid}/balances/ETH")["available"])


def test_a_held_deposit_released_by_the_originators_details(m):
    before = _eth(m)
    held = _held(m)
    assert held["status"] == "PENDING"
    assert held["secondary_status"] == {"name": "TRAVEL_RULE_INFO_REQUESTED"}
    assert _eth(m) == before  # held: nothing credited
    found = m.ok("GET", "/transfer/transfers?secondary_statuses=TRAVEL_RULE_INFO_REQUESTED")
    assert [t["id"] for t in found["items"]] == [held["id"]]
    body = {
        "identity_id": "4fd025ab-f29f-47e6-a02e-df90a61c7ec9",
        "originator_address_info": {
            "individual_info": {"first_name": "Ada", "last_name": "Lovelace"}
        },
    }
    assert m.ok("POST", f"/transfer/crypto-deposits/{held['id']}/update", body) == {}
    released = m.transfer(held["id"])
    assert released["status"] == "PENDING"
    assert "secondary_status" not in released
    assert (
        m.fails(409, "POST", f"/transfer/crypto-deposits/{held['id']}/update", body)["detail"]
        == f"crypto deposit {held['id']} does not need info"
    )
    m.later(1)
    assert m.transfer(held["id"])["status"] == "COMPLETED"
    assert _eth(m) == before + Decimal("0.25")
    assert m.event_types() == [
        "transfer.crypto_deposit.pending",
        "transfer.crypto_deposit.completed",
    ]
    m.audit_ok()


def test_a_rejected_deposit_is_forfeited(m):
    before = _eth(m)
    held = _held(m)
    body = {"identity_id": "4fd025ab-f29f-47e6-a02e-df90a61c7ec9"}
    assert m.ok("POST", f"/transfer/crypto-deposits/{held['id']}/reject", body) == {}
    rejected = m.transfer(held["id"])
    assert rejected["status"] == "FAILED"
    assert rejected["secondary_status"] == {"name": "CUSTOMER_REJECTED"}
    m.later(5)
    assert _eth(m) == before
    assert m.event_types() == ["transfer.crypto_deposit.pending", "transfer.crypto_deposit.failed"]
    m.fails(409, "POST", f"/transfer/crypto-deposits/{held['id']}/reject", body)
    m.audit_ok()


def test_crypto_deposit_errors(m):
    body = {"identity_id": "4fd025ab-f29f-47e6-a02e-df90a61c7ec9"}
    assert m.fails(400, "POST", "/transfer/crypto-deposits/123/reject", body)["detail"] == (
        "id must be uuid, given 123"
    )
    unknown = "00000000-0000-4000-8000-00000000000a"
    assert (
        m.fails(404, "POST", f"/transfer/crypto-deposits/{unknown}/reject", body)["detail"]
        == f"no crypto deposit found for id: {unknown}"
    )
    done = m.ok(
        "POST",
        f"/sandbox/profiles/{m.pid}/deposit",
        {"asset": "BTC", "amount": "0.01", "crypto_network": "BITCOIN"},
    )["activity_id"]
    assert m.fails(409, "POST", f"/transfer/crypto-deposits/{done}/reject", body)["title"] == (
        "Conflict"
    )
    held = _held(m)
    both = {
        **body,
        "originator_address_info": {
            "individual_info": {"first_name": "A", "last_name": "B"},
            "institution_info": {"institution_name": "C"},
        },
    }
    assert (
        "exactly one of"
        in m.fails(400, "POST", f"/transfer/crypto-deposits/{held['id']}/update", both)["detail"]
    )
    m.fails(400, "POST", f"/transfer/crypto-deposits/{held['id']}/update", body)


def test_a_held_deposit_to_an_identity_address_is_rejected_by_that_identity_only(m):
    address = m.ok(
        "POST",
        "/transfer/deposit-addresses",
        {
            "profile_id": m.pid,
            "crypto_network": "SOLANA",
            "identity_id": "id-owner",
            "metadata": {"user": "42"},
        },
    )
    m.ledger.outcomes.next("CreateSandboxDeposit", "NEEDS_INFO")
    body = {
        "asset": "SOL",
        "amount": "1",
        "crypto_network": "SOLANA",
        "crypto_address": address["address"],
    }
    held = m.transfer(m.ok("POST", f"/sandbox/profiles/{m.pid}/deposit", body)["activity_id"])
    assert held["identity_id"] == "id-owner"
    assert held["metadata"] == {"user": "42"}  # inherited from the deposit address
    m.fails(400, "POST", f"/transfer/crypto-deposits/{held['id']}/reject", {"identity_id": "x"})
    m.ok("POST", f"/transfer/crypto-deposits/{held['id']}/reject", {"identity_id": "id-owner"})


def test_confirming_and_failing_crypto_deposits(m):
    before = _eth(m)
    m.ledger.outcomes.next("CreateSandboxDeposit", "PENDING")
    m.ledger.outcomes.next("CreateSandboxDeposit", "FAILED")
    body = {"asset": "ETH", "amount": "1", "crypto_network": "ETHEREUM"}
    first = m.ok("POST", f"/sandbox/profiles/{m.pid}/deposit", body)["activity_id"]
    second = m.ok("POST", f"/sandbox/profiles/{m.pid}/deposit", body)["activity_id"]
    assert m.transfer(first)["status"] == m.transfer(second)["status"] == "PENDING"
    m.later(1)
    assert (m.transfer(first)["status"], m.transfer(second)["status"]) == ("COMPLETED", "FAILED")
    assert _eth(m) == before + 1
    m.audit_ok()
