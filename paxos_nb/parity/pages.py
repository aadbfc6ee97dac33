"""What one page says about paging: the cursor, the envelope key, the order of the records.

Each function reduces a page (or its records) to a word: ``present``/``absent``/``empty``
for the cursor, the key that holds the records, ``ascending``/``descending`` by
``created_at``. No value leaves.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from itertools import pairwise
from typing import Any

from .. import catalog

__all__ = ["cursor_state", "envelope", "order"]


def cursor_state(page: Any) -> str:
    """``absent``, ``null``, ``empty`` or ``present``: the page's ``next_page_cursor``."""
    if not isinstance(page, dict) or "next_page_cursor" not in page:
        return "absent"
    cursor = page["next_page_cursor"]
    if cursor is None:
        return "null"
    if cursor == "":
        return "empty"
    return "present" if isinstance(cursor, str) else f"a {type(cursor).__name__}"


def envelope(op: catalog.Operation, page: Any) -> str:
    """The key (of the catalog's envelope keys) that holds the page's records."""
    if isinstance(page, list):
        return "(a bare list)"
    if not isinstance(page, dict):
        return "(not an object)"
    keys = [k for k in op.envelope if isinstance(page.get(k), list)]
    return " + ".join(keys) if keys else "(none of " + ", ".join(op.envelope) + ")"


_STAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?\Z"
)


def _instant(text: Any) -> datetime | None:
    """An RFC 3339 timestamp as an aware datetime (any precision, Z or an offset)."""
    match = _STAMP.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    micro = int(float(match.group(7) or 0) * 1_000_000)
    zone = match.group(8) or "Z"
    offset = timedelta(0)
    if zone not in "Zz":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=timezone.utc) - offset
    except ValueError:
        return None


def order(records: list[Any]) -> str | None:
    """``ascending``/``descending``/``mixed`` by ``created_at``; None when it cannot tell."""
    stamps = [_instant(r.get("created_at")) for r in records if isinstance(r, dict)]
    times = [t for t in stamps if t is not None]
    if len(times) < 2 or len(set(times)) < 2:
        return None
    pairs = list(pairwise(times))
    if all(a <= b for a, b in pairs):
        return "ascending"
    if all(a >= b for a, b in pairs):
        return "descending"
    return "mixed"
