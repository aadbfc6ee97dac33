"""``%paxos`` / ``%%paxos`` in a real IPython InteractiveShell, against the emulator."""

from __future__ import annotations

import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from traitlets.config import Config

from paxos_nb import magics
from paxos_nb.errors import ConfigError, ScopeError
from paxos_nb.session import PaxosSession, connect


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("IPYTHONDIR", str(tmp_path_factory.mktemp("ipython")))
    config = Config()
    config.HistoryManager.enabled = False  # no sqlite file, no history thread
    shell = InteractiveShell.instance(config=config)
    result = shell.run_cell("%load_ext paxos_nb.magics")
    assert result.success, result.error_in_exec
    yield shell
    InteractiveShell.clear_instance()
    mp.undo()


@pytest.fixture
def session_for(emu, make_client):
    opened: list[PaxosSession] = []

    def open_(*scopes: str) -> PaxosSession:
        client = make_client(scopes=list(scopes))
        from paxos_nb.config import Credentials

        creds = Credentials(client.client_id, client.client_secret, "local", api_url=emu.api_url)
        session = connect(creds, scopes=list(scopes))
        opened.append(session)
        return session

    yield open_
    for session in opened:
        session.close()


def run(shell, source: str):
    with capture_output() as captured:
        result = shell.run_cell(source)
    assert result.error_before_exec is None, result.error_before_exec
    assert result.error_in_exec is None, result.error_in_exec
    return result.result, captured


def test_get_a_list_gives_a_dataframe(shell, session_for):
    magics.use(session_for("funding:read_profile"))
    frame, captured = run(shell, "%paxos GET /profiles")
    assert isinstance(frame, pd.DataFrame)
    assert set(frame["nickname"]) == {"default", "trading", "treasury"}
    assert not captured.outputs  # no error box


def test_query_parameters_max_rows_json_and_default_method(shell, session_for):
    magics.use(session_for("funding:read_profile"))
    frame, _ = run(shell, "%paxos GET /profiles limit=1 --max-rows 2")
    assert len(frame) == 2
    page, _ = run(shell, "%paxos /profiles limit=1 --json")
    assert isinstance(page, dict)
    assert len(page["items"]) == 1
    one, _ = run(shell, "%paxos GET /profiles/default")
    assert one["nickname"] == "default"


def test_cell_magic_posts_the_json_body(shell, session_for):
    session = session_for("funding:read_profile", "transfer:write_internal_transfer")
    shell.user_ns["writer"] = session
    ids = session.frame("/profiles").set_index("nickname")["id"]
    body = (
        '{"amount": "2.5", "asset": "USD",\n'
        f' "from_profile_id": "{ids["default"]}", "to_profile_id": "{ids["treasury"]}"}}'
    )
    created, captured = run(shell, f"%%paxos --session writer POST /transfer/internal\n{body}")
    assert not captured.outputs, captured.outputs[0].data if captured.outputs else None
    assert created["amount"] == "2.5"
    assert created["profile_id"] == ids["default"]


def test_errors_display_as_html_not_a_traceback(shell, session_for):
    magics.use(session_for("funding:read_profile"))
    result, captured = run(shell, "%paxos GET /transfer/transfers")
    assert result is None
    assert isinstance(magics.last_error, ScopeError)
    html = captured.outputs[0].data["text/html"]
    assert "paxos-nb-error" in html
    assert "transfer:read_transfer" in html
    assert "Traceback" not in captured.stdout + captured.stderr

    result, captured = run(shell, "%%paxos POST /transfer/internal\n{oops")
    assert result is None
    assert isinstance(magics.last_error, ConfigError)
    assert "the cell is not JSON" in captured.outputs[0].data["text/html"]

    for line, text in (
        ("%paxos", "needs a path"),
        ("%paxos GET /profiles limit", "not a key=value"),
        ("%paxos --bogus GET /profiles", "unknown option"),
        ("%paxos --session nobody GET /profiles", "the notebook has no variable"),
        ("%%paxos GET /profiles\n{}", "takes no body"),
    ):
        result, captured = run(shell, line)
        assert result is None, line
        assert text in captured.outputs[0].data["text/html"], line


def test_session_choice_order(shell, session_for):
    a = session_for("funding:read_profile")
    b = session_for("funding:read_profile", "transfer:read_transfer")
    shell.user_ns["b"] = b
    magics.use(a)
    run(shell, "%paxos GET /profiles")
    calls_a, calls_b = a.calls, b.calls
    run(shell, "%paxos --session b GET /profiles")
    assert (a.calls, b.calls) == (calls_a, calls_b + 1)
    magics.use(None)
    assert magics.current() is None
    # no current session: px.connect() (no .env here: the embedded emulator), kept as current
    frame, captured = run(shell, "%paxos GET /profiles")
    assert isinstance(frame, pd.DataFrame)
    made = magics.current()
    try:
        assert made is not None
        assert made.emulator is not None
        assert "local Paxos emulator" in captured.stderr
    finally:
        made.close()
    assert magics.current() is None  # a closed session is no longer current


def test_a_form_is_accepted_as_the_session(shell, connected):
    form, _ = connected(["funding:read_profile"], live=False)
    shell.user_ns["form"] = form
    magics.use(None)
    frame, _ = run(shell, "%paxos --session form GET /profiles")
    assert len(frame) == 3
    with pytest.raises(ConfigError, match="expected a PaxosSession"):
        magics.use(42)


def test_load_ext_paxos_nb_registers_the_magic(shell, monkeypatch):
    import paxos_nb

    patched = "load_ipython_extension" not in paxos_nb.__all__
    if patched:  # until the package exports it, export it as the package will
        monkeypatch.setitem(paxos_nb._LAZY, "load_ipython_extension", "paxos_nb.magics")
        monkeypatch.setattr(paxos_nb, "__all__", [*paxos_nb.__all__, "load_ipython_extension"])
    shell.extension_manager.loaded.discard("paxos_nb")
    result = shell.run_cell("%load_ext paxos_nb")
    assert result.success, result.error_in_exec
    assert "paxos_nb" in shell.extension_manager.loaded
    assert "paxos" in shell.magics_manager.magics["line"]
    assert "paxos" in shell.magics_manager.magics["cell"]
    if patched:
        vars(paxos_nb).pop("load_ipython_extension", None)  # cached by the lazy loader
