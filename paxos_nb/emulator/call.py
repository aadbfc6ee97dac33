"""The typed input of a handler: one authenticated API call, and what it may act on.

A handler reads a :class:`Call` (operation, path parameters, :class:`Query`, parsed body,
caller, clock) and acts through ``call.backends`` (the emulated state); it never sees HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, overload
from urllib.parse import parse_qsl

from ..catalog import Operation
from .fmt import Encoded
from .ledger import Ledger
from .registry import Registry
from .tokens import TokenStore

__all__ = ["Backends", "Body", "Call", "Handler", "Query"]

T = TypeVar("T")


class Query(Mapping[str, str]):
    """Query parameters as sent: ``get`` gives the first value (as Go's ``url.Values.Get``
    does), ``getlist`` every value of a repeated parameter (``type=A&type=B``)."""

    __slots__ = ("_lists",)

    def __init__(self, query_string: str = "") -> None:
        lists: dict[str, list[str]] = {}
        for key, value in parse_qsl(query_string, keep_blank_values=True):
            lists.setdefault(key, []).append(value)
        self._lists = lists

    def __getitem__(self, key: str) -> str:
        return self._lists[key][0]

    @overload
    def get(self, key: str, /) -> str | None: ...
    @overload
    def get(self, key: str, /, default: str | T) -> str | T: ...
    def get(self, key: str, /, default: object = None) -> object:
        values = self._lists.get(key)
        return values[0] if values else default

    def getlist(self, key: str) -> list[str]:
        return list(self._lists.get(key, ()))

    def __iter__(self) -> Iterator[str]:
        return iter(self._lists)

    def __len__(self) -> int:
        return len(self._lists)

    def __repr__(self) -> str:
        return f"Query({self._lists!r})"


@dataclass(frozen=True)
class Backends:
    """The emulated state a handler acts on."""

    ledger: Ledger  # profiles, balances and every resource family
    registry: Registry  # API credentials
    tokens: TokenStore  # issued access tokens


@dataclass(frozen=True)
class Call:
    """Everything a handler may read about one authenticated request."""

    op: Operation
    path_params: Mapping[str, str]  # {placeholder: value}, percent-decoded
    query: Query
    body: dict[str, Any] | None  # the parsed JSON object, or None without a body
    raw_body: bytes
    client_id: str | None  # None on public operations
    scopes: tuple[str, ...]  # scopes of the token (empty on public operations)
    now: datetime  # timezone-aware UTC
    backends: Backends


Body = dict[str, Any] | Encoded  # what a handler returns: the JSON of the 200 answer
Handler = Callable[[Call], Body]
