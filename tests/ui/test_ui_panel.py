"""The token panel: facts, renew, the live timer and its thread."""

from __future__ import annotations

import threading

from paxos_nb import widgets
from paxos_nb.errors import ConfigError


def test_panel_shows_environment_masked_client_and_granted_scopes(connected, ui):
    form, client = connected(["funding:read_profile"], live=False)
    panel = ui(widgets.token_panel(form.session, live=False))
    assert "local" in panel.facts.value
    assert "funding:read_profile" in panel.facts.value
    assert client.client_id not in panel.facts.value
    assert client.client_id[-4:] in panel.facts.value  # masked: the last four only
    assert "left (until" in panel.time_left.value
    assert panel.time_left.value.startswith(("59 min", "60 min"))


def test_renew_fetches_a_new_token(connected, ui, emu):
    form, _ = connected(["funding:read_profile"], live=False)
    session = form.session
    panel = ui(widgets.token_panel(session, live=False))
    before = session.token
    requests = session.token_requests
    panel.renew.click()
    assert panel.error is None, panel.error_text
    assert session.token_requests == requests + 1
    assert session.token is not before
    assert session.token.access_token != before.access_token
    assert session.get("/profiles")["items"]  # the new token works


def test_renew_on_a_closed_session_explains(connected, ui):
    form, _ = connected(["funding:read_profile"], live=False)
    panel = ui(widgets.token_panel(form.session, live=False))
    form.session.close()
    panel.renew.click()
    assert isinstance(panel.error, ConfigError)
    assert "closed" in panel.error_text
    panel.refresh()
    assert panel.time_left.value == "session closed"


def test_live_timer_updates_and_stops_on_close(connected, emu):
    form, _ = connected(["funding:read_profile"], live=False)
    emu.token_lifetime = 120
    try:
        form.session.renew_token()
    finally:
        emu.token_lifetime = 3599
    panel = widgets.token_panel(form.session, live=True, interval=0.05)
    try:
        assert panel.live
        thread = panel._thread
        assert thread.daemon
        panel.time_left.value = "stale"
        changed = threading.Event()
        panel.time_left.observe(lambda change: changed.set(), "value")
        assert changed.wait(30), "the timer never refreshed the time left"
        assert panel.time_left.value.startswith(("1 min", "2 min", "59 s"))
    finally:
        panel.close()
    assert not thread.is_alive()
    assert not panel.live


def test_panel_without_session_uses_the_current_one(connected, ui):
    panel = ui(widgets.token_panel(live=False))
    assert "no session yet" in panel.facts.value
    connected(["funding:read_profile"], live=False)
    panel.refresh()  # the form made its session current
    assert "funding:read_profile" in panel.facts.value


def test_the_form_panel_timer_stops_when_the_form_closes(connected):
    form, _ = connected(["funding:read_profile"], live=True)
    thread = form.token_panel._thread
    assert thread is not None
    assert thread.is_alive()
    form.close()
    assert not thread.is_alive()


def test_renew_in_the_form_redraws_the_session_box(connected):
    form, _ = connected(["funding:read_profile"], live=False)
    before = form.session.token
    form.connected.value = "stale"
    form.token_panel.renew.click()
    assert form.token_panel.error is None
    assert form.session.token is not before
    assert "paxos-nb-session" in form.connected.value
