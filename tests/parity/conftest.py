"""Fixtures for the parity tests: a reference emulator (the "real" side) and its clients."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from dataclasses import dataclass

import pytest

from paxos_nb import catalog, scopes
from paxos_nb.config import VARIABLES, Credentials
from paxos_nb.emulator import Emulator

# Every scope a GET of the catalog needs: a credential that may read everything.
READ_SCOPES = tuple(
    sorted({op.scope for op in catalog.operations() if op.method == "GET" and op.scope})
)
ANALYST = tuple(scopes.PRESETS["analyst"])


@dataclass
class Client:
    client_id: str
    client_secret: str
    creds: Credentials
    scopes: tuple[str, ...]

    def env(self, **extra: str) -> dict[str, str]:
        """os.environ for a ``paxos-nb parity`` process with this client's credentials."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAXOS_")}
        env.update(
            PAXOS_NB_ENV_FILE="none",
            PAXOS_CLIENT_ID=self.client_id,
            PAXOS_CLIENT_SECRET=self.client_secret,
            PAXOS_API_URL=self.creds.api_url or "",
            PAXOS_TOKEN_URL=self.creds.token_url or "",
            PAXOS_SCOPES=" ".join(self.scopes),
        )
        env.update(extra)
        return env


@pytest.fixture(autouse=True)
def no_paxos_env(monkeypatch):
    """No PAXOS_* from the developer's shell, and no .env file, reach a test."""
    for var in VARIABLES.values():
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PAXOS_NB_ENV_FILE", "none")


@pytest.fixture(scope="module")
def reference_emulator():
    """The side parity measures the embedded emulator against (no rate limits: many runs)."""
    with Emulator(seed=0, rate_limits=False) as emulator:
        yield emulator


@pytest.fixture
def make_client(reference_emulator):
    """A client of the reference emulator holding ``scopes`` (default: the analyst preset)."""

    def make(scopes=ANALYST, *, api_url=None, **fields) -> Client:
        client_id = fields.pop("client_id", f"parity-{secrets.token_hex(6)}")
        secret = fields.pop("client_secret", secrets.token_urlsafe(24))
        reference_emulator.add_client(
            client_id=client_id, client_secret=secret, scopes=scopes, **fields
        )
        creds = Credentials(
            client_id,
            secret,
            api_url=api_url or reference_emulator.api_url,
            token_url=reference_emulator.token_url,
            scopes=scopes,
        )
        return Client(client_id, secret, creds, tuple(scopes))

    return make


def run_parity(
    *args: str, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess:
    """``paxos-nb parity ARGS`` in a new process, as a user types it."""
    return subprocess.run(
        [sys.executable, "-m", "paxos_nb", "parity", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
