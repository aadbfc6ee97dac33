"""One session per kernel (issue 15 item 2): the session the user made with ``px.connect()``
is what ``%paxos``, the widgets and the explorer use unless told otherwise, and a second
embedded emulator never starts behind the user's back."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from traitlets.config import Config

import paxos_nb as px
from paxos_nb import embedded, magics, widgets


@pytest.fixture
def shell(tmp_path, monkeypatch):
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    assert shell.run_cell("%load_ext paxos_nb").success
    yield shell
    InteractiveShell.clear_instance()


@pytest.fixture
def no_embedded(_no_leaks):
    """No embedded emulator before; none left once the test's sessions are closed."""
    assert embedded.running() == {}, "an embedded emulator leaked from an earlier test"
    yield
    while _no_leaks:  # close what the test opened (ui(...)) before looking
        thing = _no_leaks.pop()
        session = getattr(thing, "session", None)
        thing.close()
        if session is not None and hasattr(session, "close"):
            session.close()
    assert embedded.running() == {}, "an embedded emulator was left running"


def test_percent_paxos_uses_the_session_px_connect_made(shell, ui, no_embedded):
    session = ui(px.connect())  # no credentials: the embedded emulator
    assert magics.current() is session
    calls = session.calls
    with capture_output() as captured:
        frame = shell.run_cell("%paxos GET /profiles").result
    assert len(frame) == 3
    assert session.calls == calls + 1  # the same session ran it
    assert "local Paxos emulator" not in captured.stderr  # nothing new was started
    assert list(embedded.running().values()) == [session.emulator]


def test_widgets_and_the_explorer_use_it_too(ui, no_embedded):
    session = ui(px.connect())
    panel = ui(widgets.token_panel(live=False))
    explorer = ui(widgets.explorer(search="ListProfiles"))
    assert panel.session is session
    assert explorer.session is session
    assert len(explorer.run()) == 3
    other = ui(px.connect(current=False))  # told otherwise: the current one stays
    assert magics.current() is session
    assert other is not session


def test_a_second_connect_reuses_the_running_embedded_emulator(ui, no_embedded, capsys):
    first = ui(px.connect(scopes="analyst"))
    assert "local Paxos emulator" in capsys.readouterr().err  # announced once
    writer = ui(px.connect(scopes=["funding:read_profile", "funding:write_profile"]))
    assert "local Paxos emulator" not in capsys.readouterr().err
    assert writer.emulator is first.emulator
    made = writer.post("/profiles", json={"nickname": "one-emulator"})
    made = made.get("profile", made)
    assert first.get(f"/profiles/{made['id']}")["nickname"] == "one-emulator"  # same state
    first.close()
    assert writer.get("/profiles")["items"]  # closing one session keeps it for the other
    emulator = writer.emulator
    writer.close()
    assert embedded.running() == {}
    assert not emulator.running  # the last session stopped it


def test_a_form_connecting_to_local_shares_it(ui, no_embedded):
    session = ui(px.connect())
    form = ui(widgets.credentials_form("local", live=False))
    form.connect_button.click()
    assert form.error is None, form.error_text
    assert form.session.emulator is session.emulator
    assert magics.current() is form.session  # the newest connect is current


def test_another_seed_starts_another_emulator_and_says_so(ui, no_embedded, capsys):
    first = ui(px.connect())
    capsys.readouterr()
    second = ui(px.connect(seed=1))
    err = capsys.readouterr().err
    assert "(seed 1)" in err
    assert f"another (seed 0) runs at {first.emulator.api_url}" in err
    assert second.emulator is not first.emulator
