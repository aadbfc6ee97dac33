"""Fixtures shared by the reliability tests: one emulator and two scripted servers per module."""

from __future__ import annotations

import pytest
from client.support import Answer, ScriptedServer

from paxos_nb.emulator import Emulator


@pytest.fixture(scope="module")
def emu():
    """A started ``Emulator(seed=0)`` without rate limits (the tests open many sessions)."""
    with Emulator(seed=0, rate_limits=False, fault_proxy=True) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def servers():
    """Two scripted loopback servers (support.ScriptedServer), kept for the module: stopping
    one takes half a second."""
    with ScriptedServer() as first, ScriptedServer() as second:
        yield first, second


@pytest.fixture
def fresh(servers):
    """The two servers with no queued answers, nothing seen and the default 404 answer."""
    for server in servers:
        server.seen.clear()
        server.answers.clear()
        server.default = Answer(404, {"title": "Not Found", "status": 404})
    return servers
