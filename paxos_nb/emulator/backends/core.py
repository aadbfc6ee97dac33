"""What every backend shares: one lock, the clock, seeded ids, settlement, the change hook.

:class:`Core` is the spine of the emulated world. Its lock guards all state; ``at(now)`` holds
it for one consistent read or write after completing whatever became due (PENDING transfers,
CREATED conversions…): settlement is lazy, no background thread. Every state change a
backend makes is announced once through :meth:`Core.changed` (kind, record, instant), the
one place where an events feed (``GET /v2/events``) can later record them.
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Generic, TypeVar

from ..cursors import SortedIndex, key_of

__all__ = ["Change", "Core", "Family"]

R = TypeVar("R")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


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

    def clear(self) -> None:
        self.by_id.clear()
        self.created = SortedIndex()
        self.refs.clear()

    def __len__(self) -> int:
        return len(self.by_id)

    def __iter__(self) -> Iterator[R]:
        return iter(self.by_id.values())


@dataclass(frozen=True)
class Change:
    """One state change: ``kind`` like ``"transfer.created"``, the record, the instant."""

    kind: str
    record: Any
    at: datetime


@dataclass
class _Due:
    when: datetime
    seq: int
    action: Callable[[datetime], None]

    def __lt__(self, other: _Due) -> bool:
        return (self.when, self.seq) < (other.when, other.seq)


class Core:
    """Lock, clock, seeded randomness, the settlement queue and the change hook."""

    def __init__(self, seed: int, settle_after: timedelta, as_of: datetime) -> None:
        self.lock = threading.RLock()
        self.seed = seed
        self.settle_after = settle_after
        self.as_of = as_of
        self.listeners: list[Callable[[Change], None]] = []
        self.reset()

    def reset(self) -> None:
        """Back to the instant before seeding: same seed, same ids from here on."""
        with self.lock:
            self._ids = random.Random(f"paxos-nb-ids:{self.seed}")  # noqa: S311 - seeded
            self._due: list[_Due] = []
            self._seq = itertools.count()
            self._execution_ids = itertools.count(12_000_000 + 1000 * (self.seed % 1000))
            self._last = _EPOCH
            self.now = self.as_of

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

    # -- clock and settlement -----------------------------------------------------------------
    @contextmanager
    def at(self, now: datetime) -> Iterator[None]:
        """Hold the lock at ``now`` (made strictly increasing) after settling what is due."""
        with self.lock:
            self.now = max(now, self._last + timedelta(microseconds=1))
            self._last = self.now
            self.settle(self.now)
            yield

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

    # -- the change hook ----------------------------------------------------------------------
    def changed(self, kind: str, record: Any, at: datetime | None = None) -> None:
        """Announce one state change to every listener (none yet: the events feed will be)."""
        if self.listeners:
            change = Change(kind, record, at or self.now)
            for listener in list(self.listeners):
                listener(change)
