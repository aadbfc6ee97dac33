"""The backend thread: runs the emulator's writes in arrival order, off the event loop.

The event loop hands a call over with :meth:`BackendThread.run` and awaits its result. The
thread takes every call queued so far, runs them one after the other, and wakes the loop
once per batch: under load that is one cross-thread wake-up for several requests, where a
``ThreadPoolExecutor`` pays one per request (see docs/architecture.md for the measurements).
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["BackendThread"]

T = TypeVar("T")
_Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[..., Any], tuple[Any, ...]]
_Done = list[tuple["asyncio.Future[Any]", Any, BaseException | None]]


class BackendThread:
    """One daemon thread that runs submitted callables in order; :meth:`close` joins it."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on the backend thread; its result or its exception."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((loop, future, fn, args))
        return await future

    def close(self, timeout: float = 5.0) -> None:
        """Finish the queued calls, then end the thread."""
        self._jobs.put(None)
        self._thread.join(timeout)

    def _work(self) -> None:
        jobs, running = self._jobs, True
        while running:
            batch = [jobs.get()]
            while not jobs.empty():
                batch.append(jobs.get())
            done: dict[asyncio.AbstractEventLoop, _Done] = {}
            for job in batch:
                if job is None:  # close(): end after this batch
                    running = False
                    continue
                loop, future, fn, args = job
                try:
                    outcome: tuple[Any, BaseException | None] = (fn(*args), None)
                except BaseException as exc:  # handed to the awaiting coroutine
                    outcome = (None, exc)
                done.setdefault(loop, []).append((future, *outcome))
            for loop, results in done.items():
                if not loop.is_closed():
                    loop.call_soon_threadsafe(_deliver, results)


def _deliver(results: _Done) -> None:
    for future, value, exc in results:
        if future.cancelled():
            continue  # the client went away
        if exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(value)
