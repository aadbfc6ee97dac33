"""The records-to-frame step alone, timed in a fresh interpreter.

``python bench/convert_proc.py RECORDS.json REPEATS`` loads the records (JSON, as the API sent
them), times ``records_to_frame`` (Decimal and float amounts) and ``pd.json_normalize`` on them
in interleaved rounds, and prints ``{name: {"wall": [...], "cpu": [...]}}`` as JSON.

Why a fresh process: the same call measured at the end of the benchmark run was up to 40%
slower than in a new interpreter (with ``json_normalize`` slowed alike): records built late in
a long-lived, fragmented heap sit scattered in memory, and the step is bound by memory reads.
A fresh process measures the function, not the state the harness left behind.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import pandas as pd
from timing import interleave

from paxos_nb.frames import records_to_frame


def main(path: str, repeats: int) -> dict[str, dict[str, list[float]]]:
    records = json.loads(Path(path).read_text())
    cpu: dict[str, list[float]] = defaultdict(list)

    def timed(name: str, fn):
        def run() -> float:
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            cpu[name].append(time.process_time() - start_cpu)
            return time.perf_counter() - start

        return run

    variants = {
        "records_to_frame": timed("records_to_frame", lambda: records_to_frame(records)),
        "records_to_frame (amounts='float')": timed(
            "records_to_frame (amounts='float')",
            lambda: records_to_frame(records, amounts="float"),
        ),
        "json_normalize": timed("json_normalize", lambda: pd.json_normalize(records)),
    }
    interleave(variants, 1)  # warm-up: imports, caches
    cpu.clear()
    wall = interleave(variants, repeats)
    return {name: {"wall": wall[name], "cpu": cpu[name]} for name in variants}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
