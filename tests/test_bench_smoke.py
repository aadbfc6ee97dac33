"""Smoke test of bench/run.py: every benchmark once at tiny sizes, from a fresh interpreter.

No timing is asserted (timings belong in bench/results.json, not in tests). What is checked
is behaviour the benchmarks rely on or report: each benchmark ran, the session fetched one
token and kept one connection, both paging variants built the same shape, the load
generator got answers, and `import paxos_nb` loads none of the heavy dependencies.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# One code cell with its saved output, written by hand (importing nbformat costs seconds).
TINY_NOTEBOOK = {
    "nbformat": 4,
    "nbformat_minor": 5,
    "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
    },
    "cells": [
        {
            "cell_type": "code",
            "id": "tiny",
            "metadata": {},
            "execution_count": 1,
            "source": "print('ok')",
            "outputs": [{"output_type": "stream", "name": "stdout", "text": "ok\n"}],
        }
    ],
}
BENCHMARKS = {"overhead", "tokens", "connections", "paging", "imports", "emulator", "notebooks"}


@pytest.fixture(scope="module")
def results(root, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench")
    notebooks = tmp / "notebooks"
    notebooks.mkdir()
    (notebooks / "tiny.ipynb").write_text(json.dumps(TINY_NOTEBOOK))
    out = tmp / "results.json"
    proc = subprocess.run(
        [
            sys.executable,
            "bench/run.py",
            "--quick",
            "--out",
            str(out),
            "--notebooks",
            str(notebooks),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "| benchmark |" in proc.stdout  # the table is printed
    return json.loads(out.read_text())


def test_every_benchmark_ran_without_error(results):
    assert results["errors"] == {}
    assert set(results["benchmarks"]) == BENCHMARKS
    machine = results["machine"]
    assert machine["nproc"] >= 1
    assert machine["cpu_model"]
    assert machine["python"]


def test_per_call_variants_answered_alike(results):
    r = results["benchmarks"]["overhead"]
    assert set(r["seconds_per_call"]) >= {"paxos_nb", "requests", "authlib"}
    assert all(v > 0 for v in r["seconds_per_call"].values())


def test_one_token_and_one_connection(results):
    tokens = results["benchmarks"]["tokens"]
    assert tokens["token_requests"] == tokens["token_requests_server"] == 1
    sim = tokens["simulated_token_requests"]
    assert sim == tokens["simulated_token_requests_server"]
    assert 2 <= sim <= 3  # two simulated hours of 3599 s tokens
    conns = results["benchmarks"]["connections"]
    assert 1 <= conns["connections_server"] <= 2
    assert conns["connections_urllib3"] == conns["connections_server"]


def test_paging_variants_build_the_same_shape(results):
    r = results["benchmarks"]["paging"]
    shapes = r["shapes"]
    assert shapes["paxos_nb frame"] == shapes["requests + json_normalize"]
    assert shapes["paxos_nb frame"][0] == r["rows"]
    assert all(v > 0 for v in r["convert_rows_per_second"].values())


def test_import_paxos_nb_stays_light(results):
    r = results["benchmarks"]["imports"]
    assert r["importtime_paxos_nb"]["heavy_modules_loaded"] == []
    assert set(r["seconds"]) >= {"paxos_nb", "requests_oauthlib"}


def test_load_generator_got_answers(results):
    levels = results["benchmarks"]["emulator"]["levels"]
    assert levels
    assert all(level["requests"] > 0 and level["errors"] == 0 for level in levels)


def test_notebook_runtime_measured(results):
    r = results["benchmarks"]["notebooks"]
    assert r["notebooks"] == 1
    assert r["exit_code"] == 0, r["summary"]
    assert r["seconds"] > 0
