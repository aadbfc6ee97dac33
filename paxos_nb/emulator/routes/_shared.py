"""Small helpers the resource handlers share (no handlers live here)."""

from __future__ import annotations

from typing import Any

from ..ledger import Ledger


def ledger_of(call: Any) -> Ledger:
    """The ledger of the running emulator that received ``call``."""
    return call.emulator.ledger


def listing(items: list[dict[str, Any]], cursor: str | None, *keys: str) -> dict[str, Any]:
    """A list envelope: the records under each of ``keys`` (default ``items``), then the cursor.

    ``next_page_cursor`` is left out on the last page, as the brief recommends.
    """
    out: dict[str, Any] = {key: items for key in (keys or ("items",))}
    if cursor:
        out["next_page_cursor"] = cursor
    return out
