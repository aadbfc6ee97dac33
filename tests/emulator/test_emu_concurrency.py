"""Reads on the event loop, writes on the backend thread, the clock moved from a third thread.

The ledger's lock is the one lock around emulated state. The event loop must never wait for
it (a read that finds it busy goes to the backend thread), so the loop keeps serving while a
long write holds the lock; and settlement run by ``emu.advance()`` from another thread
interleaves with requests without breaking the conservation identity.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import datetime, timezone

import pytest
import requests

from paxos_nb.emulator import Clock, Emulator

START = datetime(2026, 7, 1, 9, 30, tzinfo=timezone.utc)


def _token(emu: Emulator) -> dict[str, str]:
    demo = emu.demo_client
    assert demo is not None
    form = {"grant_type": "client_credentials", "client_id": demo.client_id}
    form["client_secret"] = demo.client_secret
    r = requests.post(emu.token_url, data=form, timeout=10)
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_a_busy_ledger_never_stalls_the_event_loop():
    with Emulator(seed=0, rate_limits=False) as emu:
        headers = _token(emu)
        waiting: list[requests.Response] = []

        def read_profiles() -> None:
            waiting.append(requests.get(emu.api_url + "/profiles", headers=headers, timeout=30))

        with emu.ledger.lock:  # a long write, as far as the server can tell
            reader = threading.Thread(target=read_profiles)
            reader.start()
            reader.join(0.3)  # the read has arrived and waits for the ledger
            assert waiting == []
            # The loop is free: what it answers itself comes at once (reads that need the
            # ledger queue on the backend thread, behind the one that waits).
            assert requests.get(emu.stats_url, timeout=5).status_code == 200
            assert requests.get(emu.url, timeout=5).json()["api_url"] == emu.api_url
        reader.join(30)
        assert [r.status_code for r in waiting] == [200]


@pytest.mark.timeout(120)
def test_advancing_the_clock_while_writing_conserves_money():
    clock = Clock(at=START)
    with Emulator(seed=1, rate_limits=False, clock=clock) as emu:
        headers = _token(emu)
        pids = [p["id"] for p in requests.get(
            emu.api_url + "/profiles", headers=headers, timeout=10).json()["items"]]  # fmt: skip
        statuses: Counter = Counter()
        unbalanced: list[dict] = []
        stop = threading.Event()

        def writer(k: int) -> None:
            rng = random.Random(k)
            with requests.Session() as s:
                for _ in range(40):
                    source, target = rng.sample(pids, 2)
                    body = {"from_profile_id": source, "to_profile_id": target}
                    body.update(amount="0.01", asset=rng.choice(["USD", "BTC", "USDP"]))
                    r = s.post(emu.api_url + "/transfer/internal", json=body, headers=headers)
                    statuses[r.status_code] += 1

        def advancer() -> None:
            while not stop.is_set():
                emu.advance(0.4)  # settles from this thread, under the ledger lock
                audit = emu.ledger.audit()
                bad = {a: line["difference"] for a, line in audit.items() if line["difference"]}
                if bad:
                    unbalanced.append(bad)

        threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
        mover = threading.Thread(target=advancer)
        mover.start()
        for t in threads:
            t.start()
        for t in threads:
            t.join(90)
        stop.set()
        mover.join(30)
        assert statuses == Counter({200: 160})
        assert unbalanced == []
        emu.advance(1)
        assert emu.ledger.upcoming() == []
        with emu.ledger.lock:
            assert not [t for t in emu.ledger.transfers if t.status == "PENDING"]
        assert all(line["in_flight"] == 0 for line in emu.ledger.audit().values())
