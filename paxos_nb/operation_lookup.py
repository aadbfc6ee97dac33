"""User-typed operation names -> catalog operations, with the closest names when none match.

Accepted wherever an operation is expected:

* an operation id, ``"ListProfiles"`` (case and ``_``/``-`` are ignored: ``"list_profiles"``);
* ``"METHOD /path"`` with a template or a concrete path, with or without ``/v2``, with or
  without a query string or the API host: ``"GET /v2/profiles/3f2a.../balances?assets=BTC"``;
* a tag from the API reference, ``"Transfers"`` (every operation under it).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from functools import cache
from urllib.parse import urlsplit

from . import catalog as _catalog
from .errors import ConfigError, UnknownNameError

__all__ = ["METHODS", "closest", "known_scopes", "names_of", "resolve"]

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@cache
def _ids() -> dict[str, _catalog.Operation]:
    return {_norm(op.operation_id): op for op in _catalog.operations()}


@cache
def _tags() -> dict[str, tuple[_catalog.Operation, ...]]:
    table: dict[str, list[_catalog.Operation]] = {}
    for op in _catalog.operations():
        table.setdefault(op.tag, []).append(op)
    return {tag: tuple(ops) for tag, ops in table.items()}


@cache
def _tags_norm() -> dict[str, str]:
    return {_norm(tag): tag for tag in _tags()}


@cache
def known_scopes() -> dict[str, _catalog.Scope]:
    """Every scope of the catalog by name."""
    return {s.scope: s for s in _catalog.scopes()}


@cache
def _candidates() -> tuple[str, ...]:
    ops = _catalog.operations()
    return (*(op.operation_id for op in ops), *(op.key for op in ops), *_tags())


def closest(name: str, candidates: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Up to ``n`` candidates closest to ``name`` (ignoring case), best first."""
    lowered = {c.lower(): c for c in candidates}
    hits = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=cutoff)
    return [lowered[h] for h in hits]


def _split_method_path(name: str) -> tuple[str, str] | None:
    parts = name.split(None, 1)
    if len(parts) == 2 and parts[0].upper() in METHODS:
        return parts[0].upper(), parts[1].strip()
    if name.startswith(("/", "http://", "https://")):
        return "", name
    return None


def _relative_path(path: str) -> str:
    """Strip scheme, host, query and the /v2 prefix: what the catalog's templates match."""
    if path.startswith(("http://", "https://")):
        path = urlsplit(path).path
    path = path.split("?", 1)[0].split("#", 1)[0]
    if path == "/v2" or path.startswith("/v2/"):
        path = path[3:] or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    return path


def _resolve_path(name: str, method: str, raw_path: str) -> _catalog.Operation:
    path = _relative_path(raw_path)
    op = _catalog.match(method, path) if method else None
    if op is not None:
        return op
    elsewhere = {m: _catalog.match(m, path) for m in METHODS if m != method}
    others = [m for m, found in elsewhere.items() if found is not None]
    if others:
        keys = [found.key for found in elsewhere.values() if found is not None]
        err = UnknownNameError("operation", name, keys)
        what = f"{path} has no {method} operation" if method else f"{path} needs a method"
        err.hint = f"{what}; it exists as {', '.join(others)}: try {' or '.join(map(repr, keys))}"
        raise err
    keys = [op.key for op in _catalog.operations()]
    guess = f"{method} {path}" if method else path
    # A concrete path differs from its template by its ids, hence the looser second try.
    nearest = closest(guess, keys) or closest(guess, keys, cutoff=0.4)
    raise UnknownNameError("operation", name, nearest)


def resolve(name: str | _catalog.Operation) -> tuple[_catalog.Operation, ...]:
    """The operations a user-typed name stands for (one, or every one under a tag)."""
    if isinstance(name, _catalog.Operation):
        return (name,)
    if not isinstance(name, str):
        raise ConfigError(
            f"expected an operation id, 'METHOD /path' or a tag, got {type(name).__name__}",
            hint="pass names such as 'ListProfiles', 'GET /profiles' or 'Transfers'",
        )
    text = name.strip()
    if not text:
        raise ConfigError("empty operation name", hint="pass e.g. 'ListProfiles'")
    op = _ids().get(_norm(text))
    if op is not None:
        return (op,)
    split = _split_method_path(text)
    if split is not None:
        return (_resolve_path(text, *split),)
    tag = _tags_norm().get(_norm(text))
    if tag is not None:
        return _tags()[tag]
    raise UnknownNameError("operation or tag", text, closest(text, _candidates()))


def names_of(names: str | Iterable[str]) -> list[str]:
    """One name or many, as a list (a single string is one name, not its characters)."""
    return [names] if isinstance(names, (str, _catalog.Operation)) else list(names)
