"""Counters served at ``GET /_emulator/stats`` and returned by ``Emulator.stats()``."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

__all__ = ["Stats"]


class Stats:
    """Thread-safe counters; every method is a few dict operations under one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.started = time.time()
        self.connections = 0
        self.token: Counter[str] = Counter()  # granted / refused / error codes
        self.operations: Counter[str] = Counter()  # operation id -> requests
        self.statuses: Counter[int] = Counter()  # HTTP status -> responses
        self.faults: Counter[str] = Counter()  # fault kind -> injected
        self.rate_limited: Counter[str] = Counter()  # rate-limit group -> 429s

    def connection(self) -> None:
        with self._lock:
            self.connections += 1

    def token_request(self, error: str | None) -> None:
        with self._lock:
            if error is None:
                self.token["granted"] += 1
            else:
                self.token["refused"] += 1
                self.token[error] += 1

    def operation(self, operation_id: str) -> None:
        with self._lock:
            self.operations[operation_id] += 1

    def status(self, code: int) -> None:
        with self._lock:
            self.statuses[code] += 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self.faults[kind] += 1

    def limited(self, group: str) -> None:
        with self._lock:
            self.rate_limited[group] += 1

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready copy of every counter."""
        with self._lock:
            token = dict(self.token)
            errors = {k: v for k, v in token.items() if k not in ("granted", "refused")}
            return {
                "uptime_seconds": round(time.time() - self.started, 3),
                "connections": self.connections,
                "token_requests": {
                    "granted": token.get("granted", 0),
                    "refused": token.get("refused", 0),
                    "errors": errors,
                },
                "api_requests": {
                    "total": sum(self.operations.values()),
                    "by_operation": dict(sorted(self.operations.items())),
                },
                "responses": {str(k): v for k, v in sorted(self.statuses.items())},
                "faults_injected": dict(sorted(self.faults.items())),
                "rate_limited": dict(sorted(self.rate_limited.items())),
            }
