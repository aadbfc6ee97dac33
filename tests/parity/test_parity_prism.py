"""Parity against a server that serves the spec: Prism, the OpenAPI mock from npm.

Two mocks: on every machine, the OpenAPI document built from the project's catalog
(``openapi_doc.py``) in dynamic mode (random data that fits the schemas); where
``../shared/paxos/spec`` exists, the published spec in static mode (its own examples). Prism
serves no token endpoint, so the token comes from the reference emulator and only the API
URL points at Prism (which checks that a bearer token is present). Assertions hold whatever
random data Prism makes up: they rest on what the emulator does not emulate, on scopes
(Prism checks none) and, for the spec's examples, on the examples themselves.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from paxos_nb.emulator import routes

from . import openapi_doc, prism
from .conftest import ANALYST, run_parity


@pytest.fixture(scope="module")
def prism_cli():
    return prism.binary()


@pytest.fixture(scope="module")
def catalog_mock(prism_cli, tmp_path_factory):
    folder = tmp_path_factory.mktemp("catalog-mock")
    spec = folder / "paxos-catalog.openapi.json"
    spec.write_text(json.dumps(openapi_doc.document()))
    with prism.serve(prism_cli, spec, folder / "prism.log", dynamic=True) as url:
        yield url


@pytest.fixture(scope="module")
def spec_mock(prism_cli, spec_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("spec-mock")
    spec = spec_dir / "paxos-v2.openapi.yaml"
    with prism.serve(prism_cli, spec, folder / "prism.log", dynamic=False) as url:
        yield url


def differences(report: dict) -> dict[str, dict[tuple[str, str], dict]]:
    """operation -> (kind, field) -> the finding."""
    return {
        op["operation"]: {(d["kind"], d["field"]): d for d in op["differences"]}
        for op in report["operations"]
    }


def run_against(mock_url: str, make_client, tmp_path) -> tuple[object, dict]:
    client = make_client(ANALYST, api_url=mock_url)
    out = tmp_path / "parity.json"
    done = run_parity("--output", str(out), env=client.env())
    assert done.returncode == 1, (done.stdout[-3000:], done.stderr[-3000:])
    assert "differences (" in done.stdout
    return done, json.loads(out.read_text())


def check_common(report: dict) -> None:
    """What holds against any mock of the spec, whatever data it makes up."""
    found = differences(report)
    # Prism checks no scope: the 403 probe gets an answer where the emulator refuses.
    (probe,) = [name for name in found if name.endswith("(403 probe)")]
    assert found[probe][("status", "(status)")]["emulator"] == "403"
    # Every operation the emulator does not emulate differs by its status.
    emulated = set(routes.load())
    for op in report["operations"]:
        name = op["operation"]
        if op["emulator"]["status"] == "501":
            assert name not in emulated
            finding = found[name][("status", "(status)")]
            assert finding["note"] == "not emulated"
    # Shapes are compared where both answered: differences by operation and field.
    by_field = [
        (name, field)
        for op in report["operations"]
        if op["reference"]["status"] == op["emulator"]["status"] == "ok"
        for (kind, field) in found[op["operation"]]
        if kind != "status"
    ]
    assert by_field, "no field-level difference at all"
    assert report["summary"]["differences"] == sum(len(f) for f in found.values())


def test_parity_against_a_mock_of_the_catalog_lists_differences_and_exits_1(
    catalog_mock, make_client, tmp_path
):
    done, report = run_against(catalog_mock, make_client, tmp_path)
    check_common(report)
    # The table names operations and fields: every difference of the file is on a line.
    for op in report["operations"]:
        for d in op["differences"]:
            assert any(
                op["operation"] in line and d["field"] in line for line in done.stdout.splitlines()
            )


def test_parity_against_the_spec_examples(spec_mock, make_client, tmp_path):
    _, report = run_against(spec_mock, make_client, tmp_path)
    check_common(report)
    found = differences(report)
    # The examples themselves: an out-of-enum direction, a number where the schema says
    # string, timestamps with an offset where the emulator writes Z.
    direction = found["ListTransfers"][("enum", "items[].direction")]
    assert (direction["reference"], direction["emulator"]) == ("WITHDRAWAL", "(in the spec)")
    address = found["ListDepositAddresses"][("type", "items[].address")]
    assert (address["reference"], address["emulator"]) == ("number", "string")
    stamp = found["GetTicker"][("timestamp", "snapshot_at")]
    assert (stamp["reference"], stamp["emulator"]) == (
        "string:timestamp offset",
        "string:timestamp Z",
    )


def test_ci_installs_this_prism_and_never_skips_its_tests(root):
    ci = (root / ".ci" / "run").read_text()
    line = next(line for line in ci.splitlines() if line.startswith("prism_package="))
    command = line.split("=", 1)[1].removeprefix("$(").removesuffix(")")
    named = subprocess.run(
        ["bash", "-c", command], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert named == prism.PRISM_PACKAGE
    assert "npm install --prefix .ci/node" in ci
    assert f"export {prism.BIN_VAR}=" in ci
    assert f"export {prism.REQUIRE_VAR}=1" in ci
    assert ".ci/node/" in (root / ".gitignore").read_text().splitlines()
