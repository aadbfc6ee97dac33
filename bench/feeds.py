"""Benchmark 8: the emulator's WebSocket feeds beside a bare ``websockets`` server.

    python bench/feeds.py            # about a minute; prints the table, writes bench/feeds.json
    python bench/feeds.py --quick    # tiny sizes (tests/test_bench_smoke.py runs it)

- **Messages/s to 10 subscribers**: 10 clients (one asyncio process, this one) subscribe to
  ``/marketdata/BTCUSD`` of the emulator (its own process, ``feeds_proc.py emulator``), which
  moves its book as fast as the clients take the UPDATEs; the same 10 clients on a bare
  ``websockets`` broadcast server (``feeds_proc.py bare``). Messages received per second,
  summed over the subscribers, in interleaved rounds; medians. Target: >= 0.5x the bare server.
- **REST order -> UPDATE latency**: a resting limit order placed with ``POST
  /v2/profiles/{id}/orders`` (a keep-alive ``requests.Session`` with a token), timed until its
  UPDATE arrives on a subscribed ``/marketdata/BTCUSD``; p50/p99. Beside it the floor of a
  bare server: a text sent by the client and broadcast back to it. Target: p99 <= 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests
from websockets.asyncio.client import connect as aconnect
from websockets.sync.client import connect

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from timing import median, percentile  # noqa: E402


class Child:
    """One server of feeds_proc.py in its own process."""

    def __init__(self, kind: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "feeds_proc.py"), kind],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.info: dict[str, Any] = json.loads(self.proc.stdout.readline())

    def drive(self, seconds: float) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"drive {seconds}\n")
        self.proc.stdin.flush()

    def driven(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


async def _subscribers(url: str, n: int, child: Child, seconds: float) -> tuple[int, float]:
    """``n`` clients on ``url`` while ``child`` produces for ``seconds``: (received, secs)."""
    sockets = [await aconnect(url, compression=None, max_size=2**24) for _ in range(n)]
    counts = [0] * n

    async def read(i: int) -> None:
        async for _ in sockets[i]:
            counts[i] += 1

    tasks = [asyncio.create_task(read(i)) for i in range(n)]
    await asyncio.sleep(0.3)  # snapshots in
    base = sum(counts)
    start = time.perf_counter()
    child.drive(seconds)
    await asyncio.to_thread(child.driven)
    await asyncio.sleep(0.2)  # what was sent is read
    received, elapsed = sum(counts) - base, time.perf_counter() - start
    for ws in sockets:
        await ws.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return received, elapsed


def throughput(emu: Child, bare: Child, rounds: int, seconds: float) -> dict[str, Any]:
    rates: dict[str, list[float]] = {"emulator": [], "bare": []}
    for r in range(rounds):
        order = [("emulator", emu), ("bare", bare)]
        for name, child in order if r % 2 == 0 else order[::-1]:
            path = "/marketdata/BTCUSD" if name == "emulator" else ""
            got, secs = asyncio.run(_subscribers(child.info["ws_url"] + path, 10, child, seconds))
            rates[name].append(got / secs)
    ours, base = median(rates["emulator"]), median(rates["bare"])
    return {"emulator_msgs_per_s": ours, "bare_msgs_per_s": base, "ratio": ours / base}


def latency(emu: Child, bare: Child, samples: int) -> dict[str, Any]:
    info = emu.info
    http = requests.Session()
    token = http.post(
        info["token_url"],
        data={
            "grant_type": "client_credentials",
            "client_id": info["client_id"],
            "client_secret": info["client_secret"],
        },
        timeout=10,
    ).json()["access_token"]
    http.headers["Authorization"] = f"Bearer {token}"
    api = info["api_url"]
    pid = http.get(api + "/profiles/default", timeout=10).json()["id"]
    ours: list[float] = []
    with connect(info["ws_url"] + "/marketdata/BTCUSD", compression=None) as ws:
        snap = json.loads(ws.recv(timeout=10))
        start = Decimal(snap["bids"][0]["price"]) * Decimal("0.9")
        tick = Decimal("0.25")
        for i in range(samples):
            price = (start / tick).to_integral_value() * tick - i * tick
            body = {"side": "BUY", "market": "BTCUSD", "type": "LIMIT"}
            body |= {"base_amount": "0.0001", "price": str(price)}
            t0 = time.perf_counter()
            r = http.post(f"{api}/profiles/{pid}/orders", json=body, timeout=10)
            r.raise_for_status()
            while True:
                msg = json.loads(ws.recv(timeout=10))
                if msg.get("type") == "UPDATE" and Decimal(msg["price"]) == price:
                    break
            ours.append(time.perf_counter() - t0)
    floor: list[float] = []
    with connect(bare.info["ws_url"], compression=None) as ws:
        for i in range(samples):
            t0 = time.perf_counter()
            ws.send(f'{{"n": {i}}}')
            ws.recv(timeout=10)
            floor.append(time.perf_counter() - t0)
    http.close()
    ours.sort()  # percentile() takes sorted values
    floor.sort()
    p50, p99 = percentile(ours, 50), percentile(ours, 99)
    return {
        "order_to_update_p50_ms": p50 * 1000,
        "order_to_update_p99_ms": p99 * 1000,
        "bare_roundtrip_p50_ms": percentile(floor, 50) * 1000,
        "bare_roundtrip_p99_ms": percentile(floor, 99) * 1000,
        "p50_ratio": p50 / percentile(floor, 50),
        "samples": samples,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes (the smoke test)")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=3.0, help="production time per round")
    ap.add_argument("--samples", type=int, default=300, help="orders timed for the latency")
    ap.add_argument("--out", type=Path, default=HERE / "feeds.json")
    args = ap.parse_args(argv)
    if args.quick:
        args.rounds, args.seconds, args.samples = 1, 0.5, 20
    with open("/proc/loadavg") as fh:
        load_before = fh.read().split()[:3]
    emu, bare = Child("emulator"), Child("bare")
    try:
        flow = throughput(emu, bare, args.rounds, args.seconds)
        lat = latency(emu, bare, args.samples)
    finally:
        emu.close()
        bare.close()
    with open("/proc/loadavg") as fh:
        load_after = fh.read().split()[:3]
    result = {
        "measured": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(),
        "load_before": load_before,
        "load_after": load_after,
        "settings": {"rounds": args.rounds, "seconds": args.seconds, "samples": args.samples},
        "throughput": flow,
        "latency": lat,
        "targets": {
            "throughput_ratio_met": flow["ratio"] >= 0.5,
            "p99_met": lat["order_to_update_p99_ms"] <= 20,
        },
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        "| measure | emulator | bare websockets | ratio | target |\n|---|---|---|---|---|\n"
        f"| messages/s to 10 subscribers | {flow['emulator_msgs_per_s']:,.0f} | "
        f"{flow['bare_msgs_per_s']:,.0f} | {flow['ratio']:.2f}x | >= 0.5x |\n"
        f"| REST order -> UPDATE p50 / p99 (ms) | {lat['order_to_update_p50_ms']:.2f} / "
        f"{lat['order_to_update_p99_ms']:.2f} | {lat['bare_roundtrip_p50_ms']:.2f} / "
        f"{lat['bare_roundtrip_p99_ms']:.2f} (echo) | {lat['p50_ratio']:.1f}x (p50) | "
        "p99 <= 20 ms |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
