"""Settlement transactions: two profiles swap assets atomically inside a window.

The lifecycle (docs.paxos.com settlements guide; spec operations CreateTransaction,
AffirmTransaction, CancelTransaction): a transaction is created PENDING by the owner of the
source profile; the target's owner affirms it (AFFIRMED); once inside its window and with every
leg funded it SETTLES at once (balances move between the two profiles, no Transfer rows);
PENDING or AFFIRMED transactions whose window ended are EXPIRED; a PENDING one can be
CANCELLED. The settlement check runs on the one scheduler: at affirmation (or the window's
start), then every ``settlement_check`` delay until it settles or the window ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ..fmt import EXACT, Wired, fmt_dec, fmt_ts
from ..problems import Problem, bad_request, not_found
from .core import Core, Family
from .profiles import Balances, Profiles

__all__ = ["DEFAULT_WINDOW", "Leg", "SettlementTransaction", "Settlements"]

DEFAULT_WINDOW = timedelta(hours=24)  # the window ends 24 h after its start when omitted
PATIENCE = 600  # checks at the family's delay before checking once a minute


@dataclass(frozen=True)
class Leg:
    id: str
    direction: str  # DELIVER: source -> target; RECEIVE: target -> source
    asset: str
    amount: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "direction": self.direction,
            "asset": self.asset,
            "amount": fmt_dec(self.amount),
        }


@dataclass
class SettlementTransaction(Wired):
    id: str
    ref_id: str
    window_start: datetime
    window_end: datetime
    source_profile_id: str
    target_profile_id: str
    legs: tuple[Leg, ...]
    status: str  # PENDING | AFFIRMED | SETTLED | EXPIRED | CANCELLED
    created_at: datetime
    updated_at: datetime
    checks: int = field(default=0)  # settlement attempts (not rendered)

    def owed(self) -> dict[tuple[str, str], Decimal]:
        """What each party must deliver: ``{(profile_id, asset): amount}``."""
        out: dict[tuple[str, str], Decimal] = {}
        for leg in self.legs:
            payer = self.source_profile_id if leg.direction == "DELIVER" else self.target_profile_id
            key = (payer, leg.asset)
            out[key] = EXACT.add(out.get(key, Decimal(0)), leg.amount)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ref_id": self.ref_id,
            "settlement_window_start": fmt_ts(self.window_start),
            "settlement_window_end": fmt_ts(self.window_end),
            "source_profile_id": self.source_profile_id,
            "target_profile_id": self.target_profile_id,
            "legs": [leg.to_json() for leg in self.legs],
            "status": self.status,
            "created_at": fmt_ts(self.created_at),
            "updated_at": fmt_ts(self.updated_at),
        }


class Settlements(Family[SettlementTransaction]):
    """Every settlement transaction the customer is a party to."""

    def __init__(self, core: Core, profiles: Profiles, balances: Balances) -> None:
        super().__init__("settlement_transaction")
        self.core, self.profiles, self.balances = core, profiles, balances

    def reset(self) -> None:
        self.clear()

    def find(self, ident: str) -> SettlementTransaction:
        record = self.get(ident)
        if record is None:
            raise not_found(f"transaction not found: {ident}")
        return record

    def create(
        self,
        ref_id: str,
        source_id: str,
        target_id: str,
        legs: Sequence[tuple[str, str, Decimal]],
        start: datetime | None,
        end: datetime | None,
    ) -> SettlementTransaction:
        """A PENDING transaction; neither side needs funds yet. 409 on a taken ``ref_id``."""
        if ref_id in self.refs:
            raise Problem(409, f"transaction with ref_id '{ref_id}' already exists")
        source, target = self.profiles.find(source_id), self.profiles.find(target_id)
        if source.id == target.id:
            raise bad_request("source_profile_id and target_profile_id must differ")
        now = self.core.now
        start = start or now.replace(microsecond=0)  # a window starts on a whole second
        end = end or start + DEFAULT_WINDOW
        if end <= start:
            raise bad_request("settlement_window_end must be after settlement_window_start")
        if end <= now:
            raise bad_request("settlement_window_end must be in the future")
        record = SettlementTransaction(
            self.core.new_id(), ref_id, start, end, source.id, target.id,
            tuple(Leg(self.core.new_id(), d, a, amt) for d, a, amt in legs),
            "PENDING", now, now,
        )  # fmt: skip
        self.add(record)
        self.core.changed("settlement_transaction.created", record, now)
        self.core.schedule(end, lambda when: self._expire(record, when), "settlement_expiry")
        return record

    def cancel(self, record: SettlementTransaction) -> SettlementTransaction:
        """PENDING -> CANCELLED; 409 in any other status."""
        if record.status != "PENDING":
            raise Problem(409, f"transaction is {record.status} and can no longer be cancelled")
        self._move(record, "CANCELLED", self.core.now)
        return record

    def affirm(self, record: SettlementTransaction) -> SettlementTransaction:
        """PENDING -> AFFIRMED, then settle as soon as the window is open and legs funded."""
        if record.status != "PENDING":
            raise bad_request(f"transaction is {record.status}; only PENDING can be affirmed")
        now = self.core.now
        self._move(record, "AFFIRMED", now)
        self._check_later(record, max(now, record.window_start))
        return record

    # -- the settlement machine ---------------------------------------------------------------
    def _check_later(self, record: SettlementTransaction, start: datetime) -> None:
        def check(when: datetime) -> None:
            self._try_settle(record, when)

        if record.checks < PATIENCE:
            self.core.after("settlement_check", start, check)
        else:  # unfunded for long: look once a minute, so advancing a day stays cheap
            self.core.schedule(start + timedelta(minutes=1), check, "settlement_check")

    def _try_settle(self, record: SettlementTransaction, when: datetime) -> None:
        if record.status != "AFFIRMED" or when >= record.window_end:
            return
        record.checks += 1
        owed = record.owed()
        if all(self.balances.pair(p, a)[0] >= amount for (p, a), amount in owed.items()):
            for leg in record.legs:  # funded: every leg moves, atomically under the lock
                payer, payee = (
                    (record.source_profile_id, record.target_profile_id)
                    if leg.direction == "DELIVER"
                    else (record.target_profile_id, record.source_profile_id)
                )
                self.balances.debit(payer, leg.asset, leg.amount)
                self.balances.credit(payee, leg.asset, leg.amount)
            self._move(record, "SETTLED", when)
        else:
            self._check_later(record, when)

    def _expire(self, record: SettlementTransaction, when: datetime) -> None:
        if record.status in ("PENDING", "AFFIRMED"):
            self._move(record, "EXPIRED", when)

    def _move(self, record: SettlementTransaction, status: str, when: datetime) -> None:
        previous = record.status
        record.status, record.updated_at = status, when
        self.core.changed(f"settlement_transaction.{status.lower()}", record, when, previous)
