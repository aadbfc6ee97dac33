"""Writes under lost replies: the server saves a write and drops the answer.

With a ``ref_id`` the client retries and the retry's 409 ``already-exists`` hands back the
saved object: 100 runs (internal transfers, orders, deposit addresses; some retries meet a
second fault) leave exactly 100 records and 0 duplicates, and the money moved once. Without
a ``ref_id`` the client never retries: it raises a ``TransportError`` that says why, and the
server saw exactly one attempt.
"""

from __future__ import annotations

import random
import secrets
import uuid
from collections import Counter
from decimal import Decimal

import pytest

from paxos_nb.config import Credentials
from paxos_nb.emulator import Emulator
from paxos_nb.errors import APIError, TransportError
from paxos_nb.session import connect
from paxos_nb.transport import RetryPolicy

RUNS = 100
AMOUNT = Decimal("0.01")
SCOPES = [
    "funding:read_profile",
    "transfer:read_transfer",
    "transfer:write_internal_transfer",
    "transfer:read_deposit_address",
    "transfer:write_deposit_address",
    "exchange:read_order",
    "exchange:write_order",
    "funding:write_profile",
]


@pytest.fixture(scope="module")
def world():
    # settle_after=0: pending transfers complete at the next request, so balances are final
    with Emulator(
        seed=0, rate_limits=False, ledger_options={"settle_after": 0}, fault_proxy=True
    ) as emu:
        secret = secrets.token_urlsafe(24)
        emu.add_client(client_id="write-retrier", client_secret=secret, scopes=SCOPES)
        creds = Credentials("write-retrier", secret, "local", api_url=emu.api_url)
        waits: list[float] = []
        with connect(creds, SCOPES, retry=RetryPolicy(sleep=waits.append)) as session:
            profiles = {p["nickname"]: p["id"] for p in session.get("/profiles")["items"]}
            yield emu, session, profiles, waits


# operation id -> (path, body builder); every body is a fresh write of its kind
def _internal(profiles, ref):
    body = {"from_profile_id": profiles["default"], "to_profile_id": profiles["trading"]}
    return "/transfer/internal", {**body, "amount": str(AMOUNT), "asset": "PAXG", "ref_id": ref}


def _order(profiles, ref):
    body = {"side": "BUY", "market": "BTCUSD", "type": "LIMIT", "base_amount": "0.001"}
    path = f"/profiles/{profiles['treasury']}/orders"
    return path, {**body, "price": "1000.00", "ref_id": ref}  # far below the market: rests


def _address(profiles, ref):
    body = {"profile_id": profiles["default"], "crypto_network": "ETHEREUM"}
    return "/transfer/deposit-addresses", {**body, "ref_id": ref}


WRITES = {
    "CreateInternalTransfer": _internal,
    "CreateOrder": _order,
    "CreateDepositAddress": _address,
}


def _records_with(emu, refs: set[str]) -> Counter:
    """How many records of each family carry one of ``refs`` (read from the ledger)."""
    led = emu.ledger
    with led.lock:
        found: Counter = Counter()
        for family in ("transfers", "orders", "deposit_addresses"):
            for record in getattr(led, family):
                if getattr(record, "ref_id", None) in refs:
                    found[record.ref_id] += 1
    return found


def _paxg(session, profile_id: str) -> Decimal:
    return Decimal(session.get(f"/profiles/{profile_id}/balances/PAXG")["available"])


def test_lost_replies_with_ref_id_give_100_records_and_no_duplicate(world):
    emu, session, profiles, _ = world
    rng = random.Random(7)
    before = emu.stats()
    paxg_before = {name: _paxg(session, pid) for name, pid in profiles.items()}
    audit_before = emu.ledger.audit()
    results: dict[str, dict] = {}
    ops = list(WRITES)
    second_faults = 0
    for i in range(RUNS):
        op = ops[i % len(ops)]
        ref = f"rel-{op}-{i}-{uuid.uuid4().hex[:8]}"
        path, body = WRITES[op](profiles, ref)
        emu.faults.inject_next("reset_after_write", operation_id=op)
        if rng.random() < 0.3:  # the retry itself meets a fault before the 409
            emu.faults.inject_next(rng.choice(["503", "429", "reset"]), operation_id=op)
            second_faults += 1
        results[ref] = session.post(path, json=body)
    assert emu.faults.pending == 0

    # every call returned the saved object, and each ref_id has exactly one record
    for ref, result in results.items():
        assert result["ref_id"] == ref
    found = _records_with(emu, set(results))
    assert len(found) == RUNS
    assert sum(found.values()) == RUNS, [r for r, n in found.items() if n > 1]
    by_id = {
        ref: next(r.id for fam in ("transfers", "orders", "deposit_addresses")
                  for r in getattr(emu.ledger, fam) if getattr(r, "ref_id", None) == ref)
        for ref in results
    }  # fmt: skip
    assert all(results[ref]["id"] == by_id[ref] for ref in results)

    # the same through the API: one listed object per ref_id
    internal = [r for r in results if "Internal" in r]
    listed = session.frame("/transfer/transfers", ref_ids=internal, progress=False)
    assert sorted(listed.ref_id) == sorted(internal)
    orders = [r for r in results if "Order" in r]
    listed = session.frame("/orders", ref_ids=orders, progress=False)
    assert sorted(listed.ref_id) == sorted(orders)

    # the money moved once per transfer: PAXG left default and reached trading exactly
    moved = AMOUNT * len(internal)
    paxg_after = {name: _paxg(session, pid) for name, pid in profiles.items()}
    assert paxg_after["default"] == paxg_before["default"] - moved
    assert paxg_after["trading"] == paxg_before["trading"] + moved
    audit = emu.ledger.audit()
    assert all(line["difference"] == 0 for line in audit.values())
    assert audit["PAXG"]["balances"] == audit_before["PAXG"]["balances"]

    after = emu.stats()
    lost = after["faults_injected"]["reset_after_write"] - before["faults_injected"].get(
        "reset_after_write", 0
    )
    conflicts = after["responses"].get("409", 0) - before["responses"].get("409", 0)
    assert lost == RUNS
    assert conflicts == RUNS  # each retry met the saved write exactly once
    print(
        f"write retries: {RUNS} writes, {lost} replies lost, {second_faults} second faults, "
        f"{conflicts} 409s answered with the saved object, {len(found)} records, "
        f"{sum(found.values()) - len(found)} duplicates"
    )


NO_REF = {
    "CreateInternalTransfer": ("POST", _internal),
    "CreateOrder": ("POST", _order),
    "CreateDepositAddress": ("POST", _address),
}


@pytest.mark.parametrize("kind", ["reset_after_write", "reset", "503", "429"])
@pytest.mark.parametrize("op", list(NO_REF))
def test_a_write_without_ref_id_is_never_retried(world, op, kind):
    emu, session, profiles, waits = world
    method, build = NO_REF[op]
    path, body = build(profiles, "unused")
    del body["ref_id"]
    body_key = uuid.uuid4().hex[:12]  # finds the record when there is no ref_id
    body["metadata"] = {"probe": body_key}
    before = emu.stats()["api_requests"]["by_operation"].get(op, 0)
    waited = len(waits)
    emu.faults.inject_next(kind, operation_id=op)
    with pytest.raises((TransportError, APIError)) as info:
        session.request(method, path, json=body)
    attempts = emu.stats()["api_requests"]["by_operation"].get(op, 0) - before
    assert attempts == 1  # the server saw exactly one attempt
    assert len(waits) == waited  # and the client never waited to try again
    error = info.value
    if kind.startswith("reset"):
        assert isinstance(error, TransportError)
        assert "ref_id" in error.hint
        assert "never retried" in error.hint
    else:
        assert error.status == int(kind)
    saved = _records_with_metadata(emu, body_key)
    assert saved == (1 if kind == "reset_after_write" else 0)


def _records_with_metadata(emu, key: str) -> int:
    led = emu.ledger
    with led.lock:
        return sum(
            1
            for family in ("transfers", "orders", "deposit_addresses")
            for record in getattr(led, family)
            if (getattr(record, "metadata", None) or {}).get("probe") == key
        )
