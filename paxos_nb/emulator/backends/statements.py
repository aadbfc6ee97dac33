"""Statements and payments of USDG rewards (GDN partners): seeded history, read-only.

docs.paxos.com (Statements, Payments; spec operations ListStatements, ListPayments): a
statement per month, generated 20 days after the month ends and paid 30 days after it
(``STATEMENT_STATUS_PAID`` once its payment completed); a revision keeps its
``statement_group_id`` and raises ``version``; each payment pays one statement balance
(``ref_id`` = the balance's ``next_payment_ref_id``). The history covers the six months
before the ledger's ``as_of``; ids come from their own seeded generator, so reading them
never shifts the ids of other records.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from ..cursors import SortedIndex, key_of
from ..fmt import NIL_UUID, Wired, fmt_fixed, fmt_ts
from ..networks import make_tx_hash
from .core import Core

__all__ = ["Payment", "Statement", "Statements"]

PRODUCT = "USDG_REWARDS"
MONTHS = 6
GENERATED_AFTER, PAID_AFTER = timedelta(days=20), timedelta(days=30)


@dataclass
class Statement(Wired):
    id: str
    ref_id: str
    customer_id: str
    status: str
    period_start: datetime
    period_end: datetime
    generated_at: datetime
    paid_at: datetime | None
    group_id: str
    version: int
    owed: Decimal
    paid: Decimal
    payment_ref_id: str

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "ref_id": self.ref_id,
            "customer_id": self.customer_id,
            "type": "STATEMENT_TYPE_USDG_REWARD",
            "product": PRODUCT,
            "status": self.status,
            "metadata": {},
            "statement_balances": [
                {
                    "asset": "USDG",
                    "amount_paid": fmt_fixed(self.paid, 2),
                    "total_amount_owed": fmt_fixed(self.owed, 2),
                    "next_payment_ref_id": self.payment_ref_id,
                }
            ],
            "period_start": fmt_ts(self.period_start),
            "period_end": fmt_ts(self.period_end),
            "generated_at": fmt_ts(self.generated_at),
        }
        if self.paid_at:
            out["paid_at"] = fmt_ts(self.paid_at)
        out.update(
            created_at=fmt_ts(self.generated_at),
            statement_group_id=self.group_id,
            version=self.version,
            files=[],
        )
        return out


@dataclass
class Payment(Wired):
    id: str
    customer_id: str
    ref_id: str
    destination: str
    amount: Decimal
    status: str
    created_at: datetime
    processed_at: datetime | None
    tx_id: str = ""
    period: str = field(default="")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "customer_id": self.customer_id,
            "profile_id": NIL_UUID,
            "account_id": NIL_UUID,
            "ref_id": self.ref_id,
            "product": PRODUCT,
            "payment_type": "PAYMENT_TYPE_CRYPTO_WITHDRAWAL",
            "payment_source": "PAXOS",
            "payment_destination": self.destination,
            "payment_asset": "USDG",
            "payment_amount": fmt_fixed(self.amount, 2),
            "payment_status": self.status,
        }
        if self.tx_id:
            out["payment_tx_id"] = self.tx_id
        out.update(
            description=f"USDG rewards for {self.period}",
            metadata="{}",
            created_at=fmt_ts(self.created_at),
        )
        if self.processed_at:
            out["processed_at"] = fmt_ts(self.processed_at)
        return out


def _month_start(moment: datetime, back: int) -> datetime:
    year, month = moment.year, moment.month - back
    while month < 1:
        year, month = year - 1, month + 12
    return datetime(year, month, 1, tzinfo=timezone.utc)


class Statements:
    """The seeded statements (by ``period_start``) and payments (by ``created_at``)."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.reset()

    def reset(self) -> None:
        self._statements: SortedIndex | None = None
        self._payments = SortedIndex()

    @property
    def statements(self) -> SortedIndex:
        if self._statements is None:
            self._seed()
        return self._statements  # type: ignore[return-value]

    @property
    def payments(self) -> SortedIndex:
        if self._statements is None:
            self._seed()
        return self._payments

    def _seed(self) -> None:
        rng = self.core.random("statements")

        def new_id() -> str:
            return str(uuid.UUID(int=rng.getrandbits(128), version=4))

        customer, as_of = self.core.customer_id, self.core.as_of
        payout_address = new_id()
        self._statements = SortedIndex()
        for back in range(MONTHS, 0, -1):
            start, end = _month_start(as_of, back), _month_start(as_of, back - 1)
            period = start.strftime("%Y-%m")
            owed = Decimal(rng.randrange(50_000, 500_000)) / 100
            generated, due = end + GENERATED_AFTER, end + PAID_AFTER
            paid = due <= as_of
            ref = f"{PRODUCT}-{customer}-{period}"
            payment_ref = f"{ref}-payment"
            group = new_id()
            versions = 2 if back == 3 else 1  # one revised statement, as Paxos issues them
            for version in range(1, versions + 1):
                amount = owed if version == versions else owed - Decimal(12)
                status = "STATEMENT_STATUS_PAID" if paid else "STATEMENT_STATUS_GENERATED"
                record = Statement(
                    new_id(), ref, customer, status, start, end,
                    generated + timedelta(days=version - 1), due if paid else None, group,
                    version, amount, amount if paid else Decimal(0), payment_ref,
                )  # fmt: skip
                self._statements.add(key_of(start + timedelta(seconds=version), record.id), record)
            payment = Payment(
                new_id(), customer, payment_ref, payout_address, owed,
                "PAYMENT_STATUS_COMPLETED" if paid else "PAYMENT_STATUS_PENDING",
                generated, due if paid else None,
                make_tx_hash("ETHEREUM", rng) if paid else "", period,
            )  # fmt: skip
            self._payments.add(key_of(payment.created_at, payment.id), payment)
