"""paxos_nb errors in plain notebook code (issue 15 item 3): the error's short HTML box, the
full traceback folded under one click or ``%tb`` away, and messages of a few lines (a
ScopeError names what is missing, not every granted scope twice). In a real IPython shell."""

from __future__ import annotations

import re

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from traitlets.config import Config

import paxos_nb as px
from paxos_nb import shell_hooks
from paxos_nb.errors import ConfigError, ScopeError


@pytest.fixture
def shell(tmp_path, monkeypatch):
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    assert shell_hooks.install(shell)  # what `import paxos_nb` does inside IPython
    yield shell
    InteractiveShell.clear_instance()


@pytest.fixture
def analyst(ui):
    return ui(px.connect(scopes="analyst"))  # 14 scopes; the embedded emulator


def test_a_paxos_error_is_its_box_not_a_long_traceback(shell, analyst):
    shell.user_ns["session"] = analyst
    with capture_output() as captured:
        result = shell.run_cell('session.get("/identity/identities")')
    assert isinstance(result.error_in_exec, ScopeError)  # the cell still failed (Run All stops)
    [box] = [o for o in captured.outputs if "text/html" in o.data]
    html = box.data["text/html"]
    assert "paxos-nb-error" in html
    assert "paxos-nb-missing-scope'>identity:read_identity<" in html
    assert "<details class='paxos-nb-traceback'>" in html  # one click away...
    assert "client.py" in html
    printed = captured.stdout + captured.stderr
    assert "Traceback (most recent call last)" not in printed  # ...not printed before it
    assert "%tb" in printed
    assert len(printed.strip().splitlines()) <= 2
    plain = box.data["text/plain"]
    assert plain.startswith("ScopeError: 403 Forbidden (GET /v2/identity/identities)")
    assert len(plain.splitlines()) <= 4

    with capture_output() as full:
        shell.run_cell("%tb")
    assert "Traceback (most recent call last)" in full.stdout
    assert "client.py" in full.stdout
    assert "ScopeError" in full.stdout


def test_a_scope_error_message_lists_the_granted_scopes_at_most_once(analyst):
    with pytest.raises(ScopeError) as info:
        analyst.get("/identity/identities")
    text = str(info.value)
    assert "identity:read_identity" in text
    assert "14 scopes" in text
    for scope in info.value.granted:  # whole names: read_transfer is in read_transfer_limit
        assert len(re.findall(rf"(?<![\w:]){re.escape(scope)}(?![\w:])", text)) <= 1, scope
    assert len(text) < 500
    assert len(text.splitlines()) <= 3


def test_other_errors_keep_the_usual_traceback(shell):
    with capture_output() as captured:
        result = shell.run_cell("1 / 0")
    assert isinstance(result.error_in_exec, ZeroDivisionError)
    assert "ZeroDivisionError" in captured.stdout
    assert not captured.outputs


def test_a_config_error_from_plain_code(shell):
    with capture_output() as captured:
        result = shell.run_cell("import paxos_nb as px\npx.Credentials(environment='prod')")
    assert isinstance(result.error_in_exec, ConfigError)
    html = captured.outputs[0].data["text/html"]
    assert "unknown PAXOS_ENV" in html
    assert "What to do" in html
