"""Parity between two emulators: the same shapes, exit 0; and every way it cannot run: exit 2."""

from __future__ import annotations

import json
import secrets
import socket

import pytest

import paxos_nb as px
from paxos_nb.parity.report import COLUMNS, FORMAT

from .conftest import ANALYST, READ_SCOPES, run_parity

# A registered secret is scrubbed from every log line of this process: never a common word.
SECRET = secrets.token_urlsafe(24)


def writes_on(emulator) -> dict[str, int]:
    counts = emulator.stats()["api_requests"]["by_operation"]
    return {op: n for op, n in counts.items() if px.catalog.by_id(op).method != "GET"}


def test_two_emulators_have_the_same_shapes(make_client, reference_emulator):
    client = make_client(READ_SCOPES)
    before = writes_on(reference_emulator)
    frame = px.parity.compare(client.creds)
    assert list(frame.columns) == list(COLUMNS)
    assert frame.attrs["exit_code"] == 0
    assert set(frame.result) <= {"same", "skipped"}
    assert (frame.kind == "").all()
    toured = set(frame.operation)
    for op in px.catalog.operations():  # every GET the scopes allow has its row
        if op.method == "GET":
            assert op.operation_id in toured
    compared = frame[(frame.result == "same") & (frame.reference_status == "ok")]
    assert {"ListTransfers", "GetTransfer", "ListProfiles", "GetProfileBalance"} <= set(
        compared.operation
    )
    probe = frame[frame.operation.str.endswith("(403 probe)")]
    assert list(probe.reference_status) == ["403"]
    assert list(probe.result) == ["same"]
    skipped = frame[frame.result == "skipped"]
    assert (skipped.note != "").all()  # every skip says why
    assert writes_on(reference_emulator) == before  # read-only: not one write


def test_the_command_exits_0_and_writes_shapes_only(make_client, tmp_path):
    client = make_client(ANALYST)
    out = tmp_path / "parity.json"
    done = run_parity("--output", str(out), env=client.env())
    assert done.returncode == 0, done.stderr
    assert "ListTransfers" in done.stdout
    assert "0 difference(s)" in done.stdout
    assert str(out) in done.stdout
    report = json.loads(out.read_text())
    assert report["format"] == FORMAT
    assert report["summary"]["differences"] == 0
    assert report["reference"] == {"environment": "local", "granted_scopes": sorted(ANALYST)}
    transfers = next(op for op in report["operations"] if op["operation"] == "ListTransfers")
    assert transfers["path"] == "/transfer/transfers"
    assert transfers["pagination"] == "cursor-time-filters"
    fields = transfers["reference"]["shape"]["fields"]
    assert fields["items[].amount"] == ["string:decimal"]
    assert fields["items[].created_at"] == ["string:timestamp Z"]
    facts = transfers["emulator"]["facts"]
    assert facts["envelope"] == "items"
    assert facts["limit honoured"] is True
    assert facts["cursor while more pages"] == "present"
    assert facts["cursor on an empty page"] == "absent"
    get = next(op for op in report["operations"] if op["operation"] == "GetTransfer")
    assert get["path"] == "/transfer/transfers/{id}"  # the template, never an id
    assert "http" not in out.read_text()  # no URL, so no host either


def test_the_403_probe_uses_a_scope_outside_the_grant_or_a_narrower_token(make_client):
    narrow = px.parity.run(make_client(ANALYST).creds, operations=["ListProfiles"])
    wide = px.parity.run(make_client(READ_SCOPES).creds, operations=["ListProfiles"])
    for report, how in ((narrow, "lacks"), (wide, "requested without")):
        probe = report.results[-1]
        assert probe.label.endswith("(403 probe)")
        assert (probe.reference.status, probe.emulator.status, probe.result) == (
            "403",
            "403",
            "same",
        )
        assert how in probe.notes[0]
        facts = probe.emulator.facts
        assert facts["media type"] == "application/problem+json"
        assert facts["detail says insufficient scopes"] is True
        assert facts["paxos_nb reads the missing scope"] is True
        assert probe.emulator.shape.types["status"] == {"number"}


def test_sandbox_writes_are_opt_in_and_made_on_both_sides(make_client, reference_emulator):
    client = make_client(ANALYST)
    before = writes_on(reference_emulator).get("CreateSandboxDeposit", 0)
    report = px.parity.run(client.creds, with_sandbox_writes=True, operations=["ListTransfers"])
    write = report.results[0]
    assert write.label == "CreateSandboxDeposit (sandbox write)"
    assert (write.reference.status, write.emulator.status, write.result) == ("ok", "ok", "same")
    assert writes_on(reference_emulator)["CreateSandboxDeposit"] == before + 1
    assert report.exit_code == 0


def test_a_session_as_reference_is_used_and_left_open(make_client):
    client = make_client(ANALYST)
    with px.connect(client.creds, progress=False) as session:
        report = px.parity.run(session, operations=["Profiles"])  # a tag: every profile GET
        assert not session.closed
    labels = [row.label for row in report.results]
    assert labels[:3] == ["ListProfiles", "GetProfile", "ListProfileBalances"]
    assert "GetProfileBalance" in labels
    assert "CreateProfile" not in labels


def test_an_emulator_can_be_given_and_is_left_as_it_was(make_client):
    emulator = px.Emulator(seed=1, rate_limits=False)
    report = px.parity.run(make_client(ANALYST).creds, emulator=emulator, operations=["Profiles"])
    assert not emulator.running  # started for the run, stopped after it
    assert report.emulator == {"seed": 1}
    assert [c.nickname for c in emulator.clients()].count("paxos-nb parity") == 1
    assert report.results[0].emulator.status == "ok"


def test_only_gets_are_toured():
    with pytest.raises(px.ConfigError, match="names no GET operation"):
        px.parity.run(px.Credentials("id", SECRET), operations=["CreateProfile"])


def test_sandbox_writes_are_refused_in_production_before_any_request():
    creds = px.Credentials("some-client", SECRET, "production", scopes=ANALYST)
    with pytest.raises(px.ConfigError, match="refused in production"):
        px.parity.run(creds, with_sandbox_writes=True)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    "case", ["no credentials", "wrong secret", "unreachable", "production writes", "unknown op"]
)
def test_when_it_cannot_run_it_exits_2_with_the_reason(case, make_client):
    client = make_client(ANALYST)
    env, args = client.env(), []
    if case == "no credentials":
        env = {k: v for k, v in env.items() if not k.startswith("PAXOS_")}
        env["PAXOS_NB_ENV_FILE"] = "none"
        reason = "PAXOS_CLIENT_ID is not set"
    elif case == "wrong secret":
        env["PAXOS_CLIENT_SECRET"] = "not-the-secret"
        reason = "invalid_client"
    elif case == "unreachable":
        port = _closed_port()
        env["PAXOS_API_URL"] = f"http://127.0.0.1:{port}/v2"
        env["PAXOS_TOKEN_URL"] = f"http://127.0.0.1:{port}/oauth2/token"
        reason = "127.0.0.1"
    elif case == "production writes":
        for var in ("PAXOS_API_URL", "PAXOS_TOKEN_URL"):
            del env[var]
        env["PAXOS_ENV"] = "production"
        args = ["--with-sandbox-writes"]
        reason = "refused in production"
    else:
        args = ["--operation", "ListTransferz"]
        reason = "did you mean 'ListTransfers'"
    done = run_parity(*args, env=env)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "paxos-nb parity could not run:" in done.stderr
    assert reason in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_help_lists_the_options():
    done = run_parity("--help", env={"PATH": ""}, timeout=60)
    assert done.returncode == 0
    for option in ("--output", "--with-sandbox-writes", "--env-file", "--operation"):
        assert option in done.stdout
