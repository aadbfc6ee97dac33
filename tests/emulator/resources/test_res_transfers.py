"""Transfer writes: internal transfers, crypto withdrawals and fees, deposit addresses, ref_id."""

from __future__ import annotations

from decimal import Decimal

import pytest


def available(world, pid: str, asset: str) -> Decimal:
    return Decimal(world.api.ok("GET", f"/profiles/{pid}/balances/{asset}")["available"])


def test_internal_transfer_two_legs_pending_then_completed(world):
    src, dst = world.profile_id("default"), world.profile_id("trading")
    before = available(world, src, "BTC"), available(world, dst, "BTC")
    body = {
        "from_profile_id": src, "to_profile_id": dst, "amount": "0.125", "asset": "BTC",
        "ref_id": "it-1", "metadata": {"why": "test"}, "recipient_metadata": {"from": "default"},
    }  # fmt: skip
    debit = world.api.ok("POST", "/transfer/internal", body)
    assert (debit["type"], debit["direction"], debit["status"]) == (
        "INTERNAL_TRANSFER_DEBIT",
        "DEBIT",
        "PENDING",
    )
    assert debit["metadata"] == {"why": "test"}
    assert debit["ref_id"] == "it-1"
    legs = world.api.ok("GET", "/transfer/transfers", group_ids=[debit["group_id"]])["items"]
    credit = next(t for t in legs if t["direction"] == "CREDIT")
    assert (credit["type"], credit["profile_id"], credit["amount"]) == (
        "INTERNAL_TRANSFER_CREDIT",
        dst,
        "0.125",
    )
    assert credit["metadata"] == {"from": "default"}
    assert "ref_id" not in credit
    # Debited at once, credited at settlement.
    assert available(world, src, "BTC") == before[0] - Decimal("0.125")
    assert available(world, dst, "BTC") == before[1]
    assert world.ledger.audit()["BTC"]["in_flight"] == Decimal("0.125")
    world.clock.advance(1.5)  # settle_after is 1 s
    for leg in legs:
        assert world.api.ok("GET", f"/transfer/transfers/{leg['id']}")["status"] == "COMPLETED"
    assert available(world, dst, "BTC") == before[1] + Decimal("0.125")
    assert world.ledger.audit()["BTC"]["in_flight"] == 0


def test_internal_transfer_errors(world):
    src, dst = world.profile_id("default"), world.profile_id("trading")
    have = available(world, src, "USD")
    status, problem = world.api.post(
        "/transfer/internal",
        {"from_profile_id": src, "to_profile_id": dst, "amount": str(have + 1), "asset": "USD"},
    )
    assert status == 403
    assert problem["type"].endswith("/insufficient-funds")
    assert problem["meta"] == {
        "profile_id": src,
        "asset": "USD",
        "available": str(have),
        "needed": str(have + 1),
    }
    status, problem = world.api.post(
        "/transfer/internal",
        {"from_profile_id": src, "to_profile_id": "default", "amount": "1", "asset": "USD"},
    )
    assert status == 400
    assert "different profiles" in problem["detail"]
    status, problem = world.api.post(
        "/transfer/internal",
        {"from_profile_id": src, "to_profile_id": "nope", "amount": "1", "asset": "USD"},
    )
    assert status == 404
    assert available(world, src, "USD") == have  # failed requests moved nothing


def withdrawal(pid: str, **overrides) -> dict:
    body = {
        "profile_id": pid, "destination_address": "tb1qtestdestination0000000000000000000000",
        "asset": "BTC", "crypto_network": "BITCOIN", "amount": "0.001",
    }  # fmt: skip
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def test_crypto_withdrawal_lifecycle(world):
    pid = world.profile_id("default")
    before = available(world, pid, "BTC")
    transfer = world.api.ok("POST", "/transfer/crypto-withdrawals", withdrawal(pid, ref_id="wd-1"))
    assert (transfer["type"], transfer["status"], transfer["direction"]) == (
        "CRYPTO_WITHDRAWAL",
        "PENDING",
        "DEBIT",
    )
    assert Decimal(transfer["total"]) == Decimal(transfer["amount"]) + Decimal(transfer["fee"])
    assert available(world, pid, "BTC") == before - Decimal(transfer["total"])
    assert "crypto_tx_hash" not in transfer
    world.clock.advance(2)
    done = world.api.ok("GET", f"/transfer/transfers/{transfer['id']}")
    assert done["status"] == "COMPLETED"
    assert len(done["crypto_tx_hash"]) == 64
    assert done["updated_at"] > done["created_at"]
    # total instead of amount: the fee comes out of it.
    by_total = world.api.ok(
        "POST", "/transfer/crypto-withdrawals", withdrawal(pid, amount=None, total="0.0015")
    )
    assert by_total["total"] == "0.0015"
    assert Decimal(by_total["amount"]) + Decimal(by_total["fee"]) == Decimal("0.0015")


def test_crypto_withdrawal_caps_and_funds(world):
    pid = world.profile_id("trading")
    status, problem = world.api.post(
        "/transfer/crypto-withdrawals", withdrawal(pid, amount="0.0021")
    )
    assert status == 400
    assert problem["type"].endswith("/exceed-max-withdraw-limit")
    assert problem["meta"] == {"limit": "0.002", "amount": "0.0021"}
    have = available(world, pid, "USDG")
    big = withdrawal(
        pid, asset="USDG", crypto_network="SOLANA", amount=str(have), destination_address="So1ana"
    )
    status, problem = world.api.post("/transfer/crypto-withdrawals", big)
    assert status == 403
    assert problem["meta"]["asset"] == "USDG"
    assert Decimal(problem["meta"]["needed"]) == have + Decimal("0.05")
    assert Decimal(problem["meta"]["available"]) == have
    cases = [
        (withdrawal(pid, total="0.001"), "exactly one of amount or total"),
        (withdrawal(pid, asset="USD"), "cannot be withdrawn"),
        (withdrawal(pid, crypto_network="ETHEREUM"), "not supported on network"),
        (withdrawal(pid, amount="0.000000001"), "max precision allowed for asset BTC is 8"),
        (
            withdrawal(pid, asset="ETH", crypto_network="ETHEREUM", destination_address="nothex"),
            "valid ETHEREUM address",
        ),
    ]
    for body, fragment in cases:
        status, problem = world.api.post("/transfer/crypto-withdrawals", body)
        assert status == 400, (body, problem)
        assert fragment in problem["detail"], (body, problem)


def test_guaranteed_fee(world):
    pid = world.profile_id("default")
    quote = {"asset": "USDP", "crypto_network": "ETHEREUM", "destination_address": "0x" + "ab" * 20}
    fee = world.api.ok("POST", "/transfer/fees/crypto-withdrawal", {**quote, "amount": "250"})
    assert (fee["amount"], fee["fee"], fee["total"]) == ("250", "1.5", "251.5")
    body = withdrawal(pid, **quote, amount="250", fee_id=fee["id"])
    assert world.api.ok("POST", "/transfer/crypto-withdrawals", body)["fee"] == "1.5"
    status, problem = world.api.post("/transfer/crypto-withdrawals", {**body, "amount": "251"})
    assert status == 400
    assert "quoted by fee" in problem["detail"]
    status, problem = world.api.post("/transfer/crypto-withdrawals", {**body, "fee_id": "missing"})
    assert (status, problem["detail"]) == (404, "fee not found with id missing")
    world.clock.advance(61)
    status, problem = world.api.post("/transfer/crypto-withdrawals", body)
    assert status == 403
    assert problem["type"].endswith("/expired")
    assert problem["meta"]["expired_at"] == fee["expires_at"]


def test_deposit_addresses(world):
    pid = world.profile_id("trading")
    made = world.api.ok(
        "POST",
        "/transfer/deposit-addresses",
        {
            "profile_id": pid,
            "crypto_network": "BASE",
            "ref_id": "addr-1",
            "metadata": {"user": "42"},
        },
    )
    assert made["address"].startswith("0x")
    assert len(made["address"]) == 42
    assert "ETHEREUM" in made["compatible_crypto_networks"]
    assert made["conversion_target_asset"] == "NO_CONVERSION"
    status, problem = world.api.post(
        "/transfer/deposit-addresses",
        {"profile_id": pid, "crypto_network": "BASE", "ref_id": "addr-1"},
    )
    assert status == 409
    assert problem["meta"]["existing"] == made
    listed = world.api.ok("GET", "/transfer/deposit-addresses", profile_ids=[pid])["items"]
    assert listed[0] == made
    assert all(a["profile_id"] == pid for a in listed)
    assert world.api.ok("GET", "/transfer/deposit-addresses", ref_ids=["addr-1"])["items"] == [made]
    assert (
        world.api.post(
            "/transfer/deposit-addresses", {"profile_id": pid, "crypto_network": "DOGE"}
        )[0]
        == 400
    )


@pytest.mark.parametrize("family", ["internal", "withdrawal"])
def test_duplicate_ref_id_is_409_with_the_full_existing_resource(world, family):
    pid, other = world.profile_id("default"), world.profile_id("treasury")
    if family == "internal":
        path, body = (
            "/transfer/internal",
            {
                "from_profile_id": pid,
                "to_profile_id": other,
                "amount": "3",
                "asset": "USD",
                "ref_id": "dup",
            },
        )
    else:
        path, body = "/transfer/crypto-withdrawals", withdrawal(pid, ref_id="dup")
    first = world.api.ok("POST", path, body)
    world.clock.advance(5)  # a retry later still finds the original, now completed
    stored = world.api.ok("GET", f"/transfer/transfers/{first['id']}")
    before = world.ledger.audit()
    status, problem = world.api.post(path, body)
    assert status == 409
    assert problem["type"].endswith("/already-exists")
    assert problem["meta"]["existing"] == stored
    assert stored["status"] == "COMPLETED"
    assert world.ledger.audit() == before  # the duplicate moved nothing
    # Transfers share one ref_id family; other families are independent.
    status, _ = world.api.post(
        "/transfer/internal",
        {
            "from_profile_id": pid,
            "to_profile_id": other,
            "amount": "1",
            "asset": "USD",
            "ref_id": "dup",
        },
    )
    assert status == 409
    for path, body in (
        (
            "/transfer/deposit-addresses",
            {"profile_id": pid, "crypto_network": "SOLANA", "ref_id": "dup"},
        ),
        (
            "/conversion/stablecoins",
            {
                "profile_id": pid,
                "amount": "5",
                "source_asset": "USD",
                "target_asset": "USDP",
                "ref_id": "dup",
            },
        ),
        (
            "/orchestration/orchestrations",
            {
                "ref_id": "dup",
                "source_asset": "USD",
                "destination_asset": "USDG",
                "source_amount": "5",
            },
        ),
        (
            f"/profiles/{pid}/orders",
            {
                "side": "BUY",
                "market": "BTCUSD",
                "type": "MARKET",
                "quote_amount": "10",
                "ref_id": "dup",
            },
        ),
    ):
        assert world.api.post(path, body)[0] == 200, path
        assert world.api.post(path, body)[0] == 409, path
