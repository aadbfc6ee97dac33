"""Prism (``@stoplight/prism-cli`` from npm): an OpenAPI mock server for the parity tests.

Found at ``$PXNB_PRISM_CLI`` (``.ci/run`` installs it and sets that), else in the project's
git-ignored ``.ci/node`` folder, else installed there with npm (once, about 20 s). A test
skips only when node or npm is missing, and fails even then when ``PXNB_REQUIRE_PRISM`` is
set (``.ci/run`` sets it, so CI never skips silently). The variables do not start with
``PAXOS_``: the repository conftest clears those.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PRISM_PACKAGE = "@stoplight/prism-cli@5.14.2"  # .ci/run installs this same version
BIN_VAR = "PXNB_PRISM_CLI"
REQUIRE_VAR = "PXNB_REQUIRE_PRISM"
ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / ".ci" / "node"  # git-ignored
STARTUP = 120.0  # seconds for Prism to read a spec and listen (a loaded 2-CPU machine)


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_VAR):
        pytest.fail(f"{reason}, and {REQUIRE_VAR} is set: CI must run the Prism tests")
    pytest.skip(reason)


def binary() -> Path:
    """The ``prism`` executable, installed with npm if needed."""
    explicit = os.environ.get(BIN_VAR)
    if explicit:
        path = Path(explicit)
        if not path.exists():
            pytest.fail(f"{BIN_VAR}={explicit} does not exist")
        return path
    local = LOCAL / "node_modules" / ".bin" / "prism"
    if local.exists():
        return local
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        _unavailable(f"{' and '.join(missing)} not installed: cannot install {PRISM_PACKAGE}")
    done = subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(LOCAL),
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            PRISM_PACKAGE,
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0 or not local.exists():
        pytest.fail(f"npm install {PRISM_PACKAGE} failed:\n{done.stderr[-2000:]}")
    return local


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(prism: Path, spec: Path, log: Path, *, dynamic: bool) -> Iterator[str]:
    """Prism mocking ``spec`` on a free loopback port; yields its base URL."""
    port = _free_port()
    command = [str(prism), "mock", "-h", "127.0.0.1", "-p", str(port), str(spec)]
    if dynamic:
        command.append("--dynamic")
    with open(log, "w") as out:  # a file, not a pipe: Prism logs every request
        proc = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + STARTUP
        while "Prism is listening" not in log.read_text():
            if proc.poll() is not None:
                pytest.fail(f"Prism exited ({proc.returncode}):\n{log.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"Prism did not listen within {STARTUP:.0f} s")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # its own session: Prism and any child
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
