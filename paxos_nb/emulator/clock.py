"""The emulator's clock: what "now" is in the emulated world, and how a test moves it.

By default it follows wall-clock time plus whatever :meth:`Clock.advance` added; frozen
(``Clock(at=...)`` or :meth:`Clock.freeze`) it stands still until advanced, so a test or a
notebook gets the same timestamps on every run. Moving it forward completes what became due
at once (``Emulator`` subscribes its ledger): a notebook shows a withdrawal go from PENDING
to COMPLETED with ``emu.advance(60)`` instead of sleeping. It never goes back.

The emulated world follows this clock: record timestamps, settlement, the expiry of quotes,
fees and GTT orders, market data. Access tokens, rate limits and the freshness of request
signatures stay on wall-clock time: the client they face sleeps and signs in real time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

__all__ = ["Clock"]

_ZERO = timedelta(0)


class Clock:
    """The emulated world's now: wall-clock time moved forward by :meth:`advance`, or frozen.

    Parameters
    ----------
    at : datetime, optional
        Start frozen at this timezone-aware instant (it then moves only by ``advance``);
        default: follow wall-clock time.
    """

    def __init__(self, at: datetime | None = None) -> None:
        if at is not None:
            _check_aware(at, "at")
        # (frozen instant or None, offset from wall time): replaced whole, so a reader on
        # another thread never sees half an update.
        self._state: tuple[datetime | None, timedelta] = (at, _ZERO)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[datetime, timedelta], None]] = []

    def now(self) -> datetime:
        """The emulated instant, timezone-aware UTC."""
        frozen, offset = self._state
        return frozen if frozen is not None else datetime.now(timezone.utc) + offset

    @property
    def frozen(self) -> bool:
        """True while the clock stands still (it moves only by :meth:`advance`)."""
        return self._state[0] is not None

    def advance(self, seconds: float | timedelta) -> datetime:
        """Move the clock ``seconds`` forward; what became due completes now. Returns now."""
        step = seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)
        if step < _ZERO:
            raise ValueError(f"the emulator's clock never goes back: advance({seconds}) < 0")
        with self._lock:
            frozen, offset = self._state
            self._state = (None, offset + step) if frozen is None else (frozen + step, offset)
        return self._moved(step)

    def freeze(self, at: datetime | None = None) -> datetime:
        """Stand still at ``at`` (default: now); ``at`` may not be in the past. Returns now."""
        with self._lock:
            current = self.now()
            if at is not None:
                _check_aware(at, "at")
                if at < current:
                    raise ValueError(
                        f"the emulator's clock never goes back: {at.isoformat()} is before "
                        f"its now, {current.isoformat()}"
                    )
            self._state = (at or current, self._state[1])
        return self._moved((at or current) - current)

    def resume(self) -> datetime:
        """Follow wall-clock time again, from the frozen instant on. Returns now."""
        with self._lock:
            frozen = self._state[0]
            if frozen is not None:
                self._state = (None, frozen - datetime.now(timezone.utc))
        return self.now()

    def subscribe(self, listener: Callable[[datetime, timedelta], None]) -> None:
        """Call ``listener(now, step)`` whenever :meth:`advance` or :meth:`freeze` moves the
        clock ``step`` forward, to ``now``."""
        self._listeners.append(listener)

    def _moved(self, step: timedelta) -> datetime:
        now = self.now()
        for listener in list(self._listeners):
            listener(now, step)
        return now

    def __repr__(self) -> str:
        state = "frozen" if self.frozen else "running"
        return f"Clock({self.now().isoformat()}, {state})"


def _check_aware(moment: datetime, name: str) -> None:
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise ValueError(f"{name} must be a timezone-aware datetime (tzinfo=timezone.utc)")
