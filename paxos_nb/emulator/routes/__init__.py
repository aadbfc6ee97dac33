"""Handlers for the emulated operations, registered by operation id.

A handler takes a :class:`~..call.Call` and returns the JSON body of a 200 answer (Paxos answers
every successful write with 200), or raises :class:`~paxos_nb.emulator.problems.Problem`.
The app has already authenticated the call (token, IP allowlist, signature, scope) before
a handler runs. Operations with no handler answer 501 "not emulated" after those checks.
"""

from __future__ import annotations

from collections.abc import Callable

from ..call import Body, Call, Handler

__all__ = ["HANDLERS", "Body", "Call", "Handler", "handles", "load"]

HANDLERS: dict[str, Handler] = {}


def handles(*operation_ids: str) -> Callable[[Handler], Handler]:
    """Register a handler for one or more operation ids."""

    def register(fn: Handler) -> Handler:
        for op_id in operation_ids:
            if op_id in HANDLERS:
                raise ValueError(f"two handlers for {op_id}")
            HANDLERS[op_id] = fn
        return fn

    return register


def load() -> dict[str, Handler]:
    """Import every handler module of this package (registering them) and return the table."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return HANDLERS
