"""The one queue of delayed state transitions (PENDING -> COMPLETED and the like).

Work that Paxos finishes later (a withdrawal is broadcast, a conversion settles, a GTT order
expires) is queued here with the instant it becomes due: ``after(family, start, action)``
adds that family's delay to ``start``; ``at(when, action, family)`` takes an instant. Due work
runs, oldest first, at the first :meth:`Scheduler.run_due` with ``now >= due`` (the ledger
calls it when a request or ``emu.advance()`` moves time), and runs at its due instant, not at
the instant someone noticed it: a transfer completes exactly ``delay`` after it was created,
whenever it is read. No background thread: time moves only with the emulator's clock.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

__all__ = ["DELAYS", "Action", "Scheduler", "delays_for"]

Action = Callable[[datetime], None]

# Seconds from the start of a piece of work to its completion, per family (the vocabulary of
# ``after()``); None means the ledger's ``settle_after`` (1 s by default). Paxos documents
# few delays (a sandbox fiat deposit lands "about a minute later"); families added later
# put their own figure here.
DELAYS: dict[str, float | None] = {
    "internal_transfer": None,  # both legs of an internal transfer complete
    "crypto_withdrawal": None,  # broadcast: COMPLETED with a tx hash
    "stablecoin_conversion": None,  # CREATED -> SETTLED
    "quote_execution": None,  # CREATED -> SETTLED
    "orchestration": None,  # PROCESSING -> COMPLETED (its two legs)
    # The sandbox's onboarding decision (a passthrough person is APPROVED "immediately":
    # the create answer says PENDING, the next read APPROVED; docs.paxos.com, Onboarding a
    # Person for Crypto Brokerage); institutions are asked for documents at the same time.
    "identity_onboarding": 0.0,
    # money family (issue 12): fiat transfers, crypto deposits (figures: docs.paxos.com)
    "fiat_account": 2,  # PENDING -> APPROVED (review; the sandbox's next GET shows APPROVED)
    "fiat_withdrawal": 3,  # PENDING -> COMPLETED ("about 3 s" in the sandbox)
    "sandbox_fiat_deposit": 60,  # PENDING -> COMPLETED ("about a minute later")
    "crypto_deposit": None,  # a confirming or released crypto deposit -> COMPLETED
    # issue 13, part 2 families
    "settlement_check": None,  # an AFFIRMED settlement transaction is checked for funds
    "issuer_quote_execution": None,  # a PAXG mint (BUY) is COMPLETE
    "reward_address": None,  # PENDING -> ACTIVE
    "payout_group": None,  # on chain: onchain_status PENDING -> ACTIVE
    "reward_claim": None,  # each step of a claim: PENDING -> SUBMITTED -> CONFIRMED
}


def delays_for(
    settle_after: timedelta, overrides: Mapping[str, float] | None = None
) -> dict[str, timedelta]:
    """The delay of every family: :data:`DELAYS`, then ``overrides`` (seconds, by family).

    Raises ``ValueError`` naming an unknown family or a negative delay.
    """
    delays = {
        name: settle_after if seconds is None else timedelta(seconds=seconds)
        for name, seconds in DELAYS.items()
    }
    for name, seconds in (overrides or {}).items():
        if name not in DELAYS:
            raise ValueError(f"unknown delay family {name!r}; known: {', '.join(DELAYS)}")
        if seconds < 0:
            raise ValueError(f"delay of {name} must be >= 0 seconds, got {seconds}")
        delays[name] = timedelta(seconds=seconds)
    return delays


@dataclass(order=True)
class _Due:
    when: datetime
    seq: int
    family: str = field(compare=False)
    action: Action = field(compare=False)


class Scheduler:
    """Delayed actions in due order; the caller holds the ledger's lock around every call."""

    def __init__(self, delays: Mapping[str, timedelta]) -> None:
        self.delays = dict(delays)
        self.reset()

    def reset(self) -> None:
        """Forget every queued action."""
        self._queue: list[_Due] = []
        self._seq = itertools.count()

    def after(self, family: str, start: datetime, action: Action) -> datetime:
        """Run ``action(due)`` at ``due = start + delays[family]``; returns ``due``."""
        try:
            due = start + self.delays[family]
        except KeyError:
            raise ValueError(f"no delay for {family!r}; add it to scheduler.DELAYS") from None
        self.at(due, action, family)
        return due

    def at(self, when: datetime, action: Action, family: str = "") -> None:
        """Run ``action(when)`` at the first :meth:`run_due` with ``now >= when``."""
        heapq.heappush(self._queue, _Due(when, next(self._seq), family, action))

    def run_due(self, now: datetime) -> int:
        """Run everything due at or before ``now``, oldest first (work queued by a running
        action is run too when it is due); returns how many actions ran."""
        queue, done = self._queue, 0
        while queue and queue[0].when <= now:
            item = heapq.heappop(queue)
            item.action(item.when)
            done += 1
        return done

    def next_due(self) -> datetime | None:
        """When the earliest queued action is due (None when nothing is queued)."""
        return self._queue[0].when if self._queue else None

    def upcoming(self) -> list[tuple[datetime, str]]:
        """``(due, family)`` of every queued action, earliest first."""
        return [(d.when, d.family) for d in sorted(self._queue)]

    def __len__(self) -> int:
        return len(self._queue)
