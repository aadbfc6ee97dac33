"""Forced outcomes: make the failure paths Paxos documents reachable on purpose.

The Paxos sandbox offers only two helpers (fiat deposits and identity statuses); a rejected
fiat account, a failed withdrawal or a crypto deposit held for travel-rule information
cannot be asked for there. The emulator can: queue the outcome of the next call of an
operation, and that call takes it (statuses, events and balances exactly as on the documented
path)::

    emu.outcomes.next("CreateFiatWithdrawal", "FAILED")      # the next one fails
    emu.outcomes.next("CreateSandboxDeposit", "NEEDS_INFO")  # held for travel-rule info

A Python API only (no HTTP route): an emulator-only control surface, as docs.paxos.com has
none. Outcomes are taken in the order queued; a call whose request is refused (400, 403 ...)
takes nothing; an outcome that does not apply to a call (``NEEDS_INFO`` for a USD sandbox
deposit) stays queued for the next call it applies to.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

__all__ = ["CHOICES", "Outcomes"]

# Operation -> the outcomes it can be forced to (the first is what happens when none is
# queued). Statuses are Paxos's own; NEEDS_INFO is the docs' name for a deposit held for
# travel-rule information (PENDING with secondary_status TRAVEL_RULE_INFO_REQUESTED).
# MAX_RENT_EXCEEDED and STALE_FEE_QUOTE are FAILED with that key of the spec's
# Transfer.status_details (max_rent_exceeded: SOLANA withdrawals only; withdrawals.py).
CHOICES: dict[str, tuple[str, ...]] = {
    "CreateFiatAccount": ("APPROVED", "REJECTED"),
    "UpdateFiatAccount": ("APPROVED", "REJECTED"),
    "CreateFiatWithdrawal": ("COMPLETED", "FAILED"),
    "InitiateSandboxFiatDeposit": ("COMPLETED", "FAILED"),
    "CreateSandboxDeposit": ("COMPLETED", "PENDING", "NEEDS_INFO", "FAILED"),
    "CreateCryptoWithdrawal": ("COMPLETED", "FAILED", "MAX_RENT_EXCEEDED", "STALE_FEE_QUOTE"),
    "CreateInternalTransfer": ("COMPLETED", "FAILED"),
    "CreateOrchestration": ("COMPLETED", "FAILED"),
    "PutCryptoDestinationAddress": ("APPROVED", "PENDING", "REJECTED"),
}


class Outcomes:
    """Queued outcomes per operation; every method takes the ledger's lock."""

    def __init__(self, lock: Any) -> None:
        self.lock = lock
        self._queues: dict[str, deque[str]] = {}

    def reset(self) -> None:
        """Forget every queued outcome."""
        with self.lock:
            self._queues.clear()

    def next(self, operation_id: str, outcome: str, *, count: int = 1) -> None:
        """Force the outcome of the next ``count`` calls of ``operation_id``.

        Parameters
        ----------
        operation_id : str
            One of :data:`CHOICES` (e.g. ``"CreateFiatWithdrawal"``).
        outcome : str
            One of ``CHOICES[operation_id]`` (e.g. ``"FAILED"``), in any case.
        count : int
            How many calls take it (default 1).

        Raises
        ------
        ValueError
            An operation with no forced outcomes, an outcome it cannot have, or a count < 1;
            the message lists what is allowed.
        """
        allowed = CHOICES.get(operation_id)
        if allowed is None:
            raise ValueError(
                f"no forced outcomes for {operation_id!r}; operations that have them: "
                f"{', '.join(sorted(CHOICES))}"
            )
        wanted = str(outcome).upper()
        if wanted not in allowed:
            raise ValueError(
                f"{operation_id} cannot be forced to {outcome!r}; choose one of "
                f"{', '.join(allowed)}"
            )
        if not isinstance(count, int) or count < 1:
            raise ValueError(f"count must be a positive integer, got {count!r}")
        with self.lock:
            self._queues.setdefault(operation_id, deque()).extend([wanted] * count)

    def take(self, operation_id: str, applies: Iterable[str] | None = None) -> str:
        """The outcome of this call of ``operation_id``: the first queued one that
        ``applies`` (default: any), removed from the queue; else the default outcome."""
        usable = set(CHOICES[operation_id] if applies is None else applies)
        with self.lock:
            queue = self._queues.get(operation_id)
            for position, outcome in enumerate(queue or ()):
                if outcome in usable:
                    del queue[position]  # type: ignore[union-attr]
                    return outcome
        return CHOICES[operation_id][0]

    def queued(self) -> dict[str, list[str]]:
        """What is queued, per operation (empty lists left out)."""
        with self.lock:
            return {op: list(q) for op, q in sorted(self._queues.items()) if q}

    def clear(self, operation_id: str | None = None) -> None:
        """Drop the queued outcomes of one operation, or of all."""
        with self.lock:
            if operation_id is None:
                self._queues.clear()
            else:
                self._queues.pop(operation_id, None)

    def __repr__(self) -> str:
        return f"Outcomes({self.queued()})"
