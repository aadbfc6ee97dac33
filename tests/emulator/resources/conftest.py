"""Fixtures for the resource tests: an HTTP client with every scope, a settable clock.

``world``   a fresh ``Emulator(seed=0)`` (rate limits off) on a frozen ``Clock`` the test
            moves by hand (``world.clock.advance(31)``), so settlement and expiry are
            tested without sleeping. ``world.api`` calls it over real HTTP with a token of
            the demo client holding every scope.
``direct``  the same handlers called in-process on a fresh ledger (for sweeps of thousands
            of requests, e.g. every page size from 1 to 1000).
``spec``    a :class:`CatalogValidator`: the catalog's response schemas (runs everywhere).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import pytest
import requests
from resources_harness import Direct
from resources_schema import CatalogValidator

from paxos_nb.emulator import Clock, Emulator

START = datetime(2026, 7, 1, 9, 30, tzinfo=timezone.utc)  # a day after the seeded history ends


class Api:
    """``api.get("/profiles")`` -> ``(status, json)`` over HTTP with a bearer token."""

    def __init__(self, emu: Emulator, session: requests.Session) -> None:
        self.emu, self.session = emu, session
        client = emu.demo_client
        r = session.post(
            emu.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": client.client_id,
                "client_secret": client.client_secret,
            },
            timeout=10,
        )
        assert r.status_code == 200, r.text
        self.headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        self.last: requests.Response | None = None

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> tuple[int, Any]:
        r = self.session.request(
            method,
            self.emu.api_url + path,
            json=body,
            params=params or None,
            headers=self.headers,
            timeout=30,
        )
        self.last = r
        return r.status_code, r.json()

    def get(self, path: str, **params: Any) -> tuple[int, Any]:
        return self.call("GET", path, **params)

    def post(self, path: str, body: Any) -> tuple[int, Any]:
        return self.call("POST", path, body)

    def put(self, path: str, body: Any = None) -> tuple[int, Any]:
        return self.call("PUT", path, body)

    def delete(self, path: str) -> tuple[int, Any]:
        return self.call("DELETE", path)

    def ok(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        status, data = self.call(method, path, body, **params)
        assert status == 200, (status, data)
        return data


@dataclass
class World:
    emu: Emulator
    api: Api
    clock: Clock

    @property
    def ledger(self):
        return self.emu.ledger

    def profile_id(self, nickname: str) -> str:
        found = self.api.ok("GET", "/profiles", nickname=nickname)["items"]
        return next(p["id"] for p in found if p["nickname"] == nickname)


def make_world(**ledger_options: Any) -> Iterator[World]:
    clock = Clock(at=START)  # frozen: it moves only when a test advances it
    with (
        Emulator(seed=0, rate_limits=False, ledger_options=ledger_options, clock=clock) as emu,
        requests.Session() as s,
    ):
        yield World(emu, Api(emu, s), clock)


@pytest.fixture
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    """Ledger options come from an indirect parametrize (default: none)."""
    yield from make_world(**getattr(request, "param", {}))


@pytest.fixture(scope="module")
def module_world() -> Iterator[World]:
    """One world shared by a module's tests (a scenario run once, checked per operation)."""
    yield from make_world()


@pytest.fixture
def direct() -> Direct:
    return Direct(now=START)


@pytest.fixture(scope="session")
def spec() -> CatalogValidator:
    return CatalogValidator()
