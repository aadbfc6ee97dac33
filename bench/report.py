"""The machine description, the results table (Markdown) and the README update."""

from __future__ import annotations

import os
import platform
import re
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["machine", "table", "update_readme"]

START, END = "<!-- results:start -->", "<!-- results:end -->"
PACKAGES = (
    "paxos-nb",
    "requests",
    "urllib3",
    "requests-oauthlib",
    "authlib",
    "pandas",
    "uvicorn",
    "starlette",
)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count() or 0
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "nproc": nproc,
        "cpu_model": _cpu_model(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "packages": versions,
    }


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"


def _ok(met: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "-"}[met]


def _rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    b = results["benchmarks"]
    rows: list[tuple[str, ...]] = []
    if "overhead" in b:
        r = b["overhead"]
        base = r["seconds_per_call"]["requests"]
        cpu = r.get("client_cpu_seconds_per_call", {})
        for name, sec in r["seconds_per_call"].items():
            is_target = name == "paxos_nb"
            ratio = "baseline" if name == "requests" else f"{sec / base:.2f}x"
            if name in cpu:
                ratio += f" (CPU {cpu[name] / cpu['requests']:.2f}x)"
            rows.append(
                (
                    "1 per-call overhead" if name == "requests" else "",
                    f"{name} `GET /v2/profiles`, wall per call (client CPU)",
                    f"{_ms(sec)} ({_ms(cpu[name])})" if name in cpu else _ms(sec),
                    ratio,
                    "<= 1.10x" if is_target else "",
                    _ok(r["met"]) if is_target else "",
                )
            )
    if "tokens" in b:
        r = b["tokens"]
        rows.append(
            (
                "2 token reuse",
                f"token requests for {r['calls']} calls (client / server count)",
                f"{r['token_requests']} / {r['token_requests_server']}",
                "",
                "1",
                _ok(r["token_requests"] == r["token_requests_server"] == 1),
            )
        )
        rows.append(
            (
                "",
                f"token requests over {r['simulated_hours']:g} simulated hours "
                f"({r['simulated_calls']} calls, {r['token_lifetime_s']:.0f} s tokens)",
                f"{r['simulated_token_requests']} / {r['simulated_token_requests_server']}",
                "",
                "<= 3",
                _ok(r["simulated_token_requests"] <= 3),
            )
        )
    if "connections" in b:
        r = b["connections"]
        rows.append(
            (
                "3 connections",
                f"opened for connect + {r['calls']} sequential calls (server / urllib3 count)",
                f"{r['connections_server']} / {r['connections_urllib3']}",
                "",
                "<= 2",
                _ok(r["met"]),
            )
        )
    if "paging" in b:
        r = b["paging"]
        base = r["seconds"]["requests + json_normalize"]
        label = f"{r['rows']:,} transfers, {r['pages']} pages"
        for name, sec in r["seconds"].items():
            is_target = name == "paxos_nb frame"
            rows.append(
                (
                    "4 paging" if name == "requests + json_normalize" else "",
                    f"{name} ({label})",
                    _ms(sec),
                    "baseline" if sec == base else f"{sec / base:.2f}x",
                    "<= 1.25x" if is_target else "",
                    _ok(r["seconds"]["paxos_nb frame"] / base <= 1.25) if is_target else "",
                )
            )
        per_cpu = r.get("convert_rows_per_cpu_second", {})
        for name, rate in r["convert_rows_per_second"].items():
            is_target = name == "records_to_frame"
            cpu = f" ({per_cpu[name]:,.0f} per CPU s)" if name in per_cpu else ""
            rows.append(
                (
                    "",
                    f"{name} alone, {r['rows']:,} records (wall; CPU)",
                    f"{rate:,.0f} rows/s{cpu}",
                    "",
                    ">= 200,000 rows/s" if is_target else "",
                    _ok(rate >= 200_000) if is_target else "",
                )
            )
    if "imports" in b:
        r = b["imports"]
        base = r["seconds"]["requests_oauthlib"]
        for name, sec in r["seconds"].items():
            is_target = name == "paxos_nb"
            rows.append(
                (
                    "5 import cost" if name == "paxos_nb" else "",
                    f"`python -c` {name}",
                    _ms(sec),
                    "baseline" if name == "requests_oauthlib" else f"{sec / base:.2f}x",
                    "<= 1.5x" if is_target else "",
                    _ok(r["met"]) if is_target else "",
                )
            )
    if "emulator" in b:
        r = b["emulator"]
        for level in r["levels"]:
            is_target = level["concurrency"] == 4
            rows.append(
                (
                    "6 emulator" if level is r["levels"][0] else "",
                    f"`GET /v2/profiles`, concurrency {level['concurrency']} "
                    f"({level['errors']} errors)",
                    f"{level['requests_per_second']:,.0f} req/s, p50 {level['p50_ms']:.1f} ms, "
                    f"p99 {level['p99_ms']:.1f} ms",
                    "",
                    ">= 800 req/s, p99 <= 50 ms" if is_target else "",
                    _ok(r["met"]) if is_target else "",
                )
            )
        q = r.get("ratio")
        if q:
            rate, tool, c = q["requests_per_second"], q["load_generator"], q["concurrency"]
            rows.append(
                (
                    "",
                    f"`GET /v2/transfer/transfers?limit=100` (token, 100 rows, "
                    f"{q['bytes']:,} bytes), concurrency {c}, {tool} ({q['errors']} errors)",
                    f"{rate['emulator']:,.0f} req/s",
                    f"{q['ratio']:.2f}x",
                    ">= 0.3x",
                    _ok(q["met"]),
                )
            )
            rows.append(
                (
                    "",
                    f"bare uvicorn + Starlette answering the same bytes, concurrency {c}, {tool}",
                    f"{rate['baseline']:,.0f} req/s",
                    "baseline",
                    "",
                    "",
                )
            )
    if "notebooks" in b:
        r = b["notebooks"]
        if r.get("skipped"):
            rows.append(("7 notebooks", "nbval runtime", "skipped: " + r["skipped"], "", "", "-"))
        else:
            rows.append(
                (
                    "7 notebooks",
                    f"`pytest` (nbval) over {r['notebooks']} notebooks: {r['summary']}",
                    f"{r['seconds']:.1f} s ({r['seconds_per_notebook']:.1f} s each)",
                    "",
                    "(reported)",
                    "-",
                )
            )
    return rows


def table(results: dict[str, Any]) -> str:
    """The results as a Markdown table."""
    head = ("benchmark", "measure", "result", "ratio", "target", "status")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in _rows(results)]
    return "\n".join(lines)


def update_readme(path: Path, results: dict[str, Any]) -> None:
    """Replace the block between the results markers of ``path`` with the latest table."""
    m = results["machine"]
    load = results.get("load_average", {})
    block = "\n".join(
        [
            START,
            f"Measured {results['finished']} with `{results['command']}` on {m['nproc']} CPUs "
            f"({m['cpu_model']}), Python {m['python']} ({m['platform']}); load average "
            f"{load.get('before', '?')} before, {load.get('after', '?')} after "
            f"({results['wall_seconds']:.0f} s).",
            "",
            table(results),
            END,
        ]
    )
    text = path.read_text()
    if START in text and END in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)
