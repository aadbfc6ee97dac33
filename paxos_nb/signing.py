"""Paxos request signing: a JWS over exactly the bytes sent, in the ``Paxos-Signature`` header.

Paxos (API brief §5) accepts ES256 (P-256) or EdDSA (Ed25519) signatures whose protected
header carries ``kid``, ``alg``, ``paxos.com/timestamp`` (Unix seconds, as a string),
``paxos.com/request-method`` and ``paxos.com/request-path`` (the full path with ``/v2`` and
the query string), and whose payload is the request body (empty for GET and DELETE). The
JWS is made by PyJWT, as in the Paxos guide, so it also carries PyJWT's ``"typ": "JWT"``.

>>> public_pem = generate_keypair("paxos-signing.pem")      # paste this into the Dashboard
>>> signer = RequestSigner("paxos-signing.pem", kid="<key id from the Dashboard>")
>>> signer.sign("POST", "/v2/transfer/deposit-addresses", b'{"profile_id": "..."}')

Key problems (an RSA or HMAC key, another curve, an encrypted file without its passphrase,
a public key in place of the private one) raise :class:`~paxos_nb.errors.SigningKeyError`
when the key is loaded, not at the first request (:mod:`paxos_nb.signing_keys`); key pairs
are made by :mod:`paxos_nb.keygen`. No message ever contains key material.

In a session the signer is the last auth applied (:mod:`paxos_nb.request_auth`), after the
bearer token, so it signs the final URL and body bytes.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import requests
from jwt.api_jws import PyJWS
from requests.auth import AuthBase

from .errors import ConfigError
from .keygen import generate_keypair
from .signing_keys import PrivateKey, algorithm_of, load_private_key, public_pem

__all__ = ["HEADER", "RequestSigner", "generate_keypair", "inspect", "load_private_key"]

logger = logging.getLogger(__name__)

HEADER = "Paxos-Signature"


class RequestSigner(AuthBase):
    """Signs Paxos requests with a private key registered in the Dashboard under ``kid``.

    Use :meth:`apply` on a prepared request (or the signer itself as a ``requests`` auth):
    it signs the method, the path with its query and the exact body bytes, and sets the
    ``Paxos-Signature`` header. The repr shows the key id and algorithm, never the key.

    Parameters
    ----------
    key : str, bytes, path-like or private key object
        See :func:`load_private_key`.
    kid : str
        The key's id, shown in the Dashboard (Admin > API > API Credentials).
    passphrase : str or bytes, optional
        For an encrypted PEM.
    """

    def __init__(
        self,
        key: str | bytes | os.PathLike[str] | PrivateKey,
        kid: str,
        *,
        passphrase: str | bytes | None = None,
    ) -> None:
        if not isinstance(kid, str) or not kid.strip():
            raise ConfigError(
                "a signing key id (kid) is required",
                hint="copy the key's id from the Dashboard (Admin > API > API Credentials) "
                "into PAXOS_SIGNING_KID",
            )
        if kid != kid.strip():
            raise ConfigError(
                "the signing key id (kid) has surrounding whitespace",
                hint="remove the spaces or newline around PAXOS_SIGNING_KID",
            )
        self._key = load_private_key(key, passphrase=passphrase)
        self.kid = kid
        self.algorithm = algorithm_of(self._key)
        self._jws = PyJWS()

    def __repr__(self) -> str:
        return f"RequestSigner(kid={self.kid!r}, algorithm={self.algorithm!r})"

    __str__ = __repr__

    def __reduce__(self) -> Any:  # never pickle the private key into a file or a process
        raise TypeError("RequestSigner holds a private key and cannot be pickled")

    def public_key_pem(self) -> str:
        """The public key PEM to paste into the Dashboard."""
        return public_pem(self._key)

    def sign(
        self, method: str, path: str, body: bytes | str | None = b"", *, now: Any = None
    ) -> str:
        """The compact JWS for one request.

        Parameters
        ----------
        method : str
            HTTP method (upper-cased).
        path : str
            The full request path **with** ``/v2`` and the query string, exactly as sent:
            ``/v2/transfer/transfers?limit=10``.
        body : bytes
            The exact body bytes (``b""`` for GET and DELETE). A str is encoded as UTF-8.
        now : float, int or datetime, optional
            The signing time (default: the current time), sent in Unix seconds.
        """
        if not (path == "/v2" or path.startswith(("/v2/", "/v2?"))):
            raise ConfigError(
                f"the signed path must be the full path with /v2 and the query string, got "
                f"{path.split('?', 1)[0]!r}",
                hint="e.g. /v2/transfer/deposit-addresses (RequestSigner.apply does this for you)",
            )
        return self._sign(method, path, _body_bytes(body), now)

    def _sign(self, method: str, path: str, body: bytes, now: Any) -> str:
        headers = {
            "kid": self.kid,
            "paxos.com/timestamp": str(_unix_seconds(now)),
            "paxos.com/request-method": method.upper(),
            "paxos.com/request-path": path,
        }
        return self._jws.encode(body, self._key, algorithm=self.algorithm, headers=headers)

    def apply(
        self, prepared: requests.PreparedRequest, *, now: Any = None
    ) -> requests.PreparedRequest:
        """Sign a prepared request in place and return it.

        Uses ``prepared.method``, ``prepared.path_url`` (path and query as sent) and the body
        bytes. A str body is replaced by its UTF-8 bytes, which is what urllib3 sends, so
        the signed payload and the bytes on the wire are the same object.
        """
        body = prepared.body
        if body is None:
            data = b""
        elif isinstance(body, bytes):
            data = body
        elif isinstance(body, str):
            data = body.encode("utf-8")
            prepared.body = data
            prepared.prepare_content_length(data)
        else:
            raise ConfigError(
                f"cannot sign a streamed request body ({type(body).__name__})",
                hint="send the body as bytes or json=...; Paxos signs the exact body bytes",
            )
        prepared.headers[HEADER] = self._sign(
            prepared.method or "GET", prepared.path_url, data, now
        )
        return prepared

    def __call__(self, prepared: requests.PreparedRequest) -> requests.PreparedRequest:
        return self.apply(prepared)


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    raise ConfigError(
        f"the signed body must be the exact bytes sent, not {type(body).__name__}",
        hint="serialize first, e.g. json.dumps(obj).encode(), and send those same bytes",
    )


def _unix_seconds(now: Any) -> int:
    if now is None:
        return int(time.time())
    if isinstance(now, datetime):
        if now.tzinfo is None:
            raise ConfigError("now must be timezone-aware", hint="use datetime.now(timezone.utc)")
        return int(now.timestamp())
    return int(now)


def inspect(jws: str) -> dict[str, Any]:
    """Decode a ``Paxos-Signature`` value for display (no verification).

    Returns
    -------
    dict
        ``header`` (the protected header), ``payload_length`` (bytes signed),
        ``signature_length`` (bytes: 64 for ES256 and EdDSA) and ``timestamp`` (UTC, ISO).
    """
    parts = jws.split(".") if isinstance(jws, str) else []
    if len(parts) != 3:
        raise ConfigError(
            "not a compact JWS (three base64url parts separated by dots)",
            hint="pass the Paxos-Signature header value",
        )
    try:
        header = json.loads(_b64url(parts[0]))
        payload, signature = _b64url(parts[1]), _b64url(parts[2])
    except (ValueError, binascii.Error):
        raise ConfigError("the JWS parts are not valid base64url JSON") from None
    if not isinstance(header, Mapping):
        raise ConfigError("the JWS header is not a JSON object")
    out: dict[str, Any] = {
        "header": dict(header),
        "payload_length": len(payload),
        "signature_length": len(signature),
    }
    stamp = header.get("paxos.com/timestamp")
    if isinstance(stamp, str) and stamp.isdigit():
        out["timestamp"] = datetime.fromtimestamp(int(stamp), tz=timezone.utc).isoformat()
    return out


def _b64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
