"""The backends: reset() replays the seeded world, and every state change is announced."""

from __future__ import annotations

from datetime import datetime, timezone

from resources_harness import Direct

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
