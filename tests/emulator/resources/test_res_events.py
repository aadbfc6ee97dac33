"""The events feed: a Paxos event for every documented state change, and GET /events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from identity_support import person
from jsonschema import Draft4Validator, FormatChecker
from resources_harness import Direct

from paxos_nb.catalog import schemas
from paxos_nb.emulator.backends.core import Change
from paxos_nb.emulator.backends.events import EVENT_TYPES, RAILS
from paxos_nb.emulator.ledger import Ledger

NOW = datetime(2026, 7, 1, 9, 30, tzinfo=timezone.utc)
SINCE = "2026-07-01T00:00:00Z"  # after the seeded history


class Feed:
    """Handlers in-process on a small ledger, at a clock the test moves."""

    def __init__(self) -> None:
        self.ledger = Ledger(0, history=60)
        self.direct = Direct(self.ledger, NOW)
        self.pid = self.ledger.default_profile_id

    def ok(self, method: str, target: str, body: object = None) -> dict:
        status, data = self.direct(method, target, body)
        assert status == 200, (status, data)
        return data

    def later(self, seconds: float) -> None:
        self.direct.now += timedelta(seconds=seconds)
        self.ok("GET", "/profiles")

    def new(self) -> list[dict]:
        """The events since the seeded history, oldest first."""
        return self.ok("GET", f"/events?created_at.gt={SINCE}")["events"]

    def types(self) -> list[str]:
        return [e["type"] for e in self.new()]


@pytest.fixture
def feed() -> Feed:
    return Feed()


def test_the_documented_vocabulary():
    assert len(RAILS) == 15
    assert len(EVENT_TYPES) == 55  # 7 identity + 3 orchestration + 45 transfer (docs)
    assert "transfer.rtp_deposit.failed" in EVENT_TYPES
    assert "transfer.rtp_withdrawal.pending" not in EVENT_TYPES
    assert not any("internal" in t or "paxos" in t for t in EVENT_TYPES)


def test_seeded_history_has_its_events_in_time_order(feed):
    events = feed.ok("GET", "/events?limit=100")["events"]
    assert len(events) == len(feed.ledger.events) > 50  # 60 seeded events and the funding
    stamps = [e["created_at"] for e in events]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == len(events)
    seeded = {t.id: t for t in feed.ledger.transfers}
    for event in events:
        transfer = seeded[event["object"]["id"]]
        # A seeded transfer was created in its final status: one event, at its updated_at.
        assert event["type"] == f"transfer.{transfer.type.lower()}.{transfer.status.lower()}"
        assert event["object_type"] == "transfer_status_change"
        assert event["undelivered_webhooks"] == 0
    internal = [t.id for t in seeded.values() if t.type.startswith("INTERNAL")]
    assert internal
    assert not {e["object"]["id"] for e in events} & set(internal)


def test_crypto_withdrawal_pending_then_completed(feed):
    body = {
        "profile_id": feed.pid,
        "asset": "BTC",
        "crypto_network": "BITCOIN",
        "destination_address": "tb1qexample",
        "amount": "0.001",
        "ref_id": "ev-w",
    }
    made = feed.ok("POST", "/transfer/crypto-withdrawals", body)
    assert feed.types() == ["transfer.crypto_withdrawal.pending"]
    feed.later(1)
    events = feed.new()
    assert [e["type"] for e in events] == [
        "transfer.crypto_withdrawal.pending",
        "transfer.crypto_withdrawal.completed",
    ]
    pending, done = (e["object"] for e in events)
    assert pending == {
        "id": made["id"],
        "profile_id": feed.pid,
        "type": "CRYPTO_WITHDRAWAL",
        "status": "PENDING",
        "ref_id": "ev-w",
        "crypto_network": "BITCOIN",
    }
    assert done["status"] == "COMPLETED"
    assert done["crypto_tx_hash"]
    assert (
        events[1]["created_at"] == feed.ok("GET", f"/transfer/transfers/{made['id']}")["updated_at"]
    )


def test_a_transfer_created_completed_emits_only_completed(feed):
    body = {"asset": "ETH", "amount": "0.5", "crypto_network": "ETHEREUM"}
    feed.ok("POST", f"/sandbox/profiles/{feed.pid}/deposit", body)
    assert feed.types() == ["transfer.crypto_deposit.completed"]
    feed.ok("POST", f"/sandbox/profiles/{feed.pid}/deposit", {"asset": "USD", "amount": "5"})
    assert feed.types()[-1] == "transfer.wire_deposit.completed"


def test_internal_transfers_and_balances_make_no_events(feed):
    target = next(p.id for p in feed.ledger.profiles if p.id != feed.pid)
    body = {"from_profile_id": feed.pid, "to_profile_id": target, "amount": "1", "asset": "USD"}
    feed.ok("POST", "/transfer/internal", body)
    feed.later(2)
    assert feed.new() == []


def test_orchestration_processing_then_completed(feed):
    body = {
        "ref_id": "ev-o",
        "source_asset": "USD",
        "destination_asset": "USDG",
        "source_amount": "10",
    }
    made = feed.ok("POST", "/orchestration/orchestrations", body)
    feed.later(1)
    events = feed.new()
    assert [e["type"] for e in events] == ["orchestration.processing", "orchestration.completed"]
    assert events[0]["object"] == {"id": made["id"], "ref_id": "ev-o", "status": "PROCESSING"}
    assert events[1]["object_type"] == "orchestration_status_change"
    assert events[1]["object"]["status"] == "COMPLETED"


def test_get_event_and_its_errors(feed):
    first = feed.ok("GET", "/events?limit=1")["events"][0]
    assert feed.ok("GET", f"/events/{first['id']}") == first
    assert feed.direct("GET", "/events/not-a-uuid") == (
        400,
        {
            "type": "about:blank",
            "title": "Bad Request",
            "status": 400,
            "detail": "error parsing event id",
        },
    )
    unknown = "00000000-0000-4000-8000-000000000000"
    assert feed.direct("GET", f"/events/{unknown}") == (
        404,
        {"type": "about:blank", "title": "Not Found", "status": 404},  # no detail, as Paxos
    )
    assert feed.direct("GET", f"/events/{first['id']}?is_test=true")[0] == 404


def test_list_filters_and_limits(feed):
    assert feed.direct("GET", "/events?limit=101")[1]["detail"] == (
        "limit must be between 1 and 100"
    )
    assert feed.direct("GET", "/events?limit=0")[0] == 400
    status, problem = feed.direct("GET", "/events?type=transfer.wire_deposit.complete")
    assert status == 400
    assert "did you mean transfer.wire_deposit.completed" in problem["detail"]
    assert feed.ok("GET", "/events?is_test=true")["events"] == []  # test events: Dashboard only
    kind = "transfer.crypto_deposit.completed"
    only = feed.ok("GET", f"/events?type={kind}&limit=100")["events"]
    assert only
    assert {e["type"] for e in only} == {kind}
    every = feed.ok("GET", "/events?limit=100")["events"]
    assert len(every) > 12
    pick = every[10]["created_at"]
    assert [e["id"] for e in feed.ok("GET", f"/events?created_at.eq={pick}")["events"]] == [
        every[10]["id"]
    ]
    window = feed.ok(
        "GET", f"/events?created_at.gt={every[3]['created_at']}&created_at.lte={pick}"
    )["events"]
    assert [e["id"] for e in window] == [e["id"] for e in every[4:11]]
    both = f"/events?created_at.gte={pick}&created_at.gt={pick}&limit=1"  # gt is the tighter
    assert feed.ok("GET", both)["events"][0]["id"] == every[11]["id"]


def test_paging_by_created_at_gt_sees_every_event_once(feed):
    # Events that happen in one instant get instants 1 µs apart, so moving created_at.gt to
    # the last one seen never skips one.
    for _ in range(5):
        feed.ok("POST", f"/sandbox/profiles/{feed.pid}/deposit", {"asset": "USD", "amount": "1"})
    seen, lower = [], "1970-01-01T00:00:00Z"
    while True:
        page = feed.ok("GET", f"/events?limit=7&created_at.gt={lower}")["events"]
        seen += [e["id"] for e in page]
        if len(page) < 7:
            break
        lower = page[-1]["created_at"]
    assert len(seen) == len(set(seen)) == len(feed.ledger.events)


def test_webhook_payload_is_metadata_only(feed):
    event = next(iter(feed.ledger.events))
    assert event.webhook_payload() == {
        "id": event.id,
        "type": event.type,
        "source": "com.paxos",
        "time": event.to_json()["created_at"],
        "object": "event",
        "is_test": False,
    }


@dataclass
class StandIn:
    """A record of another family (e.g. an identity) that says what its event carries."""

    id: str

    def event_object(self, kind: str) -> tuple[str, dict]:
        return "identity_summary_status_change", {
            "id": "d840cf31-352f-4190-a476-7522bf3eafda",
            "identity_id": self.id,
            "old_summary_status": "PENDING",
            "new_summary_status": kind.split(".")[1].upper(),
        }


def test_a_change_named_as_a_paxos_event_is_recorded_through_event_object():
    ledger = Ledger(0, history=5)
    events = ledger.events
    before = len(events)
    at = NOW + timedelta(seconds=5)
    events.record(Change("identity.approved", StandIn("4fd025ab"), at, "PENDING"))
    events.record(Change("identity.updated", StandIn("4fd025ab"), at))  # not an event type
    events.record(Change("identity.denied", object(), at))  # no event_object: not recorded
    assert len(events) == before + 1
    recorded = events.window(lower=(at, True), upper=None, event_type=None, is_test=False, limit=10)
    assert [e.to_json()["type"] for e in recorded] == ["identity.approved"]
    assert recorded[0].object_type == "identity_summary_status_change"
    assert recorded[0].object["new_summary_status"] == "APPROVED"
    # Two events of one instant get instants 1 µs apart (created_at.gt paging never skips).
    events.record(Change("identity.disabled", StandIn("4fd025ab"), at))
    times = [
        e.created_at
        for e in events.window(
            lower=(at, True), upper=None, event_type=None, is_test=False, limit=10
        )
    ]
    assert times == [at, at + timedelta(microseconds=1)]


def test_reset_replays_the_same_events():
    ledger = Ledger(0, history=40)
    first = [e.to_json() for e in ledger.events]
    direct = Direct(ledger, NOW)
    direct(
        "POST",
        f"/sandbox/profiles/{ledger.default_profile_id}/deposit",
        {"asset": "USD", "amount": "3"},
    )
    assert len(ledger.events) == len(first) + 1
    ledger.reset()
    assert [e.to_json() for e in ledger.events] == first
    assert [e.to_json() for e in Ledger(0, history=40).events] == first  # same seed, same ids


def test_identity_status_changes_reach_the_feed(feed):
    """The identity family's changes (merged from its own branch) appear in GET /events with
    the object its records give, in the spec's Event shape."""
    made = feed.ok("POST", "/identity/identities", person(7))
    feed.later(1)  # the sandbox's onboarding decision: APPROVED
    path = f"/identity/identities/{made['id']}/sandbox-status"
    feed.ok("PUT", path, {"sanctions_verification_status": "DENIED"})
    feed.ok("PUT", path, {"user_disabled": {"disabled": True}})
    events = [e for e in feed.new() if e["type"].startswith("identity.")]
    wanted = ["identity.approved", "identity.denied", "identity.disabled"]
    assert [e["type"] for e in events] == wanted
    assert {e["object_type"] for e in events} == {"identity_summary_status_change"}
    assert [e["object"]["new_summary_status"] for e in events] == ["APPROVED", "DENIED", "DISABLED"]
    assert all(e["object"]["identity_id"] == made["id"] for e in events)
    declared = schemas.rooted(schemas.for_operation("ListEvents").response(200))
    validator = Draft4Validator(declared, format_checker=FormatChecker())
    assert not [e.message for e in validator.iter_errors({"events": events})]
    assert feed.ok("GET", f"/events/{events[0]['id']}") == events[0]
