"""Server-side check of the ``Paxos-Signature`` header (API-BRIEF section 5), with PyJWT.

The header is a compact JWS (not detached) whose payload is the exact request body bytes
(empty for GET and DELETE) and whose protected header carries ``kid``, ``alg`` (ES256 or
EdDSA only), ``paxos.com/timestamp`` (unix seconds, string or integer),
``paxos.com/request-method`` and ``paxos.com/request-path`` (with ``/v2`` and the query).

Checks run in the brief's order: alg allowed, kid known and active (403 otherwise), the
signature itself, timestamp within 30 minutes, method and path, then the payload bytes.
Every other failure is 401.
"""

from __future__ import annotations

import time

import jwt
from jwt.api_jws import PyJWS

from .problems import Problem
from .registry import ApiClient

__all__ = ["ALGORITHMS", "HEADER", "verify"]

HEADER = "Paxos-Signature"
ALGORITHMS = ("ES256", "EdDSA")
_jws = PyJWS(algorithms=list(ALGORITHMS))
_CHALLENGE = {"WWW-Authenticate": 'Paxos-Signature realm="paxos"'}


def _unauthorized(detail: str) -> Problem:
    return Problem(401, f"invalid Paxos-Signature: {detail}", headers=_CHALLENGE)


def verify(
    client: ApiClient,
    signature: str | None,
    *,
    method: str,
    request_path: str,
    body: bytes,
    max_age: float = 1800,
    max_future: float = 300,
    now: float | None = None,
) -> None:
    """Raise a 401/403 :class:`Problem` unless ``signature`` signs exactly this request.

    Parameters
    ----------
    client : ApiClient
        The client the bearer token belongs to; its keys are the only ones tried.
    signature : str or None
        The ``Paxos-Signature`` header value.
    method, request_path, body
        The request as received: method, raw request target (``/v2/...?query``), body bytes.
    """
    if not signature:
        raise _unauthorized(
            f"missing {HEADER} header; client {client.client_id!r} enforces request signing"
        )
    try:
        header = jwt.get_unverified_header(signature)
    except jwt.PyJWTError:
        raise _unauthorized("not a compact JWS (header.payload.signature)") from None
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise _unauthorized(f"alg {alg!r} is not accepted; sign with ES256 or EdDSA")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _unauthorized("the JWS header has no 'kid' (the id of your registered public key)")
    key = client.key(kid)
    if key is None or not key.active:
        state = "unknown" if key is None else "inactive"
        raise Problem(
            403,
            f"Paxos-Signature kid {kid!r} is {state} for client {client.client_id!r}; "
            "use the id of an active key listed by GET /v2/api-creds/credentials",
        )
    if key.algorithm != alg:
        raise _unauthorized(f"key {kid!r} is an {key.algorithm} key but the JWS says {alg}")
    try:
        decoded = _jws.decode_complete(signature, key.key, algorithms=[alg])
    except jwt.InvalidSignatureError:
        raise _unauthorized("the signature does not verify with the registered key") from None
    except jwt.PyJWTError as exc:
        raise _unauthorized(f"cannot verify the JWS ({type(exc).__name__})") from None

    stamp = header.get("paxos.com/timestamp")
    if isinstance(stamp, bool) or not isinstance(stamp, int | str) or not str(stamp).isdigit():
        raise _unauthorized("'paxos.com/timestamp' must be unix seconds (string or integer)")
    age = (time.time() if now is None else now) - int(stamp)
    if age > max_age:
        raise _unauthorized(
            f"the signature is {int(age // 60)} minutes old; Paxos accepts "
            f"{int(max_age // 60)} minutes after 'paxos.com/timestamp'"
        )
    if -age > max_future:
        raise _unauthorized("'paxos.com/timestamp' is in the future; check the clock")
    signed_method = header.get("paxos.com/request-method")
    if not isinstance(signed_method, str) or signed_method.upper() != method.upper():
        raise _unauthorized(
            f"'paxos.com/request-method' is {signed_method!r} but the request is {method}"
        )
    signed_path = header.get("paxos.com/request-path")
    if signed_path != request_path:
        raise _unauthorized(
            f"'paxos.com/request-path' is {signed_path!r} but the request is {request_path!r} "
            "(sign the path with /v2 and the query string, exactly as sent)"
        )
    if decoded["payload"] != body:
        raise _unauthorized(
            "the JWS payload differs from the request body (sign the exact bytes sent; "
            "an empty payload for GET and DELETE)"
        )
