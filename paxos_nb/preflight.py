"""Before a request leaves: its path, the production write guard, the checks against the
catalog, the request itself.

Every check here runs before any network traffic, so a mistake costs nothing and names the
thing to fix: a path no operation has (with the closest ones), a production write without
``allow_writes``, a parameter or body the operation does not take
(:mod:`paxos_nb.request_checks`).
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import requests

from . import catalog, operation_lookup, request_checks
from .errors import ConfigError, UnknownNameError, WriteNotAllowed
from .pagination import query_params

__all__ = ["WRITES", "api_path", "build_request", "check_request", "guard_write", "operation"]

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


def operation(method: str, path: str, *, validate: bool = True) -> catalog.Operation | None:
    """The catalog operation serving ``METHOD path``.

    Raises
    ------
    UnknownNameError
        No operation has this path (when ``validate``): the closest ones are named. With
        ``validate=False`` the answer is None and the request goes out unchecked.
    """
    op = catalog.match(method, path)
    if op is None and validate:
        try:
            operation_lookup.resolve(f"{method} {path.split('?', 1)[0]}")
        except UnknownNameError as err:
            err.hint = (err.hint + " " if err.hint else "") + (
                "(every documented Paxos operation is in paxos_nb's catalog; "
                "pass validate=False to call a path it does not know)"
            )
            raise
    return op


def check_request(
    op: catalog.Operation,
    path: str,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
) -> None:
    """``path``'s values, the query parameters and the JSON body against ``op``'s schemas.

    Raises
    ------
    InvalidRequest
        Naming the parameter or field, what it should be, and the closest real name.
    """
    request_checks.check_path(op, path)
    query = query_params(params)
    if "?" in path:  # a query written into the path is sent too: check it as well
        query = {**dict(parse_qsl(path.split("?", 1)[1], keep_blank_values=True)), **query}
    request_checks.check_query(op, query)
    if op.method in WRITES or json is not None:
        request_checks.check_body(op, json)


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
