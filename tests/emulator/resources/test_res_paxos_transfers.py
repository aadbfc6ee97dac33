"""Paxos transfers: a COMPLETED debit to a profile of another entity."""

from __future__ import annotations

from decimal import Decimal

import pytest
from money_support import Money

from paxos_nb.emulator.backends.paxos import COUNTERPARTIES


@pytest.fixture
def m() -> Money:
    return Money()


def test_a_paxos_transfer_to_another_entity(m):
    target = COUNTERPARTIES[0].profile_id
    before = m.usd()
    body = {
        "from_profile_id": m.pid,
        "to_profile_id": target,
        "amount": "25.50",
        "asset": "USD",
        "ref_id": "px-1",
        "metadata": {"mine": "1"},
        "recipient_metadata": {"theirs": "2"},
    }
    made = m.ok("POST", "/transfer/paxos", body)
    assert (made["type"], made["direction"], made["status"]) == (
        "PAXOS_TRANSFER_DEBIT",
        "DEBIT",
        "COMPLETED",
    )
    assert (made["fee"], made["total"], made["metadata"]) == ("0", "25.5", {"mine": "1"})
    assert made["group_id"]
    assert m.usd() == before - Decimal("25.50")
    credit = m.ledger.paxos_transfers.delivered[-1]
    assert credit.type == "PAXOS_TRANSFER_CREDIT"
    assert credit.group_id == made["group_id"]
    assert credit.metadata == {"theirs": "2"}
    listed = m.ok("GET", f"/transfer/transfers?group_ids={made['group_id']}")["items"]
    assert [t["id"] for t in listed] == [made["id"]]  # the credit leg is the other entity's
    assert m.event_types() == []  # Paxos documents no event for them
    again = m.fails(409, "POST", "/transfer/paxos", body)
    assert again == {
        "type": "https://api.paxos.com/v2/problems/already-exists",
        "title": "Already exists",
        "status": 409,
        "detail": "Transfer with ref_id already exists",
    }
    m.audit_ok()


def test_paxos_transfer_errors(m):
    body = {"from_profile_id": m.pid, "amount": "1", "asset": "USD"}
    own = m.fails(400, "POST", "/transfer/paxos", {**body, "to_profile_id": m.other})
    assert "POST /transfer/internal" in own["detail"]
    unknown = "00000000-0000-4000-8000-000000000009"
    assert (
        m.fails(404, "POST", "/transfer/paxos", {**body, "to_profile_id": unknown})["detail"]
        == f"profile not found: {unknown}"
    )
    target = COUNTERPARTIES[1].profile_id
    short = m.fails(
        403, "POST", "/transfer/paxos", {**body, "to_profile_id": target, "amount": "9999999"}
    )
    assert short["type"].endswith("/insufficient-funds")
