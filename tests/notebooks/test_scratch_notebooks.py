"""A user's own notebook in ``notebooks/`` is theirs (issue 15 item 10): pytest's checks (nbval,
the hygiene scan, ruff) cover the tutorials the project ships, listed in
``notebooks/tutorials.txt``. Proven on a temporary copy of the repository's configuration
and notebooks, with a scratch notebook that breaks every check dropped in."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRATCH = {  # unexecuted, unformatted, an unused import, a secret-shaped string
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": [
                "import os\n",
                "x=1;  secret = 'Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4fGh7jKl0nPq3'",
            ],
        }
    ],
    "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """The repository's pytest and ruff setup, the notebooks and the hygiene test, copied."""
    root = tmp_path_factory.mktemp("repo")
    for name in ("pyproject.toml", "conftest.py"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    (root / "tests" / "notebooks").mkdir(parents=True)
    shutil.copy(
        ROOT / "tests" / "notebooks" / "test_notebook_hygiene.py",
        root / "tests" / "notebooks" / "test_notebook_hygiene.py",
    )
    (root / "paxos_nb").symlink_to(ROOT / "paxos_nb")  # first-party to ruff's import sorting
    (root / "notebooks" / "my-scratch.ipynb").write_text(json.dumps(SCRATCH))
    return root


def _run(root: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *argv], cwd=root, capture_output=True, text=True, check=False
    )


def test_nbval_collects_the_tutorials_only(copy):
    run = _run(copy, "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "notebooks")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "09-jupyter-ui.ipynb" in run.stdout
    assert "my-scratch" not in run.stdout


def test_the_hygiene_scan_covers_the_tutorials_only(copy):
    run = _run(copy, "pytest", "-q", "-p", "no:cacheprovider", "tests/notebooks", "-k", "commit")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "my-scratch" not in run.stdout
    listed = (ROOT / "notebooks" / "tutorials.txt").read_text().splitlines()
    tutorials = len([n for n in listed if n.strip() and not n.startswith("#")])  # 9 before nb13
    assert f"{tutorials} passed" in run.stdout


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]])
def test_ruff_leaves_the_scratch_notebook_alone(copy, args):
    run = _run(copy, "ruff", *args)
    assert run.returncode == 0, run.stdout + run.stderr
    listed = _run(copy, "ruff", *args, "notebooks/my-scratch.ipynb")  # by name: it is checked
    assert listed.returncode == 1


def test_a_listed_notebook_is_checked(copy, tmp_path):
    """The list is what decides: the same scratch notebook, listed, is collected."""
    listed = tmp_path / "repo"
    shutil.copytree(copy, listed, symlinks=True)
    with (listed / "notebooks" / "tutorials.txt").open("a") as out:
        out.write("my-scratch.ipynb\n")
    run = _run(listed, "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "notebooks")
    assert "my-scratch.ipynb" in run.stdout
