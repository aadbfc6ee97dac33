"""Statements and payments (GDN rewards): seeded history, filters, paging, answers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from part2_checks import assert_valid, no_server_errors

from paxos_nb.config import Credentials
from paxos_nb.session import connect


def test_monthly_statements_newest_first_with_one_revision(world):
    got = world.api.ok("GET", "/statements")
    assert_valid("ListStatements", got)
    items = got["statements"]
    assert [s["period_start"][:7] for s in items] == [
        "2026-05", "2026-04", "2026-03", "2026-03", "2026-02", "2026-01", "2025-12",
    ]  # fmt: skip
    revised = [s for s in items if s["period_start"].startswith("2026-03")]
    assert {s["version"] for s in revised} == {1, 2}
    assert len({s["statement_group_id"] for s in revised}) == 1
    latest = items[0]
    assert latest["status"] == "STATEMENT_STATUS_GENERATED"  # paid on day 30: after as_of
    assert "paid_at" not in latest
    paid = items[1]
    assert paid["status"] == "STATEMENT_STATUS_PAID"
    (balance,) = paid["statement_balances"]
    assert balance["amount_paid"] == balance["total_amount_owed"]
    customer = world.ledger.customer_id
    assert paid["ref_id"] == f"USDG_REWARDS-{customer}-2026-04"
    asc = world.api.ok("GET", "/statements", order="ASC", limit=2)
    assert [s["period_start"][:7] for s in asc["statements"]] == ["2025-12", "2026-01"]
    more = world.api.ok("GET", "/statements", order="ASC", page_cursor=asc["next_page_cursor"])
    assert len(more["statements"]) == 5


def test_statement_filters(world):
    items = world.api.ok("GET", "/statements")["statements"]
    paid = world.api.ok("GET", "/statements", statuses=["STATEMENT_STATUS_PAID"])["statements"]
    assert len(paid) == len(items) - 1
    one = world.api.ok("GET", "/statements", statement_ids=[items[2]["id"]])["statements"]
    assert one == [items[2]]
    by_ref = world.api.ok("GET", "/statements", ref_ids=[items[0]["ref_id"]])["statements"]
    assert by_ref == [items[0]]
    other = "00000000-0000-4000-8000-000000000000"
    assert world.api.ok("GET", "/statements", customer_id=other)["statements"] == []
    assert world.api.call("GET", "/statements", statuses=["PAID"])[0] == 400


def test_payments_pay_statements_and_filters_are_exclusive(world):
    got = world.api.ok("GET", "/statements/payments")
    assert_valid("ListPayments", got)
    payments = got["payments"]
    statements = world.api.ok("GET", "/statements")["statements"]
    refs = {s["statement_balances"][0]["next_payment_ref_id"] for s in statements}
    assert {p["ref_id"] for p in payments} == refs
    pending = [p for p in payments if p["payment_status"] == "PAYMENT_STATUS_PENDING"]
    assert len(pending) == 1
    assert "payment_tx_id" not in pending[0]
    assert Decimal(pending[0]["payment_amount"]) == Decimal(
        statements[0]["statement_balances"][0]["total_amount_owed"]
    )
    done = world.api.ok("GET", "/statements/payments", payment_status="PAYMENT_STATUS_COMPLETED")
    assert len(done["payments"]) == len(payments) - 1
    by_id = world.api.ok("GET", "/statements/payments", payment_ids=[payments[1]["id"]])
    assert by_id["payments"] == [payments[1]]
    status, problem = world.api.call(
        "GET", "/statements/payments", ref_ids=["a"], payment_ids=["b"]
    )
    assert (status, problem["detail"]) == (400, "give ref_ids or payment_ids, not both")
    status, problem = world.api.call(
        "GET", "/statements/payments", ref_ids=["a"], product="USDG_REWARDS"
    )
    assert status == 400
    assert "leave out customer_id and product" in problem["detail"]


@pytest.mark.parametrize(
    ("path", "scope", "column", "kind"),
    [
        ("/statements", "statements:read_statement", "period_start", "datetime64[ns, UTC]"),
        ("/statements/payments", "statements:read_payment", "payment_amount", "object"),
    ],
)
def test_session_frame_types_the_lists(world, path, scope, column, kind):
    client = world.emu.add_client(scopes=[scope])
    creds = Credentials(client.client_id, client.client_secret, "local", api_url=world.emu.api_url)
    with connect(creds, scopes=[scope], current=False) as session:
        frame = session.frame(path, limit=2)
    assert len(frame) > 2  # every page
    assert str(frame[column].dtype) == kind
    if column == "payment_amount":
        assert isinstance(frame[column].iloc[0], Decimal)
    assert str(frame["created_at"].dtype) == "datetime64[ns, UTC]"


@pytest.mark.parametrize("operation_id", ["ListStatements", "ListPayments"])
def test_generated_inputs_never_give_a_server_error(direct, operation_id):
    no_server_errors(direct, operation_id)
