"""Repository-wide pytest setup: the test command always runs on the local emulator.

The tutorial notebooks call ``px.connect()``, which reads a .env when one exists. Their
committed outputs come from the seeded emulator, so nbval must not pick up a developer's
real credentials: turn .env files off and hide PAXOS_* variables before any kernel starts.
"""

from __future__ import annotations

import os


def pytest_configure(config):
    os.environ["PAXOS_NB_ENV_FILE"] = "none"
    for name in list(os.environ):
        if name.startswith("PAXOS_") and name != "PAXOS_NB_ENV_FILE":
            del os.environ[name]
