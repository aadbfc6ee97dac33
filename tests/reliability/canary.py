"""The canary scan's pieces: canary credentials, the encoded forms searched, the scanner.

Kept apart from the test so the scanner itself can be tested (a planted canary must be
found in every form) and so the forms are computed here, independently of
``paxos_nb.redact`` (the code under test).
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

import nbformat
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

MIN_FORM = 16  # shorter fragments would match ordinary text by chance


# -- canary values ----------------------------------------------------------------------------


def canary_secret(tag: str, *, exotic: bool = True) -> str:
    """A unique secret; ``exotic`` adds characters that JSON, URLs and .env files escape."""
    core = f"cnry{tag}{secrets.token_hex(12)}"
    return (
        f'{core}+/="\\&%{secrets.token_hex(4)}' if exotic else f"{core}+/=&%{secrets.token_hex(4)}"
    )


@dataclass(frozen=True)
class CanaryKey:
    """A P-256 signing key: the private PEM (the canary) and the public PEM (for the client)."""

    private_pem: str
    public_pem: str
    key: ec.EllipticCurvePrivateKey


def canary_key() -> CanaryKey:
    key = ec.generate_private_key(ec.SECP256R1())
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return CanaryKey(private_pem, public_pem, key)


# -- the forms searched -----------------------------------------------------------------------


def _b64(data: bytes, urlsafe: bool) -> str:
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    return encode(data).decode()


def forms(secret: str) -> dict[str, str]:
    """``{form name: text}``: raw, JSON-escaped, repr, URL-encoded and base64 forms of ``secret``.

    Base64 is searched alone (padding stripped) and inside a longer base64 text at each of
    the three byte alignments (as in an HTTP Basic header of ``id:secret``), using only the
    characters that depend on the secret's bytes alone.
    """
    raw = secret.encode()
    out = {
        "raw": secret,
        "json": json.dumps(secret)[1:-1],
        "json-ascii": json.dumps(secret, ensure_ascii=True)[1:-1],
        "repr": repr(secret)[1:-1],  # how a dict or tuple holding the secret prints
        "url": quote(secret),
        "url-all": quote(secret, safe=""),
        "url-plus": quote_plus(secret),
    }
    for urlsafe in (False, True):
        name = "base64url" if urlsafe else "base64"
        out[name] = _b64(raw, urlsafe).rstrip("=")
        for pad in (1, 2):
            text = _b64(b"\0" * pad + raw, urlsafe)
            first, last = 1, (pad + len(raw)) // 3  # whole 3-byte groups of the secret only
            out[f"{name}+{pad}"] = text[4 * first : 4 * last]
    return {name: text for name, text in out.items() if len(text) >= MIN_FORM}


def key_needles(key: CanaryKey) -> dict[str, str]:
    """Texts that reveal the private key: PEM lines (PKCS#8 and traditional), DER, scalar."""
    out: dict[str, str] = {}
    formats = {
        "pkcs8": serialization.PrivateFormat.PKCS8,
        "traditional": serialization.PrivateFormat.TraditionalOpenSSL,
    }
    for name, fmt in formats.items():
        pem = key.key.private_bytes(
            serialization.Encoding.PEM, fmt, serialization.NoEncryption()
        ).decode()
        body = [line for line in pem.splitlines() if line and "-----" not in line]
        for i, line in enumerate(body):
            out[f"pem-{name}-line{i}"] = line
        der = key.key.private_bytes(serialization.Encoding.DER, fmt, serialization.NoEncryption())
        out[f"der-{name}"] = base64.b64encode(der).decode()
    scalar = key.key.private_numbers().private_value
    out["scalar-hex"] = f"{scalar:064x}"
    out["scalar-dec"] = str(scalar)
    out["jwk-d"] = base64.urlsafe_b64encode(scalar.to_bytes(32, "big")).decode().rstrip("=")
    return {name: text for name, text in out.items() if len(text) >= MIN_FORM}


# -- the scanner ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    where: str  # the scanned text (file or stream)
    needle: str  # which secret (a label, never the value)
    form: str  # which encoding of it

    def __str__(self) -> str:
        return f"{self.where}: {self.needle} ({self.form})"


def needles_of(named_secrets: Mapping[str, str]) -> dict[tuple[str, str], str]:
    """``{(secret label, form): text}`` for every secret and each of its forms."""
    out: dict[tuple[str, str], str] = {}
    for label, secret in named_secrets.items():
        for form, text in forms(secret).items():
            out[(label, form)] = text
    return out


def scan(texts: Mapping[str, str], needles: Mapping[tuple[str, str], str]) -> list[Hit]:
    """Every (text, needle) pair where the needle occurs."""
    return [
        Hit(where, label, form)
        for where, text in texts.items()
        for (label, form), needle in needles.items()
        if needle in text
    ]


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def notebook_texts(path: Path) -> dict[str, str]:
    """What an executed notebook shows: outputs, metadata and widget state.

    Two views: the file as stored (JSON-escaped) and every string decoded from it. Cell
    sources are left out: they are the author's input, and canary values are only ever
    given through the environment, so a canary there could only come from an output
    pasted back into the source.
    """
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.source = ""
    stored = nbformat.writes(nb)
    return {
        f"{path.name} (file)": stored,
        f"{path.name} (decoded)": "\n".join(_strings(json.loads(stored))),
    }


def sources_of(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(cell.source for cell in nb.cells)


def read_recorded(files: Iterable[Path]) -> list[dict[str, str]]:
    """The side-file records of ``canary_hooks``: ``{"pid", "kind", "value"}`` dicts."""
    out = []
    for file in files:
        if file.exists():
            out += [json.loads(line) for line in file.read_text().splitlines() if line]
    return out
