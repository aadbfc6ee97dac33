"""Fixtures for the Jupyter UI tests: an emulator over real HTTP, clients, closed widgets.

``emu``          one ``Emulator(seed=0, rate_limits=False)`` per module (many token requests).
``make_client``  ``make_client(scopes=None) -> Client``: a registered API credential.
``ui``           ``ui(widget)`` registers a widget (or session) to close after the test.
Every test checks that no token-panel timer thread is left running and forgets the current
``%paxos`` session afterwards.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

import pytest

from paxos_nb import magics
from paxos_nb.config import VARIABLES
from paxos_nb.emulator import Emulator


@dataclass
class Client:
    client_id: str
    client_secret: str


@pytest.fixture(autouse=True)
def _no_paxos_env(monkeypatch):
    for var in VARIABLES.values():
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PAXOS_NB_ENV_FILE", "none")


@pytest.fixture(scope="module")
def emu():
    with Emulator(seed=0, rate_limits=False) as emulator:
        yield emulator


@pytest.fixture
def make_client(emu):
    def make(scopes=None) -> Client:
        client = Client(f"ui-{secrets.token_hex(4)}", f"sec-{secrets.token_urlsafe(24)}")
        emu.add_client(
            client_id=client.client_id, client_secret=client.client_secret, scopes=scopes
        )
        return client

    return make


def _panel_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "paxos-nb-token-panel"]


@pytest.fixture(autouse=True)
def _no_leaks():
    """Close what the test registered; fail if a token-panel timer outlives its widget."""
    before = set(_panel_threads())
    opened: list = []
    yield opened
    for thing in reversed(opened):
        session = getattr(thing, "session", None)
        thing.close()
        if session is not None and hasattr(session, "close"):
            session.close()
    magics.use(None)
    leaked = [t for t in _panel_threads() if t not in before and t.is_alive()]
    assert not leaked, f"token panel timers still running: {leaked}"


@pytest.fixture
def ui(_no_leaks):
    """``ui(widget_or_session)``: close it (and the session it holds) after the test."""

    def keep(thing):
        _no_leaks.append(thing)
        return thing

    return keep


@pytest.fixture
def connected(emu, make_client, ui):
    """``connected(scopes, client_scopes=None) -> (form, client)``: a form after Connect."""
    from paxos_nb import widgets

    def connect(scopes, client_scopes=None, **kwargs):
        client = make_client(scopes=client_scopes)
        form = ui(
            widgets.credentials_form(
                "local", api_url=emu.api_url, token_url=emu.token_url, scopes=scopes, **kwargs
            )
        )
        form.client_id.value = client.client_id
        form.secret.value = client.client_secret
        form.connect_button.click()
        assert form.error is None, form.error_text
        return form, client

    return connect


@pytest.fixture
def states():
    """``states(widget) -> str``: every synced state of a widget tree (what a notebook saves)."""
    import json

    from paxos_nb.widgets._base import descendants

    def dump(widget) -> str:
        return "\n".join(json.dumps(n.get_state(), default=str) for n in descendants(widget))

    return dump
