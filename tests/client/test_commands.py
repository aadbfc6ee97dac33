"""paxos-nb doctor / scopes / call, run through the real argparse front."""

from __future__ import annotations

import json

import pytest

from paxos_nb import scopes as px_scopes
from paxos_nb.cli import main

READ = ["funding:read_profile", "transfer:read_transfer"]


def env_file(path, client, emu, scopes=READ, **extra):
    lines = {
        "PAXOS_ENV": "local",
        "PAXOS_API_URL": emu.api_url,
        "PAXOS_TOKEN_URL": emu.token_url,
        "PAXOS_CLIENT_ID": client.client_id,
        "PAXOS_CLIENT_SECRET": client.client_secret,
        "PAXOS_SCOPES": " ".join(scopes),
        **extra,
    }
    path.write_text("".join(f"{k}={v}\n" for k, v in lines.items() if v is not None))
    return path


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# -- doctor -----------------------------------------------------------------------------------


def test_doctor_passes_on_a_good_env(make_client, emu, tmp_path, capsys):
    client = make_client(READ)
    path = env_file(tmp_path / ".env", client, emu)
    status, out, err = run(capsys, "doctor", str(path))
    assert status == 0, out + err
    assert "✓ loaded" in out
    assert "PAXOS_CLIENT_SECRET" in out  # where it came from...
    assert client.client_secret not in out + err  # ...never what it is
    assert "✓ token" in out
    assert "✓ scopes: all 2 requested scopes granted" in out
    assert "✓ call: GET /profiles" in out
    assert "all checks passed" in out


def test_doctor_reports_a_wrong_secret(make_client, emu, tmp_path, capsys):
    client = make_client(READ)
    client.client_secret = "definitely-wrong-secret-1"
    path = env_file(tmp_path / ".env", client, emu)
    status, out, err = run(capsys, "doctor", str(path))
    assert status == 1
    assert "✗ token" in out
    assert "invalid_client" in out
    assert "hint:" in out
    assert "definitely-wrong-secret-1" not in out + err


def test_doctor_reports_a_bad_env_line(tmp_path, capsys):
    path = tmp_path / "broken.env"
    path.write_text("PAXOS_CLIENT_ID=abc\nPAXOS_CLIENT_SECRET: hunter2-secret\n")
    status, out, _ = run(capsys, "doctor", str(path))
    assert status == 1
    assert "✗ load" in out
    assert "line 2" in out
    assert "hunter2-secret" not in out


def test_doctor_on_a_missing_file(tmp_path, capsys):
    status, out, _ = run(capsys, "doctor", str(tmp_path / "nope.env"))
    assert status == 1
    assert "does not exist" in out


def test_doctor_without_a_probe_scope(make_client, emu, tmp_path, capsys):
    only = ["exchange:read_order"]
    client = make_client(only)
    path = env_file(tmp_path / ".env", client, emu, scopes=only)
    status, out, _ = run(capsys, "doctor", str(path))
    assert "exchange:read_order" in out
    assert ("✓ call" in out and status == 0) or "✗ call" in out


# -- scopes -----------------------------------------------------------------------------------


def test_scopes_lists_the_catalog(capsys):
    status, out, _ = run(capsys, "scopes")
    assert status == 0
    assert "funding:read_profile" in out
    assert "presets:" in out


def test_scopes_plans_least_privilege(capsys):
    status, out, _ = run(capsys, "scopes", "ListProfiles", "POST /transfer/deposit-addresses")
    assert status == 0
    expected = " ".join(px_scopes.required(["ListProfiles", "POST /transfer/deposit-addresses"]))
    assert f"Dashboard / PAXOS_SCOPES: {expected}" in out


def test_scopes_preset_and_explain(capsys):
    status, out, _ = run(capsys, "scopes", "--preset", "convert")
    assert status == 0
    assert "16 scope(s)" in out
    status, out, _ = run(capsys, "scopes", "--explain", "funding:read_profile")
    assert status == 0
    assert "GET /profiles" in out


def test_scopes_unknown_name_suggests(capsys):
    status, _, err = run(capsys, "scopes", "--explain", "funding:read_profil")
    assert status == 1
    assert "funding:read_profile" in err


# -- call -------------------------------------------------------------------------------------


def test_call_prints_a_table(make_client, emu, tmp_path, capsys):
    client = make_client(READ)
    path = env_file(tmp_path / "creds.env", client, emu)
    status, out, err = run(capsys, "call", "GET", "/profiles", "--env-file", str(path))
    assert status == 0, err
    assert "nickname" in out
    assert "default" in out


def test_call_raw_json_with_params(make_client, emu, tmp_path, capsys):
    client = make_client(READ)
    path = env_file(tmp_path / "creds.env", client, emu)
    status, out, _ = run(
        capsys,
        "call",
        "GET",
        "/transfer/transfers",
        "-p",
        "limit=2",
        "--raw",
        "--env-file",
        str(path),
    )
    assert status == 0
    body = json.loads(out)
    assert len(body["items"]) == 2
    assert body["next_page_cursor"]


def test_call_requests_only_the_scope_it_needs(make_client, emu, tmp_path, capsys):
    client = make_client(["funding:read_profile"])  # the credential allows nothing else
    path = env_file(tmp_path / "creds.env", client, emu, scopes=READ)  # asks for more
    status, _, err = run(capsys, "call", "GET", "/profiles", "--env-file", str(path))
    assert status == 0, err  # requested only what GET /profiles needs, not PAXOS_SCOPES


def test_call_without_env_uses_the_embedded_emulator(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    status, out, err = run(capsys, "call", "GET", "/profiles")
    assert status == 0, err
    assert "using the local Paxos emulator" in err
    assert "nickname" in out


def test_call_errors_are_one_line_with_a_hint(make_client, emu, tmp_path, capsys):
    client = make_client(["funding:read_profile"])
    path = env_file(tmp_path / "creds.env", client, emu, scopes=["funding:read_profile"])
    status, _, err = run(
        capsys,
        "call",
        "GET",
        "/transfer/transfers",
        "--scopes",
        "funding:read_profile",
        "--env-file",
        str(path),
    )
    assert status == 1
    assert "transfer:read_transfer" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["call", "GET", "/nowhere/at/all"], "unknown"),
        (["call", "POST", "/profiles", "--json", "{bad"], "not valid JSON"),
        (["call", "GET", "/profiles", "-p", "limit"], "KEY=VALUE"),
        (["call", "GET", "/profiles", "--env-file", "missing.env"], "does not exist"),
    ],
)
def test_call_bad_input(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    status, _, err = run(capsys, *argv)
    assert status == 1
    assert message in err


# -- doctor: near-miss variables (issue 15 item 5) ----------------------------------------------


def test_doctor_names_a_misspelt_secret_variable(make_client, emu, tmp_path, capsys):
    client = make_client(READ)
    path = env_file(tmp_path / ".env", client, emu, PAXOS_CLIENT_SECRET=None)
    with path.open("a") as out:
        out.write(f"PAXOS_CLIENT_SECRT={client.client_secret}\n")
    status, out, err = run(capsys, "doctor", str(path))
    assert status == 1
    assert "PAXOS_CLIENT_SECRT" in out
    assert "did you mean PAXOS_CLIENT_SECRET?" in out
    assert client.client_secret not in out + err


def test_doctor_fails_on_scope_without_s(make_client, emu, tmp_path, capsys):
    client = make_client(READ)
    path = env_file(tmp_path / ".env", client, emu, PAXOS_SCOPES=None, PAXOS_SCOPE=" ".join(READ))
    status, out, _ = run(capsys, "doctor", str(path))
    assert status == 1
    assert "did you mean PAXOS_SCOPES?" in out
    assert "all checks passed" not in out


def test_doctor_never_passes_with_an_unknown_variable(make_client, emu, tmp_path, capsys):
    client = make_client(READ)
    path = env_file(tmp_path / ".env", client, emu, PAXOS_REGION="us")
    status, out, _ = run(capsys, "doctor", str(path))
    assert status == 1
    assert "✗ variables: PAXOS_REGION" in out
    assert "✓ token" in out  # the other checks still ran
    assert "some checks failed" in out


def test_doctor_checks_the_shell_too(make_client, emu, tmp_path, capsys, monkeypatch):
    client = make_client(READ)
    path = env_file(tmp_path / ".env", client, emu)
    monkeypatch.setenv("PAXOS_SCOPE", "funding:read_profile")
    status, out, _ = run(capsys, "doctor", str(path))
    assert status == 1
    assert "PAXOS_SCOPE (in os.environ)" in out
    assert "did you mean PAXOS_SCOPES?" in out


def test_comma_separated_scopes_work_and_doctor_says_spaces(make_client, emu, tmp_path, capsys):
    client = make_client(READ)
    path = env_file(tmp_path / ".env", client, emu, PAXOS_SCOPES=",".join(READ))
    status, out, err = run(capsys, "doctor", str(path))
    assert status == 0, out + err
    assert "✓ scopes: all 2 requested scopes granted" in out
    assert "separated by spaces" in out
    assert "all checks passed" in out


def test_doctor_passes_a_clean_env_and_says_the_variables_are_known(
    make_client, emu, tmp_path, capsys
):
    client = make_client(READ)
    status, out, _ = run(capsys, "doctor", str(env_file(tmp_path / ".env", client, emu)))
    assert status == 0
    assert "✓ variables: every PAXOS_* variable is one paxos_nb reads" in out
