"""The credentials form and the explorer in a real browser: JupyterLab + Debian chromium.

JupyterLab runs headless on loopback (free port, random token, a temporary root, settings and
runtime folders), one server for the module; Playwright's sync API drives
``/usr/bin/chromium`` (never a downloaded browser).

* The first test types an emulator client's id and secret into the form, connects, runs the
  explorer on ListProfiles, saves the notebook with widget state saving switched on, and
  checks that neither the saved file, its checkpoint, nor the server log holds the secret.
* The second runs the shipped tutorial ``09-jupyter-ui.ipynb`` with Run All and checks that
  every widget it teaches is on the page afterwards, usable, and inside its cell.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from paxos_nb.emulator import Emulator

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 45_000
NOTEBOOK_09 = Path(__file__).resolve().parents[2] / "notebooks" / "09-jupyter-ui.ipynb"
_SAVE = "async () => { await window.jupyterapp.commands.execute('docmanager:save'); }"
_KERNEL_READY = """async () => {
    for (let i = 0; i < 600; i++) {
        const panel = window.jupyterapp.shell.currentWidget;
        const session = panel && panel.sessionContext;
        if (session && session.session && session.session.kernel) {
            await session.ready;
            await session.session.kernel.info;
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("the notebook's kernel did not start in 60 s");
}"""  # generous: a cold kernel start and the widget bundle on a slow CI machine


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _notebook(api_url: str, token_url: str) -> dict:
    def code(source: str) -> dict:
        return {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": source,
        }

    return {
        "cells": [
            code(
                "import paxos_nb as px\n"
                "import paxos_nb.widgets\n"
                f"form = px.widgets.credentials_form('local', api_url={api_url!r}, "
                f"token_url={token_url!r}, scopes=['funding:read_profile'])\n"
                "form"
            ),
            code("explorer = px.widgets.explorer(form, search='ListProfiles')\nexplorer"),
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _settings(folder: Path) -> None:
    """User settings: save widget state with the notebook (so the test checks what is saved),
    no news or extension-manager requests to the internet, and no hidden off-screen cells."""
    for plugin, values in {
        "@jupyter-widgets/jupyterlab-manager/plugin": {"saveState": True},
        "@jupyterlab/apputils-extension/notification": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
        "@jupyterlab/extensionmanager-extension/plugin": {"enabled": False},
        # Every cell on the page: Lab 4 otherwise hides the cells scrolled out of view.
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    }.items():
        path = folder / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def _start_lab(tmp: Path, port: int, token: str) -> tuple[subprocess.Popen, Path]:
    root = tmp / "root"
    root.mkdir()
    _settings(tmp / "settings")
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "IPYTHONDIR": str(tmp / "ipython"),
        "PAXOS_NB_ENV_FILE": "none",
    }
    log = tmp / "lab.log"
    with log.open("wb") as sink:
        lab = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyterlab",
                "--no-browser",
                "--ip=127.0.0.1",
                f"--port={port}",
                "--port-retries=0",
                f"--IdentityProvider.token={token}",
                f"--ServerApp.root_dir={root}",
                "--LabApp.expose_app_in_browser=True",
                "--LabApp.news_url=",
                "--LabApp.extension_manager=readonly",  # no PyPI queries
                *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=root,
        )
    deadline = time.monotonic() + 60
    url = f"http://127.0.0.1:{port}/api/status"
    while True:
        if lab.poll() is not None:
            raise RuntimeError(f"JupyterLab exited ({lab.returncode}):\n{log.read_text()[-3000:]}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, params={"token": token}, timeout=2).status_code == 200:
                return lab, log
        if time.monotonic() > deadline:
            raise RuntimeError(f"JupyterLab did not answer in 60 s:\n{log.read_text()[-3000:]}")
        time.sleep(0.25)


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@dataclass
class Lab:
    port: int
    token: str
    root: Path
    log: Path

    def open(self, page: Any, name: str) -> None:
        """Open ``name`` (in the root) in a fresh workspace (``?reset``: not the tabs an
        earlier test left open), wait for its kernel, and Run All."""
        page.goto(f"http://127.0.0.1:{self.port}/lab/tree/{name}?reset&token={self.token}")
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook")
        page.wait_for_function("() => window.jupyterapp !== undefined")
        page.evaluate(_KERNEL_READY)  # else "run all" asks which kernel to start
        page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("no chromium binary (Debian: apt-get install chromium)")
    tmp = tmp_path_factory.mktemp("lab")
    port, token = _free_port(), secrets.token_hex(16)
    process, log = _start_lab(tmp, port, token)
    try:
        yield Lab(port, token, tmp / "root", log)
    finally:
        _stop(process)


@pytest.fixture
def browser():
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        opened = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = opened.new_page()
            page.set_default_timeout(WAIT_MS)
            expect.set_options(timeout=WAIT_MS)
            yield page
        finally:
            opened.close()


def test_form_connects_explorer_runs_and_the_saved_notebook_has_no_secret(lab, browser):
    from playwright.sync_api import expect

    started = time.monotonic()
    secret = "brw-" + secrets.token_urlsafe(24)
    client_id = f"browser-{secrets.token_hex(4)}"
    page = browser
    with Emulator(seed=0, rate_limits=False) as emu:
        emu.add_client(client_id=client_id, client_secret=secret, scopes=["funding:read_profile"])
        notebook = lab.root / "ui.ipynb"
        notebook.write_text(json.dumps(_notebook(emu.api_url, emu.token_url)))
        lab.open(page, "ui.ipynb")
        form = page.locator(".paxos-nb-credentials-form")
        form.wait_for()
        form.locator(".paxos-nb-client-id input").fill(client_id)
        form.locator(".paxos-nb-secret input").fill(secret)
        # Enabled once the kernel has both values (computed there and synced
        # back): a click sent before the secret's update would race it.
        connect = form.locator("button.paxos-nb-connect")
        expect(connect).to_be_enabled()
        connect.click()

        connected = form.locator(".paxos-nb-connected .paxos-nb-session")
        expect(connected).to_have_attribute("data-state", "connected")
        expect(form.locator(".paxos-nb-status-ok")).to_contain_text("connected")
        granted = form.locator(".paxos-nb-connected .paxos-nb-scope")
        expect(granted).to_have_text(["funding:read_profile"])
        live = form.locator(".paxos-nb-token-panel .paxos-nb-time-left")
        expect(live).to_contain_text("left (until")
        expect(form.locator(".paxos-nb-secret input")).to_have_value("")
        expect(connect).to_be_disabled()  # the next connect needs the secret again
        assert client_id not in form.inner_text()  # shown masked

        explorer = page.locator(".paxos-nb-explorer")
        expect(explorer.locator(".paxos-nb-python input")).to_have_value(
            'session.frame("/profiles", max_rows=100)'
        )
        explorer.locator("button.paxos-nb-run").click()
        table = explorer.locator(".paxos-nb-result-box table.paxos-nb-table")
        expect(table).to_be_visible()
        expect(table.locator("tbody tr")).to_have_count(3)
        expect(table).to_contain_text("treasury")

        page.evaluate(_SAVE)
        checkpoint = notebook.parent / ".ipynb_checkpoints" / "ui-checkpoint.ipynb"
        _wait_for(lambda: "widget-state" in notebook.read_text(), "the saved state")
        _wait_for(checkpoint.exists, "the checkpoint")
    saved = notebook.read_text()
    state = json.loads(saved)["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]
    models = state["state"].values()
    passwords = [m["state"] for m in models if m["model_name"] == "PasswordModel"]
    assert len(passwords) == 1  # the form's secret field was saved...
    assert passwords[0].get("value", "") == ""  # ...empty (a default value is left out)
    assert any(m["state"].get("value") == client_id for m in models)  # typed values were saved
    for where, text in (
        ("notebook", saved),
        ("checkpoint", checkpoint.read_text()),
        ("server log", lab.log.read_text(errors="replace")),
    ):
        assert secret not in text, f"the secret leaked into the {where}"
    print(f"browser test: {time.monotonic() - started:.1f} s")


_OVERFLOWING = """e => {
    const right = e.getBoundingClientRect().right;
    return Array.from(e.querySelectorAll('*'))
        .filter(n => n.getBoundingClientRect().right > right + 1)
        .slice(0, 8)
        .map(n => n.className + ' ' + Math.round(n.getBoundingClientRect().right - right));
}"""


def _wait_for(condition, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_notebook_09_shows_every_widget_after_run_all(lab, browser):
    """The tutorial leaves its widgets on the page, usable, inside their cells."""
    from playwright.sync_api import expect

    page = browser
    fresh = json.loads(NOTEBOOK_09.read_text(encoding="utf-8"))
    for cell in fresh["cells"]:  # as a reader starts: no outputs, no numbers
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    (lab.root / NOTEBOOK_09.name).write_text(json.dumps(fresh), encoding="utf-8")
    lab.open(page, NOTEBOOK_09.name)
    last = page.locator(".jp-Notebook .jp-CodeCell").last  # done when it has a number
    expect(last.locator(".jp-InputArea-prompt")).to_have_text(
        re.compile(r"\[\d+\]"), timeout=180_000
    )
    for kind in ("credentials-form", "scope-picker", "token-panel", "explorer"):
        # (the form holds a picker too, folded away: the one shown on its own is the lesson)
        widget = page.locator(f".jp-OutputArea .paxos-nb-{kind} >> visible=true").first
        expect(widget).to_be_visible()
        box = widget.bounding_box()
        assert box is not None, kind
        assert box["height"] > 20, kind
    explorer = page.locator(".jp-OutputArea .paxos-nb-explorer").first
    explorer.scroll_into_view_if_needed()
    fits = explorer.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    wide = explorer.evaluate(_OVERFLOWING)
    assert fits, f"the explorer overflows its cell: {wide}"
    explorer.locator(".paxos-nb-search input").fill("ListProfiles")
    explorer.locator("button.paxos-nb-run").click()  # still usable after Run All
    table = explorer.locator(".paxos-nb-result-box table.paxos-nb-table")
    expect(table).to_be_visible()
    expect(table).to_contain_text("treasury")
    form = page.locator(".jp-OutputArea .paxos-nb-credentials-form").first
    expect(form.locator(".paxos-nb-status-ok")).to_contain_text("connected")
    expect(
        page.locator(".jp-OutputArea .paxos-nb-token-panel .paxos-nb-time-left").first
    ).to_contain_text("left (until")
