"""Load-generator worker for the emulator throughput benchmark (stdlib only: cheap to spawn).

Each worker is its own process with one keep-alive ``http.client`` connection and a bearer
token; after a warm-up it waits at a barrier shared by all workers, then sends requests back
to back for ``duration`` seconds and reports its count, errors and latencies.
"""

from __future__ import annotations

import http.client
import socket
import time
from typing import Any
from urllib.parse import urlsplit

__all__ = ["raw_worker", "worker"]

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


def raw_worker(url: str, token: str, duration: float, barrier: Any, results: Any) -> None:
    """Like :func:`worker`, but lean enough to outrun the servers it measures: one socket, a
    request prepared once, and the answer read by its ``Content-Length`` (the servers measured
    here always send one). Puts ``(count, errors, latencies, cpu_seconds)`` on ``results``."""
    try:
        results.put(_run_raw(url, token, duration, barrier))
    except Exception as exc:
        barrier.abort()
        results.put((-1, f"{type(exc).__name__}: {exc}", [], 0.0))


def _run_raw(
    url: str, token: str, duration: float, barrier: Any
) -> tuple[int, int, list[float], float]:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    request = (
        f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n"
        "Accept: application/json\r\n\r\n"
    ).encode()
    sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buffer = bytearray()

    def exchange() -> int:
        sock.sendall(request)
        while (end := buffer.find(b"\r\n\r\n")) < 0:
            _fill(sock, buffer)
        head = bytes(buffer[:end]).lower()
        status = int(head[9:12])
        at = head.find(b"\r\ncontent-length:")
        if at < 0:
            raise RuntimeError("the answer has no Content-Length")
        stop = head.find(b"\r\n", at + 2)
        length = int(head[at + 17 : stop if stop > 0 else None])
        total = end + 4 + length
        while len(buffer) < total:
            _fill(sock, buffer)
        del buffer[:total]
        return status

    latencies: list[float] = []
    errors = 0
    try:
        for _ in range(WARMUP):
            exchange()
        barrier.wait(60)
        clock = time.perf_counter
        cpu = time.process_time()
        end_at = clock() + duration
        while True:
            start = clock()
            if start >= end_at:
                break
            if exchange() != 200:
                errors += 1
            latencies.append(clock() - start)
        cpu = time.process_time() - cpu
    finally:
        sock.close()
    return len(latencies), errors, latencies, cpu


def _fill(sock: socket.socket, buffer: bytearray) -> None:
    chunk = sock.recv(262144)
    if not chunk:
        raise ConnectionError("the server closed the connection")
    buffer += chunk
