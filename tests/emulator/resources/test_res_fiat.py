"""Fiat transfers: fiat accounts, deposit instructions, withdrawals, sandbox fiat deposits."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from money_support import Money, owner, wire


@pytest.fixture
def m() -> Money:
    return Money()


# -- fiat accounts -------------------------------------------------------------------------------
def test_a_fiat_account_is_pending_then_approved(m):
    made = m.ok(
        "POST",
        "/transfer/fiat-accounts",
        {
            "fiat_account_owner": owner(),
            "fiat_network_instructions": wire(),
            "ref_id": "fa-1",
            "identity_id": "8a398cb6-4e3b-4868-9cea-a1c567856e68",
            "metadata": {"k": "v"},
        },
    )
    assert made["status"] == "PENDING"
    assert made["fiat_account_owner"] == owner()
    assert made["fiat_network_instructions"] == wire()  # in full on create and get
    assert made["ref_id"] == "fa-1"
    assert made["metadata"] == {"k": "v"}
    m.later(1)
    assert m.ok("GET", f"/transfer/fiat-accounts/{made['id']}")["status"] == "PENDING"
    m.later(1)
    got = m.ok("GET", f"/transfer/fiat-accounts/{made['id']}")
    assert got["status"] == "APPROVED"
    assert got["updated_at"] > got["created_at"]


def test_the_list_masks_the_number_and_leaves_the_owner_out(m):
    made = m.approved_account()
    row = m.ok("GET", "/transfer/fiat-accounts")["items"][0]
    assert row["id"] == made["id"]
    assert "fiat_account_owner" not in row
    assert row["fiat_network_instructions"]["wire"]["account_number"] == "XXXXXXXXXX4512"
    assert (
        m.ok("GET", f"/transfer/fiat-accounts/{made['id']}")["fiat_network_instructions"]["wire"][
            "account_number"
        ]
        == "74600021314512"
    )


def test_a_forced_rejection(m):
    m.ledger.outcomes.next("CreateFiatAccount", "REJECTED")
    made = m.approved_account()
    assert m.ok("GET", f"/transfer/fiat-accounts/{made['id']}")["status"] == "REJECTED"
    body = {"profile_id": m.pid, "fiat_account_id": made["id"], "asset": "USD", "amount": "1"}
    problem = m.fails(400, "POST", "/transfer/fiat-withdrawals", body)
    assert problem["detail"] == "fiat account has invalid status REJECTED, must be approved"


def test_an_update_goes_back_to_pending_and_keeps_the_numbers(m):
    made = m.approved_account()
    change = {
        "fiat_account_owner": {"person_details": {"first_name": "Meg", "last_name": ""}},
        "fiat_network_instructions": {"wire": {"routing_details": {"bank_name": "First Bank"}}},
        "metadata": {"n": "2"},
    }
    updated = m.ok("PUT", f"/transfer/fiat-accounts/{made['id']}", change)
    assert updated["status"] == "PENDING"
    assert updated["fiat_account_owner"] == {
        "person_details": {"first_name": "Meg", "last_name": "Snow"}  # empty values ignored
    }
    routing = updated["fiat_network_instructions"]["wire"]["routing_details"]
    assert routing["bank_name"] == "First Bank"
    assert routing["routing_number"] == "031302971"
    assert updated["metadata"] == {"n": "2"}
    m.later(2)
    assert m.ok("GET", f"/transfer/fiat-accounts/{made['id']}")["status"] == "APPROVED"


def test_an_update_before_the_review_restarts_it(m):
    made = m.ok(
        "POST",
        "/transfer/fiat-accounts",
        {"fiat_account_owner": owner(), "fiat_network_instructions": wire()},
    )
    m.later(1.5)
    m.ledger.outcomes.next("UpdateFiatAccount", "REJECTED")
    m.ok("PUT", f"/transfer/fiat-accounts/{made['id']}", {"metadata": {"a": "b"}})
    m.later(1)  # the first review would decide now: it is void
    assert m.ok("GET", f"/transfer/fiat-accounts/{made['id']}")["status"] == "PENDING"
    m.later(1)
    assert m.ok("GET", f"/transfer/fiat-accounts/{made['id']}")["status"] == "REJECTED"


def test_account_errors(m):
    made = m.approved_account()
    other = {"fiat_account_owner": {"institution_details": {"name": "Co"}}}
    assert m.fails(400, "PUT", f"/transfer/fiat-accounts/{made['id']}", other)["detail"] == (
        "fiat_account_owner cannot be changed from person to institution"
    )
    assert m.fails(400, "GET", "/transfer/fiat-accounts/123456")["detail"] == (
        "id must be uuid, given '123456'"
    )
    unknown = "00000000-0000-4000-8000-000000000001"
    assert m.fails(404, "GET", f"/transfer/fiat-accounts/{unknown}")["detail"] == (
        f"no fiat account found for id: '{unknown}'"
    )
    assert m.fails(404, "PUT", f"/transfer/fiat-accounts/{unknown}", {})["detail"] == (
        f"fiat_account with id {unknown} not found"
    )
    bad = wire()
    del bad["wire"]["account_number"]
    body = {"fiat_account_owner": owner(), "fiat_network_instructions": bad}
    assert m.fails(400, "POST", "/transfer/fiat-accounts", body)["detail"] == (
        "account_number must be set"
    )
    bad = wire()
    bad["wire"]["fiat_account_owner_address"]["city"] = "x" * 36
    detail = m.fails(
        400,
        "POST",
        "/transfer/fiat-accounts",
        {"fiat_account_owner": owner(), "fiat_network_instructions": bad},
    )["detail"]
    assert detail.startswith("fiat_network_instructions.wire.fiat_account_owner_address.city")
    two = {**wire(), "cubix": {"account_id": "c-1"}}
    assert (
        "exactly one of"
        in m.fails(
            400,
            "POST",
            "/transfer/fiat-accounts",
            {"fiat_account_owner": owner(), "fiat_network_instructions": two},
        )["detail"]
    )
    m.ok(
        "POST",
        "/transfer/fiat-accounts",
        {"fiat_account_owner": owner(), "fiat_network_instructions": wire(), "ref_id": "dup"},
    )
    again = m.fails(
        409,
        "POST",
        "/transfer/fiat-accounts",
        {"fiat_account_owner": owner(), "fiat_network_instructions": wire(), "ref_id": "dup"},
    )
    assert again["meta"]["existing"]["ref_id"] == "dup"


def test_delete_hides_the_account(m):
    made = m.approved_account()
    assert m.ok("DELETE", f"/transfer/fiat-accounts/{made['id']}") == {}
    m.fails(404, "GET", f"/transfer/fiat-accounts/{made['id']}")
    assert m.ok("GET", f"/transfer/fiat-accounts/{made['id']}?include_deleted=true")
    assert m.ok("GET", "/transfer/fiat-accounts")["items"] == []
    assert len(m.ok("GET", "/transfer/fiat-accounts?include_deleted=true")["items"]) == 1
    body = {"profile_id": m.pid, "fiat_account_id": made["id"], "asset": "USD", "amount": "1"}
    assert m.fails(404, "POST", "/transfer/fiat-withdrawals", body)["detail"] == (
        "fiat account not found with requested ID"
    )


def test_account_list_paging_and_filters(m):
    made = [
        m.ok(
            "POST",
            "/transfer/fiat-accounts",
            {"fiat_account_owner": owner(), "fiat_network_instructions": wire(), "ref_id": f"r{n}"},
        )
        for n in range(5)
    ]
    ids, cursor = [], None
    while True:
        page = m.ok(
            "GET", "/transfer/fiat-accounts?limit=2" + (f"&page_cursor={cursor}" if cursor else "")
        )
        ids += [row["id"] for row in page["items"]]
        cursor = page.get("next_page_cursor")
        if not cursor:
            break
    assert ids == [a["id"] for a in reversed(made)]  # newest first
    assert [
        r["id"]
        for r in m.ok("GET", "/transfer/fiat-accounts?ref_ids=r1&ref_ids=r3&order=ASC")["items"]
    ] == [made[1]["id"], made[3]["id"]]


# -- deposit instructions --------------------------------------------------------------------
def test_deposit_instructions(m):
    made = m.instructions(ref_id="di-1", metadata={"my_id": "x"})
    assert made["status"] == "VALID"
    assert made["profile_id"] == m.pid
    assert re.fullmatch(r"[A-Z0-9]{16}", made["memo_id"])
    wire_details = made["fiat_network_instructions"]["wire"]
    assert wire_details["account_number"] == "7339119"
    assert wire_details["routing_details"]["bank_name"] == "Customers Bank"
    assert made["fiat_account_owner"]["institution_details"]["name"] == "Paxos Trust Company, LLC"
    assert m.ok("GET", f"/transfer/fiat-deposit-instructions/{made['id']}") == made
    cubix = m.instructions("CUBIX")
    assert cubix["memo_id"] != made["memo_id"]
    assert "cubix" in cubix["fiat_network_instructions"]
    listed = m.ok("GET", "/transfer/fiat-deposit-instructions")["items"]
    assert [r["id"] for r in listed] == [cubix["id"], made["id"]]
    assert m.fails(400, "GET", "/transfer/fiat-deposit-instructions/invalid-uuid")["detail"] == (
        "expected uuid, got invalid-uuid"
    )
    unknown = "00000000-0000-4000-8000-000000000002"
    assert m.fails(404, "GET", f"/transfer/fiat-deposit-instructions/{unknown}")["detail"] == (
        f"fiat deposit instructions with id {unknown} not found"
    )
    body = {"profile_id": m.pid, "fiat_network": "WIRE"}
    assert (
        "routing_number_type"
        in m.fails(400, "POST", "/transfer/fiat-deposit-instructions", body)["detail"]
    )
    body = {"profile_id": m.pid, "fiat_network": "CUBIX", "routing_number_type": "ABA"}
    m.fails(400, "POST", "/transfer/fiat-deposit-instructions", body)
    body = {"profile_id": unknown, "fiat_network": "CUBIX"}
    m.fails(404, "POST", "/transfer/fiat-deposit-instructions", body)


# -- sandbox fiat deposits ------------------------------------------------------------------------
def test_a_sandbox_fiat_deposit_lands_a_minute_later(m):
    memo = m.instructions()["memo_id"]
    before = m.usd()
    body = {
        "amount": "150.33",
        "asset": "USD",
        "memo_id": memo,
        "fiat_network_instructions": wire(),
        "fiat_account_owner": owner(),
    }
    assert m.ok("POST", "/sandbox/fiat-deposits", body) == {}
    deposit = m.ok("GET", "/transfer/transfers?type=WIRE_DEPOSIT&limit=1")["items"][0]
    assert (deposit["status"], deposit["amount"], deposit["memo"]) == ("PENDING", "150.33", memo)
    assert m.usd() == before  # not yet
    m.later(59)
    assert m.transfer(deposit["id"])["status"] == "PENDING"
    m.later(1)
    done = m.transfer(deposit["id"])
    assert done["status"] == "COMPLETED"
    assert m.usd() == before + Decimal("150.33")
    assert m.event_types() == ["transfer.wire_deposit.pending", "transfer.wire_deposit.completed"]
    m.audit_ok()


def test_sandbox_fiat_deposit_failures_and_errors(m):
    memo = m.instructions("CUBIX")["memo_id"]
    before = m.usd()
    m.ledger.outcomes.next("InitiateSandboxFiatDeposit", "FAILED")
    body = {
        "amount": "20",
        "asset": "USD",
        "memo_id": memo,
        "fiat_network_instructions": {"cubix": {"account_id": "sender"}},
    }
    m.ok("POST", "/sandbox/fiat-deposits", body)
    m.later(60)
    deposit = m.ok("GET", "/transfer/transfers?type=CUBIX_DEPOSIT&limit=1")["items"][0]
    assert deposit["status"] == "FAILED"
    assert m.usd() == before
    assert m.event_types() == ["transfer.cubix_deposit.pending", "transfer.cubix_deposit.failed"]
    assert (
        m.fails(400, "POST", "/sandbox/fiat-deposits", {**body, "memo_id": "NOPE"})["detail"]
        == "memo_id not found"
    )
    no_bank = {k: v for k, v in body.items() if k != "fiat_network_instructions"}
    assert m.fails(400, "POST", "/sandbox/fiat-deposits", no_bank)["detail"] == (
        "fiat network instructions required"
    )
    m.fails(400, "POST", "/sandbox/fiat-deposits", {**body, "amount": "1.001"})
    dbs = m.instructions("DBS_ACT")["memo_id"]
    assert (
        "not emulated"
        in m.fails(400, "POST", "/sandbox/fiat-deposits", {**body, "memo_id": dbs})["detail"]
    )


def test_a_deposit_to_a_rules_instructions_starts_its_orchestration(m):
    rule = m.ok(
        "POST",
        "/orchestration/rules",
        {
            "ref_id": "fiat-rule",
            "profile_id": m.pid,
            "source_asset": "USD",
            "destination_asset": "USDG",
            "source": {"fiat": {"network": "WIRE", "account_type": "ABA"}},
        },
    )["rule"]
    fiat = rule["source"]["fiat"]
    made = m.ok("GET", f"/transfer/fiat-deposit-instructions/{fiat['deposit_instructions_id']}")
    assert made["memo_id"] == fiat["memo_id"]
    body = {
        "amount": "40",
        "asset": "USD",
        "memo_id": fiat["memo_id"],
        "fiat_network_instructions": wire(),
    }
    m.ok("POST", "/sandbox/fiat-deposits", body)
    m.later(60)
    runs = m.ok("GET", f"/orchestration/orchestrations?orchestration_rule_id={rule['id']}")
    assert [(o["source_amount"], o["destination_asset"]) for o in runs["items"]] == [("40", "USDG")]
    m.later(1)
    assert m.event_types()[-1] == "orchestration.completed"
    m.audit_ok()


# -- fiat withdrawals --------------------------------------------------------------------------
def test_a_fiat_withdrawal_is_pending_then_completed(m):
    account = m.approved_account()
    before = m.usd()
    body = {
        "profile_id": m.pid,
        "fiat_account_id": account["id"],
        "asset": "USD",
        "amount": "120",
        "ref_id": "fw-1",
        "memo": "invoice 7",
        "metadata": {"k": "v"},
    }
    made = m.ok("POST", "/transfer/fiat-withdrawals", body)
    assert (made["type"], made["direction"], made["status"]) == (
        "WIRE_WITHDRAWAL",
        "DEBIT",
        "PENDING",
    )
    assert made["fiat_account_id"] == account["id"]
    assert made["total"] == "120"
    assert m.usd() == before - 120  # debited at once
    m.later(2)
    assert m.transfer(made["id"])["status"] == "PENDING"
    m.later(1)
    assert m.transfer(made["id"])["status"] == "COMPLETED"
    assert m.usd() == before - 120
    assert m.event_types()[-2:] == [
        "transfer.wire_withdrawal.pending",
        "transfer.wire_withdrawal.completed",
    ]
    again = m.fails(409, "POST", "/transfer/fiat-withdrawals", body)
    assert again["detail"] == "activity with external id fw-1 already exists"
    assert again["meta"]["existing"]["id"] == made["id"]
    m.audit_ok()


def test_a_failed_fiat_withdrawal_is_refunded(m):
    account = m.approved_account()
    before = m.usd()
    m.ledger.outcomes.next("CreateFiatWithdrawal", "FAILED")
    body = {"profile_id": m.pid, "fiat_account_id": account["id"], "asset": "USD", "total": "75.50"}
    made = m.ok("POST", "/transfer/fiat-withdrawals", body)
    assert m.usd() == before - Decimal("75.50")
    m.later(3)
    assert m.transfer(made["id"])["status"] == "FAILED"
    assert m.usd() == before
    assert m.event_types()[-1] == "transfer.wire_withdrawal.failed"
    m.audit_ok()


def test_withdrawal_types_follow_the_accounts_network(m):
    cubix = m.ok(
        "POST",
        "/transfer/fiat-accounts",
        {
            "fiat_account_owner": owner(),
            "fiat_network_instructions": {"cubix": {"account_id": "cubix-1"}},
        },
    )
    dbs = m.ok(
        "POST",
        "/transfer/fiat-accounts",
        {
            "fiat_account_owner": owner(),
            "fiat_network_instructions": {"dbs_act": {"account_number": "12345678"}},
        },
    )
    m.later(2)
    body = {"profile_id": m.pid, "asset": "USD", "amount": "5"}
    made = m.ok("POST", "/transfer/fiat-withdrawals", {**body, "fiat_account_id": cubix["id"]})
    assert made["type"] == "CUBIX_WITHDRAWAL"
    assert (
        "not emulated"
        in m.fails(
            400, "POST", "/transfer/fiat-withdrawals", {**body, "fiat_account_id": dbs["id"]}
        )["detail"]
    )
    long_memo = {**body, "fiat_account_id": cubix["id"], "memo": "m" * 41}
    assert "at most 40" in m.fails(400, "POST", "/transfer/fiat-withdrawals", long_memo)["detail"]


def test_withdrawal_input_errors_take_no_money(m):
    account = m.approved_account()
    before = m.usd()
    base = {"profile_id": m.pid, "fiat_account_id": account["id"], "asset": "USD"}
    for body, status in (
        ({**base, "amount": "1", "total": "1"}, 400),
        ({**base}, 400),
        ({**base, "amount": "1.234"}, 400),
        ({**base, "asset": "EUR", "amount": "1"}, 400),
        ({**base, "amount": "1", "memo": "no_underscores"}, 400),
        ({**base, "amount": "99999999"}, 403),
    ):
        m.fails(status, "POST", "/transfer/fiat-withdrawals", body)
    short = m.fails(403, "POST", "/transfer/fiat-withdrawals", {**base, "amount": "99999999"})
    assert short["type"].endswith("/insufficient-funds")
    assert short["meta"]["needed"] == "99999999"
    assert short["detail"].startswith(f"insufficient USD funds in profile {m.pid}: 99999999 needed")
    assert m.usd() == before
    assert m.ledger.outcomes.queued() == {}
