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
when the key is loaded, not at the first request. No message ever contains key material.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Mapping
from contextlib import suppress
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import requests
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.api_jws import PyJWS
from requests.auth import AuthBase

from . import redact
from .errors import ConfigError, SigningKeyError

__all__ = ["HEADER", "RequestSigner", "generate_keypair", "inspect", "load_private_key"]

logger = logging.getLogger(__name__)

HEADER = "Paxos-Signature"
PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

_ACCEPTED = "Paxos accepts ES256 (P-256) or EdDSA (Ed25519) keys"
_MAKE_ONE = (
    "create one with paxos_nb.signing.generate_keypair(path) "
    "or `openssl genpkey -algorithm ed25519 -out key.pem`"
)
_CURVES = {
    "secp384r1": "P-384",
    "secp521r1": "P-521",
    "secp256k1": "secp256k1",
    "secp224r1": "P-224",
}
_KEY_SUFFIXES = {".pem", ".key", ".p8", ".pk8", ".der", ".txt", ".priv"}


# -- loading ---------------------------------------------------------------------------------


def load_private_key(
    key: str | bytes | os.PathLike[str] | PrivateKey, *, passphrase: str | bytes | None = None
) -> PrivateKey:
    """Load a private key Paxos accepts for request signing.

    Parameters
    ----------
    key : str, bytes, path-like or private key object
        A path to a PEM (or DER) file, the PEM text itself, or an already loaded key.
    passphrase : str or bytes, optional
        For an encrypted PEM.

    Returns
    -------
    cryptography private key
        An ``EllipticCurvePrivateKey`` on P-256 or an ``Ed25519PrivateKey``.

    Raises
    ------
    SigningKeyError
        Unreadable file, not a private key, encrypted without (or with a wrong) passphrase,
        an RSA key, another elliptic curve, a shared (HMAC) secret or a public key. The
        message says how to fix it and never contains the key.
    """
    if isinstance(key, (ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey, rsa.RSAPrivateKey)):
        return _check_type(key, "the key")
    data, where = _read(key)
    password = passphrase.encode() if isinstance(passphrase, str) else passphrase
    with suppress(UnicodeDecodeError):
        redact.register(passphrase)
    loaded = _parse(data, password, where)
    _register(data, loaded)
    return _check_type(loaded, where)


def _read(key: Any) -> tuple[bytes, str]:
    """The key's bytes and a description of where they came from (never the key itself)."""
    if isinstance(key, os.PathLike):
        return _read_file(Path(key)), f"key file {os.fspath(key)}"
    if isinstance(key, bytes):
        return key, "the key"
    if not isinstance(key, str):
        raise SigningKeyError(
            f"a signing key must be a path, PEM text or bytes, not {type(key).__name__}",
            hint=_MAKE_ONE,
        )
    if "-----BEGIN" in key:
        return key.encode(), "the PEM key"
    path = Path(key).expanduser()
    if _looks_like_path(key):
        if not _exists(path):
            raise SigningKeyError(
                f"signing key file {key} does not exist",
                hint="check the path (PAXOS_SIGNING_KEY_FILE), or pass the PEM text itself",
            )
        return _read_file(path), f"key file {key}"
    # Neither a PEM nor a path: most likely a shared secret. Never echo it.
    raise SigningKeyError(
        "the signing key is neither PEM text nor an existing file; it looks like a shared "
        "(HMAC) secret, which cannot sign Paxos requests",
        hint=f"{_ACCEPTED}: {_MAKE_ONE}, upload its public key in the Dashboard, and pass "
        "the private key file",
    )


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name the file system cannot hold
        return False


def _looks_like_path(text: str) -> bool:
    if "\n" in text or len(text) > 4096:
        return False
    path = Path(text).expanduser()
    if path.suffix.lower() in _KEY_SUFFIXES or text.startswith(("~", "./", "../")):
        return True
    try:
        return _exists(path) or (
            os.sep in text and path.parent.is_dir() and path.parent != Path(".")
        )
    except OSError:  # e.g. a name too long for the file system: a secret, not a path
        return False


def _read_file(path: Path) -> bytes:
    try:
        return path.expanduser().read_bytes()
    except FileNotFoundError:
        raise SigningKeyError(
            f"signing key file {path} does not exist",
            hint="check the path (PAXOS_SIGNING_KEY_FILE)",
        ) from None
    except OSError as exc:
        raise SigningKeyError(
            f"cannot read signing key file {path}: {exc.strerror or type(exc).__name__}",
            hint="check that it is a readable file (not a folder) owned by you",
        ) from None


def _parse(data: bytes, password: bytes | None, where: str) -> Any:
    text = data.decode("ascii", "replace")
    if re.search(
        r"-----BEGIN (?:[A-Z0-9 ]+ )?PUBLIC KEY-----|-----BEGIN CERTIFICATE-----", text
    ) or (text.lstrip().startswith(("ssh-ed25519 ", "ecdsa-sha2-"))):
        raise SigningKeyError(
            f"{where} is a PUBLIC key (or certificate); signing needs the PRIVATE key",
            hint="pass the private key file; the public key is what you paste into the Dashboard",
        )
    is_pem = "-----BEGIN" in text
    try:
        if "-----BEGIN OPENSSH PRIVATE KEY-----" in text:
            return serialization.load_ssh_private_key(data, password)
        if is_pem:
            return serialization.load_pem_private_key(data, password)
        return serialization.load_der_private_key(data, password)
    except TypeError as exc:
        if "not encrypted" in str(exc):  # a passphrase for a plain key: just ignore it
            return _parse(data, None, where)
        raise SigningKeyError(
            f"{where} is encrypted and no passphrase was given",
            hint="pass passphrase=... (or set it where you keep secrets), or decrypt the key "
            "with `openssl pkey -in key.pem -out plain.pem`",
        ) from None
    except ValueError as exc:
        if password is not None and re.search(r"decrypt|password|passphrase", str(exc), re.I):
            raise SigningKeyError(
                f"wrong passphrase for {where}", hint="check the passphrase of this key file"
            ) from None
        if not is_pem:
            raise SigningKeyError(
                f"{where} is not a PEM (or DER) private key; a shared (HMAC) secret or other "
                "text cannot sign Paxos requests",
                hint=f"{_ACCEPTED}: {_MAKE_ONE}",
            ) from None
        raise SigningKeyError(
            f"{where} could not be parsed as a private key (damaged or unsupported PEM)",
            hint=f"{_ACCEPTED}: {_MAKE_ONE}",
        ) from None
    except UnsupportedAlgorithm:
        raise SigningKeyError(
            f"{where} uses a key type this machine cannot load", hint=f"{_ACCEPTED}: {_MAKE_ONE}"
        ) from None


def _register(data: bytes, key: Any) -> None:
    """Teach the redaction filter every text form of the private key."""
    try:
        redact.register(data.decode("ascii"))
    except UnicodeDecodeError:  # DER: register its base64 forms instead
        redact.register(base64.b64encode(data).decode())
    with suppress(ValueError, TypeError):  # a key type without a PKCS#8 form
        redact.register(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode()
        )


def _check_type(key: Any, where: str) -> PrivateKey:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if key.curve.name == "secp256r1":
            return key
        curve = _CURVES.get(key.curve.name, key.curve.name)
        named = curve if curve == key.curve.name else f"{curve} ({key.curve.name})"
        raise SigningKeyError(
            f"{where} is an EC key on curve {named}; {_ACCEPTED}",
            hint="ES256 needs the P-256 curve (prime256v1 / secp256r1): " + _MAKE_ONE,
        )
    if isinstance(key, rsa.RSAPrivateKey):
        raise SigningKeyError(f"{where} is an RSA key; {_ACCEPTED}", hint=_MAKE_ONE)
    kind = type(key).__name__.lstrip("_").removesuffix("PrivateKey") or "unknown"
    raise SigningKeyError(f"{where} is a key of type {kind}; {_ACCEPTED}", hint=_MAKE_ONE)


def _algorithm(key: PrivateKey) -> str:
    return "EdDSA" if isinstance(key, ed25519.Ed25519PrivateKey) else "ES256"


# -- signing ---------------------------------------------------------------------------------


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
        self.algorithm = _algorithm(self._key)
        self._jws = PyJWS()

    def __repr__(self) -> str:
        return f"RequestSigner(kid={self.kid!r}, algorithm={self.algorithm!r})"

    __str__ = __repr__

    def __reduce__(self) -> Any:  # never pickle the private key into a file or a process
        raise TypeError("RequestSigner holds a private key and cannot be pickled")

    def public_key_pem(self) -> str:
        """The public key PEM to paste into the Dashboard."""
        return _public_pem(self._key)

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


def _public_pem(key: PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


# -- key generation and inspection -----------------------------------------------------------


def generate_keypair(
    path: str | os.PathLike[str], *, algorithm: str = "ES256", overwrite: bool = False
) -> str:
    """Create a signing key pair: the private key goes to ``path`` (mode 0600).

    Parameters
    ----------
    path : str or path-like
        Where to write the private key PEM (PKCS#8, unencrypted). Created with mode 0600;
        an existing file is refused unless ``overwrite=True`` (then replaced atomically).
    algorithm : {"ES256", "EdDSA"}
        ES256 (P-256, the most widely supported) or EdDSA (Ed25519).
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    str
        The PUBLIC key PEM, to paste into the Dashboard (Admin > API > API Credentials).
    """
    alg = {"es256": "ES256", "eddsa": "EdDSA", "ed25519": "EdDSA"}.get(str(algorithm).lower())
    if alg is None:
        raise ConfigError(
            f"unsupported signing algorithm {algorithm!r}", hint=f"{_ACCEPTED}: 'ES256' or 'EdDSA'"
        )
    key: PrivateKey = (
        ec.generate_private_key(ec.SECP256R1())
        if alg == "ES256"
        else ed25519.Ed25519PrivateKey.generate()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    redact.register(pem.decode())
    target = Path(path).expanduser()
    if not target.parent.is_dir():
        raise ConfigError(
            f"cannot write the key: folder {target.parent} does not exist",
            hint="create the folder first, or choose another path",
        )
    if overwrite:
        _replace(target, pem)
    else:
        try:
            _write_new(target, pem)
        except FileExistsError:
            raise ConfigError(
                f"{target} already exists; not overwriting a key",
                hint="choose another path, or pass overwrite=True if the old key is unused",
            ) from None
    logger.info("wrote a new %s private key to %s (mode 0600)", alg, target)
    return _public_pem(key)


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _replace(path: Path, data: bytes) -> None:
    # A fresh 0600 file beside the target, then an atomic rename: the old file's mode
    # never applies to the new key, and no reader ever sees half a key.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    _write_new(tmp, data)  # O_EXCL: fails rather than follow a planted file or link
    try:
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


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
