"""16 threads x 200 mixed requests through ONE shared PaxosSession: no 5xx, money conserved.

Each thread draws its requests from its own seeded generator: reads (profiles, balances, a
transfers page, orders), internal transfers (half with a ref_id), sandbox deposits, resting
limit orders and cancels. Pending transfers settle 0.5 s after creation, so settlement runs
concurrently with everything else. Checked:

* no answer >= 500 and no transport error, client or server side;
* ``ledger.audit()`` balances to exactly zero at every instant (a monitor thread audits
  while the threads run) and at the end;
* through the API, with the emulator's clock frozen for a consistent snapshot:
  ``sum(available + trading) + pending debits == seed + deposits`` per asset, exactly; and
  once everything settled, ``balances == seed + deposits`` with nothing pending.
"""

from __future__ import annotations

import random
import secrets
import threading
import time
from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from paxos_nb.config import Credentials
from paxos_nb.emulator import Emulator
from paxos_nb.errors import APIError, PaxosError
from paxos_nb.session import connect

THREADS, REQUESTS = 16, 200
ASSETS = {"USD": None, "PAXG": "ETHEREUM", "USDP": "ETHEREUM"}  # asset -> deposit network
SCOPES = [
    "funding:read_profile",
    "transfer:read_transfer",
    "transfer:write_internal_transfer",
    "exchange:read_order",
    "exchange:write_order",
]
EXPECTED_REFUSALS = {403, 404}  # insufficient funds; an order another thread cancelled first


@pytest.fixture(scope="module")
def world():
    options = {"settle_after": 0.5}
    with Emulator(seed=3, rate_limits=False, ledger_options=options) as emu:
        secret = secrets.token_urlsafe(24)
        emu.add_client(client_id="concurrent", client_secret=secret, scopes=SCOPES)
        creds = Credentials("concurrent", secret, "local", api_url=emu.api_url)
        with connect(creds, SCOPES) as session:
            yield emu, session


def api_totals(session, profiles) -> dict[str, Decimal]:
    """Per asset: sum over profiles of available + trading, read through the API."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for pid in profiles:
        for line in session.get(f"/profiles/{pid}/balances")["items"]:
            totals[line["asset"]] += Decimal(line["available"]) + Decimal(line["trading"])
    return totals


def api_pending(session) -> tuple[dict[str, Decimal], int]:
    """Per asset: money debited and not yet credited (PENDING debit legs), and their count."""
    pending: dict[str, Decimal] = defaultdict(Decimal)
    rows = list(session.records("/transfer/transfers", statuses="PENDING", limit=1000))
    for row in rows:
        if row["direction"] == "DEBIT":
            pending[row["asset"]] += Decimal(row["amount"]) + Decimal(row.get("fee") or 0)
    return pending, len(rows)


class Worker:
    def __init__(self, index: int, session, profiles: list[str]) -> None:
        self.rng = random.Random(index)
        self.index, self.session, self.profiles = index, session, profiles
        self.outcomes: Counter = Counter()
        self.deposits: dict[str, Decimal] = defaultdict(Decimal)
        self.orders: list[tuple[str, str]] = []
        self.failures: list[str] = []

    def run(self) -> None:
        for n in range(REQUESTS):
            kind = self.rng.choices(
                ["read", "internal", "deposit", "order", "cancel"], [40, 25, 15, 12, 8]
            )[0]
            try:
                getattr(self, kind)(n)
                self.outcomes[(kind, 200)] += 1
            except APIError as exc:
                self.outcomes[(kind, exc.status)] += 1
                if exc.status not in EXPECTED_REFUSALS:
                    self.failures.append(f"{kind}: {exc}")
            except PaxosError as exc:  # a transport error: the server did not answer
                self.failures.append(f"{kind}: {type(exc).__name__}: {exc}")

    def read(self, n: int) -> None:
        pid = self.rng.choice(self.profiles)
        path = self.rng.choice(
            ["/profiles", f"/profiles/{pid}/balances", "/transfer/transfers", "/orders"]
        )
        self.session.get(path, params={"limit": 20} if "balances" not in path else None)

    def internal(self, n: int) -> None:
        source, target = self.rng.sample(self.profiles, 2)
        asset = self.rng.choice(list(ASSETS))
        amount = "0.25" if asset != "PAXG" else "0.0025"
        body = {"from_profile_id": source, "to_profile_id": target, "amount": amount}
        body["asset"] = asset
        if self.rng.random() < 0.5:
            body["ref_id"] = f"conc-{self.index}-{n}"
        self.session.post("/transfer/internal", json=body)

    def deposit(self, n: int) -> None:
        pid = self.rng.choice(self.profiles)
        asset = self.rng.choice(list(ASSETS))
        amount = Decimal(self.rng.randint(1, 5000)) / 100
        body = {"asset": asset, "amount": str(amount)}
        if ASSETS[asset]:
            body["crypto_network"] = ASSETS[asset]
        self.session.post(f"/sandbox/profiles/{pid}/deposit", json=body)
        self.deposits[asset] += amount  # only once the server said it is done

    def order(self, n: int) -> None:
        pid = self.rng.choice(self.profiles)
        body = {"side": "BUY", "market": "PAXGUSD", "type": "LIMIT", "base_amount": "0.01"}
        body.update(price="100.00", ref_id=f"conc-order-{self.index}-{n}")  # rests unfilled
        made = self.session.post(f"/profiles/{pid}/orders", json=body)
        self.orders.append((pid, made["id"]))

    def cancel(self, n: int) -> None:
        if not self.orders:
            self.read(n)
            return
        pid, order_id = self.orders.pop(self.rng.randrange(len(self.orders)))
        self.session.delete(f"/profiles/{pid}/orders/{order_id}")


def test_16_threads_x_200_requests_no_5xx_and_exact_conservation(world):
    emu, session = world
    profiles = [p["id"] for p in session.get("/profiles")["items"]]
    seed_totals = api_totals(session, profiles)
    assert api_pending(session)[1] == 0

    stop = threading.Event()
    audits: list[int] = []
    unbalanced: list[dict] = []

    def monitor() -> None:  # the identity must hold at every instant, not only at the end
        while not stop.wait(0.005):
            audit = emu.ledger.audit()
            audits.append(1)
            bad = {a: line["difference"] for a, line in audit.items() if line["difference"]}
            if bad:
                unbalanced.append(bad)

    workers = [Worker(i, session, profiles) for i in range(THREADS)]
    threads = [threading.Thread(target=w.run, name=f"worker-{w.index}") for w in workers]
    watcher = threading.Thread(target=monitor, name="auditor")
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    stop.set()
    watcher.join(timeout=60)
    assert not any(t.is_alive() for t in threads)

    outcomes = sum((w.outcomes for w in workers), Counter())
    failures = [f for w in workers for f in w.failures]
    deposits: dict[str, Decimal] = defaultdict(Decimal)
    for w in workers:
        for asset, amount in w.deposits.items():
            deposits[asset] += amount
    statuses = emu.stats()["responses"]
    assert failures == [], failures[:10]
    assert sum(outcomes.values()) == THREADS * REQUESTS
    assert not [s for s in statuses if s.startswith("5")], statuses
    assert unbalanced == [], unbalanced[:3]
    assert len(audits) > 1
    for kind in ("read", "internal", "deposit", "order", "cancel"):
        assert outcomes[(kind, 200)] > 0, kind

    # Through the API, on a frozen clock so nothing settles between the reads.
    frozen = emu.now()
    emu.now = lambda: frozen
    try:
        pending, pending_rows = api_pending(session)
        totals = api_totals(session, profiles)
    finally:
        del emu.now
    for asset in ASSETS:
        assert totals[asset] + pending[asset] == seed_totals[asset] + deposits[asset], asset
    for asset in set(seed_totals) - set(ASSETS):  # assets nobody touched did not move
        assert totals[asset] == seed_totals[asset], asset

    # Once everything due has settled, nothing is pending and the balances alone add up.
    for _ in range(200):
        left = api_pending(session)[1]
        if left == 0:
            break
        time.sleep(0.05)  # a wait for settlement, not a timing assertion
    assert left == 0
    totals = api_totals(session, profiles)
    for asset in ASSETS:
        assert totals[asset] == seed_totals[asset] + deposits[asset], asset
    assert all(line["difference"] == 0 for line in emu.ledger.audit().values())
    print(
        f"concurrency: {THREADS} threads x {REQUESTS} requests, outcomes {dict(outcomes)}, "
        f"{len(audits)} audits while running, {pending_rows} transfer legs pending at the "
        f"snapshot, deposits {dict(deposits)}, statuses {statuses}"
    )
