"""Fixtures for the client tests: one emulator per module, clients with chosen scopes."""

from __future__ import annotations

import secrets

import pytest

from paxos_nb.config import VARIABLES, Credentials
from paxos_nb.emulator import Emulator
from paxos_nb.session import PaxosSession, connect
from paxos_nb.transport import RetryPolicy

from .support import Client, ScriptedServer, Sleeps


@pytest.fixture(autouse=True)
def no_paxos_env(monkeypatch):
    """No PAXOS_* from the developer's shell leaks into a test, and .env lookup is the default
    (the repository conftest turns .env files off for the notebooks)."""
    for var in (*VARIABLES.values(), "PAXOS_NB_ENV_FILE"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="module")
def emu():
    """One emulator per test module (seed 0, no rate limits: tests open many sessions)."""
    with Emulator(seed=0, rate_limits=False, fault_proxy=True) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _reset_emulator(request):
    """Faults and token lifetime never leak from one test into the next."""
    yield
    if "emu" in request.fixturenames:
        emulator = request.getfixturevalue("emu")
        emulator.faults.clear()
        emulator.token_lifetime = 3599


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_client(emu):
    """Register an API credential on the emulator and return it with matching Credentials."""

    def make(scopes=None, **kwargs) -> Client:
        client_id = kwargs.pop("client_id", f"test-{secrets.token_hex(6)}")
        secret = kwargs.pop("client_secret", secrets.token_urlsafe(24))
        record = emu.add_client(client_id=client_id, client_secret=secret, scopes=scopes, **kwargs)
        creds = Credentials(
            client_id, secret, "local", api_url=emu.api_url, token_url=emu.token_url
        )
        return Client(client_id, secret, creds, record)

    return make


@pytest.fixture
def open_session(make_client, sleeps):
    """``open_session(scopes, client_scopes=None, **connect_kwargs)`` -> (session, client)."""
    opened: list[PaxosSession] = []

    def open_(scopes, client_scopes=None, **kwargs):
        client = kwargs.pop("client", None) or make_client(
            scopes=client_scopes or scopes, **kwargs.pop("client_kwargs", {})
        )
        kwargs.setdefault("retry", RetryPolicy(sleep=sleeps, base=0.01))
        session = connect(client.creds, scopes, **kwargs)
        opened.append(session)
        return session, client

    yield open_
    for session in opened:
        session.close()


@pytest.fixture
def scripted():
    """A scripted loopback server (see support.ScriptedServer)."""
    with ScriptedServer() as server:
        yield server
