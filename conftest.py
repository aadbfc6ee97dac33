"""Repository-wide pytest setup: the test command always runs on the local emulator, and
checks the tutorial notebooks the project ships, not a user's own notebooks.

The tutorial notebooks call ``px.connect()``, which reads a .env when one exists. Their
committed outputs come from the seeded emulator, so nbval must not pick up a developer's
real credentials: turn .env files off and hide PAXOS_* variables before any kernel starts.

``notebooks/tutorials.txt`` lists the tutorials; another notebook dropped into
``notebooks/`` (scratch work) is not collected (``pytest notebooks/mine.ipynb`` still checks
it when asked by name).
"""

from __future__ import annotations

import os
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"


def tutorials() -> list[str]:
    """The file names in ``notebooks/tutorials.txt``, in order."""
    lines = (NOTEBOOKS / "tutorials.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def pytest_ignore_collect(collection_path, config):
    if collection_path.suffix == ".ipynb" and collection_path.parent == NOTEBOOKS:
        return collection_path.name not in tutorials() or None
    return None


def pytest_configure(config):
    os.environ["PAXOS_NB_ENV_FILE"] = "none"
    for name in list(os.environ):
        if name.startswith("PAXOS_") and name != "PAXOS_NB_ENV_FILE":
            del os.environ[name]
