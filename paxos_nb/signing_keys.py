"""Loading a request-signing private key, with a clear error for every key Paxos refuses.

Paxos accepts ES256 (P-256) and EdDSA (Ed25519) keys. :func:`load_private_key` reads a PEM
(or DER, or OpenSSH) file, PEM text or a key object, and raises
:class:`~paxos_nb.errors.SigningKeyError` at load time for an RSA or HMAC key, another curve,
an encrypted file without its passphrase, or a public key in place of the private one. Every
text form of a loaded key is registered with :mod:`paxos_nb.redact`; no message ever
contains key material.
"""

from __future__ import annotations

import base64
import os
import re
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeAlias

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from . import redact
from .errors import SigningKeyError

__all__ = ["ACCEPTED", "MAKE_ONE", "PrivateKey", "algorithm_of", "load_private_key", "public_pem"]

PrivateKey: TypeAlias = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

ACCEPTED = "Paxos accepts ES256 (P-256) or EdDSA (Ed25519) keys"
MAKE_ONE = (
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
            hint=MAKE_ONE,
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
        hint=f"{ACCEPTED}: {MAKE_ONE}, upload its public key in the Dashboard, and pass "
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
        if "-----BEGIN OPENSSH" in text:  # ssh-keygen's own container, not PKCS#8
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
                hint=f"{ACCEPTED}: {MAKE_ONE}",
            ) from None
        raise SigningKeyError(
            f"{where} could not be parsed as a private key (damaged or unsupported PEM)",
            hint=f"{ACCEPTED}: {MAKE_ONE}",
        ) from None
    except UnsupportedAlgorithm:
        raise SigningKeyError(
            f"{where} uses a key type this machine cannot load", hint=f"{ACCEPTED}: {MAKE_ONE}"
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
            f"{where} is an EC key on curve {named}; {ACCEPTED}",
            hint="ES256 needs the P-256 curve (prime256v1 / secp256r1): " + MAKE_ONE,
        )
    if isinstance(key, rsa.RSAPrivateKey):
        raise SigningKeyError(f"{where} is an RSA key; {ACCEPTED}", hint=MAKE_ONE)
    kind = type(key).__name__.lstrip("_").removesuffix("PrivateKey") or "unknown"
    raise SigningKeyError(f"{where} is a key of type {kind}; {ACCEPTED}", hint=MAKE_ONE)


def algorithm_of(key: PrivateKey) -> str:
    """The JWS algorithm of a key Paxos accepts: ``"ES256"`` or ``"EdDSA"``."""
    return "EdDSA" if isinstance(key, ed25519.Ed25519PrivateKey) else "ES256"


def public_pem(key: PrivateKey) -> str:
    """The public key PEM (SubjectPublicKeyInfo) to paste into the Dashboard."""
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
