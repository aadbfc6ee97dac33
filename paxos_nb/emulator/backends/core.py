"""What every backend shares: one lock, the clock's instant, seeded ids, the scheduler and
the change hook.

:class:`Core` is the spine of the emulated world. Its lock guards all state; ``at(now)`` holds
it for one consistent read or write after running whatever became due on the
:class:`~.scheduler.Scheduler` (PENDING transfers, CREATED conversions…): settlement is lazy,
no background thread. Every state change a backend makes is announced once through
:meth:`Core.changed` (a kind of :data:`KINDS`, the record, the instant): the one place the
events feed (``GET /v2/events``, events.py) records them. Announcing outside the lock is a bug and
raises, so every change is known to happen under the lock.
"""

from __future__ import annotations

import itertools
import random
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Generic, TypeVar

from ..cursors import SortedIndex, key_of
from ..problems import already_exists
from .outcomes import Outcomes
from .scheduler import Action, Scheduler

__all__ = ["KINDS", "Change", "Core", "Family", "LedgerLock"]

R = TypeVar("R")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_TICK = timedelta(microseconds=1)


class Family(Generic[R]):
    """One resource family: records by id, a creation-ordered index, and its ref_id registry."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.by_id: dict[str, R] = {}
        self.created = SortedIndex()
        self.refs: dict[str, R] = {}

    def add(self, record: R, moment: datetime | None = None) -> R:
        ident: str = record.id  # type: ignore[attr-defined]
        self.by_id[ident] = record
        self.created.add(key_of(moment or record.created_at, ident), record)  # type: ignore[attr-defined]
        ref = getattr(record, "ref_id", None)
        if ref:
            self.refs[ref] = record
        return record

    def get(self, ident: str) -> R | None:
        return self.by_id.get(ident)

    def check_ref(self, ref_id: str | None, label: str) -> None:
        """409 already-exists (``meta.existing``: the record as it is now) if ``ref_id`` is
        taken in this family; ``label`` names the resource in the detail."""
        existing = self.refs.get(ref_id) if ref_id else None
        if existing is not None:
            raise already_exists(
                f"{label} already exists with ref_id '{ref_id}'",
                existing.to_json(),  # type: ignore[attr-defined]
            )

    def clear(self) -> None:
        self.by_id.clear()
        self.created = SortedIndex()
        self.refs.clear()

    def __len__(self) -> int:
        return len(self.by_id)

    def __iter__(self) -> Iterator[R]:
        return iter(self.by_id.values())


# Every kind of change a backend announces: "<family>.<what happened>", where what happened
# is "created", "updated", "removed", or the new status in lower case (a status transition:
# "transfer.completed", "order.filled"). The events feed (events.py) maps these to Paxos's
# event types (docs/architecture.md, "Changes and events"); a kind not listed here is a bug.
KINDS = frozenset(
    {
        "profile.created", "profile.updated", "profile.deactivated", "profile.reactivated",
        "balance.changed",
        "deposit_address.created",
        "transfer.created", "transfer.completed", "transfer.failed",
        "withdrawal_fee.created",
        "stablecoin_conversion.created", "stablecoin_conversion.settled",
        "stablecoin_conversion.cancelled",
        "quote.created", "quote.removed",
        "quote_execution.created", "quote_execution.settled",
        "orchestration.created", "orchestration.completed",
        "orchestration_rule.created", "orchestration_rule.deleted",
        "order.created", "order.open", "order.filled", "order.cancelled", "order.rejected",
        "order.updated",  # a stop order triggered (is_triggered)
        "execution.created",
        # Identity family (identities, documents, accounts, members). Status transitions are
        # "identity.<new summary status>"; those named like a Paxos event type
        # (identity.approved/denied/disabled, identity.documents_required,
        # identity.kyc_refresh.completed) carry record.event_object(kind).
        "identity.created", "identity.updated",
        "identity.pending", "identity.approved", "identity.denied", "identity.disabled",
        "identity.error",
        "identity.documents_required", "identity.kyc_refresh.completed",
        "identity_document.created", "identity_document.uploaded", "identity_document.archived",
        "institution_member.created", "institution_member.deleted",
        "account.created", "account.updated",
        "account_member.created", "account_member.deleted",
        # money family (issue 12): fiat transfers, crypto destination addresses, travel rule
        "crypto_destination_address.created", "crypto_destination_address.updated",
        "fiat_account.created", "fiat_account.updated", "fiat_account.approved",
        "fiat_account.rejected", "fiat_account.deleted",
        "fiat_deposit_instructions.created",
        "orchestration.failed",
        "transfer.updated",  # a secondary status set or cleared (travel-rule information)
        # live order books (issue 14)
        "book.updated", "trade.created",
        # identity controls (issue 13, preview): no Paxos event of their own
        "identity_control.created", "identity_control.deleted",
        # issue 13, part 2: settlement, issuer quotes, statements, tax forms, monitoring
        # addresses, rewards (no Paxos event types: the events feed records none of these)
        "settlement_transaction.created", "settlement_transaction.affirmed",
        "settlement_transaction.settled", "settlement_transaction.expired",
        "settlement_transaction.cancelled",
        "issuer_quote.created", "issuer_quote_execution.created",
        "issuer_quote_execution.complete",
        "monitoring_address.created", "monitoring_address.updated",
        "reward_address.created", "reward_address.active", "reward_address.updated",
        "reward_address.removed",
        "payout_group.created", "payout_group.active", "payout_group.updated",
        "payout_group.removed",
        "claim_schedule.created", "claim_schedule.updated", "claim_schedule.removed",
        "claim.created", "claim.submitted", "claim.confirmed",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Change:
    """One state change: ``kind`` (one of :data:`KINDS`), the record as it is right after
    the change, the instant, and for a status transition the status it left."""

    kind: str
    record: Any
    at: datetime
    previous: str | None = None


class LedgerLock:
    """A re-entrant lock that knows whether the running thread holds it (:meth:`held`)."""

    __slots__ = ("_depth", "_lock", "_owner")

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._owner = 0
        self._depth = 0

    def acquire(self, blocking: bool = True) -> bool:
        if not self._lock.acquire(blocking):
            return False
        self._depth += 1
        self._owner = threading.get_ident()
        return True

    def release(self) -> None:
        self._depth -= 1
        if not self._depth:
            self._owner = 0
        self._lock.release()

    def __enter__(self) -> LedgerLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def held(self) -> bool:
        """True when the calling thread holds the lock."""
        return self._owner == threading.get_ident()


class Core:
    """Lock, the ledger's instant, seeded randomness, the scheduler and the change hook."""

    def __init__(self, seed: int, delays: Mapping[str, timedelta], as_of: datetime) -> None:
        self.lock = LedgerLock()
        self.seed = seed
        self.as_of = as_of
        self.scheduler = Scheduler(delays)
        self.listeners: list[Callable[[Change], None]] = []
        self.outcomes = Outcomes(self.lock)  # forced outcomes of the next calls (outcomes.py)
        # Called with the new instant in every at(), after due work: per-second activity
        # (the live order books) that follows the clock without a thread of its own.
        self.tickers: list[Callable[[datetime], None]] = []
        self.customer_id = ""
        self.reset()

    def reset(self) -> None:
        """Back to the instant before seeding: same seed, same ids from here on."""
        with self.lock:
            self._ids = random.Random(f"paxos-nb-ids:{self.seed}")  # noqa: S311 - seeded
            self._execution_ids = itertools.count(12_000_000 + 1000 * (self.seed % 1000))
            self.scheduler.reset()
            self.outcomes.reset()
            self._last = _EPOCH
            self.now = self.as_of
            self.customer_id = ""

    # -- ids and randomness -------------------------------------------------------------------
    def new_id(self) -> str:
        """A seeded UUID (version 4 layout): the n-th id of a seed is always the same."""
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def next_execution_id(self) -> str:
        return str(next(self._execution_ids))

    def random(self, *parts: object) -> random.Random:
        """A generator seeded by the seed and ``parts`` (for deterministic details)."""
        seed = ":".join(str(p) for p in ("paxos-nb", self.seed, *parts))
        return random.Random(seed)  # noqa: S311 - deterministic data, not secrets

    # -- time and due work --------------------------------------------------------------------
    @contextmanager
    def at(self, now: datetime) -> Iterator[None]:
        """Hold the lock at ``now`` (made strictly increasing) after running what is due."""
        with self.lock:
            self.now = max(now, self._last + _TICK)
            self._last = self.now
            self.scheduler.run_due(self.now)
            for ticker in self.tickers:
                ticker(self.now)
            yield

    def after(self, family: str, start: datetime, action: Action) -> datetime:
        """Run ``action(due)`` once ``family``'s delay after ``start`` has passed."""
        return self.scheduler.after(family, start, action)

    def schedule(self, when: datetime, action: Action, family: str = "") -> None:
        """Run ``action(when)`` at the first ``settle(now)`` with ``now >= when``."""
        with self.lock:
            self.scheduler.at(when, action, family)

    def settle(self, now: datetime) -> int:
        """Run everything due at or before ``now``, oldest first; returns how many ran."""
        with self.lock:
            return self.scheduler.run_due(now)

    # -- the change hook ----------------------------------------------------------------------
    def changed(
        self, kind: str, record: Any, at: datetime | None = None, previous: str | None = None
    ) -> None:
        """Announce one state change to every listener (the events feed is one)."""
        if kind not in KINDS:
            raise ValueError(f"unknown change kind {kind!r}: add it to core.KINDS")
        if not self.lock.held():
            raise RuntimeError(f"{kind} outside the ledger lock: wrap it in ledger.at(now)")
        if self.listeners:
            change = Change(kind, record, at or self.now, previous)
            for listener in list(self.listeners):
                listener(change)
