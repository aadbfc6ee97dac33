"""The current session of this process: the one ``%paxos``, the widgets and the explorer use.

Every successful :func:`paxos_nb.connect` (a credentials form's Connect goes through it) makes
its session current, so a kernel works with the session its user made unless told otherwise:
``%paxos --session NAME``, ``px.widgets.explorer(session)``, ``connect(..., current=False)``.
A closed session is no longer current. ``px.magics.use(...)`` sets it by hand.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .client import PaxosSession

__all__ = ["get", "use"]

_lock = threading.Lock()
_current: PaxosSession | None = None


def use(session: PaxosSession | None) -> PaxosSession | None:
    """Make ``session`` current (None forgets the current one); returns it."""
    global _current
    with _lock:
        _current = session
    return session


def get() -> PaxosSession | None:
    """The current session, or None (none yet, or it was closed)."""
    with _lock:
        session = _current
    return None if session is None or session.closed else session
