"""The credentials form, driven from Python against the emulator over real HTTP."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from paxos_nb import magics, widgets
from paxos_nb.errors import AuthError, ConfigError
from paxos_nb.session import PaxosSession


def test_connect_gives_a_working_session_and_shows_granted_scopes(connected, emu):
    form, client = connected(["funding:read_profile", "transfer:read_transfer"])
    session = form.session
    assert isinstance(session, PaxosSession)
    assert session.api_url == emu.api_url
    assert session.token.scopes == ("funding:read_profile", "transfer:read_transfer")
    frame = session.frame("/profiles")
    assert isinstance(frame, pd.DataFrame)
    assert set(frame["nickname"]) >= {"default", "trading"}
    # the connected state: status, the session box and the token panel list the grant
    assert "connected" in form.status.value
    assert "data-state='connected'" in form.connected.value
    html = form.connected.value
    assert "funding:read_profile" in html
    assert "transfer:read_transfer" in html
    assert client.client_id not in html  # masked
    assert "left (until" in form.token_panel.time_left.value  # the live line under it
    assert form.secret.value == ""
    assert magics.current() is session  # %paxos and the explorer use it
    assert "connected as" in repr(form)


def test_wrong_secret_shows_the_error_with_its_hint_and_leaks_nothing(
    emu, make_client, ui, states, caplog
):
    client = make_client(scopes=["funding:read_profile"])
    form = ui(
        widgets.credentials_form(
            "local", api_url=emu.api_url, token_url=emu.token_url, scopes="funding:read_profile"
        )
    )
    wrong = "wrong-" + client.client_secret[::-1]
    form.client_id.value = client.client_id
    form.secret.value = wrong
    with caplog.at_level(logging.DEBUG):
        form.connect_button.click()
    assert isinstance(form.error, AuthError)
    assert form.session is None
    assert form.secret.value == ""
    html = form.errors.outputs[0]["data"]["text/html"]
    assert "AuthError" in html
    assert "invalid_client" in html
    assert "What to do" in html
    assert "copied whole" in html  # the hint from the token endpoint's answer
    assert "not connected" in form.status.value
    saved = states(form)
    for secret in (wrong, client.client_secret):
        assert secret not in saved
        assert secret not in form.error_text
        assert secret not in caplog.text
        assert secret not in repr(form)
    # the right secret next time works in the same form, and clears the error
    form.secret.value = client.client_secret
    with caplog.at_level(logging.DEBUG):
        form.connect_button.click()
    assert form.error is None
    assert form.errors.outputs == ()
    assert form.session is not None
    assert form.secret.value == ""
    assert client.client_secret not in states(form)
    assert client.client_secret not in caplog.text


def test_empty_fields_are_named(emu, ui):
    form = ui(widgets.credentials_form("sandbox"))
    form.client_id.value = "some-client"
    form.connect_button.click()
    assert isinstance(form.error, ConfigError)
    assert "secret is empty" in form.error_text
    assert "Dashboard" in form.error_text


def test_local_without_anything_uses_the_embedded_emulator(ui):
    form = ui(widgets.credentials_form("local", preset="trading", live=False))
    session = form.connect()
    assert session.emulator is not None
    assert set(session.token.scopes) == {
        "funding:read_profile",
        "exchange:read_order",
        "exchange:write_order",
    }
    assert "embedded emulator" in form.connected.value


def test_on_connect_callbacks_get_the_session_and_their_errors_show(connected):
    seen = []

    def broken(session):
        raise RuntimeError("callback exploded")

    form, client = connected(["funding:read_profile"], on_connect=seen.append)
    assert seen == [form.session]
    first = form.session
    form.on_connect(broken)
    form.secret.value = client.client_secret
    form.connect_button.click()
    assert form.session is not first
    assert seen[-1] is form.session
    assert first._closed  # the form closes the session it replaced
    assert isinstance(form.error, RuntimeError)
    assert "callback exploded" in form.error_text
    assert "on_connect callback broken" in form.error_text
    assert "connected" in form.status.value  # the connect itself succeeded


def test_production_writes_stay_blocked_unless_allowed(ui):
    form = ui(widgets.credentials_form("production", live=False))
    assert "writes are blocked" in form.status.value
    assert form.allow_writes.value is False


def test_the_form_repr_is_short_and_stable():
    form = widgets.credentials_form("local", live=False)
    try:
        assert repr(form) == "<CredentialsForm: local, not connected>"
        bundle = form._repr_mimebundle_()
        assert bundle["text/plain"] == "<CredentialsForm: local, not connected>"
        assert "application/vnd.jupyter.widget-view+json" in bundle
    finally:
        form.close()


def test_closing_the_uis_releases_every_widget_model(connected):
    from ipywidgets.widgets.widget import _instances

    before = set(_instances)
    form, _ = connected(["funding:read_profile"], live=True)
    explorer = widgets.explorer(form, search="ListProfiles")
    explorer.select("ListTransfers")  # replaces the parameter fields
    picker = widgets.scope_picker(preset="analyst")
    assert len(set(_instances) - before) > 100
    for ui in (form, explorer, picker):
        ui.close()
    assert set(_instances) - before == set()


def test_connect_is_enabled_only_when_the_fields_can_work(emu, ui, make_client):
    client = make_client(scopes=["funding:read_profile"])
    form = ui(
        widgets.credentials_form(
            "local", api_url=emu.api_url, token_url=emu.token_url, scopes="funding:read_profile"
        )
    )
    button = form.connect_button
    assert button.disabled
    form.client_id.value = client.client_id
    assert button.disabled
    form.secret.value = client.client_secret
    assert not button.disabled
    button.click()
    assert form.session is not None
    assert button.disabled  # the secret is needed again for the next connect
    assert not ui(widgets.credentials_form("local", live=False)).connect_button.disabled
    assert ui(widgets.credentials_form("sandbox", live=False)).connect_button.disabled


def test_an_unknown_environment_is_named():
    with pytest.raises(ConfigError, match="unknown environment 'staging'"):
        widgets.credentials_form("staging")
