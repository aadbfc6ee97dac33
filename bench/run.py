"""paxos_nb benchmarks (issue 8): ratios against baselines measured in the same run.

    python bench/run.py              # full run: prints the table, writes bench/results.json
    python bench/run.py --readme     # ... and puts the table in bench/README.md and README.md
    python bench/run.py --quick      # every benchmark once at tiny sizes (the smoke test)

The emulator runs in its own process with rate limits off; load generators and import timings
run in their own processes too. Only the standard library, the package and its dev extra.
"""

from __future__ import annotations

# Top-level imports stay in the standard library: the load generator's spawned workers
# re-import this module, and they must start fast.
import argparse
import json
import os
import shlex
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:  # helper modules live next to this file
    sys.path.insert(0, str(HERE))

BENCHMARKS = ("overhead", "tokens", "connections", "paging", "imports", "emulator", "notebooks")
FULL = {
    "rounds": 15,
    "calls": 200,
    "token_calls": 1000,
    "sim_calls": 720,
    "connection_calls": 1000,
    "rows": 10_000,
    "page_limit": 100,
    "paging_rounds": 7,
    "convert_repeats": 21,
    "import_repeats": 21,
    "levels": "1,4,16",
    "load_seconds": 5.0,
    "ratio_rounds": 3,
}
QUICK = {
    "rounds": 2,
    "calls": 5,
    "token_calls": 20,
    "sim_calls": 72,
    "connection_calls": 20,
    "rows": 300,
    "page_limit": 100,
    "paging_rounds": 1,
    "convert_repeats": 1,
    "import_repeats": 1,
    "levels": "1,2",
    "load_seconds": 0.3,
    "ratio_rounds": 1,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python bench/run.py",
        description="paxos_nb benchmarks against the local emulator (issue 8).",
    )
    p.add_argument("--quick", action="store_true", help="tiny sizes, one repeat (smoke test)")
    p.add_argument(
        "--only",
        default=",".join(BENCHMARKS),
        help=f"comma-separated subset of {','.join(BENCHMARKS)}",
    )
    p.add_argument(
        "--out", type=Path, help="results JSON (default bench/results.json; none with --quick)"
    )
    p.add_argument(
        "--readme", action="store_true", help="also update bench/README.md and README.md"
    )
    p.add_argument(
        "--notebooks",
        type=Path,
        default=ROOT / "notebooks",
        help="directory of notebooks for benchmark 7",
    )
    g = p.add_argument_group("sizes (defaults: the issue's; --quick shrinks them)")
    g.add_argument("--rounds", type=int, help="interleaved rounds, per-call overhead")
    g.add_argument("--calls", type=int, help="calls per variant per round, per-call overhead")
    g.add_argument("--token-calls", type=int, help="calls for the token count")
    g.add_argument("--sim-calls", type=int, help="calls spread over 2 simulated hours")
    g.add_argument("--connection-calls", type=int, help="sequential calls, connections")
    g.add_argument("--rows", type=int, help="transfers paged into a frame")
    g.add_argument("--page-limit", type=int, help="records per page")
    g.add_argument("--paging-rounds", type=int, help="interleaved rounds, paging")
    g.add_argument("--convert-repeats", type=int, help="records_to_frame repeats")
    g.add_argument("--import-repeats", type=int, help="fresh interpreters per import variant")
    g.add_argument("--levels", help="load concurrency levels, e.g. 1,4,16")
    g.add_argument("--load-seconds", type=float, help="seconds of load per level")
    g.add_argument("--ratio-rounds", type=int, help="interleaved rounds, emulator ratio")
    args = p.parse_args(argv)
    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.only = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = sorted(set(args.only) - set(BENCHMARKS))
    if unknown:
        p.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    if args.out is None and not args.quick:
        args.out = HERE / "results.json"
    return args


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def run(args: argparse.Namespace) -> dict[str, Any]:
    import cases_client
    import cases_data
    import cases_system
    from emulator_proc import EmulatorProcess
    from report import machine

    command = "python bench/run.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    results: dict[str, Any] = {
        "command": command.strip(),
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average": {"before": _load()},
        "settings": {k: getattr(args, k) for k in FULL},
        "benchmarks": {},
        "errors": {},
    }
    wall = time.perf_counter()
    bench, errors = results["benchmarks"], results["errors"]

    def attempt(name: str, fn: Any, *fargs: Any, **kwargs: Any) -> None:
        if name not in args.only:
            return
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        try:
            bench[name] = fn(*fargs, **kwargs)
        except Exception as exc:  # report and carry on with the other benchmarks
            errors[name] = f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
        print(f"[bench] {name}: {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)

    # No emulator running yet: interpreter start-up alone on the CPUs.
    attempt("imports", cases_system.import_cost, repeats=args.import_repeats)
    if set(args.only) & {"overhead", "tokens", "connections", "paging", "emulator"}:
        with EmulatorProcess(transfers=args.rows if "paging" in args.only else 0) as emu:
            results["emulator"] = {"pid": emu.pid, "transfers": emu.info["transfers"]}
            attempt("overhead", cases_client.overhead, emu, rounds=args.rounds, calls=args.calls)
            attempt(
                "tokens",
                cases_client.token_reuse,
                emu,
                calls=args.token_calls,
                sim_calls=args.sim_calls,
            )
            attempt("connections", cases_client.connections, emu, calls=args.connection_calls)
            attempt(
                "paging",
                cases_data.paging,
                emu,
                rows=args.rows,
                limit=args.page_limit,
                rounds=args.paging_rounds,
                repeats=args.convert_repeats,
            )
            levels = [int(x) for x in str(args.levels).split(",") if x.strip()]
            attempt(
                "emulator",
                cases_system.emulator_load,
                emu,
                levels=levels,
                duration=args.load_seconds,
                ratio_rounds=args.ratio_rounds,
            )
    attempt("notebooks", cases_system.notebooks, args.notebooks)
    results["load_average"]["after"] = _load()
    results["wall_seconds"] = time.perf_counter() - wall
    results["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = run(args)
    from report import table, update_readme

    print(table(results))
    for name, message in results["errors"].items():
        print(f"ERROR in {name}: {message}", file=sys.stderr)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1, sort_keys=False) + "\n")
        print(f"wrote {args.out}", file=sys.stderr)
    if args.readme:  # the benchmark page and the project README show the same table
        for readme in (HERE / "README.md", HERE.parent / "README.md"):
            update_readme(readme, results)
            print(f"updated {readme}", file=sys.stderr)
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
