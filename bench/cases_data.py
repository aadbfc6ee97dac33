"""Benchmark 4: paging transfers into a DataFrame, and the records-to-frame step alone."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd
from cases_client import bare_session
from timing import interleave, median

import paxos_nb as px

__all__ = ["paging"]

HERE = Path(__file__).resolve().parent
PATH = "/transfer/transfers"
SCOPES = ["transfer:read_transfer"]


def _raw_records(session: Any, url: str, rows: int, limit: int) -> list[dict]:
    """The loop a user writes: follow ``next_page_cursor`` until ``rows`` records."""
    params: dict[str, Any] = {"limit": limit}
    items: list[dict] = []
    while len(items) < rows:
        resp = session.get(url, params=params, timeout=30)
        resp.raise_for_status()
        page = resp.json()
        items.extend(page["items"])
        cursor = page.get("next_page_cursor")
        if not cursor or not page["items"]:
            break
        params["page_cursor"] = cursor
    return items[:rows]


def _convert_in_fresh_process(
    records: list[dict], repeats: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall and CPU times of the pure step, measured by ``convert_proc.py`` (see why there)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records.json"
        path.write_text(json.dumps(records))
        done = subprocess.run(
            [sys.executable, str(HERE / "convert_proc.py"), str(path), str(repeats)],
            capture_output=True,
            text=True,
            check=True,
            cwd=HERE,
        )
    out = json.loads(done.stdout)
    return {n: v["wall"] for n, v in out.items()}, {n: v["cpu"] for n, v in out.items()}


def _timed(fn: Any, cpu: list[float]) -> Any:
    """A runner for :func:`interleave`: returns wall seconds, appends CPU seconds to ``cpu``."""

    def run() -> float:
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - start_cpu)
        return time.perf_counter() - start

    return run


def paging(emu: Any, *, rows: int, limit: int, rounds: int, repeats: int) -> dict[str, Any]:
    """``session.frame`` vs a raw requests loop + ``pd.json_normalize`` for ``rows`` records
    (``rows / limit`` pages), interleaved rounds, medians; then ``records_to_frame`` alone
    on the same records, ``repeats`` times.

    The two fetch-only variants (``session.records`` and the raw loop without the frame)
    show where the time goes; they are not part of the target.
    """
    url = emu.info["api_url"] + PATH
    bare = bare_session(emu, scopes=SCOPES)
    session = px.connect(emu.creds(), scopes=SCOPES, progress=False)
    shapes: dict[str, tuple[int, int]] = {}

    def paxos_frame() -> None:
        df = session.frame(PATH, limit=limit, max_rows=rows)
        shapes["paxos_nb frame"] = df.shape

    def raw_frame() -> None:
        df = pd.json_normalize(_raw_records(bare, url, rows, limit))
        shapes["requests + json_normalize"] = df.shape

    cpu: dict[str, list[float]] = defaultdict(list)
    variants = {
        "requests + json_normalize": _timed(raw_frame, cpu["requests + json_normalize"]),
        "paxos_nb frame": _timed(paxos_frame, cpu["paxos_nb frame"]),
        "requests fetch only": _timed(
            lambda: _raw_records(bare, url, rows, limit), cpu["requests fetch only"]
        ),
        "paxos_nb records only": _timed(
            lambda: list(session.records(PATH, limit=limit, max_rows=rows)),
            cpu["paxos_nb records only"],
        ),
    }
    try:
        records = _raw_records(bare, url, rows, limit)  # also the warm-up
        if len(records) < rows:
            raise RuntimeError(f"the emulator has only {len(records)} transfers, not {rows}")
        paxos_frame()
        runs = interleave(variants, rounds)
    finally:
        session.close()
        bare.close()
    med = {name: median(times) for name, times in runs.items()}
    base = med["requests + json_normalize"]

    conv_runs, conv_cpu = _convert_in_fresh_process(records, repeats)
    conv = {name: median(times) for name, times in conv_runs.items()}
    rows_per_s = {name: rows / seconds for name, seconds in conv.items()}
    rows_per_cpu_s = {name: rows / median(times) for name, times in conv_cpu.items()}
    ratio = med["paxos_nb frame"] / base
    return {
        "path": f"GET /v2{PATH}",
        "rows": rows,
        "pages": -(-rows // limit),
        "limit": limit,
        "rounds": rounds,
        "seconds": med,
        "client_cpu_seconds": {name: median(times) for name, times in cpu.items()},
        "ratio_to_requests_json_normalize": {name: v / base for name, v in med.items()},
        "shapes": {name: list(shape) for name, shape in shapes.items()},
        "rounds_seconds": runs,
        "convert_repeats": repeats,
        "convert_seconds": conv,
        "convert_rows_per_second": rows_per_s,
        "convert_rows_per_cpu_second": rows_per_cpu_s,
        "target_ratio": 1.25,
        "target_rows_per_second": 200_000,
        "met": ratio <= 1.25 and rows_per_s["records_to_frame"] >= 200_000,
    }
