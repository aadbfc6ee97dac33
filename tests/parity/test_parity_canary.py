"""Canary: the parity report and the terminal output hold no secret, token, id or client id.

Unique values are planted on the reference emulator: the client id and secret of the
credential parity uses, the id the Dashboard shows for that credential, a profile nickname.
Every access token any emulator issues and every client id and secret any emulator
registers (the embedded emulator's parity client included) are recorded as they appear, and
every id the reference serves is collected. The file written by ``--output``, stdout and
stderr are then searched for all of them, raw and in JSON-escaped, URL-encoded and base64
forms (``tests/reliability/canary.py``). A second run, in its own process at DEBUG with the
canary recorders of the reliability suite, shows that secrets and tokens stay out of the
logs too (ids and URLs are fine there: a DEBUG log names the requests).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from reliability import canary  # tests/ is on sys.path: the suite's packages import so

import paxos_nb as px
from paxos_nb.cli import main
from paxos_nb.emulator.registry import Registry
from paxos_nb.emulator.tokens import TokenStore

from .conftest import READ_SCOPES

RELIABILITY = Path(__file__).resolve().parent.parent / "reliability"


@pytest.fixture
def recorded(monkeypatch) -> dict[str, set[str]]:
    """Every token issued and every client registered in this process, from now on."""
    seen: dict[str, set[str]] = {"token": set(), "client_id": set(), "client_secret": set()}
    issue, add = TokenStore.issue, Registry.add

    def recording_issue(self, token, *args, **kwargs):
        seen["token"].add(token)
        return issue(self, token, *args, **kwargs)

    def recording_add(self, client, *args, **kwargs):
        seen["client_id"].add(client.client_id)
        seen["client_secret"].add(client.client_secret)
        return add(self, client, *args, **kwargs)

    monkeypatch.setattr(TokenStore, "issue", recording_issue)
    monkeypatch.setattr(Registry, "add", recording_add)
    return seen


@pytest.fixture
def planted(make_client, recorded) -> dict:
    """The canary credential on the reference, and a profile whose nickname is a canary."""
    client = make_client(
        READ_SCOPES,
        client_id=f"cnry-client-{secrets.token_hex(12)}",
        client_secret=canary.canary_secret("parity"),
        id=str(uuid.uuid4()),
        nickname=f"cnry-credential-{secrets.token_hex(8)}",
    )
    nickname = f"cnry-nick-{secrets.token_hex(8)}"
    writer = make_client(["funding:write_profile"]).creds
    with px.connect(writer, progress=False) as session:
        session.post("/profiles", json={"nickname": nickname})
    return {"client": client, "nickname": nickname}


def served_ids(client) -> set[str]:
    """Every id-like value the reference serves to this client on its lists."""
    found: set[str] = set()

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for item in node:
                walk(item, key)
        elif isinstance(node, str) and (key == "id" or key.endswith("_id")):
            found.add(node)

    with px.connect(client.creds, progress=False) as session:
        for path in (
            "/profiles",
            "/transfer/transfers",
            "/api-creds/credentials",
            "/transfer/deposit-addresses",
            "/orchestration/rules",
        ):
            walk(session.get(path, params={"limit": 100}))
        for profile in session.get("/profiles")["items"]:
            walk(session.get(f"/profiles/{profile['id']}/balances"))
    return found


def needles(named: dict[str, str]) -> dict[tuple[str, str], str]:
    return canary.needles_of({k: v for k, v in named.items() if len(v) >= canary.MIN_FORM})


def test_the_report_and_the_terminal_hold_no_secret_token_or_id(
    planted, recorded, make_client, monkeypatch, capsys, tmp_path
):
    client = planted["client"]
    for var, value in client.env().items():
        if var.startswith("PAXOS_"):
            monkeypatch.setenv(var, value)
    out = tmp_path / "parity.json"
    status = main(["parity", "--output", str(out), "--with-sandbox-writes"])
    printed = capsys.readouterr()
    assert status in (0, 1), printed.err
    report = out.read_text()
    assert json.loads(report)["summary"]["operations"] > 40
    assert "ListApiCredentials" in printed.out  # the canary credential was listed...
    assert len(recorded["token"]) >= 4  # ...with tokens from both sides, narrowed ones too

    secrets_and_ids = {
        "canary client id": client.client_id,
        "canary secret": client.client_secret,
        "canary nickname": planted["nickname"],
    }
    for kind, values in recorded.items():
        for i, value in enumerate(sorted(values)):
            secrets_and_ids[f"{kind} {i}"] = value
    for i, value in enumerate(sorted(served_ids(client))):
        secrets_and_ids[f"id {i}"] = value
    hits = canary.scan(
        {"--output file": report, "stdout": printed.out, "stderr": printed.err},
        needles(secrets_and_ids),
    )
    assert hits == [], "\n".join(map(str, hits[:40]))
    assert len(secrets_and_ids) > 50  # the scan searched for something


def test_debug_logs_of_a_parity_run_hold_no_secret_or_token(planted, recorded, tmp_path):
    client = planted["client"]
    side, log, out = tmp_path / "secrets.jsonl", tmp_path / "debug.log", tmp_path / "p.json"
    env = client.env(CANARY_SECRETS_FILE=str(side), CANARY_LOG_FILE=str(log))
    env["PYTHONPATH"] = os.pathsep.join([str(RELIABILITY), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [
            sys.executable,
            str(RELIABILITY / "run_cli.py"),
            "--log-level",
            "DEBUG",
            "parity",
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr[-3000:]
    in_child = canary.read_recorded([side])
    assert {"token", "client_secret"} <= {r["kind"] for r in in_child}
    named = {"canary secret": client.client_secret}
    named |= {f"{r['kind']} {i} (child)": r["value"] for i, r in enumerate(in_child)}
    named |= {f"token {i}": t for i, t in enumerate(sorted(recorded["token"]))}
    texts = {
        "stdout": done.stdout,
        "stderr": done.stderr,
        "debug log": log.read_text(),
        "--output file": out.read_text(),
    }
    assert " DEBUG " in texts["debug log"]
    hits = canary.scan(texts, needles(named))
    assert hits == [], "\n".join(map(str, hits[:40]))
    # The file holds no id or client id even when the run logs at DEBUG.
    ids = {"canary client id": client.client_id, "canary nickname": planted["nickname"]}
    ids |= {f"id {i}": v for i, v in enumerate(sorted(served_ids(client)))}
    assert canary.scan({"--output file": texts["--output file"]}, needles(ids)) == []
