"""The emulator's clock and the scheduler: delayed transitions shown without sleeping."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from paxos_nb.emulator import Clock
from paxos_nb.emulator.ledger import Ledger

START = datetime(2026, 7, 1, 9, 30, tzinfo=timezone.utc)  # the world fixture's frozen clock
# Withdrawals broadcast 60 s after they are made (the other families: 1 s).
SLOW = pytest.mark.parametrize("world", [{"delays": {"crypto_withdrawal": 60}}], indirect=True)


def test_a_frozen_clock_moves_only_when_advanced():
    clock = Clock(at=START)
    assert clock.frozen
    assert clock.now() == START == clock.now()
    assert clock.advance(1.5) == START + timedelta(seconds=1.5) == clock.now()
    assert clock.advance(timedelta(minutes=1)) == START + timedelta(seconds=61.5)
    assert "frozen" in repr(clock)


def test_a_running_clock_follows_wall_time_plus_what_was_added():
    clock = Clock()
    before = datetime.now(timezone.utc)
    moved = clock.advance(3600)
    assert not clock.frozen
    assert before + timedelta(seconds=3600) <= moved <= clock.now()
    assert clock.now() - datetime.now(timezone.utc) > timedelta(seconds=3599)
    frozen = clock.freeze()
    assert clock.frozen
    assert clock.now() == frozen
    assert clock.resume() >= frozen
    assert not clock.frozen
    assert clock.now() - frozen < timedelta(seconds=60)  # it goes on from there


def test_the_clock_never_goes_back():
    clock = Clock(at=START)
    with pytest.raises(ValueError, match="never goes back"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="never goes back"):
        clock.freeze(START - timedelta(seconds=1))
    with pytest.raises(ValueError, match="timezone-aware"):
        Clock(at=datetime(2026, 7, 1))  # naive: the mistake under test
    assert clock.now() == START


def test_subscribers_hear_every_move():
    clock, heard = Clock(at=START), []
    clock.subscribe(lambda now, step: heard.append((now, step.total_seconds())))
    clock.advance(2)
    clock.freeze(START + timedelta(seconds=5))
    clock.freeze()
    assert heard == [
        (START + timedelta(seconds=2), 2),
        (START + timedelta(seconds=5), 3),
        (START + timedelta(seconds=5), 0),
    ]


@SLOW
def test_advance_completes_due_work_at_once(world):
    pid = world.profile_id("default")
    body = {"profile_id": pid, "asset": "BTC", "crypto_network": "BITCOIN", "amount": "0.001"}
    body["destination_address"] = "tb1qdestination"
    made = world.api.ok("POST", "/transfer/crypto-withdrawals", body)
    transfer = world.ledger.transfers.by_id[made["id"]]
    ((due, family),) = world.ledger.upcoming()
    assert family == "crypto_withdrawal"
    assert due == transfer.created_at + timedelta(seconds=60)
    world.emu.advance(59)
    assert transfer.status == "PENDING"  # no request needed to know: the clock moved
    assert world.emu.advance(1) == START + timedelta(seconds=60)
    assert transfer.status == "COMPLETED"  # completed by advance() itself
    assert world.ledger.upcoming() == []
    done = world.api.ok("GET", f"/transfer/transfers/{made['id']}")
    assert done["status"] == "COMPLETED"
    stamp = done["updated_at"].replace("Z", "+00:00")  # Python 3.10 does not read Z
    assert datetime.fromisoformat(stamp) == due  # the due instant, exactly


@SLOW
def test_every_other_family_keeps_settle_after(world):
    src, dst = world.profile_id("default"), world.profile_id("trading")
    body = {"from_profile_id": src, "to_profile_id": dst, "amount": "1", "asset": "USD"}
    debit = world.api.ok("POST", "/transfer/internal", body)
    assert [f for _, f in world.ledger.upcoming()] == ["internal_transfer"]
    world.emu.advance(1)
    assert world.ledger.transfers.by_id[debit["id"]].status == "COMPLETED"


def test_delays_are_checked():
    with pytest.raises(ValueError, match="unknown delay family 'withdrawal'; known: internal"):
        Ledger(0, history=5, delays={"withdrawal": 60})
    with pytest.raises(ValueError, match="delay of orchestration must be >= 0"):
        Ledger(0, history=5, delays={"orchestration": -1})
    ledger = Ledger(0, history=5, settle_after=2, delays={"quote_execution": 0})
    delays = ledger.core.scheduler.delays
    assert delays["quote_execution"] == timedelta(0)
    assert delays["stablecoin_conversion"] == timedelta(seconds=2)
