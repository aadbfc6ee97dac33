"""Paging under faults: 10% seeded transient faults and a token that expires mid-paging,
and a 10,000-row frame is still complete, in order, with unique ids, in every run.

One emulator (``history=8000``: about 10,500 transfers) serves every run. Each run connects
afresh (so the token request meets faults too), turns on random faults for one seed (429 with
Retry-After, 503 with Retry-After, connection reset; 10% of API and token requests), expires
its token on the server after a seeded number of pages, and builds
``session.frame("/transfer/transfers", limit=500, max_rows=10_000)``: 20 pages plus retries.
Waits are recorded, not slept: the client's default retry policy otherwise.
"""

from __future__ import annotations

import random
import secrets
import time
from collections import Counter

import pytest

from paxos_nb.config import Credentials
from paxos_nb.emulator import Emulator
from paxos_nb.session import connect
from paxos_nb.transport import RetryPolicy

ROWS = 10_000
PAGE = 500
RATE = 0.10
KINDS = ("429", "503", "reset")
SCOPES = ["transfer:read_transfer"]
DEFAULT_SEEDS = range(50)
SLOW_SEEDS = range(200)


class ExpireOnce:
    """Wraps the emulator's token lookup: after ``after`` accepted lookups, the token in use
    expires for real (its record's expiry moves to the past), so the server answers 401
    ``token expired`` mid-paging and keeps refusing that token."""

    def __init__(self, lookup, after: int) -> None:
        self.lookup, self.after, self.accepted, self.expired = lookup, after, 0, 0

    def __call__(self, token: str):
        record, reason = self.lookup(token)
        if record is not None and not reason:
            self.accepted += 1
            if self.accepted == self.after:
                record.expires_at = time.time() - 1
                self.expired += 1
                return record, "token expired"
        return record, reason


@pytest.fixture(scope="module")
def world():
    emu = Emulator(seed=0, rate_limits=False, ledger_options={"history": 8000}, fault_proxy=True)
    with emu:
        secret = secrets.token_urlsafe(24)
        emu.add_client(client_id="fault-pager", client_secret=secret, scopes=SCOPES)
        creds = Credentials("fault-pager", secret, "local", api_url=emu.api_url)
        with connect(creds, SCOPES) as session:
            expected = list(
                session.frame("/transfer/transfers", limit=1000, max_rows=ROWS, progress=False).id
            )
        assert len(expected) == ROWS
        assert len(set(expected)) == ROWS
        yield emu, creds, expected


def one_run(world, seed: int) -> dict[str, int]:
    """One faulty run; returns its figures (faults by kind, token requests, 401s, waits)."""
    emu, creds, expected = world
    before = emu.stats()
    waits: list[float] = []
    expire = ExpireOnce(emu.tokens.lookup, after=random.Random(seed).randint(2, 18))
    emu.tokens.lookup = expire
    emu.faults.configure(rate=RATE, seed=seed, kinds=KINDS, token_endpoint=True)
    try:
        retry = RetryPolicy(sleep=waits.append, rng=random.Random(seed))
        with connect(creds, SCOPES, retry=retry) as session:
            frame = session.frame("/transfer/transfers", limit=PAGE, max_rows=ROWS, progress=False)
            calls, token_requests = session.calls, session.token_requests
    finally:
        emu.faults.clear()
        del emu.tokens.lookup  # back to the class method
    ids = list(frame.id)
    assert len(ids) == ROWS, f"seed {seed}: {len(ids)} rows"
    assert len(set(ids)) == ROWS, f"seed {seed}: duplicate ids"
    assert ids == expected, f"seed {seed}: rows differ from the fault-free run"
    assert expire.expired == 1, f"seed {seed}: the token never expired mid-paging"
    after = emu.stats()
    faults = Counter(after["faults_injected"]) - Counter(before["faults_injected"])
    return {
        "calls": calls,
        "token_requests": token_requests,
        "waits": len(waits),
        "401": after["responses"].get("401", 0) - before["responses"].get("401", 0),
        **{f"fault {kind}": faults.get(kind, 0) for kind in KINDS},
    }


def run_seeds(world, seeds) -> Counter:
    totals: Counter = Counter()
    for seed in seeds:
        totals.update(one_run(world, seed))
    totals["runs"] = len(seeds)
    print(f"fault paging: {dict(totals)}")  # figures for docs/RELIABILITY.md (-s or -rA)
    return totals


def check_totals(totals: Counter, runs: int) -> None:
    assert totals["401"] >= runs  # every run met its expired token...
    assert totals["token_requests"] >= 2 * runs  # ...and renewed it
    for kind in KINDS:  # every fault kind happened, at about the rate asked
        assert totals[f"fault {kind}"] > 0
    injected = sum(totals[f"fault {kind}"] for kind in KINDS)
    assert 0.05 * totals["calls"] < injected < 0.2 * totals["calls"]


def test_a_10000_row_frame_survives_faults_and_expiry_50_seeds(world):
    check_totals(run_seeds(world, DEFAULT_SEEDS), len(DEFAULT_SEEDS))


@pytest.mark.slow
def test_a_10000_row_frame_survives_faults_and_expiry_200_seeds(world):
    check_totals(run_seeds(world, SLOW_SEEDS), len(SLOW_SEEDS))
