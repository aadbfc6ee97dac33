"""Rich reprs (session, token, errors): informative, escaped, and never a secret."""

from __future__ import annotations

import subprocess
import sys

import pytest

from paxos_nb import display, redact
from paxos_nb.config import Credentials
from paxos_nb.errors import APIError, AuthError, ConfigError, ScopeError, UnknownNameError
from paxos_nb.session import connect


@pytest.fixture
def session(emu, make_client):
    client = make_client(scopes=["funding:read_profile"])
    creds = Credentials(client.client_id, client.client_secret, "local", api_url=emu.api_url)
    with connect(creds, scopes=["funding:read_profile"]) as opened:
        yield opened, client


def test_session_and_token_reprs_show_facts_never_secrets(session):
    opened, client = session
    token = opened.token
    texts = [opened._repr_html_(), token._repr_html_(), repr(opened), repr(token)]
    for text in texts:
        assert client.client_secret not in text
        assert token.access_token not in text
        assert client.client_id not in text
    html = opened._repr_html_()
    assert "paxos-nb-session" in html
    assert "funding:read_profile" in html
    assert redact.mask(client.client_id) in html
    assert "left (until" in html
    assert "local" in html
    token_html = token._repr_html_()
    assert "value hidden" in token_html
    assert "funding:read_profile" in token_html
    opened.close()
    assert "data-state='closed'" in opened._repr_html_()


def test_a_scope_error_shows_the_missing_scope_and_the_fix(session):
    opened, client = session
    with pytest.raises(ScopeError) as caught:
        opened.get("/transfer/transfers")
    html = caught.value._repr_html_()
    assert "ScopeError" in html
    assert "paxos-nb-missing-scope'>transfer:read_transfer<" in html
    assert "Retrieve transfer details" in html  # what the scope is for
    assert "paxos-nb-fix'>funding:read_profile transfer:read_transfer<" in html
    assert "What to do" in html
    assert client.client_secret not in html
    assert opened.token.access_token not in html


def test_every_value_is_escaped():
    evil = "<script>alert(1)</script>"
    for exc in (
        ConfigError(evil, hint=evil),
        AuthError(evil, error=evil, hint=evil),
        APIError(400, evil, evil, type=evil),
        ScopeError(403, evil, evil, required=evil, granted=[evil]),
        UnknownNameError("scope", evil, [evil]),
        RuntimeError(evil),
    ):
        html = display.error_html(exc)
        assert "<script>" not in html, type(exc).__name__
        assert "&lt;script&gt;" in html


def test_a_registered_secret_is_scrubbed_from_an_error_box():
    secret = "sec-" + "Zq9" * 8
    redact.register(secret)
    html = display.error_html(RuntimeError(f"boom {secret}"))
    assert secret not in html
    assert redact.REDACTED in html
    assert "Unexpected error" in html


def test_frames_and_json_render():
    import pandas as pd

    html = display.frame_html(pd.DataFrame({"a": ["<b>x</b>", "y"]}))
    assert "2 rows × 1 columns" in html
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "&quot;k&quot;" in display.json_html({"k": 1})
    long = display.json_html(list(range(10_000)), limit=100)
    assert "cut" in long


def test_every_registered_renderer_names_a_class_with_a_repr():
    import importlib

    from paxos_nb import htmlrepr

    paths = htmlrepr.registered()
    assert "paxos_nb.client.PaxosSession" in paths
    for path in paths:  # a class that moved would silently lose its HTML
        module, _, name = path.rpartition(".")
        cls = getattr(importlib.import_module(module), name)
        assert callable(getattr(cls, "_repr_html_", None)), path


def test_importing_paxos_nb_and_its_ui_modules_does_not_import_ipywidgets():
    code = (
        "import sys, paxos_nb, paxos_nb.widgets, paxos_nb.magics, paxos_nb.display\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('ipywidgets', 'IPython'))\n"
        "print(bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"
