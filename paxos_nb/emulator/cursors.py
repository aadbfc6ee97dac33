"""Opaque page cursors and the keyset paging every cursor-paginated list shares.

A cursor is base64url (no padding) of a small JSON array holding the list family, the sort
order and the (sort instant, id) key of the last item served, followed by a 4-byte checksum.
Paging resumes strictly after that key, so a page never repeats or skips an item even while
new items are being created. Tokens that do not decode, fail the checksum, or were made for
another list or order answer 400 ``page_cursor token cannot be parsed`` (API-BRIEF.md section 8).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any, TypeVar

from .problems import bad_request

T = TypeVar("T")
Key = tuple[int, str]  # (microseconds since the epoch, id): unique and totally ordered
_VERSION = 1
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
CURSOR_ERROR = "page_cursor token cannot be parsed"


def key_of(moment: datetime, ident: str) -> Key:
    delta = moment - _EPOCH
    return ((delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds, ident)


def _checksum(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=4, person=b"paxos-nb-cursor").digest()


def encode(kind: str, order: str, key: Key) -> str:
    """The opaque token for resuming ``kind`` (e.g. ``"transfers:CREATED_AT"``) after ``key``."""
    payload = json.dumps([_VERSION, kind, order, key[0], key[1]], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload + _checksum(payload)).rstrip(b"=").decode("ascii")


def decode(token: str, kind: str, order: str) -> Key:
    """The key a token resumes after; 400 unless it was made by :func:`encode` for this list."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload, check = raw[:-4], raw[-4:]
        if len(raw) <= 4 or _checksum(payload) != check:
            raise ValueError("checksum")
        version, got_kind, got_order, micros, ident = json.loads(payload)
        valid = (
            version == _VERSION
            and got_kind == kind
            and got_order == order
            and isinstance(micros, int)
            and isinstance(ident, str)
        )
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        valid = False
    if not valid:
        raise bad_request(CURSOR_ERROR)
    return (micros, ident)


def parse_limit(query: Any, default: int, maximum: int, name: str = "limit") -> int:
    """``limit`` as an int in 1..maximum (default when absent), or 400 naming the bounds."""
    text = query.get(name)
    if text in (None, ""):
        return default
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not 1 <= value <= maximum:
        raise bad_request(f"{name} must be between 1 and {maximum}, got '{text}'")
    return value


def parse_order(query: Any, default: str) -> str:
    value = query.get("order")
    if value in (None, ""):
        return default
    if value not in ("ASC", "DESC"):
        raise bad_request(f"order invalid: '{value}' is not one of ASC, DESC")
    return value


def page(
    items: Sequence[tuple[Key, T]],
    *,
    kind: str,
    order: str,
    limit: int,
    token: str | None,
    keep: Callable[[T], bool] | None = None,
) -> tuple[list[T], str | None]:
    """One page of ``items`` (sorted ascending by key) and the cursor of the next page, if any.

    ``keep`` filters items; only as many are tested as the page needs, so deep pages of a
    large list cost O(limit) after the O(log n) seek to the cursor.
    """
    keys = [k for k, _ in items] if not isinstance(items, SortedIndex) else items.keys
    n = len(items)
    if order == "ASC":
        start = bisect.bisect_right(keys, decode(token, kind, order)) if token else 0
        positions: range = range(start, n)
    else:
        stop = bisect.bisect_left(keys, decode(token, kind, order)) if token else n
        positions = range(stop - 1, -1, -1)
    if keep is None and isinstance(items, SortedIndex):  # unfiltered: one slice
        chosen = positions[:limit]
        page_items = items.values(chosen)
        more = len(positions) > limit
        return page_items, (encode(kind, order, keys[chosen[-1]]) if more else None)
    out: list[T] = []
    last: Key | None = None
    for pos in positions:
        key, item = items[pos]
        if keep is not None and not keep(item):
            continue
        if len(out) == limit:  # one more matching item exists: there is a next page
            return out, encode(kind, order, last)  # type: ignore[arg-type]
        out.append(item)
        last = key
    return out, None


class SortedIndex(Sequence):
    """A list of (key, item) kept sorted by key, with O(log n) insert and remove."""

    def __init__(self) -> None:
        self.keys: list[Key] = []
        self._items: list[Any] = []

    def add(self, key: Key, item: Any) -> None:
        pos = bisect.bisect_left(self.keys, key)
        self.keys.insert(pos, key)
        self._items.insert(pos, item)

    def remove(self, key: Key) -> None:
        pos = bisect.bisect_left(self.keys, key)
        if pos < len(self.keys) and self.keys[pos] == key:
            del self.keys[pos]
            del self._items[pos]

    def __len__(self) -> int:
        return len(self.keys)

    def values(self, positions: range) -> list[Any]:
        """The items at ``positions`` (a range, ascending or descending), in that order."""
        if not positions:
            return []
        lo, hi = min(positions[0], positions[-1]), max(positions[0], positions[-1]) + 1
        chunk = self._items[lo:hi]
        return chunk if positions.step > 0 else chunk[::-1]

    def __getitem__(self, pos):
        return (self.keys[pos], self._items[pos])
