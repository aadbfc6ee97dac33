"""Execute one notebook for the canary scan: ``python run_notebook.py SRC OUT CWD``.

A first cell installs the recorders of ``canary_hooks`` (DEBUG logging for every logger to
a file, secrets seen in the kernel to a side file) and turns on verbose tracebacks; then
every cell runs (errors are kept in the outputs, not raised, so one failing cell does not
hide the outputs of the next ones) and the executed notebook, with its widget state, is
written to OUT. Credentials come from the environment this script is started with.
Exit status: 0 when the notebook ran to its end, 1 when the kernel could not run it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

SETUP_TAG = "canary-setup"
SETUP = """\
import sys
sys.path.insert(0, {harness!r})
import canary_hooks
canary_hooks.install_from_env(kernel=True)
%xmode Verbose
"""


def main(src: str, out: str, cwd: str) -> int:
    nb = nbformat.read(src, as_version=4)
    setup = nbformat.v4.new_code_cell(SETUP.format(harness=str(Path(__file__).parent)))
    setup.metadata["tags"] = [SETUP_TAG]
    nb.cells.insert(0, setup)
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        allow_errors=True,
        store_widget_state=True,
        resources={"metadata": {"path": cwd}},
    )
    status = 0
    try:
        client.execute()
    except Exception as exc:  # a dead kernel or a timeout: keep what ran, report it
        nb.metadata["canary_run_error"] = f"{type(exc).__name__}: {exc}"[:2000]
        status = 1
    nbformat.write(nb, out)
    return status


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
