"""The package type-checks: mypy, configured in pyproject.toml, over all of paxos_nb."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("mypy", reason="mypy comes with the dev extra")


def test_mypy_is_clean(root):
    run = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_package_says_it_is_typed(root):
    assert (root / "paxos_nb" / "py.typed").is_file()
