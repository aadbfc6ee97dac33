"""The auth chain of every non-public operation, in Paxos's order:

1. bearer token  -> 401 problem+json, ``WWW-Authenticate: Bearer`` (RFC 6750 section 3)
2. IP allowlist  -> 403
3. request signing, when the client enforces it -> 401 (403 for an unknown/inactive kid)
4. scope         -> 403 ``insufficient scopes: found '...', required one of '[...]'``

A request failing several layers gets the first layer's error.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog import Operation
from . import signature
from .config import EmulatorConfig
from .problems import Problem
from .registry import ApiClient, Registry
from .tokens import TokenStore

__all__ = ["Principal", "check"]

_REALM = 'Bearer realm="paxos"'


@dataclass(frozen=True)
class Principal:
    """Who made an authenticated request."""

    client: ApiClient
    scopes: tuple[str, ...]
    token: str


def _unauthorized(detail: str, error: str | None = "invalid_token") -> Problem:
    challenge = _REALM
    if error:
        challenge += f', error="{error}", error_description="{detail}"'
    return Problem(401, detail, headers={"WWW-Authenticate": challenge})


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer`` header, or the 401 Problem."""
    if not authorization:
        # RFC 6750 3.1: no error code when the request carries no credentials at all.
        raise _unauthorized("no authorization header set", error=None)
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized(
            "the authorization header must be 'Bearer <access_token>'", error="invalid_request"
        )
    return token


def check(
    op: Operation,
    *,
    authorization: str | None,
    remote_addr: str,
    method: str,
    request_uri: str,
    body: bytes,
    signature_header: str | None,
    tokens: TokenStore,
    registry: Registry,
    config: EmulatorConfig,
) -> Principal:
    """Run the four layers for ``op``; return the caller or raise the first layer's Problem."""
    token = bearer_token(authorization)
    record, reason = tokens.lookup(token)
    if record is None or reason:
        raise _unauthorized(reason or "invalid token")
    client = registry.get(record.client_id)
    if client is None or client.status != "APPROVED":
        raise _unauthorized("token revoked")

    if not client.allows_ip(remote_addr):
        raise Problem(
            403,
            f"request from IP {remote_addr} is not in the IP allowlist of client "
            f"{client.client_id!r}; add it under API Credentials (CIDR)",
        )

    if client.enforce_request_signing:
        signature.verify(
            client,
            signature_header,
            method=method,
            request_path=request_uri,
            body=body,
            max_age=config.signature_max_age,
            max_future=config.signature_max_future,
        )

    if op.scope not in record.scopes:
        raise Problem(
            403,
            f"insufficient scopes: found '{' '.join(record.scopes)}', "
            f"required one of '[{op.scope}]'",
        )
    return Principal(client, record.scopes, token)
