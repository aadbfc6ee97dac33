"""Benchmarks 5-7: import cost, emulator throughput, notebook runtime (all in subprocesses)."""

from __future__ import annotations

import multiprocessing
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import loadgen
from cases_client import fetch_token
from timing import interleave, median, percentile

__all__ = ["emulator_load", "import_cost", "notebooks"]

ROOT = Path(__file__).resolve().parent.parent

IMPORTS = {
    "paxos_nb": "import paxos_nb",
    "requests_oauthlib": "import requests_oauthlib",
    # For reference: touching connect imports the session stack (requests-oauthlib
    # included); the interpreter alone is the floor every variant pays.
    "paxos_nb + connect": "import paxos_nb; paxos_nb.connect",
    "python (no import)": "pass",
}
# Heavy modules that must stay out of `import paxos_nb`.
LAZY = ("pandas", "numpy", "ipywidgets", "uvicorn", "starlette", "requests", "oauthlib", "jwt")


def _run_python(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    return time.perf_counter() - start


def _import_profile(module: str, top: int = 8) -> dict[str, Any]:
    """``python -X importtime``: the costliest imports (cumulative microseconds)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            rows.append((int(m.group(2)), int(m.group(1)), len(m.group(3)), m.group(4)))
    loaded = {name for *_, name in rows}
    direct = sorted((r for r in rows if r[2] <= 3), reverse=True)[:top]  # top-level imports
    return {
        "total_us": max((r[0] for r in rows), default=0),
        "top_level_imports_us": {name: cum for cum, _, _, name in direct},
        "heavy_modules_loaded": sorted(m for m in LAZY if m in loaded),
    }


def import_cost(*, repeats: int) -> dict[str, Any]:
    """Benchmark 5: fresh-interpreter import times, interleaved, medians."""
    if repeats > 1:
        for code in IMPORTS.values():
            _run_python(code)  # warm the file cache and the bytecode
    runs = interleave(
        {name: (lambda c=code: _run_python(c)) for name, code in IMPORTS.items()}, repeats
    )
    med = {name: median(times) for name, times in runs.items()}
    floor = med["python (no import)"]
    ratio = med["paxos_nb"] / med["requests_oauthlib"]
    return {
        "repeats": repeats,
        "seconds": med,
        "ratio_to_requests_oauthlib": {n: v / med["requests_oauthlib"] for n, v in med.items()},
        "ratio_net_of_interpreter": (med["paxos_nb"] - floor)
        / max(1e-9, med["requests_oauthlib"] - floor),
        "importtime_paxos_nb": _import_profile("paxos_nb"),
        "target": 1.5,
        "met": ratio <= 1.5,
    }


def _level(url: str, token: str, concurrency: int, duration: float) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")  # clean children; loadgen imports stdlib only
    barrier = ctx.Barrier(concurrency)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=loadgen.worker, args=(url, token, duration, barrier, results))
        for _ in range(concurrency)
    ]
    for p in procs:
        p.start()
    got = [results.get(timeout=120 + duration) for _ in procs]
    for p in procs:
        p.join(30)
    failed = [msg for count, msg, _ in got if count < 0]
    if failed:
        raise RuntimeError(f"load worker failed: {failed[0]}")
    latencies = sorted(x for _, _, lat in got for x in lat)
    count = sum(c for c, _, _ in got)
    return {
        "concurrency": concurrency,
        "requests": count,
        "errors": sum(e for _, e, _ in got),
        "requests_per_second": count / duration,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": (latencies[-1] if latencies else float("nan")) * 1000,
    }


def emulator_load(emu: Any, *, levels: list[int], duration: float) -> dict[str, Any]:
    """Benchmark 6: closed-loop load on ``GET /v2/profiles`` from separate processes."""
    url = emu.info["api_url"] + "/profiles"
    token = fetch_token(emu, ["funding:read_profile"])
    rows = [_level(url, token, c, duration) for c in levels]
    at4 = next((r for r in rows if r["concurrency"] == 4), None)
    return {
        "endpoint": "GET /v2/profiles",
        "seconds_per_level": duration,
        "levels": rows,
        "target_rps_at_4": 800,
        "target_p99_ms_at_4": 50,
        "met": None
        if at4 is None
        else at4["requests_per_second"] >= 800 and at4["p99_ms"] <= 50 and not at4["errors"],
    }


def notebooks(directory: Path) -> dict[str, Any]:
    """Benchmark 7: ``pytest`` (nbval, the project's settings) over ``directory``, timed."""
    found = sorted(p for p in directory.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    if not found:
        return {
            "directory": str(directory),
            "notebooks": 0,
            "skipped": "no notebooks yet (they are being written alongside)",
            "met": None,
        }
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-c",
        str(ROOT / "pyproject.toml"),
        "--rootdir",
        str(ROOT),
        str(directory),
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    tail = proc.stdout.strip().splitlines()[-1:] or [""]
    counts = {
        k: int(v) for v, k in re.findall(r"(\d+) (passed|failed|error|errors|skipped)", tail[0])
    }
    return {
        "directory": str(directory),
        "notebooks": len(found),
        "names": [p.name for p in found],
        "seconds": seconds,
        "seconds_per_notebook": seconds / len(found),
        "cells": counts,
        "summary": tail[0],
        "exit_code": proc.returncode,
        "met": None,  # no target: reported
    }
