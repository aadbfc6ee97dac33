"""The emulator's state: profiles, balances, every resource family, settlement and the audit.

One ``threading.RLock`` guards everything. Handlers group their reads and writes in
``with ledger.at(call.now):`` which takes the lock and first completes whatever became due
(PENDING transfers, CREATED conversions…) — settlement is lazy, no background thread.
Amounts are ``Decimal`` and never rounded by arithmetic, so :meth:`Ledger.audit` can check
the conservation identity exactly, per asset::

    sum(available + trading) + in_flight
        == deposits - withdrawals + internal + trades + conversions

where ``internal`` (completed internal-transfer legs) is always exactly zero, ``in_flight`` is
money debited from one profile and not yet credited anywhere (pending withdrawals, pending
internal debits, created conversions), and every term is recomputed from the immutable records
(transfers, executions, quote executions, conversions), not from the balances.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from .cursors import SortedIndex, key_of
from .fmt import EXACT, fmt_dec
from .pricing import Prices
from .problems import insufficient_funds, not_found
from .records import ASSETS, Profile, Transfer

log = logging.getLogger(__name__)

AS_OF = datetime(2026, 6, 30, 12, 0, 0, tzinfo=timezone.utc)
ZERO = Decimal(0)
CATEGORIES = ("deposits", "withdrawals", "internal", "trades", "conversions", "in_flight")


class Family:
    """One resource family: records by id, a creation-ordered index, and its ref_id registry."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.by_id: dict[str, Any] = {}
        self.created = SortedIndex()
        self.refs: dict[str, Any] = {}

    def add(self, record: Any, moment: datetime | None = None) -> Any:
        self.by_id[record.id] = record
        self.created.add(key_of(moment or record.created_at, record.id), record)
        if getattr(record, "ref_id", None):
            self.refs[record.ref_id] = record
        return record

    def get(self, ident: str) -> Any | None:
        return self.by_id.get(ident)

    def __len__(self) -> int:
        return len(self.by_id)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.by_id.values())


@dataclass
class _Due:
    when: datetime
    seq: int
    action: Callable[[datetime], None]

    def __lt__(self, other: _Due) -> bool:
        return (self.when, self.seq) < (other.when, other.seq)


class Ledger:
    """The emulated Paxos account: deterministic from ``seed``, exact, thread-safe.

    Parameters
    ----------
    seed
        Seeds ids, the transfer history and the price walk. Same seed, same world.
    settle_after
        Seconds before PENDING transfers, CREATED conversions and quote executions and
        PROCESSING orchestrations complete (lazily, at the next read or write).
    as_of
        The instant the seeded history ends (fixed, so seeded data is the same every day).
    history
        Number of seeded transfer events (internal transfers add two records each).
    """

    def __init__(
        self,
        seed: int = 0,
        *,
        settle_after: float = 1.0,
        as_of: datetime = AS_OF,
        history: int = 2000,
        **options: Any,
    ) -> None:
        if settle_after < 0:
            raise ValueError(f"settle_after must be >= 0 seconds, got {settle_after}")
        if as_of.tzinfo is None:
            raise ValueError("as_of must be timezone-aware (UTC)")
        if options:
            known = "seed, settle_after, as_of, history"
            raise TypeError(f"unknown ledger option(s) {sorted(options)}; known: {known}")
        self.lock = threading.RLock()
        self.seed = seed
        self.settle_after = timedelta(seconds=settle_after)
        self.as_of = as_of
        self.prices = Prices(seed, as_of)
        self._ids = random.Random(f"paxos-nb-ids:{seed}")  # noqa: S311 - seeded on purpose
        self._due: list[_Due] = []
        self._last = datetime(1970, 1, 1, tzinfo=timezone.utc)
        self.now = as_of
        self._seq = itertools.count()
        self._execution_ids = itertools.count(12_000_000 + 1000 * (seed % 1000))
        self.customer_id = self.new_id()
        self.profiles = Family("profile")
        self.default_profile_id = ""
        self._balances: dict[str, dict[str, list[Decimal]]] = {}
        self.transfers = Family("transfer")
        self.transfers_updated = SortedIndex()
        families = (
            "deposit_addresses orders executions quotes quote_executions conversions "
            "orchestrations rules fees"
        )
        for name in families.split():
            setattr(self, name, Family(name))
        self.quote_slots: dict[tuple[str, str, int], Any] = {}  # (market, side, second) -> Quote
        from .seed import populate  # late import: seed builds on this class

        populate(self, history=history)

    # -- plumbing ---------------------------------------------------------------------------
    def new_id(self) -> str:
        """A seeded UUID (version 4 layout): the n-th id of a seed is always the same."""
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def next_execution_id(self) -> str:
        return str(next(self._execution_ids))

    def random(self, *parts: object) -> random.Random:
        """A generator seeded by the ledger seed and ``parts`` (for deterministic details)."""
        seed = ":".join(str(p) for p in ("paxos-nb", self.seed, *parts))
        return random.Random(seed)  # noqa: S311 - deterministic data, not secrets

    @contextmanager
    def at(self, now: datetime) -> Iterator[Ledger]:
        """Hold the lock for a consistent read or write at ``now``, after settling what is due.

        Inside, ``ledger.now`` is ``now`` made strictly increasing (at least 1 µs after the
        previous call), so records created in one instant still sort in creation order.
        """
        with self.lock:
            self.now = max(now, self._last + timedelta(microseconds=1))
            self._last = self.now
            self.settle(self.now)
            yield self

    def schedule(self, when: datetime, action: Callable[[datetime], None]) -> None:
        """Run ``action(when)`` at the first ``settle(now)`` with ``now >= when``."""
        with self.lock:
            heapq.heappush(self._due, _Due(when, next(self._seq), action))

    def settle(self, now: datetime) -> int:
        """Complete everything due at or before ``now``, oldest first; returns how many."""
        done = 0
        with self.lock:
            while self._due and self._due[0].when <= now:
                item = heapq.heappop(self._due)
                item.action(item.when)
                done += 1
        return done

    # -- profiles and balances --------------------------------------------------------------
    def add_profile(
        self, nickname: str, kind: str, created_at: datetime, description: str | None = None
    ) -> Profile:
        with self.lock:
            profile = Profile(self.new_id(), nickname, kind, created_at, description)
            self.profiles.add(profile)
            self._balances[profile.id] = {}
            if kind == "DEFAULT":
                self.default_profile_id = profile.id
            return profile

    def profile(self, ident: str, *, include_deactivated: bool = False) -> Profile:
        """The profile ``ident`` (or ``"default"``); 404 ``profile not found: <id>`` otherwise."""
        with self.lock:
            key = self.default_profile_id if ident == "default" else ident
            found = self.profiles.get(key)
            if found is None or (found.deactivated and not include_deactivated):
                raise not_found(f"profile not found: {ident}")
            return found

    def balance(self, profile_id: str, asset: str) -> list[Decimal]:
        """The mutable ``[available, trading]`` pair of one profile and asset."""
        with self.lock:
            return self._balances[profile_id].setdefault(asset, [ZERO, ZERO])

    def credit(self, profile_id: str, asset: str, amount: Decimal) -> None:
        with self.lock:
            pair = self.balance(profile_id, asset)
            pair[0] = EXACT.add(pair[0], amount)
            profile = self.profiles.get(profile_id)
            if profile is not None and profile.deactivated and amount > 0:
                profile.deactivated = False  # a deactivated profile that receives funds revives
                log.info("profile %s reactivated by a credit", profile_id)

    def debit(self, profile_id: str, asset: str, amount: Decimal) -> None:
        """Take ``amount`` from available; 403 insufficient-funds (with meta) if it is short."""
        with self.lock:
            pair = self.balance(profile_id, asset)
            if pair[0] < amount:
                raise insufficient_funds(profile_id, asset, fmt_dec(pair[0]), fmt_dec(amount))
            pair[0] = EXACT.subtract(pair[0], amount)

    def reserve(self, profile_id: str, asset: str, amount: Decimal) -> None:
        """Move ``amount`` from available to trading (held by an open order)."""
        with self.lock:
            self.debit(profile_id, asset, amount)
            pair = self.balance(profile_id, asset)
            pair[1] = EXACT.add(pair[1], amount)

    def release(self, profile_id: str, asset: str, amount: Decimal, *, spend: bool = False) -> None:
        """Take ``amount`` out of trading: back to available, or spent when ``spend``."""
        with self.lock:
            pair = self.balance(profile_id, asset)
            if amount > pair[1]:
                raise RuntimeError(f"release of {amount} {asset} exceeds trading {pair[1]}")
            pair[1] = EXACT.subtract(pair[1], amount)
            if not spend:
                pair[0] = EXACT.add(pair[0], amount)

    def has_funds(self, profile_id: str) -> bool:
        with self.lock:
            return any(a or t for a, t in self._balances[profile_id].values())

    # -- transfers --------------------------------------------------------------------------
    def add_transfer(self, transfer: Transfer) -> Transfer:
        with self.lock:
            self.transfers.add(transfer)
            self.transfers_updated.add(key_of(transfer.updated_at, transfer.id), transfer)
            return transfer

    def update_transfer(self, transfer: Transfer, status: str, when: datetime) -> None:
        """Change a transfer's status, keeping the updated_at index in order."""
        with self.lock:
            self.transfers_updated.remove(key_of(transfer.updated_at, transfer.id))
            transfer.status, transfer.updated_at = status, when
            self.transfers_updated.add(key_of(when, transfer.id), transfer)

    def open_pair(
        self,
        now: datetime,
        *,
        source: str,
        target: str,
        amount: Decimal,
        assets: tuple[str, str],
        kind: str,
        types: tuple[str, str] = ("INTERNAL_TRANSFER_DEBIT", "INTERNAL_TRANSFER_CREDIT"),
        group_id: str | None = None,
        debit_fields: dict[str, Any] | None = None,
        credit_fields: dict[str, Any] | None = None,
        on_complete: Callable[[datetime], None] | None = None,
    ) -> tuple[Transfer, Transfer]:
        """Debit ``source`` now and credit ``target`` at settlement: two PENDING legs.

        The legs share ``group_id`` and complete together ``settle_after`` from ``now``.
        ``assets`` is (debited asset, credited asset): equal for an internal transfer,
        USD and a stablecoin for an orchestration. 403 insufficient-funds leaves no trace.
        """
        with self.lock:
            self.debit(source, assets[0], amount)
            group_id = group_id or self.new_id()
            legs = []
            for pid, asset, direction, kind_type, extra in (
                (source, assets[0], "DEBIT", types[0], debit_fields),
                (target, assets[1], "CREDIT", types[1], credit_fields),
            ):
                legs.append(
                    self.add_transfer(
                        Transfer(
                            id=self.new_id(),
                            customer_id=self.customer_id,
                            profile_id=pid,
                            amount=amount,
                            fee=ZERO,
                            asset=asset,
                            direction=direction,
                            type=kind_type,
                            status="PENDING",
                            created_at=now,
                            updated_at=now,
                            kind=kind,
                            group_id=group_id,
                            **(extra or {}),
                        )
                    )
                )
            debit, credit = legs

            def complete(when: datetime) -> None:
                self.update_transfer(debit, "COMPLETED", when)
                self.update_transfer(credit, "COMPLETED", when)
                self.credit(target, assets[1], amount)
                if on_complete is not None:
                    on_complete(when)

            self.schedule(now + self.settle_after, complete)
            return debit, credit

    # -- the conservation identity ----------------------------------------------------------
    def audit(self) -> dict[str, dict[str, Decimal]]:
        """Per asset, the exact figures of the conservation identity (see the module doc).

        Each value maps ``available``, ``trading``, ``balances``, ``in_flight``, ``deposits``,
        ``withdrawals``, ``internal``, ``trades``, ``conversions``, ``expected`` (the right-hand
        side) and ``difference`` (left minus right: exactly zero when money is conserved).
        Reading does not settle anything: the identity holds at every instant.
        """
        with self.lock:
            sums: dict[str, dict[str, Decimal]] = {}

            def add(asset: str, category: str, amount: Decimal) -> None:
                line = sums.setdefault(
                    asset, dict.fromkeys(("available", "trading", *CATEGORIES), ZERO)
                )
                line[category] = EXACT.add(line[category], amount)

            for pairs in self._balances.values():
                for asset, (available, trading) in pairs.items():
                    add(asset, "available", available)
                    add(asset, "trading", trading)
            for transfer in self.transfers:
                for asset, category, amount in transfer_flows(transfer):
                    add(asset, category, amount)
            for name in ("executions", "quote_executions", "conversions"):
                for record in getattr(self, name):
                    for asset, category, amount in record.flows():
                        add(asset, category, amount)
            for line in sums.values():
                line["balances"] = line["available"] + line["trading"]
                line["expected"] = (
                    line["deposits"]
                    - line["withdrawals"]
                    + line["internal"]
                    + line["trades"]
                    + line["conversions"]
                )
                line["difference"] = line["balances"] + line["in_flight"] - line["expected"]
            return dict(sorted(sums.items()))

    def known_asset(self, asset: str) -> bool:
        return asset in ASSETS


def transfer_flows(t: Transfer) -> list[tuple[str, str, Decimal]]:
    """How one transfer enters the identity: (balance asset, category, amount)."""
    asset, total = t.balance_asset, t.total
    if t.status == "FAILED":
        return []
    if t.direction == "DEBIT" and t.status == "PENDING":
        return [(asset, "in_flight", total)]
    if t.status != "COMPLETED":
        return []  # a pending credit has not reached any balance yet
    if t.kind == "deposit":
        return [(asset, "deposits", total)]
    if t.kind == "withdrawal":
        return [(asset, "withdrawals", total)]
    category = "internal" if t.kind == "internal" else "conversions"
    return [(asset, category, total if t.direction == "CREDIT" else -total)]
