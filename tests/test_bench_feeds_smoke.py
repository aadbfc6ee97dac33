"""Smoke test of bench/feeds.py (benchmark 8) at tiny sizes: both servers served, every
subscriber received, every order's UPDATE was seen. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys


def test_feeds_benchmark_runs_quick(root, tmp_path):
    out = tmp_path / "feeds.json"
    proc = subprocess.run(
        [sys.executable, "bench/feeds.py", "--quick", "--out", str(out)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(out.read_text())
    flow, lat = result["throughput"], result["latency"]
    assert flow["emulator_msgs_per_s"] > 0
    assert flow["bare_msgs_per_s"] > 0
    assert lat["samples"] == 20  # each order's own UPDATE arrived (else recv times out)
    assert 0 < lat["order_to_update_p50_ms"] <= lat["order_to_update_p99_ms"]
    assert "messages/s to 10 subscribers" in proc.stdout
