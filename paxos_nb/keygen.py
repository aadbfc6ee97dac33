"""Creating a request-signing key pair: the private key written safely, the public one returned.

The private key file is created with mode 0600 and never replaced in place: an existing
file is refused unless ``overwrite=True``, and then replaced atomically.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from . import redact
from .errors import ConfigError
from .signing_keys import ACCEPTED, PrivateKey, public_pem

__all__ = ["generate_keypair"]

logger = logging.getLogger(__name__)


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
            f"unsupported signing algorithm {algorithm!r}", hint=f"{ACCEPTED}: 'ES256' or 'EdDSA'"
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
    return public_pem(key)


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
