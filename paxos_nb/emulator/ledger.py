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

import logging
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from .backends.core import Core, Family
from .backends.profiles import Balances, Profile, Profiles
from .cursors import SortedIndex, key_of
from .fmt import EXACT
from .pricing import Prices
from .records import ASSETS, DepositAddress, StablecoinConversion, Transfer, WithdrawalFee
from .trading import Execution, Order

log = logging.getLogger(__name__)

AS_OF = datetime(2026, 6, 30, 12, 0, 0, tzinfo=timezone.utc)
ZERO = Decimal(0)
CATEGORIES = ("deposits", "withdrawals", "internal", "trades", "conversions", "in_flight")


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
        self.seed = seed
        self.history = history
        self.core = Core(seed, timedelta(seconds=settle_after), as_of)
        self.prices = Prices(seed, as_of)
        self.profiles = Profiles(self.core)
        self.balances = Balances(self.core, self.profiles)
        self.transfers: Family[Transfer] = Family("transfer")
        self.transfers_updated = SortedIndex()
        self.deposit_addresses: Family[DepositAddress] = Family("deposit_address")
        self.fees: Family[WithdrawalFee] = Family("fee")
        self.conversions: Family[StablecoinConversion] = Family("conversion")
        self.orders: Family[Order] = Family("order")
        self.executions: Family[Execution] = Family("execution")
        self.quotes: Family[Any] = Family("quote")
        self.quote_executions: Family[Any] = Family("quote_execution")
        self.orchestrations: Family[Any] = Family("orchestration")
        self.rules: Family[Any] = Family("rule")
        self.quote_slots: dict[tuple[str, str, int], Any] = {}  # (market, side, second) -> Quote
        self.customer_id = ""
        self.reset()

    def reset(self) -> None:
        """Forget everything and replay the seeded history: the world of a fresh ledger."""
        from .seed import populate  # seed builds on this class; it imports nothing back

        with self.lock:
            self.core.reset()
            self.profiles.reset()
            self.balances.reset()
            for family in (
                self.transfers, self.deposit_addresses, self.fees, self.conversions,
                self.orders, self.executions, self.quotes, self.quote_executions,
                self.orchestrations, self.rules,
            ):  # fmt: skip
                family.clear()
            self.transfers_updated = SortedIndex()
            self.quote_slots.clear()
            self.customer_id = self.new_id()
            populate(self, history=self.history)

    # -- plumbing (the core's) ----------------------------------------------------------------
    @property
    def lock(self) -> Any:
        return self.core.lock

    @property
    def now(self) -> datetime:
        return self.core.now

    @property
    def settle_after(self) -> timedelta:
        return self.core.settle_after

    @property
    def as_of(self) -> datetime:
        return self.core.as_of

    @property
    def default_profile_id(self) -> str:
        return self.profiles.default_profile_id

    def new_id(self) -> str:
        """A seeded UUID (version 4 layout): the n-th id of a seed is always the same."""
        return self.core.new_id()

    def next_execution_id(self) -> str:
        return self.core.next_execution_id()

    def random(self, *parts: object) -> random.Random:
        """A generator seeded by the ledger seed and ``parts`` (for deterministic details)."""
        return self.core.random(*parts)

    @contextmanager
    def at(self, now: datetime) -> Iterator[Ledger]:
        """Hold the lock for a consistent read or write at ``now``, after settling what is due.

        Inside, ``ledger.now`` is ``now`` made strictly increasing (at least 1 µs after the
        previous call), so records created in one instant still sort in creation order.
        """
        with self.core.at(now):
            yield self

    def schedule(self, when: datetime, action: Callable[[datetime], None]) -> None:
        """Run ``action(when)`` at the first ``settle(now)`` with ``now >= when``."""
        self.core.schedule(when, action)

    def settle(self, now: datetime) -> int:
        """Complete everything due at or before ``now``, oldest first; returns how many."""
        return self.core.settle(now)

    # -- profiles and balances (the Profiles and Balances backends) ---------------------------
    def add_profile(
        self, nickname: str, kind: str, created_at: datetime, description: str | None = None
    ) -> Profile:
        with self.lock:
            return self.profiles.create(nickname, kind, created_at, description)

    def profile(self, ident: str, *, include_deactivated: bool = False) -> Profile:
        """The profile ``ident`` (or ``"default"``); 404 ``profile not found: <id>`` otherwise."""
        with self.lock:
            return self.profiles.find(ident, include_deactivated=include_deactivated)

    def balance(self, profile_id: str, asset: str) -> list[Decimal]:
        """The ``[available, trading]`` pair of one profile and asset (read only)."""
        with self.lock:
            return self.balances.pair(profile_id, asset)

    def credit(self, profile_id: str, asset: str, amount: Decimal) -> None:
        with self.lock:
            self.balances.credit(profile_id, asset, amount)

    def debit(self, profile_id: str, asset: str, amount: Decimal) -> None:
        """Take ``amount`` from available; 403 insufficient-funds (with meta) if it is short."""
        with self.lock:
            self.balances.debit(profile_id, asset, amount)

    def reserve(self, profile_id: str, asset: str, amount: Decimal) -> None:
        """Move ``amount`` from available to trading (held by an open order)."""
        with self.lock:
            self.balances.reserve(profile_id, asset, amount)

    def release(self, profile_id: str, asset: str, amount: Decimal, *, spend: bool = False) -> None:
        """Take ``amount`` out of trading: back to available, or spent when ``spend``."""
        with self.lock:
            self.balances.release(profile_id, asset, amount, spend=spend)

    def has_funds(self, profile_id: str) -> bool:
        with self.lock:
            return self.balances.has_funds(profile_id)

    # -- transfers --------------------------------------------------------------------------
    def add_transfer(self, transfer: Transfer) -> Transfer:
        with self.lock:
            self.transfers.add(transfer)
            self.transfers_updated.add(key_of(transfer.updated_at, transfer.id), transfer)
            self.core.changed("transfer.created", transfer, transfer.created_at)
            return transfer

    def update_transfer(self, transfer: Transfer, status: str, when: datetime) -> None:
        """Change a transfer's status, keeping the updated_at index in order."""
        with self.lock:
            self.transfers_updated.remove(key_of(transfer.updated_at, transfer.id))
            transfer.status, transfer.updated_at = status, when
            self.transfers_updated.add(key_of(when, transfer.id), transfer)
            self.core.changed("transfer.status_changed", transfer, when)

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

            for pairs in self.balances.by_profile.values():
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
