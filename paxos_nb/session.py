"""The session layer's public names: :class:`PaxosSession` and :func:`connect`.

The session itself is in :mod:`paxos_nb.client`, ``connect()`` and its .env/emulator
bootstrapping in :mod:`paxos_nb.bootstrap`; ``paxos_nb.session`` is where users and the
tutorials import them from.
"""

from __future__ import annotations

from .bootstrap import connect
from .client import PaxosSession

__all__ = ["PaxosSession", "connect"]
