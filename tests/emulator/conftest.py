"""Fixtures for the emulator tests (core and resources), all over real HTTP on loopback.

``emulator``        a started ``Emulator(seed=0, rate_limits=False)``, shared by the tests of
                    one module (state carries over between them; use ``fresh_emulator`` when
                    a test needs the pristine seeded world). Rate limits are off so many
                    requests never trip them; ``tests/emulator/test_ratelimit.py`` turns
                    them on with a short window.
``fresh_emulator``  the same, started for one test and stopped after it.
``token_for``       ``token_for(*scopes, emu=None, client=None) -> str``: an access token of
                    the demo client (or ``client``, an ApiClient) for these scopes (none: every
                    scope the client has), from the real token endpoint, cached per emulator,
                    client and scope set
                    (fetched again once expired or revoked).
``auth``            ``auth(*scopes, emu=None) -> dict``: ``{"Authorization": "Bearer ..."}``.
``fetch_token``     ``fetch_token(emu, scopes=(), client=None) -> requests.Response``: one
                    uncached token request with the credentials in the form body.
``http``            a ``requests.Session`` (keep-alive), closed after the test.

Test files here have distinct names (``test_emu_*.py`` for the core): the test folders have
no ``__init__.py``, so two files with the same name anywhere under tests/ would clash.

Example::

    def test_profiles(emulator, http, auth):
        r = http.get(f"{emulator.api_url}/profiles", headers=auth("funding:read_profile"))
        assert r.status_code == 200
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator

import pytest
import requests

from paxos_nb.emulator import ApiClient, Emulator


def _fetch_token(emu: Emulator, scopes=(), client: ApiClient | None = None) -> requests.Response:
    client = client or emu.demo_client
    data = {
        "grant_type": "client_credentials",
        "client_id": client.client_id,
        "client_secret": client.client_secret,
    }
    if scopes:
        data["scope"] = " ".join(scopes)
    return requests.post(emu.token_url, data=data, timeout=10)


@pytest.fixture(scope="session")
def fetch_token() -> Callable[..., requests.Response]:
    """``fetch_token(emu, scopes=(), client=None)``: one uncached token request (form body)."""
    return _fetch_token


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(seed=0, rate_limits=False) as emu:
        yield emu


@pytest.fixture
def fresh_emulator() -> Iterator[Emulator]:
    with Emulator(seed=0, rate_limits=False) as emu:
        yield emu


@pytest.fixture(scope="module")
def _token_cache() -> weakref.WeakKeyDictionary:
    return weakref.WeakKeyDictionary()


@pytest.fixture
def token_for(emulator: Emulator, _token_cache: weakref.WeakKeyDictionary) -> Callable[..., str]:
    def get(*scopes: str, emu: Emulator | None = None, client: ApiClient | None = None) -> str:
        emu = emu or emulator
        who = client or emu.demo_client
        cache = _token_cache.setdefault(emu, {})
        key = (who.client_id, scopes)
        token = cache.get(key)
        if token is None or emu.tokens.lookup(token)[1]:  # none yet, or expired/revoked
            r = _fetch_token(emu, scopes, who)
            assert r.status_code == 200, r.text
            token = cache[key] = r.json()["access_token"]
        return token

    return get


@pytest.fixture
def auth(token_for: Callable[..., str]) -> Callable[..., dict]:
    def headers(*scopes: str, emu: Emulator | None = None) -> dict:
        return {"Authorization": f"Bearer {token_for(*scopes, emu=emu)}"}

    return headers


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s
