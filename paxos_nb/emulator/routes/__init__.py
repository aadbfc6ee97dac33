"""Handlers for the emulated operations, registered by operation id.

A handler takes a :class:`Call` and returns the JSON body of a 200 answer (Paxos answers
every successful write with 200), or raises :class:`~paxos_nb.emulator.problems.Problem`.
The app has already authenticated the call (token, IP allowlist, signature, scope) before
a handler runs. Operations with no handler answer 501 "not emulated" after those checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...catalog import Operation


@dataclass
class Call:
    """Everything a handler may read about one authenticated request."""

    op: Operation
    path_params: dict[str, str]  # {placeholder: value} from the path template
    query: Any  # starlette QueryParams: .get(name), .getlist(name) for repeated keys
    body: Any  # parsed JSON body (dict) or None
    raw_body: bytes
    client_id: str | None  # None on public operations
    scopes: tuple[str, ...]  # scopes of the token (empty on public operations)
    now: datetime  # timezone-aware UTC
    emulator: Any  # the running app context: .ledger, .registry, .config


Handler = Callable[[Call], dict[str, Any]]
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
