"""Before a request leaves: its path, the production write guard, the request itself.

Every check here runs before any network traffic, so a mistake costs nothing and names the
thing to fix. Checks of query parameters and bodies against the catalog belong here too.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping
from typing import Any

import requests

from .errors import ConfigError, WriteNotAllowed
from .pagination import query_params

__all__ = ["WRITES", "api_path", "build_request", "guard_write"]

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def api_path(path: str) -> str:
    """``path`` relative to /v2 with a leading slash: ``"v2/profiles/"`` -> ``"/profiles/"``.

    Raises
    ------
    ConfigError
        An empty path, or a full URL (the session adds the host).
    """
    if not isinstance(path, str) or not path.strip():
        raise ConfigError("the path is empty", hint="pass a path relative to /v2, e.g. /profiles")
    if "://" in path:
        raise ConfigError(
            f"{path!r} is a full URL",
            hint="pass the path relative to /v2 (e.g. /profiles); the session adds the host",
        )
    path = path.strip()
    if not path.startswith("/"):
        path = "/" + path
    if path == "/v2" or path.startswith("/v2/"):
        path = path[3:] or "/"
    return path


def guard_write(method: str, path: str, *, environment: str, allow_writes: bool) -> None:
    """Refuse a production write unless the session was opened with ``allow_writes=True``.

    Raises
    ------
    WriteNotAllowed
    """
    if method in WRITES and environment == "production" and not allow_writes:
        raise WriteNotAllowed(
            f"{method} {path} would change data in production",
            hint="connect with allow_writes=True to allow production writes",
        )


def build_request(
    method: str,
    url: str,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
    headers: Mapping[str, str] | None = None,
) -> requests.Request:
    """The request to send: query parameters as Paxos spells them, a compact JSON body.

    The body is encoded here, once, to the bytes that are sent and signed.
    """
    body = None if json is None else jsonlib.dumps(json, separators=(",", ":")).encode()
    return requests.Request(
        method,
        url,
        params=query_params(params),
        data=body,
        headers={
            "Accept": "application/json",
            **({"Content-Type": "application/json"} if body is not None else {}),
            **dict(headers or {}),
        },
    )
