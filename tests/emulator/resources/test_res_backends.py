"""The backends: reset() replays the seeded world, and every state change is announced once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from resources_harness import Direct

from paxos_nb.emulator.backends.core import KINDS, Change
from paxos_nb.emulator.ledger import Ledger

NOW = datetime(2026, 7, 1, 9, 30, tzinfo=timezone.utc)


def _move(direct: Direct) -> None:
    ids = [p["id"] for p in direct("GET", "/profiles")[1]["items"]]
    body = {"from_profile_id": ids[0], "to_profile_id": ids[1], "amount": "1.25", "asset": "USD"}
    status, _ = direct("POST", "/transfer/internal", body)
    assert status == 200


def test_reset_replays_the_seeded_world():
    ledger = Ledger(0, history=60)
    direct = Direct(ledger, NOW)
    seeded = direct("GET", "/transfer/transfers?limit=1000")
    balances = ledger.audit()
    _move(direct)
    assert direct("GET", "/transfer/transfers?limit=1000") != seeded
    ledger.reset()
    assert direct("GET", "/transfer/transfers?limit=1000") == seeded
    assert ledger.audit() == balances


def test_every_state_change_is_announced():
    ledger = Ledger(0, history=10)
    seen = []
    ledger.core.listeners.append(seen.append)
    _move(Direct(ledger, NOW))
    kinds = [change.kind for change in seen]
    assert kinds.count("transfer.created") == 2  # both legs
    assert "balance.changed" in kinds  # the debit
    assert all(change.at.tzinfo is not None for change in seen)


MARKET_DATA_KINDS = ("book.updated", "trade.created")


class Recorder:
    """Calls handlers in-process at a clock the test moves; collects announced changes."""

    def __init__(self) -> None:
        self.ledger = Ledger(0, history=40)
        self.direct = Direct(self.ledger, NOW)
        self.changes: list[Change] = []
        self.ledger.core.listeners.append(self.changes.append)
        self.pids = [p["id"] for p in self.direct("GET", "/profiles")[1]["items"]]

    def ok(self, method: str, target: str, body: object = None) -> dict:
        status, data = self.direct(method, target, body)
        assert status == 200, (status, data)
        return data

    def kinds(self) -> list[str]:
        """The account kinds announced since the last call (the public market data's
        ``book.updated`` / ``trade.created`` are checked in tests/emulator/feeds)."""
        kinds = [c.kind for c in self.changes if c.kind not in MARKET_DATA_KINDS]
        self.changes.clear()
        return kinds

    def later(self, seconds: float) -> list[str]:
        """Move the clock, read (which settles what became due); the kinds announced."""
        self.direct.now += timedelta(seconds=seconds)
        self.ok("GET", "/profiles")
        return self.kinds()


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


def test_transfer_changes(rec):
    a, b, _ = rec.pids
    rec.kinds()
    body = {"from_profile_id": a, "to_profile_id": b, "amount": "1", "asset": "USD"}
    rec.ok("POST", "/transfer/internal", body)
    assert rec.kinds() == ["balance.changed", "transfer.created", "transfer.created"]
    assert rec.later(2) == ["transfer.completed", "transfer.completed", "balance.changed"]
    body = {"profile_id": a, "asset": "BTC", "crypto_network": "BITCOIN", "amount": "0.001"}
    body["destination_address"] = "tb1qdestination"
    rec.ok("POST", "/transfer/fees/crypto-withdrawal", body)
    assert rec.kinds() == ["withdrawal_fee.created"]
    made = rec.ok("POST", "/transfer/crypto-withdrawals", body)
    assert rec.kinds() == ["balance.changed", "transfer.created"]
    rec.direct.now += timedelta(seconds=2)
    rec.ok("GET", "/profiles")
    (change,) = rec.changes
    assert (change.kind, change.previous, change.record.id) == (
        "transfer.completed",
        "PENDING",
        made["id"],
    )
    # At the due instant (settle_after = 1 s), not at the instant of the read that ran it.
    assert change.at == change.record.created_at + timedelta(seconds=1) < rec.direct.now
    rec.kinds()
    rec.ok("POST", f"/sandbox/profiles/{b}/deposit", {"asset": "USD", "amount": "5"})
    assert rec.kinds() == ["transfer.created", "balance.changed"]


def test_order_changes(rec):
    a = rec.pids[0]
    rec.kinds()
    body = {"side": "BUY", "market": "BTCUSD", "type": "MARKET", "quote_amount": "100.00"}
    rec.ok("POST", f"/profiles/{a}/orders", body)
    kinds = rec.kinds()
    fills = kinds.count("execution.created")
    assert fills >= 1
    assert kinds == ["balance.changed", "order.created"] + [
        "balance.changed",
        "balance.changed",
        "execution.created",
    ] * fills + ["balance.changed", "order.filled"]  # what it did not spend returns
    body = {"side": "BUY", "market": "PAXGUSD", "type": "LIMIT", "base_amount": "0.01"}
    resting = rec.ok("POST", f"/profiles/{a}/orders", {**body, "price": "100.00"})
    assert rec.kinds() == ["balance.changed", "order.created", "balance.changed", "order.open"]
    rec.ok("DELETE", f"/profiles/{a}/orders/{resting['id']}")
    assert rec.kinds() == ["balance.changed", "order.cancelled"]


def test_conversion_quote_and_orchestration_changes(rec):
    a, b, c = rec.pids
    rec.kinds()
    body = {"profile_id": a, "amount": "30", "source_asset": "USD", "target_asset": "PYUSD"}
    made = rec.ok("POST", "/conversion/stablecoins", body)
    assert rec.kinds() == ["balance.changed", "stablecoin_conversion.created"]
    rec.ok("DELETE", f"/conversion/stablecoins/{made['id']}")
    assert rec.kinds() == ["balance.changed", "stablecoin_conversion.cancelled"]
    rec.ok("POST", "/conversion/stablecoins", body)
    rec.kinds()
    assert rec.later(2) == ["balance.changed", "stablecoin_conversion.settled"]

    quote = rec.ok("GET", "/quotes?markets=BTCUSD")["items"][0]
    assert rec.kinds() == ["quote.created", "quote.created"]  # BUY and SELL
    body = {"quote_id": quote["id"], "quote_amount": "100.00"}
    rec.ok("POST", f"/profiles/{a}/quote-executions", body)
    assert rec.kinds() == ["balance.changed", "quote_execution.created"]
    assert rec.later(2) == ["balance.changed", "quote_execution.settled"]

    body = {"ref_id": "o-1", "source_asset": "USD", "destination_asset": "USDG"}
    body["source_amount"] = "20.00"
    rec.ok("POST", "/orchestration/orchestrations", body)
    assert rec.kinds() == [
        "balance.changed", "transfer.created", "transfer.created", "orchestration.created",
    ]  # fmt: skip
    assert rec.later(2) == [
        "transfer.completed", "transfer.completed", "balance.changed", "orchestration.completed",
    ]  # fmt: skip

    body = {"ref_id": "r-1", "profile_id": c, "source_asset": "USDG", "destination_asset": "USD"}
    rule = rec.ok(
        "POST", "/orchestration/rules", {**body, "source": {"crypto": {"network": "BASE"}}}
    )
    assert rec.kinds() == ["deposit_address.created", "orchestration_rule.created"]
    deposit = {"asset": "USDG", "amount": "7", "crypto_network": "ETHEREUM"}
    deposit["crypto_address"] = rule["rule"]["source"]["crypto"]["address"]
    rec.ok("POST", f"/sandbox/profiles/{c}/deposit", deposit)
    assert rec.kinds() == [
        "transfer.created", "balance.changed",  # the deposit lands
        "balance.changed", "transfer.created", "transfer.created", "orchestration.created",
    ]  # fmt: skip
    rec.ok("DELETE", f"/orchestration/rules/{rule['rule']['id']}")
    assert rec.kinds() == ["orchestration_rule.deleted"]
    assert b  # (three seeded profiles)


def test_profile_changes(rec):
    made = rec.ok("POST", "/profiles", {"nickname": "savings"})
    rec.ok("PUT", f"/profiles/{made['id']}", {"nickname": "rainy day"})
    rec.ok("PUT", f"/profiles/{made['id']}/deactivate")
    rec.ok("POST", f"/sandbox/profiles/{made['id']}/deposit", {"asset": "USD", "amount": "1"})
    assert rec.kinds() == [
        "profile.created", "profile.updated", "profile.deactivated",
        "transfer.created", "profile.reactivated", "balance.changed",
    ]  # fmt: skip
    rec.ok(
        "POST",
        "/transfer/deposit-addresses",
        {"profile_id": made["id"], "crypto_network": "SOLANA"},
    )
    assert rec.kinds() == ["deposit_address.created"]


# The families of issue 13, part 2 (settlement, issuer quotes, monitoring addresses, ...).
PART2_FAMILIES = {
    "settlement_transaction", "issuer_quote", "issuer_quote_execution", "monitoring_address",
    "reward_address", "payout_group", "claim_schedule", "claim",
}  # fmt: skip


def test_every_announced_kind_is_in_the_vocabulary():
    kinds = {k.split(".")[0] for k in KINDS}
    assert kinds >= PART2_FAMILIES
    kinds -= PART2_FAMILIES
    identity = {"identity", "identity_document", "institution_member", "account", "account_member"}
    assert kinds - identity == {
        "profile", "balance", "deposit_address", "transfer", "withdrawal_fee",
        "stablecoin_conversion", "quote", "quote_execution", "orchestration",
        "orchestration_rule", "order", "execution",
        # money family (issue 12)
        "crypto_destination_address", "fiat_account", "fiat_deposit_instructions",
        # live order books (issue 14)
        "book", "trade",
        # identity controls (issue 13, preview)
        "identity_control",
    }  # fmt: skip
    assert identity <= kinds
    ledger = Ledger(0, history=5)
    with ledger.lock, pytest.raises(ValueError, match=r"unknown change kind 'transfer\.moved'"):
        ledger.core.changed("transfer.moved", None)


def test_a_change_outside_the_lock_is_a_bug():
    ledger = Ledger(0, history=5)
    pid = ledger.default_profile_id
    with pytest.raises(RuntimeError, match=r"balance\.changed outside the ledger lock"):
        ledger.balances.credit(pid, "USD", Decimal(1))
    with ledger.at(NOW):
        ledger.balances.credit(pid, "USD", Decimal(1))


def test_rejected_writes_move_nothing(rec):
    """A request refused for a bad optional field leaves no trace (it used to keep the debit)."""
    a = rec.pids[0]
    before = rec.ledger.audit()
    addresses = len(rec.ledger.deposit_addresses)
    for target, body in (
        (
            "/transfer/crypto-withdrawals",
            {"profile_id": a, "asset": "BTC", "crypto_network": "BITCOIN",
             "destination_address": "tb1qx", "amount": "0.001", "metadata": "oops"},
        ),
        (
            "/conversion/stablecoins",
            {"profile_id": a, "amount": "5", "source_asset": "USD", "target_asset": "USDG",
             "metadata": {"k": 1}},
        ),
        (
            "/orchestration/rules",
            {"ref_id": "x", "profile_id": a, "source_asset": "USDG", "destination_asset": "USD",
             "source": {"crypto": {"network": "ETHEREUM"}}, "nickname": 5},
        ),
    ):  # fmt: skip
        status, problem = rec.direct("POST", target, body)
        assert status == 400, (target, problem)
    assert rec.ledger.audit() == before
    assert len(rec.ledger.deposit_addresses) == addresses
    assert rec.kinds() == []


def test_reset_empties_every_backend(rec):
    a, b, c = rec.pids
    fresh = Ledger(0, history=40)
    rec.ok("POST", f"/profiles/{a}/orders", {"side": "BUY", "market": "PAXGUSD", "type": "LIMIT",
                                             "base_amount": "0.01", "price": "100.00"})  # fmt: skip
    rec.ok("GET", "/quotes?markets=ETHUSD")
    body = {"profile_id": a, "amount": "3", "source_asset": "USD", "target_asset": "USDP"}
    rec.ok("POST", "/conversion/stablecoins", body)
    body = {"ref_id": "r", "profile_id": b, "source_asset": "USDP", "destination_asset": "USD"}
    rec.ok("POST", "/orchestration/rules", {**body, "source": {"crypto": {"network": "SOLANA"}}})
    body = {"asset": "ETH", "crypto_network": "ETHEREUM", "destination_address": "0xab"}
    rec.ok("POST", "/transfer/fees/crypto-withdrawal", {**body, "amount": "0.01"})
    assert rec.ledger.upcoming()
    rec.ledger.reset()
    for name in ("transfers", "deposit_addresses", "orders", "conversions", "orchestrations"):
        assert len(getattr(rec.ledger, name)) == len(getattr(fresh, name)), name
    assert len(rec.ledger.orders.executions) == len(rec.ledger.quotes.executions) == 0
    assert len(rec.ledger.orchestrations.rules) == len(rec.ledger.withdrawals.fees) == 0
    assert rec.ledger.quotes.by_id == rec.ledger.quotes.slots == {}
    assert rec.ledger.upcoming() == []
    assert rec.ledger.audit() == fresh.audit()
    assert c in rec.ledger.balances.by_profile
