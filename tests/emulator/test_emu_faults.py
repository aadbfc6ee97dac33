"""Fault injection, observed the way a client sees it: through requests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from paxos_nb.emulator import Emulator
from paxos_nb.emulator.faults import TOKEN

READ = "funding:read_profile"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """A fresh emulator behind its fault proxy (connection resets need it)."""
    with Emulator(seed=0, rate_limits=False, fault_proxy=True) as emulator:
        yield emulator


def profiles(emu, headers, **kw) -> requests.Response:
    return requests.get(f"{emu.api_url}/profiles", headers=headers, timeout=kw.pop("timeout", 10))


def test_injected_429(emu, auth):
    headers = auth(READ, emu=emu)
    emu.faults.inject_next("429", retry_after=7)
    r = profiles(emu, headers)
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "7"
    assert r.json()["detail"] == "Too many requests"
    assert profiles(emu, headers).status_code == 200  # only the next one


@pytest.mark.parametrize(
    ("kind", "ctype"), [("500", "problem+json"), ("503", "problem+json"), ("502", "text/html")]
)
def test_injected_server_errors(emu, auth, kind, ctype):
    headers = auth(READ, emu=emu)
    emu.faults.inject_next(kind)
    r = profiles(emu, headers)
    assert r.status_code == int(kind)
    assert ctype in r.headers["Content-Type"]
    if kind == "503":
        assert r.headers["Retry-After"] == "1"
    assert profiles(emu, headers).status_code == 200


def test_injected_slow_reply(emu, auth):
    headers = auth(READ, emu=emu)
    emu.faults.inject_next("slow", delay=1.0)
    with pytest.raises(requests.exceptions.ReadTimeout):
        profiles(emu, headers, timeout=0.2)
    emu.faults.inject_next("slow", delay=0.05)
    assert profiles(emu, headers).status_code == 200  # slow but served


def test_injected_reset(emu, auth):
    headers = auth(READ, emu=emu)
    emu.faults.inject_next("reset")
    with requests.Session() as s:
        with pytest.raises(requests.exceptions.ConnectionError):
            s.get(f"{emu.api_url}/profiles", headers=headers, timeout=10)
        # The session opens a new connection and carries on.
        assert s.get(f"{emu.api_url}/profiles", headers=headers, timeout=10).status_code == 200


def test_reset_after_write_saves_the_write(emu, auth):
    victim = emu.add_client(client_id="victim")
    headers = auth("api_creds:delete_credentials", emu=emu)
    emu.faults.inject_next("reset_after_write", operation_id="DeleteApiCredentials")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.delete(f"{emu.api_url}/api-creds/credentials/victim", headers=headers, timeout=10)
    # The reply was lost but the write happened: a retry finds nothing left to delete.
    assert emu.registry.get(victim.client_id).status == "DISABLED"
    r = requests.delete(f"{emu.api_url}/api-creds/credentials/victim", headers=headers, timeout=10)
    assert r.status_code == 404


def test_injected_revocation(emu, fetch_token):
    token = fetch_token(emu, (READ,)).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert profiles(emu, headers).status_code == 200
    emu.faults.inject_next("revoke")
    r = profiles(emu, headers)
    assert r.status_code == 401
    assert r.json()["detail"] == "token revoked"
    assert profiles(emu, headers).status_code == 401  # stays revoked
    fresh = fetch_token(emu, (READ,)).json()["access_token"]
    assert profiles(emu, {"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_fault_for_one_operation_only(emu, auth):
    headers = auth(READ, "api_creds:read_credentials", emu=emu)
    emu.faults.inject_next("503", operation_id="ListApiCredentials")
    assert profiles(emu, headers).status_code == 200
    r = requests.get(f"{emu.api_url}/api-creds/credentials", headers=headers, timeout=10)
    assert r.status_code == 503


def test_token_endpoint_faults(emu, fetch_token):
    emu.faults.inject_next("429", operation_id=TOKEN)
    r = fetch_token(emu)
    assert r.status_code == 429
    assert "Retry-After" in r.headers
    emu.faults.inject_next("502", operation_id=TOKEN)
    r = fetch_token(emu)
    assert r.status_code == 502
    assert r.headers["Content-Type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in r.text
    assert fetch_token(emu).status_code == 200
    # API faults never hit the token endpoint unless targeted.
    emu.faults.inject_next("500")
    assert fetch_token(emu).status_code == 200
    assert emu.faults.pending == 1


def test_random_faults_are_deterministic(auth):
    def run() -> list[int]:
        with Emulator(rate_limits=False) as emu:
            headers = auth(READ, emu=emu)
            emu.faults.configure(rate=0.5, seed=42, kinds=("429", "500", "503"))
            codes = [profiles(emu, headers).status_code for _ in range(30)]
            assert emu.stats()["faults_injected"]  # counted
            return codes

    first, second = run(), run()
    assert first == second
    assert {429, 500, 503} & set(first)
    assert 200 in first


def test_filters_and_clear(emu, auth):
    headers = auth(READ, emu=emu)
    emu.faults.configure(rate=1.0, kinds=("500",), methods=("POST",))
    assert profiles(emu, headers).status_code == 200  # GET not eligible
    emu.faults.configure(rate=1.0, kinds=("500",), paths=("/transfer/*",))
    assert profiles(emu, headers).status_code == 200
    emu.faults.configure(rate=1.0, kinds=("500",), paths=("/profiles*",))
    assert profiles(emu, headers).status_code == 500
    emu.faults.clear()
    assert profiles(emu, headers).status_code == 200


def test_bad_fault_arguments():
    with Emulator(rate_limits=False) as emu:
        with pytest.raises(ValueError, match="unknown fault kind"):
            emu.faults.inject_next("418")
        with pytest.raises(ValueError, match="unknown fault kind"):
            emu.faults.inject_next("revoke", operation_id=TOKEN)
        with pytest.raises(ValueError, match="between 0 and 1"):
            emu.faults.configure(rate=2)


def test_stats_count_faults(emu, auth):
    headers = auth(READ, emu=emu)
    emu.faults.inject_next("500", count=2)
    profiles(emu, headers)
    profiles(emu, headers)
    emu.faults.inject_next("reset")
    with pytest.raises(requests.exceptions.ConnectionError):
        profiles(emu, headers)
    stats = emu.stats()
    assert stats["faults_injected"] == {"500": 2, "reset": 1}
    assert stats["responses"] == {"200": 1, "500": 2}  # the token; the reset answered nothing
    assert stats["api_requests"]["by_operation"]["ListProfiles"] == 3


def test_resets_need_the_fault_proxy(fresh_emulator):
    faults = fresh_emulator.faults
    for kind in ("reset", "reset_after_write"):
        with pytest.raises(ValueError, match=r"fault_proxy=True"):
            faults.inject_next(kind)
    with pytest.raises(ValueError, match=r"fault_proxy=True"):
        faults.configure(rate=0.5, kinds=("503", "reset"))
    faults.configure(rate=0.5)  # the default kinds leave reset out without the proxy
    assert "reset" not in faults.describe()["kinds"]
    assert faults.pending == 0


def test_the_proxy_passes_ordinary_answers_through(emu, auth):
    headers = auth(READ, emu=emu)
    before = emu.stats()["connections"]
    with requests.Session() as s:
        for _ in range(5):
            r = s.get(f"{emu.api_url}/profiles", headers=headers, timeout=10)
            assert r.status_code == 200
            assert "x-paxos-nb-reset" not in r.headers
        r = s.post(f"{emu.url}/nowhere", data=b"x" * 5000, timeout=10)  # body never read
        assert r.status_code == 404
        assert s.get(emu.url, timeout=10).json()["api_url"] == emu.api_url
    assert emu.stats()["connections"] - before == 1
