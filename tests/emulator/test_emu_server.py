"""The server itself: lifecycle, keep-alive, JSON encoding, stats, logging."""

from __future__ import annotations

import logging
import socket
import threading
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import requests

from paxos_nb.emulator import Emulator
from paxos_nb.emulator.app import dumps


def test_start_serve_stop():
    emu = Emulator(rate_limits=False)
    with pytest.raises(RuntimeError, match="not running"):
        _ = emu.api_url
    emu.start()
    try:
        assert emu.api_url == f"http://127.0.0.1:{emu.port}/v2"
        assert emu.token_url == f"http://127.0.0.1:{emu.port}/oauth2/token"
        r = requests.get(emu.url, timeout=10)  # ready as soon as start() returns
        assert r.json()["api_url"] == emu.api_url
        assert emu.demo_client.client_secret not in r.text
        thread = emu._server._thread
        port = emu.port
    finally:
        emu.stop()
    assert not thread.is_alive()
    assert not emu.running
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    emu.stop()  # idempotent


def test_stop_ends_idle_keep_alive_connections():
    before = set(threading.enumerate())
    emu = Emulator(rate_limits=False).start()
    url = emu.url
    s = requests.Session()
    assert s.get(url, timeout=10).status_code == 200  # leaves an idle keep-alive conn
    started = set(threading.enumerate()) - before
    assert len(started) == 2  # the server loop and the connection's handler
    emu.stop()
    for thread in started:
        thread.join(timeout=5)
        assert not thread.is_alive(), thread.name
    with pytest.raises(requests.exceptions.ConnectionError):
        s.get(url, timeout=5)
    s.close()


def test_port_in_use_is_a_clear_error():
    with (
        Emulator(rate_limits=False) as a,
        pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{a.port}"),
    ):
        Emulator(port=a.port, rate_limits=False).start()


def test_keep_alive_one_connection(fresh_emulator):
    with requests.Session() as s:
        for _ in range(20):
            r = s.get(f"{fresh_emulator.api_url}/markets", timeout=10)
            assert "close" not in r.headers.get("Connection", "")
    stats = fresh_emulator.stats()
    assert stats["connections"] == 1
    assert stats["api_requests"]["by_operation"]["ListMarkets"] == 20


def test_connection_close_honoured(fresh_emulator):
    r = requests.get(fresh_emulator.url, headers={"Connection": "close"}, timeout=10)
    assert r.headers["Connection"] == "close"


def test_unread_body_does_not_break_the_next_request(fresh_emulator):
    # A 404 never reads the body; the server must drain it before the next request line.
    with requests.Session() as s:
        r = s.post(f"{fresh_emulator.url}/nowhere", data=b"x" * 5000, timeout=10)
        assert r.status_code == 404
        assert s.get(fresh_emulator.url, timeout=10).status_code == 200
    assert fresh_emulator.stats()["connections"] == 1


def test_json_encoding():
    moment = datetime(2026, 1, 2, 3, 4, 5, 123000, tzinfo=timezone(timedelta(hours=2)))
    out = dumps({"a": Decimal("1E-8"), "b": Decimal("100.50"), "t": moment, "n": None})
    assert out == (b'{"a":"0.00000001","b":"100.50","t":"2026-01-02T01:04:05.123000Z","n":null}')
    with pytest.raises(TypeError, match="cannot serialize object"):
        dumps({"x": object()})


def test_stats_endpoint_counts(fresh_emulator, fetch_token):
    emu = fresh_emulator
    token = fetch_token(emu, ("funding:read_profile",)).json()["access_token"]
    fetch_token(emu, ("nope:nope",))
    with requests.Session() as s:
        s.get(f"{emu.api_url}/profiles", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        s.get(f"{emu.api_url}/profiles", timeout=10)
        stats = s.get(f"{emu.url}/_emulator/stats", timeout=10).json()
    assert stats["token_requests"]["granted"] == 1
    assert stats["token_requests"]["refused"] == 1
    assert stats["token_requests"]["errors"] == {"invalid_scope": 1}
    assert stats["api_requests"]["by_operation"] == {"ListProfiles": 2}
    assert stats["responses"]["200"] >= 2
    assert stats["responses"]["401"] == 1
    assert stats["connections"] >= 2
    assert set(stats) >= {"faults_injected", "rate_limited", "uptime_seconds"}
    assert emu.stats()["api_requests"] == stats["api_requests"]


def test_logs_only_at_debug_and_never_secrets(fresh_emulator, fetch_token, caplog, capfd):
    emu = fresh_emulator
    with caplog.at_level(logging.DEBUG):
        body = fetch_token(emu, ("funding:read_profile",)).json()
        token = body["access_token"]
        requests.get(
            f"{emu.api_url}/profiles", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
    text = caplog.text
    assert "GET /v2/profiles" in text  # request lines at DEBUG
    assert all(r.levelno <= logging.DEBUG for r in caplog.records if "/v2/profiles" in r.message)
    assert token not in text
    assert emu.demo_client.client_secret not in text
    _, err = capfd.readouterr()
    assert "/v2/profiles" not in err  # nothing on stderr by default


def test_several_emulators_have_separate_state():
    with Emulator(rate_limits=False) as a, Emulator(rate_limits=False) as b:
        a.add_client(client_id="only-in-a")
        assert b.registry.get("only-in-a") is None
        data = {
            "grant_type": "client_credentials",
            "client_id": "paxos-nb-demo",
            "client_secret": a.demo_client.client_secret,
        }
        assert requests.post(a.token_url, data=data, timeout=10).status_code == 200
        assert requests.post(b.token_url, data=data, timeout=10).status_code == 401


def test_paths_match_on_raw_segments(emulator, http, auth):
    headers = auth("transfer:read_transfer")
    for raw, decoded in (("abc%3Fdef", "abc?def"), ("abc%2Fdef", "abc/def")):
        r = http.get(f"{emulator.api_url}/transfer/transfers/{raw}", headers=headers)
        assert r.status_code == 404  # GetTransfer with the id decoded, not another route
        assert r.json()["detail"] == f"transfer not found: {decoded}"
