"""The embedded local emulator: one per seed in a process, shared by the sessions using it.

``px.connect()`` with no credentials starts it. Another ``px.connect()`` in the same process
(a ``%paxos`` line, a credentials form connecting to ``local`` with nothing typed) reuses the
running one instead of starting a second Paxos with other state: the data one session writes,
the others read. Each session holds a lease (:func:`lease`); the last one closed stops it.
Asking for another seed than the running one's starts a second emulator, announced like the
first.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["lease", "running"]

logger = logging.getLogger("paxos_nb.session")
_lock = threading.Lock()


@dataclass
class _Shared:
    emulator: Any
    users: int = 0


_running: dict[int, _Shared] = {}


def running() -> dict[int, Any]:
    """The embedded emulators running now, by seed."""
    with _lock:
        return {seed: shared.emulator for seed, shared in _running.items()}


def lease(seed: int) -> tuple[Any, Callable[[], None], bool]:
    """The embedded emulator with ``seed``, started if none runs.

    Returns
    -------
    (Emulator, release, started)
        ``release()`` ends this lease (idempotent); the last one stops the emulator.
        ``started`` is True when this call started it.
    """
    from .emulator import Emulator  # the server stack loads only when the emulator is needed

    with _lock:
        found = _running.get(seed)
        started = found is None or not getattr(found.emulator, "running", True)
        if found is None or started:
            # fault_proxy: the tutorials inject connection resets into the embedded emulator.
            found = _Shared(Emulator(seed=seed, fault_proxy=True).start())
        shared = found
        _running[seed] = shared
        shared.users += 1
    if not started:
        logger.info("reusing the embedded emulator at %s (seed %s)", shared.emulator.api_url, seed)
    released = [False]

    def release() -> None:
        with _lock:
            if released[0]:
                return
            released[0] = True
            shared.users -= 1
            last = shared.users <= 0
            if last and _running.get(seed) is shared:
                del _running[seed]
        if last:
            shared.emulator.stop()

    return shared.emulator, release, started
