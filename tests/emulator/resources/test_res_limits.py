"""Transfer limits: rules and what is left of them, consistent with the transfers made."""

from __future__ import annotations

from decimal import Decimal

import pytest
from money_support import Money


@pytest.fixture
def m() -> Money:
    return Money()


def _limit(m: Money, transfer_type: str, period: str = "86400") -> dict:
    items = m.ok("GET", f"/transfer/limits/utilizations?transfer_type={transfer_type}")["items"]
    return next(item for item in items if item["period_seconds"] == period)


def test_remaining_follows_the_transfers_made(m):
    account = m.approved_account()
    before = _limit(m, "WIRE_WITHDRAWAL")
    assert before["transfer_types"] == ["CBIT_WITHDRAWAL", "CUBIX_WITHDRAWAL", "WIRE_WITHDRAWAL"]
    assert before["limit_asset"] == "USD"
    assert before["id"]
    assert before["rule_id"]
    body = {"profile_id": m.pid, "fiat_account_id": account["id"], "asset": "USD"}
    m.ok("POST", "/transfer/fiat-withdrawals", {**body, "amount": "1000"})
    m.ledger.outcomes.next("CreateFiatWithdrawal", "FAILED")
    m.ok("POST", "/transfer/fiat-withdrawals", {**body, "amount": "500"})
    assert Decimal(_limit(m, "CUBIX_WITHDRAWAL")["remaining"]) == Decimal(
        before["remaining"]
    ) - Decimal(1500)  # the pending failure counts until it fails
    m.later(3)
    after = _limit(m, "WIRE_WITHDRAWAL")
    assert Decimal(after["remaining"]) == Decimal(before["remaining"]) - 1000  # not the failure
    assert after["rule_id"] == before["rule_id"]
    per_tx = _limit(m, "WIRE_WITHDRAWAL", "0")
    assert "id" not in per_tx  # a per-transaction limit has no utilization id
    assert per_tx["remaining"] == per_tx["limit"]
    m.later(86_400)
    assert _limit(m, "WIRE_WITHDRAWAL")["remaining"] == before["limit"]  # the window moved


def test_limits_are_enforced_and_reported(m):
    account = m.approved_account()
    m.ok("POST", f"/sandbox/profiles/{m.pid}/deposit", {"asset": "USD", "amount": "2000000"})
    body = {"profile_id": m.pid, "fiat_account_id": account["id"], "asset": "USD"}
    problem = m.fails(400, "POST", "/transfer/fiat-withdrawals", {**body, "amount": "1000000.01"})
    assert problem["type"].endswith("/exceed-max-withdraw-limit")
    assert problem["meta"] == {"limit": "1000000", "amount": "1000000.01"}
    crypto = m.ok("GET", "/transfer/limits/utilizations?transfer_type=CRYPTO_WITHDRAWAL")["items"]
    assert [i["transfer_types"] for i in crypto] == [["CRYPTO_WITHDRAWAL"]]
    assert m.ok("GET", "/transfer/limits/utilizations?transfer_type=CUBIX_DEPOSIT") == {
        "items": []
    }  # CUBIX deposits are never limited
    assert m.fails(400, "GET", "/transfer/limits/utilizations")["detail"] == (
        "transfer_type is required"
    )
    m.fails(400, "GET", "/transfer/limits/utilizations?transfer_type=WIRE")


def test_deposits_count_but_are_never_refused(m):
    before = Decimal(_limit(m, "WIRE_DEPOSIT")["remaining"])
    m.ok("POST", f"/sandbox/profiles/{m.pid}/deposit", {"asset": "USD", "amount": "12.5"})
    assert Decimal(_limit(m, "WIRE_DEPOSIT")["remaining"]) == before - Decimal("12.5")
