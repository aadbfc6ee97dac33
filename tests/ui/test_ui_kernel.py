"""What a notebook really stores, from a real kernel run by nbclient with widget state saved.

* The "using the local Paxos emulator" line is a quiet note, not stderr (which Jupyter draws
  as a pink error box): issue 15 item 6.
* A paxos_nb error in plain code is its HTML box plus a one-line error output: item 3.
* A secret set in code on the credentials form never reaches the kernel's output channel,
  so no saved widget state can hold it, whatever the timing (the canary flake: nbclient saves
  the state it received, and a slow output channel can cut the later message that clears
  the field). One form here never connects: its field keeps the secret in the kernel, and
  the saved notebook must still not have it.
"""

from __future__ import annotations

import json
import secrets

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from paxos_nb.emulator import Emulator

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    secret = "kern-" + secrets.token_urlsafe(24)
    typed = "kern-" + secrets.token_urlsafe(24)
    with Emulator(seed=0, rate_limits=False) as emu:
        emu.add_client(
            client_id="kernel-test", client_secret=typed, scopes=["funding:read_profile"]
        )
        cells = [
            "import paxos_nb as px\nsession = px.connect()",
            'session.get("/identity/identities")',
            f"kept = px.widgets.credentials_form('local', api_url={emu.api_url!r}, live=False)\n"
            f"kept.secret.value = {secret!r}  # set, never connected: the kernel keeps it\n"
            "kept",
            f"form = px.widgets.credentials_form('local', api_url={emu.api_url!r}, live=False,\n"
            "    scopes=['funding:read_profile'])\n"
            f"form.client_id.value = 'kernel-test'\nform.secret.value = {typed!r}\n"
            "form.connect_button.click()\nform.session is not None",
        ]
        nb = new_notebook(cells=[new_code_cell(c) for c in cells])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        folder = tmp_path_factory.mktemp("kernel")
        NotebookClient(
            nb,
            timeout=120,
            kernel_name="python3",
            allow_errors=True,
            store_widget_state=True,
            resources={"metadata": {"path": str(folder)}},
        ).execute()
    path = folder / "executed.ipynb"
    nbformat.write(nb, path)
    return nb, path.read_text(), (secret, typed)


def test_the_emulator_note_is_information_not_stderr(executed):
    nb, _, _ = executed
    outputs = nb.cells[0].outputs
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    [note] = [o for o in outputs if o.output_type == "display_data"]
    assert "paxos-nb-note" in note.data["text/html"]
    assert "using the local Paxos emulator" in note.data["text/plain"]


def test_an_error_is_a_box_and_one_line(executed):
    nb, _, _ = executed
    outputs = nb.cells[1].outputs
    [box] = [o for o in outputs if o.output_type == "display_data"]
    assert "paxos-nb-error" in box.data["text/html"]
    assert "identity:read_identity" in box.data["text/html"]
    [error] = [o for o in outputs if o.output_type == "error"]
    assert error.ename == "ScopeError"
    assert len("\n".join(error.traceback).splitlines()) == 1
    assert "%tb" in error.traceback[0]


def test_no_secret_reaches_the_saved_notebook_or_its_widget_state(executed):
    nb, _, secrets_used = executed
    assert "widgets" in nb.metadata  # the state was saved: the check below means something
    stored = json.dumps([nb.metadata, [cell.get("outputs", []) for cell in nb.cells]])
    for secret in secrets_used:  # (the sources hold them: this test typed them there)
        assert secret not in stored
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    passwords = [m["state"] for m in state.values() if m["model_name"] == "PasswordModel"]
    assert len(passwords) == 2  # the kept form's field and the connected one's
    assert all(not p.get("value") for p in passwords)
    assert nb.cells[3].outputs[0].data["text/plain"] == "True"  # the typed one connected


def test_a_widget_output_carries_a_static_picture(executed):
    nb, _, (secret, _) = executed
    [shown] = [o for o in nb.cells[2].outputs if WIDGET_VIEW in o.get("data", {})]
    picture = shown.data["text/html"]
    assert "paxos-nb-snapshot" in picture
    assert "Client ID" in picture
    assert "Connect" in picture
    assert secret not in json.dumps(shown)
