"""The money families answer in the spec's shapes, and generated inputs never make a 5xx.

1. One scenario over HTTP calls every operation of the events, fiat, limits, Paxos transfer,
   crypto deposit and destination address families; a test per operation checks that it
   answered 200 (not 501) and validates each of its answers (200s and problems) against the
   catalog's response schema for that operation and status
   (``paxos_nb.catalog.schemas``, draft 4, as the spec is OpenAPI 3.0).
2. For each of those operations, Hypothesis generates request bodies and query values from
   the catalog's request schemas (``schema_strategies.py``), mixed with real ids so the
   calls reach past the lookups; every answer is a 2xx or 4xx that validates too.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator, FormatChecker
from money_support import Money, owner, wire
from schema_strategies import values

from paxos_nb import catalog
from paxos_nb.catalog import schemas
from paxos_nb.emulator.backends.paxos import COUNTERPARTIES
from paxos_nb.emulator.routes import load

MODULES = (
    ".events",
    ".fiat",
    ".fiat_accounts",
    ".limits",
    ".paxos_transfers",
    ".crypto_deposits",
    ".destinations",
)
OPERATIONS = sorted(op for op, fn in load().items() if fn.__module__.endswith(MODULES))


def problems_in(operation_id: str, status: int, body: Any) -> list[str]:
    """Schema violations of one answer (an undeclared error status: the Problem schema)."""
    declared = schemas.for_operation(operation_id).response(status)
    if declared is None and status >= 400:
        declared = {"$ref": "#/components/Problem"}
    if declared is None:
        return [f"{operation_id} declares no {status} answer"]
    validator = Draft4Validator(schemas.rooted(declared), format_checker=FormatChecker())
    return [
        f"{operation_id} {status} {'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(body)
    ]


def test_the_money_operations_are_the_ones_tested_here():
    assert (
        sorted(
            [
                "ListEvents",
                "GetEvent",
                "ListFiatAccounts",
                "CreateFiatAccount",
                "GetFiatAccount",
                "UpdateFiatAccount",
                "DeleteFiatAccount",
                "ListFiatDepositInstructions",
                "CreateFiatDepositInstructions",
                "GetFiatDepositInstructions",
                "CreateFiatWithdrawal",
                "InitiateSandboxFiatDeposit",
                "CreatePaxosTransfer",
                "ListTransferLimits",
                "UpdateCryptoDeposit",
                "RejectCryptoDeposit",
                "PutCryptoDestinationAddress",
                "ListCryptoDestinationAddresses",
            ]
        )
        == OPERATIONS
    )


Answers = dict[str, list[tuple[int, Any, str]]]


@pytest.fixture(scope="module")
def answers(module_world: Any) -> Answers:
    """Every answer of one scenario over HTTP, by operation: (status, body, request)."""
    world = module_world
    api, seen = world.api, {}

    def check(method: str, path: str, body: Any = None, expect: int = 200, **params: Any) -> Any:
        status, data = api.call(method, path, body, **params)
        assert status == expect, (method, path, status, data)
        kind = api.last.headers["Content-Type"]
        assert kind.startswith("application/json" if status == 200 else "application/problem+json")
        op = catalog.match(method, path)
        assert op is not None
        seen.setdefault(op.operation_id, []).append((status, data, f"{method} {path} {params}"))
        return data

    pid = world.profile_id("default")
    account = check(
        "POST",
        "/transfer/fiat-accounts",
        {"fiat_account_owner": owner(), "fiat_network_instructions": wire(), "ref_id": "s-fa"},
    )
    check("POST", "/transfer/fiat-accounts", {"fiat_account_owner": owner()}, expect=400)
    world.clock.advance(2)
    check("GET", "/transfer/fiat-accounts")
    check("GET", "/transfer/fiat-accounts", include_deleted="true", limit=1)
    check("GET", f"/transfer/fiat-accounts/{account['id']}")
    check("GET", "/transfer/fiat-accounts/123", expect=400)
    check("PUT", f"/transfer/fiat-accounts/{account['id']}", {"metadata": {"a": "b"}})
    world.clock.advance(2)
    instructions = check(
        "POST",
        "/transfer/fiat-deposit-instructions",
        {"profile_id": pid, "fiat_network": "WIRE", "routing_number_type": "SWIFT"},
    )
    check("GET", "/transfer/fiat-deposit-instructions")
    check("GET", f"/transfer/fiat-deposit-instructions/{instructions['id']}")
    check("GET", "/transfer/fiat-deposit-instructions/x", expect=400)
    body = {
        "amount": "500.25",
        "asset": "USD",
        "memo_id": instructions["memo_id"],
        "fiat_network_instructions": wire(),
    }
    check("POST", "/sandbox/fiat-deposits", body)
    check("POST", "/sandbox/fiat-deposits", {**body, "memo_id": "NONE"}, expect=400)
    world.clock.advance(60)
    withdrawal = {
        "profile_id": pid,
        "fiat_account_id": account["id"],
        "asset": "USD",
        "amount": "100",
        "ref_id": "s-fw",
    }
    check("POST", "/transfer/fiat-withdrawals", withdrawal)
    check("POST", "/transfer/fiat-withdrawals", withdrawal, expect=409)
    check(
        "POST",
        "/transfer/fiat-withdrawals",
        {**withdrawal, "ref_id": "s-2", "amount": "99999999"},
        expect=403,
    )
    check("GET", "/transfer/limits/utilizations", transfer_type="WIRE_WITHDRAWAL")
    check("GET", "/transfer/limits/utilizations", expect=400)
    paxos = {
        "from_profile_id": pid,
        "to_profile_id": COUNTERPARTIES[0].profile_id,
        "amount": "1",
        "asset": "USD",
        "ref_id": "s-px",
    }
    check("POST", "/transfer/paxos", paxos)
    check("POST", "/transfer/paxos", paxos, expect=409)
    check("POST", "/transfer/paxos", {**paxos, "ref_id": "s-px2", "to_profile_id": "x"}, expect=404)
    world.emu.outcomes.next("CreateSandboxDeposit", "NEEDS_INFO", count=2)
    held = [
        check(
            "POST",
            f"/sandbox/profiles/{pid}/deposit",
            {"asset": "USDG", "amount": "5", "crypto_network": "SOLANA"},
        )["activity_id"]
        for _ in range(2)
    ]
    identity = {"identity_id": "4fd025ab-f29f-47e6-a02e-df90a61c7ec9"}
    info = {
        **identity,
        "originator_address_info": {"institution_info": {"institution_name": "Exchange"}},
    }
    check("POST", f"/transfer/crypto-deposits/{held[0]}/update", info)
    check("POST", f"/transfer/crypto-deposits/{held[0]}/update", info, expect=409)
    check("POST", f"/transfer/crypto-deposits/{held[1]}/reject", identity)
    check("POST", "/transfer/crypto-deposits/nope/reject", identity, expect=400)
    unknown = "00000000-0000-4000-8000-000000000000"
    check("POST", f"/transfer/crypto-deposits/{unknown}/reject", identity, expect=404)
    address = check(
        "PUT",
        "/transfer/crypto-destination-address",
        {"crypto_network": "ETHEREUM", "address": "0x" + "1" * 40},
    )
    check(
        "PUT",
        "/transfer/crypto-destination-address",
        {"id": address["address"]["id"], "bookmarked_status": True},
    )
    check("PUT", "/transfer/crypto-destination-address", {}, expect=400)
    check("GET", "/transfer/crypto-destination-addresses", bookmarked_status="true")
    check("DELETE", f"/transfer/fiat-accounts/{account['id']}")
    check("DELETE", f"/transfer/fiat-accounts/{account['id']}", expect=404)
    world.clock.advance(5)
    events = check("GET", "/events", **{"created_at.gte": "2026-07-01T00:00:00Z"})["events"]
    assert {e["object_type"] for e in events} == {"transfer_status_change"}
    check("GET", "/events", limit=3, type="transfer.crypto_deposit.completed")
    check("GET", "/events", limit=500, expect=400)
    check("GET", f"/events/{events[0]['id']}")
    check("GET", "/events/x", expect=400)
    check("GET", f"/events/{unknown}", expect=404)
    return seen


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_every_answer_matches_the_spec(operation_id, answers):
    found = answers.get(operation_id, [])
    assert 200 in {status for status, _, _ in found}, f"{operation_id} never answered 200"
    errors = [
        f"{where}: {error}"
        for status, body, where in found
        for error in problems_in(operation_id, status, body)
    ]
    assert not errors, "\n".join(errors)


# -- generated inputs ---------------------------------------------------------------------------
Ids = dict[str, list[Any]]


@pytest.fixture(scope="module")
def money() -> tuple[Money, Ids]:
    """A small world, and ids that exist in it so generated calls get past the lookups."""
    m = Money(history=20)
    account = m.approved_account()
    instructions = m.instructions()
    m.ledger.outcomes.next("CreateSandboxDeposit", "NEEDS_INFO")
    deposit = {"asset": "ETH", "amount": "1", "crypto_network": "ETHEREUM"}
    held = m.ok("POST", f"/sandbox/profiles/{m.pid}/deposit", deposit)["activity_id"]
    ids = {
        "profile_id": [m.pid, m.other],
        "from_profile_id": [m.pid],
        "to_profile_id": [COUNTERPARTIES[0].profile_id, m.other],
        "fiat_account_id": [account["id"]],
        "memo_id": [instructions["memo_id"]],
        "id": [account["id"], instructions["id"], held, next(iter(m.ledger.events)).id],
        "asset": ["USD", "BTC"],
        "amount": ["10", "0.01", "100000000"],
        "fiat_network_instructions": [wire()],
        "fiat_account_owner": [owner()],
        "identity_id": ["4fd025ab-f29f-47e6-a02e-df90a61c7ec9"],
    }
    return m, ids


def _with_real_ids(data: Any, ids: Ids, picks: list[int]) -> Any:
    """``data`` with some fields replaced by real ids and usable values (``picks`` choose
    which), so that generated calls also reach the deeper checks."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for n, (name, real) in enumerate(ids.items()):
        pick = picks[n % len(picks)]
        if name in out and pick % 3:
            out[name] = real[pick % len(real)]
    return out


def _strategy(operation_id: str, ids: Ids) -> st.SearchStrategy[tuple[str, dict[str, Any], Any]]:
    """(path, query, body) drawn from the operation's request schemas."""
    op = catalog.by_id(operation_id)
    spec = schemas.for_operation(operation_id)
    query = st.fixed_dictionaries(
        {},
        optional={name: values(schema) for name, schema in spec.query.items()},
    )
    body = values(spec.body) if spec.body is not None else st.none()
    ident = st.one_of(st.sampled_from(ids["id"]), st.text(min_size=1, max_size=40))
    path = ident.map(lambda value: op.path.replace("{id}", quote(value, safe="")))
    picks = st.lists(st.integers(0, 11), min_size=3, max_size=3)
    return st.tuples(
        path, query, st.tuples(body, picks).map(lambda bp: _with_real_ids(bp[0], ids, bp[1]))
    )


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_generated_inputs_never_break_the_emulator(operation_id, money):
    m, ids = money
    op = catalog.by_id(operation_id)

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(_strategy(operation_id, ids))
    def run(case: tuple[str, dict[str, Any], Any]) -> None:
        path, query, body = case
        params = {k: json.dumps(v) if isinstance(v, bool) else v for k, v in query.items()}
        target = path + ("?" + urlencode(params, doseq=True) if params else "")
        status, answer = m.call(op.method, target, body)
        assert status < 500, (target, body, answer)
        assert not problems_in(operation_id, status, answer), (target, body, answer)

    run()
    m.direct.now += timedelta(seconds=5)  # let delayed work run between operations
