"""The documented rate limits (API-BRIEF section 7): per client IP and path-pattern group,
the average rate over a window; over it, every request of that group gets 429 for the
throttle period.

Counts are kept in one-second buckets, so memory per (IP, group) is bounded by the window
length in seconds, whatever the request rate.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from functools import cache

from ..catalog import Operation
from .config import RateLimits
from .problems import Problem

__all__ = ["RateLimiter", "group_of", "too_many_requests"]

_IDENTITY_PREFIX = "/identity/"
_BY_PATH = {
    "/markets/{market}/order-book": "order-book",
    "/markets/{market}/recent-executions": "recent-executions",
    "/profiles/{profile_id}/quote-executions": "quote-executions",
    "/transfer/internal": "transfer-internal",
    "/transfer/crypto-withdrawals": "crypto-withdrawals",
}


def group_of(op: Operation) -> tuple[str, str]:
    """(limit name, bucket key) of an operation; "everything else" is one bucket per path."""
    return _group_of_path(op.path)


@cache
def _group_of_path(path: str) -> tuple[str, str]:
    name = _BY_PATH.get(path)
    if name is None and path.startswith(_IDENTITY_PREFIX):
        name = "identity"
    if name is not None:
        return name, name
    return "default", path


def too_many_requests(retry_after: float) -> Problem:
    """The 429 body Paxos documents, with the seconds left in ``Retry-After``."""
    return Problem(
        429,
        "Too many requests",
        headers={"Retry-After": str(max(1, math.ceil(retry_after)))},
    )


class _Bucket:
    __slots__ = ("counts", "throttled_until", "total")

    def __init__(self) -> None:
        self.counts: deque[list[int]] = deque()  # [second, requests]
        self.total = 0
        self.throttled_until = 0.0


class RateLimiter:
    """Checks one request against its group's limit; raises the 429 :class:`Problem`."""

    def __init__(self, config: RateLimits) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    def check(self, ip: str, name: str, key: str) -> None:
        cfg = self.config
        now = time.monotonic()
        second = int(now)
        with self._lock:
            bucket = self._buckets.get((ip, key))
            if bucket is None:
                bucket = self._buckets[(ip, key)] = _Bucket()
            if now < bucket.throttled_until:
                raise too_many_requests(bucket.throttled_until - now)
            counts = bucket.counts
            horizon = second - cfg.window
            while counts and counts[0][0] <= horizon:
                bucket.total -= counts.popleft()[1]
            if counts and counts[-1][0] == second:
                counts[-1][1] += 1
            else:
                counts.append([second, 1])
            bucket.total += 1
            if bucket.total > cfg.limits[name] * cfg.window:
                # Over the average: throttle the whole group and start counting afresh.
                bucket.throttled_until = now + cfg.throttle
                counts.clear()
                bucket.total = 0
                raise too_many_requests(cfg.throttle)
