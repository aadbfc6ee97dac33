"""Load-generator worker for the emulator throughput benchmark (stdlib only: cheap to spawn).

Each worker is its own process with one keep-alive ``http.client`` connection and a bearer
token; after a warm-up it waits at a barrier shared by all workers, then sends requests back
to back for ``duration`` seconds and reports its count, errors and latencies.
"""

from __future__ import annotations

import http.client
import time
from typing import Any
from urllib.parse import urlsplit

__all__ = ["worker"]

WARMUP = 5


def worker(url: str, token: str, duration: float, barrier: Any, results: Any) -> None:
    """Closed-loop GETs of ``url``; puts ``(count, errors, latencies)`` on ``results``, or
    ``(-1, message, [])`` when the worker failed (it then breaks the barrier for all)."""
    try:
        results.put(_run(url, token, duration, barrier))
    except Exception as exc:
        barrier.abort()
        results.put((-1, f"{type(exc).__name__}: {exc}", []))


def _run(url: str, token: str, duration: float, barrier: Any) -> tuple[int, int, list[float]]:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    latencies: list[float] = []
    errors = 0
    try:
        for _ in range(WARMUP):
            conn.request("GET", target, headers=headers)
            conn.getresponse().read()
        barrier.wait(60)
        clock = time.perf_counter
        end = clock() + duration
        while True:
            start = clock()
            if start >= end:
                break
            conn.request("GET", target, headers=headers)
            resp = conn.getresponse()
            resp.read()
            latencies.append(clock() - start)
            if resp.status != 200:
                errors += 1
    finally:
        conn.close()
    return len(latencies), errors, latencies
