"""Timing helpers: interleaved rounds and robust summaries (stdlib only).

Every comparison runs its variants in rounds, one batch of each per round, rotating which
goes first, and reports medians: a burst of machine noise then hits every variant alike
instead of whichever happened to run during it.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Mapping

__all__ = ["interleave", "median", "percentile", "time_batch"]


def time_batch(fn: Callable[[], object], n: int, cpu: list[float] | None = None) -> float:
    """Wall seconds per call of ``fn`` over ``n`` back-to-back calls.

    With ``cpu``, also appends this process's CPU seconds per call (client work only: the
    server is another process), which machine load disturbs far less than wall time.
    """
    start, start_cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        fn()
    if cpu is not None:
        cpu.append((time.process_time() - start_cpu) / n)
    return (time.perf_counter() - start) / n


def interleave(variants: Mapping[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Run each variant once per round (rotating the order); each returns a time.

    Returns the times of every round, per variant.
    """
    names = list(variants)
    out: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            out[name].append(variants[name]())
    return out


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(sorted_values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of already sorted values, nearest-rank."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(q / 100 * len(sorted_values))))
    return sorted_values[rank - 1]
