"""The emulator's state: the backends composed into one world, settlement and the audit.

One lock guards everything. Handlers group their reads and writes in
``with ledger.at(call.now):`` which takes the lock and first completes whatever became due
(PENDING transfers, CREATED conversions…) — settlement is lazy, no background thread.
Amounts are ``Decimal`` and never rounded by arithmetic, so :meth:`Ledger.audit` can check
the conservation identity exactly, per asset::

    sum(available + trading) + in_flight
        == deposits - withdrawals + internal + trades + conversions

where ``internal`` (completed internal-transfer legs) is always exactly zero, ``in_flight`` is
money debited from one profile and not yet credited anywhere (pending withdrawals, pending
internal debits, created conversions), and every term is recomputed from the immutable records
(transfers, executions, quote executions, conversions, and the conversion of an orchestration
that pays out through a withdrawal), not from the balances.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from .backends.accounts import Accounts
from .backends.addresses import Addresses
from .backends.books import Books
from .backends.controls import IdentityControls
from .backends.conversions import Conversions
from .backends.core import Core, LedgerLock
from .backends.deposits import Deposits
from .backends.destinations import Destinations
from .backends.documents import Documents
from .backends.events import Events
from .backends.fiat import FiatTransfers, Instructions
from .backends.fiat_accounts import FiatAccounts
from .backends.identities import Identities
from .backends.issuer_quotes import IssuerQuotes
from .backends.limits import Limits
from .backends.monitoring import MonitoringAddresses
from .backends.orchestration_targets import Targets
from .backends.orchestrations import Orchestrations
from .backends.orders import Orders
from .backends.outcomes import Outcomes
from .backends.paxos import PaxosTransfers
from .backends.profiles import Balances, Profiles
from .backends.quotes import Quotes
from .backends.rewards import Rewards
from .backends.scheduler import Action, delays_for
from .backends.settlement import Settlements
from .backends.statements import Statements
from .backends.tax_forms import TaxForms
from .backends.transfers import Transfers
from .backends.withdrawals import Withdrawals
from .files import SignedFiles
from .fmt import EXACT
from .pricing import Prices
from .records import Transfer
from .seed import populate

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
        PROCESSING orchestrations complete (lazily, at the next read or write, or when the
        emulator's clock is advanced): the delay of every family of ``scheduler.DELAYS``
        that has no figure of its own.
    delays
        Seconds per family of ``scheduler.DELAYS`` (e.g. ``{"crypto_withdrawal": 60}``),
        overriding ``settle_after`` for those families.
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
        delays: Mapping[str, float] | None = None,
        as_of: datetime = AS_OF,
        history: int = 2000,
        **options: Any,
    ) -> None:
        if settle_after < 0:
            raise ValueError(f"settle_after must be >= 0 seconds, got {settle_after}")
        if as_of.tzinfo is None:
            raise ValueError("as_of must be timezone-aware (UTC)")
        if options:
            known = "seed, settle_after, delays, as_of, history"
            raise TypeError(f"unknown ledger option(s) {sorted(options)}; known: {known}")
        self.seed = seed
        self.history = history
        self.settle_after = timedelta(seconds=settle_after)
        core = self.core = Core(seed, delays_for(self.settle_after, delays), as_of)
        self.events = Events(core)  # listens to every change from here on
        self.prices = Prices(seed, as_of)
        self.profiles = Profiles(core)
        self.balances = Balances(core, self.profiles)
        self.transfers = Transfers(core, self.balances)
        self.limits = Limits(core, self.transfers, self.prices)
        self.deposit_addresses = Addresses(core)
        self.identities = Identities(core)
        self.controls = IdentityControls(core, self.identities)  # guards orders, withdrawals
        self.withdrawals = Withdrawals(
            core, self.balances, self.transfers, self.prices, self.limits, self.controls
        )
        self.fiat_accounts = FiatAccounts(core)
        self.fiat_instructions = Instructions(core, self.profiles)
        self.destinations = Destinations(core)
        self.fiat = FiatTransfers(
            core, self.balances, self.transfers, self.fiat_accounts, self.fiat_instructions,
            self.limits, None, self.controls,
        )  # fmt: skip
        targets = Targets(self.profiles, self.destinations, self.withdrawals, self.fiat)
        self.orchestrations = Orchestrations(
            core, self.profiles, self.transfers, self.deposit_addresses, self.fiat_instructions,
            targets,
        )  # fmt: skip
        self.fiat.orchestrations = self.orchestrations  # its rules' deposits start them
        self.deposits = Deposits(
            core, self.balances, self.transfers, self.deposit_addresses, self.orchestrations,
            self.prices,
        )  # fmt: skip
        self.paxos_transfers = PaxosTransfers(
            core, self.profiles, self.balances, self.transfers, self.limits, self.prices
        )
        self.conversions = Conversions(core, self.profiles, self.balances)
        self.quotes = Quotes(core, self.profiles, self.balances, self.prices)
        self.books = Books(core, self.prices)
        self.orders = Orders(
            core, self.profiles, self.balances, self.prices, self.books, self.controls
        )
        self.documents = Documents(core, self.identities)
        self.accounts = Accounts(core, self.identities, self.profiles)
        self.backends: tuple[Any, ...] = (
            self.events, self.profiles, self.balances, self.transfers, self.limits,
            self.deposit_addresses, self.withdrawals, self.fiat_accounts, self.fiat_instructions,
            self.orchestrations, self.deposits, self.fiat, self.paxos_transfers,
            self.destinations, self.conversions, self.quotes, self.books, self.orders,
            self.identities, self.documents, self.accounts, self.controls,
        )  # fmt: skip
        # issue 13, part 2 families
        self.settlements = Settlements(core, self.profiles, self.balances)
        self.issuer_quotes = IssuerQuotes(core, self.profiles, self.balances, self.prices)
        self.monitoring_addresses = MonitoringAddresses(core)
        self.files = SignedFiles()  # pre-signed download links (tax forms)
        self.tax_forms = TaxForms(core, self.files, self.accounts)
        self.statements = Statements(core)
        self.rewards = Rewards(core)
        self.backends += (
            self.settlements, self.issuer_quotes, self.monitoring_addresses, self.files,
            self.tax_forms, self.statements, self.rewards,
        )  # fmt: skip
        self.reset()

    def reset(self) -> None:
        """Forget everything and replay the seeded history: the world of a fresh ledger."""
        with self.lock:
            self.core.reset()
            for backend in self.backends:
                backend.reset()
            self.core.customer_id = self.core.new_id()
            populate(self, history=self.history)

    # -- plumbing (the core's) ----------------------------------------------------------------
    @property
    def lock(self) -> LedgerLock:
        return self.core.lock

    @property
    def now(self) -> datetime:
        """The instant of the running (or last) ``at()``."""
        return self.core.now

    @property
    def as_of(self) -> datetime:
        return self.core.as_of

    @property
    def outcomes(self) -> Outcomes:
        """Forced outcomes of the next calls (``backends/outcomes.py``)."""
        return self.core.outcomes

    @property
    def customer_id(self) -> str:
        return self.core.customer_id

    @property
    def default_profile_id(self) -> str:
        return self.profiles.default_profile_id

    def new_id(self) -> str:
        """A seeded UUID (version 4 layout): the n-th id of a seed is always the same."""
        return self.core.new_id()

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

    def advance(self, now: datetime, step: timedelta) -> None:
        """The emulator's clock moved ``step`` forward, to ``now``: move by as much and run
        what became due.

        On a frozen clock the ledger runs a few µs ahead (each call is 1 µs after the last),
        so it moves to ``max(now, its instant + step)``: work due ``step`` after it was
        created is done after ``advance(step)``, whatever the requests in between.
        """
        with self.lock, self.core.at(max(now, self.core.now + step)):
            pass

    def schedule(self, when: datetime, action: Action) -> None:
        """Run ``action(when)`` at the first ``settle(now)`` with ``now >= when``."""
        self.core.schedule(when, action)

    def settle(self, now: datetime) -> int:
        """Complete everything due at or before ``now``, oldest first; returns how many."""
        return self.core.settle(now)

    def upcoming(self) -> list[tuple[datetime, str]]:
        """``(due, family)`` of every transition still to come, earliest first."""
        with self.lock:
            return self.core.scheduler.upcoming()

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
            for records in (
                self.orders.executions, self.quotes.executions, self.conversions,
                self.issuer_quotes.executions, self.orchestrations,
            ):  # fmt: skip
                for record in records:
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
    if t.kind in ("withdrawal", "paxos"):  # a Paxos transfer leaves for another entity
        return [(asset, "withdrawals", total)]
    category = "internal" if t.kind == "internal" else "conversions"
    return [(asset, category, total if t.direction == "CREDIT" else -total)]
