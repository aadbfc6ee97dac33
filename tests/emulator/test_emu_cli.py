"""``paxos-nb emulator`` as a real subprocess: URLs, --clients, --env-file, clean stop."""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import stat
import subprocess
import sys
import time

import pytest
import requests
from dotenv import dotenv_values
from websockets.sync.client import connect as ws_connect

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and select")


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "paxos_nb", "emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,  # raw pipes: select() then sees every byte not yet read
    )


def read_banner(proc: subprocess.Popen, deadline: float = 30.0) -> str:
    """stdout up to "Press Ctrl-C" (bounded wait, so a hung child fails the test)."""
    out, end = b"", time.monotonic() + deadline
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while b"Press Ctrl-C" not in out:
            if time.monotonic() > end or proc.poll() is not None:
                proc.kill()
                _, err = proc.communicate()
                raise AssertionError(f"no banner; stdout={out!r} stderr={err!r}")
            if sel.select(timeout=0.5):
                out += os.read(proc.stdout.fileno(), 65536)
    return out.decode()


def finish(proc: subprocess.Popen) -> tuple[str, str]:
    out, err = proc.communicate(timeout=30)
    return out.decode(), err.decode()


def url_of(banner: str, label: str) -> str:
    return re.search(rf"{label}:\s+(\S+)", banner).group(1)


@pytest.fixture
def clients_file(tmp_path):
    path = tmp_path / "clients.json"
    path.write_text(
        json.dumps(
            [
                {
                    "client_id": "from-file",
                    "client_secret": "file-secret-123",
                    "nickname": "From file",
                    "client_scopes": ["funding:read_profile"],
                    "ip_allowlist": ["127.0.0.1/32"],
                    "enforce_request_signing": False,
                    "client_public_keys": [],
                }
            ]
        )
    )
    return path


def test_serves_prints_urls_loads_clients_and_stops_on_ctrl_c(tmp_path, clients_file):
    env = tmp_path / "emu.env"
    proc = start("--clients", str(clients_file), "--env-file", str(env), "--seed", "3")
    try:
        banner = read_banner(proc)
        api, token_url = url_of(banner, "API URL"), url_of(banner, "Token URL")
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v2", api)
        assert token_url == api[: -len("/v2")] + "/oauth2/token"
        assert "paxos-nb-demo" in banner
        feeds = url_of(banner, "Feeds URL")
        assert re.fullmatch(r"ws://127\.0\.0\.1:\d+", feeds)
        with ws_connect(feeds + "/marketdata/BTCUSD") as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "SNAPSHOT"
        # The client from the file works (its secret is the one in the file).
        data = {
            "grant_type": "client_credentials",
            "client_id": "from-file",
            "client_secret": "file-secret-123",
        }
        r = requests.post(token_url, data=data, timeout=10)
        assert r.status_code == 200, r.text
        assert r.json()["scope"] == "funding:read_profile"
        # The .env: mode 0600, everything a client needs, the only place the secret is.
        assert stat.S_IMODE(os.stat(env).st_mode) == 0o600
        values = dotenv_values(env)
        assert values["PAXOS_ENV"] == "local"
        assert values["PAXOS_API_URL"] == api
        assert values["PAXOS_TOKEN_URL"] == token_url
        assert values["PAXOS_WS_URL"] == feeds
        assert values["PAXOS_CLIENT_ID"] == "paxos-nb-demo"
        assert len(values["PAXOS_SCOPES"].split()) == 60
        secret = values["PAXOS_CLIENT_SECRET"]
        data = {
            "grant_type": "client_credentials",
            "client_id": "paxos-nb-demo",
            "client_secret": secret,
        }
        assert requests.post(token_url, data=data, timeout=10).status_code == 200
        assert secret not in banner
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        out, err = finish(proc)
    assert proc.returncode == 0, err
    assert "stopped" in out
    assert secret not in out + err
    assert "file-secret-123" not in out + err
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(api + "/markets", timeout=5)


def test_terminate_stops_cleanly():
    proc = start("--no-rate-limits")
    try:
        banner = read_banner(proc)
        assert "Rate limits: off" in banner
    finally:
        proc.terminate()  # SIGTERM
        out, err = finish(proc)
    assert proc.returncode == 0, err
    assert "stopped" in out
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '[{"client_id": "a", "client_secret": "secret-123", "ip_allowlist": ["10.0.0.1/8"]}]',
            r"entry 0 \(client_id 'a'\), field 'ip_allowlist\[0\]'",
        ),
        (
            '[{"client_id": "a", "client_secret": "secret-123"}, {"client_id": "b"}]',
            r"entry 1: field 'client_secret' is required",
        ),
        (
            '[{"client_id": "a", "client_secret": "secret-123", "scope": "x"}]',
            r"entry 0: unknown field 'scope'",
        ),
        (
            '[{"client_id": "a", "client_secret": "secret-123", "allowed_scopes": ["nope"]}]',
            r"field 'allowed_scopes': unknown scope 'nope'",
        ),
        ('{"client_id": "a"', r"is not valid JSON: .* line 1 column"),
        ('{"a": 1}', r"expected a JSON list"),
    ],
)
def test_bad_clients_file_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "clients.json"
    path.write_text(content)
    proc = start("--clients", str(path))
    _, err = finish(proc)
    assert proc.returncode == 2
    assert re.search(message, err), err
    assert str(path) in err
    assert "Traceback" not in err
    assert "secret-123" not in err


def test_missing_clients_file(tmp_path):
    proc = start("--clients", str(tmp_path / "nope.json"))
    _, err = finish(proc)
    assert proc.returncode == 2
    assert "clients file not found" in err
