"""One retry policy for every request paxos_nb sends: token fetches and API calls.

:class:`RetryPolicy` holds the constants (attempts, backoff, the total wait allowed) and the
statuses worth retrying; :class:`Retrying` is one call's allowance under it. A wait is the
server's ``Retry-After`` when it sent one (seconds or an HTTP date, :func:`parse_retry_after`),
else exponential backoff with full jitter. A wait that would pass the budget is not slept:
the caller raises at once, with the wait in its message.

What may be retried is the caller's decision: the session retries GETs and writes that carry
a ``ref_id`` (see :mod:`paxos_nb.sending`); the token manager retries every token request
(asking for a token changes nothing on the server).
"""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

__all__ = ["RETRY_STATUSES", "RetryPolicy", "Retrying", "parse_retry_after"]

# Overloaded or briefly unavailable: worth another try. A 500 is a server failure, not load.
RETRY_STATUSES = frozenset({429, 502, 503, 504})


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date.

    Returns None when the header is missing or unreadable; negative values and dates in the
    past give 0.
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


@dataclass
class RetryPolicy:
    """How often and how long to retry.

    Parameters
    ----------
    attempts : int
        Total tries including the first (1 disables retries).
    base, cap : float
        Backoff before retry ``n`` is a random value in ``[0, min(cap, base * 2**n)]``.
    budget : float
        The most seconds spent sleeping for one call; a ``Retry-After`` beyond what is
        left is not slept: the error is raised at once with the wait in its message.
    sleep : callable
        Injected for tests (records waits instead of sleeping).
    rng : random.Random, optional
        The jitter's source (seeded in tests).
    statuses : frozenset of int
        HTTP statuses worth retrying (429, 502, 503, 504).
    """

    attempts: int = 4
    base: float = 0.5
    cap: float = 8.0
    budget: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random | None = None
    statuses: frozenset[int] = field(default=RETRY_STATUSES)

    def delay(self, retry: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number ``retry`` (0-based)."""
        if retry_after is not None:
            return retry_after
        rng = self.rng or random
        return rng.uniform(0, min(self.cap, self.base * (2**retry)))

    def start(self, *, enabled: bool = True, budget: float | None = None) -> Retrying:
        """The allowance of one call (``enabled=False``: a single try)."""
        return Retrying(self, self.attempts if enabled else 1, budget)


class Retrying:
    """One call's retries under a :class:`RetryPolicy`: tries made and seconds slept."""

    __slots__ = ("attempts", "budget", "policy", "retries", "waited")

    def __init__(self, policy: RetryPolicy, attempts: int, budget: float | None = None) -> None:
        self.policy, self.attempts = policy, attempts
        self.budget = policy.budget if budget is None else budget
        self.retries = 0  # retries done so far (the next try is number retries + 1)
        self.waited = 0.0

    def next_wait(self, retry_after: float | None = None) -> float | None:
        """The wait before another try, or None when no try is left (attempts or budget)."""
        wait = self.policy.delay(self.retries, retry_after)
        if self.retries + 1 >= self.attempts or self.waited + wait > self.budget:
            return None
        return wait

    def wait(self, seconds: float) -> None:
        """Sleep ``seconds`` (through the policy's sleep) before the next try."""
        self.policy.sleep(seconds)
        self.waited += seconds
        self.retries += 1
