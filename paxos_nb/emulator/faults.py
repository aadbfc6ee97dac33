"""Seeded fault injection, for testing a client's retries and error handling.

Kinds (strings):

``"429"``   429 problem+json with ``Retry-After`` (as if rate limited)
``"500"``   500 problem+json
``"502"``   an HTML 502 page, as a gateway in front of Paxos would send
``"503"``   503 problem+json with ``Retry-After``
``"slow"``  the reply is delayed by ``delay`` seconds, then served normally
``"reset"`` the connection is reset before anything is answered (nothing was done)
``"reset_after_write"``  the request is fully handled (a write is saved), then the
            connection is reset instead of answering: the client cannot know it succeeded
            (both resets need ``Emulator(fault_proxy=True)``: the proxy owns the socket)
``"revoke"`` the request's bearer token is revoked first, so it gets 401 invalid_token

Faults come from a queue (:meth:`FaultInjector.inject_next`, served first) or at random
(:meth:`FaultInjector.configure`), drawn from ``random.Random(seed)``: the same seed and
the same request sequence give the same faults. ``operation_id=TOKEN`` targets the token
endpoint, which knows the kinds 429, 500, 502, 503, slow and reset.
"""

from __future__ import annotations

import fnmatch
import random
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["API_KINDS", "TOKEN", "TOKEN_KINDS", "Fault", "FaultInjector"]

TOKEN = "token"  # noqa: S105 - pseudo operation id of POST /oauth2/token
API_KINDS = ("429", "500", "502", "503", "slow", "reset", "reset_after_write", "revoke")
TOKEN_KINDS = ("429", "500", "502", "503", "slow", "reset")
RESETS = ("reset", "reset_after_write")


@dataclass(frozen=True)
class Fault:
    """One fault to apply to one request."""

    kind: str
    delay: float = 1.0  # seconds, for "slow"
    retry_after: int = 1  # seconds, for "429" and "503"


@dataclass
class _Queued:
    fault: Fault
    count: int
    operation_id: str | None


class FaultInjector:
    """Decides, per request, which fault (if any) to apply. Thread-safe.

    Parameters
    ----------
    resets : bool
        Whether connection resets can be performed (the emulator runs its fault proxy).
    """

    def __init__(self, resets: bool = False) -> None:
        self.resets = resets
        self._lock = threading.Lock()
        self._queue: deque[_Queued] = deque()
        self._rate = 0.0
        self._rng = random.Random(0)  # noqa: S311 - seeded, reproducible faults
        self._kinds: tuple[str, ...] = ()
        self._methods: frozenset[str] | None = None
        self._paths: tuple[str, ...] | None = None
        self._operation_ids: frozenset[str] | None = None
        self._delay = 1.0
        self._retry_after = 1
        self._token = False

    def configure(
        self,
        rate: float,
        seed: int = 0,
        kinds: Iterable[str] | None = None,
        *,
        methods: Iterable[str] | None = None,
        paths: Iterable[str] | None = None,
        operation_ids: Iterable[str] | None = None,
        delay: float = 1.0,
        retry_after: int = 1,
        token_endpoint: bool = False,
    ) -> None:
        """Inject random faults into a fraction ``rate`` of the matching API requests.

        Parameters
        ----------
        rate : float
            Probability in [0, 1] that a matching request gets a fault.
        seed : int
            Seed of the random draws (which requests, which kind).
        kinds : iterable of str, optional
            Kinds to draw from, uniformly (see the module docstring). Default: 429, 500,
            503, and reset when the emulator runs its fault proxy.
        methods, paths, operation_ids : iterables of str, optional
            Only requests matching all given filters are eligible. ``paths`` are
            ``fnmatch`` patterns on the path relative to /v2 (e.g. ``"/profiles*"``).
        delay : float
            Seconds of delay for "slow".
        retry_after : int
            The ``Retry-After`` seconds of injected 429 and 503 answers.
        token_endpoint : bool
            Also draw faults for ``POST /oauth2/token`` (only its kinds apply there).
        """
        if kinds is None:
            kinds = ("429", "500", "503", "reset") if self.resets else ("429", "500", "503")
        kinds = tuple(kinds)
        _check_kinds(kinds, API_KINDS)
        self._check_resets(kinds)
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, got {rate!r}")
        with self._lock:
            self._rate = float(rate)
            self._rng = random.Random(seed)  # noqa: S311
            self._kinds = kinds
            self._methods = frozenset(m.upper() for m in methods) if methods else None
            self._paths = tuple(paths) if paths else None
            self._operation_ids = frozenset(operation_ids) if operation_ids else None
            self._delay = float(delay)
            self._retry_after = int(retry_after)
            self._token = token_endpoint

    def inject_next(
        self,
        kind: str,
        count: int = 1,
        operation_id: str | None = None,
        *,
        delay: float = 1.0,
        retry_after: int = 1,
    ) -> None:
        """Apply ``kind`` to the next ``count`` requests (of ``operation_id`` if given;
        ``operation_id=TOKEN`` for the token endpoint). Queued faults come before random ones.
        """
        _check_kinds((kind,), TOKEN_KINDS if operation_id == TOKEN else API_KINDS)
        self._check_resets((kind,))
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._queue.append(_Queued(Fault(kind, delay, retry_after), count, operation_id))

    def _check_resets(self, kinds: tuple[str, ...]) -> None:
        wanted = [k for k in kinds if k in RESETS]
        if wanted and not self.resets:
            raise ValueError(
                f"fault kind {wanted[0]!r} resets the connection, which needs the fault proxy: "
                "start the emulator with Emulator(..., fault_proxy=True)"
            )

    def clear(self) -> None:
        """Drop queued faults and turn random faults off."""
        with self._lock:
            self._queue.clear()
            self._rate = 0.0

    @property
    def pending(self) -> int:
        """Queued faults not yet applied."""
        return sum(q.count for q in self._queue)

    def pick(self, operation_id: str, method: str, path: str, public: bool = False) -> Fault | None:
        """The fault for this request, or None (the common case costs two attribute reads)."""
        if not self._queue and self._rate == 0.0:
            return None
        with self._lock:
            for i, q in enumerate(self._queue):
                is_token = operation_id == TOKEN
                if q.operation_id == operation_id or (q.operation_id is None and not is_token):
                    if q.fault.kind == "revoke" and public:
                        continue  # nothing to revoke on a public operation
                    q.count -= 1
                    if q.count == 0:
                        del self._queue[i]
                    return q.fault
            if self._rate == 0.0 or not self._eligible(operation_id, method, path):
                return None
            if self._rng.random() >= self._rate:
                return None
            kinds = self._kinds
            if operation_id == TOKEN:
                kinds = tuple(k for k in kinds if k in TOKEN_KINDS)
            elif public:
                kinds = tuple(k for k in kinds if k != "revoke")
            if not kinds:
                return None
            return Fault(self._rng.choice(kinds), self._delay, self._retry_after)

    def _eligible(self, operation_id: str, method: str, path: str) -> bool:
        if operation_id == TOKEN:
            return self._token
        if self._methods is not None and method.upper() not in self._methods:
            return False
        if self._operation_ids is not None and operation_id not in self._operation_ids:
            return False
        return self._paths is None or any(fnmatch.fnmatchcase(path, p) for p in self._paths)

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {
                "rate": self._rate,
                "kinds": list(self._kinds),
                "pending": sum(q.count for q in self._queue),
            }


def _check_kinds(kinds: tuple[str, ...], allowed: tuple[str, ...]) -> None:
    bad = [k for k in kinds if k not in allowed]
    if bad or not kinds:
        raise ValueError(f"unknown fault kind(s) {bad or kinds!r}; choose from {list(allowed)}")
