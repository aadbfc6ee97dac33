"""Statements and payments of USDG rewards (spec tags Statements, Payments; GDN partners).

Read-only lists of the seeded history in ``backends/statements.py``.
"""

from __future__ import annotations

from .. import cursors
from ..backends.statements import PRODUCT, Payment, Statement
from ..fmt import query_choice, query_list
from ..problems import bad_request
from . import Body, Call, handles
from ._shared import ledger_of, listing

STATEMENT_STATUSES = (
    "STATEMENT_STATUS_UNSPECIFIED", "STATEMENT_STATUS_INITIATED", "STATEMENT_STATUS_GENERATED",
    "STATEMENT_STATUS_PAID",
)  # fmt: skip
PAYMENT_STATUSES = ("PAYMENT_STATUS_PENDING", "PAYMENT_STATUS_COMPLETED", "PAYMENT_STATUS_FAILED")


@handles("ListStatements")
def list_statements(call: Call) -> Body:
    q = call.query
    limit = cursors.parse_limit(q, default=100, maximum=1000)
    order = cursors.parse_order(q, "DESC")
    refs, ids = set(query_list(q, "ref_ids")), set(query_list(q, "statement_ids"))
    statuses = set(query_list(q, "statuses", STATEMENT_STATUSES))
    customer = q.get("customer_id")

    with ledger_of(call).at(call.now) as led:
        mine = not customer or customer == led.customer_id

        def keep(r: Statement) -> bool:
            return (
                mine
                and (not refs or r.ref_id in refs)
                and (not ids or r.id in ids)
                and (not statuses or r.status in statuses)
            )

        found, cursor = cursors.page(
            led.statements.statements, kind="statements", order=order, limit=limit,
            token=q.get("page_cursor"), keep=keep,
        )  # fmt: skip
        return listing(found, cursor, "statements")


@handles("ListPayments")
def list_payments(call: Call) -> Body:
    q = call.query
    limit = cursors.parse_limit(q, default=100, maximum=1000)
    order = cursors.parse_order(q, "DESC")
    refs, ids = set(query_list(q, "ref_ids")), set(query_list(q, "payment_ids"))
    customer = q.get("customer_id")
    product = query_choice(q, "product", (PRODUCT,))
    status = query_choice(q, "payment_status", PAYMENT_STATUSES)
    if refs and ids:
        raise bad_request("give ref_ids or payment_ids, not both")
    if (refs or ids) and (customer or product):
        raise bad_request(
            "ref_ids and payment_ids select payments alone: leave out customer_id and product"
        )

    with ledger_of(call).at(call.now) as led:
        mine = not customer or customer == led.customer_id

        def keep(r: Payment) -> bool:
            return (
                mine
                and (not refs or r.ref_id in refs)
                and (not ids or r.id in ids)
                and (not status or r.status == status)
            )

        found, cursor = cursors.page(
            led.statements.payments, kind="payments", order=order, limit=limit,
            token=q.get("page_cursor"), keep=keep,
        )  # fmt: skip
        return listing(found, cursor, "payments")
