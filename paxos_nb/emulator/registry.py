"""API credentials as the Paxos Dashboard keeps them (Admin > API > API Credentials).

A client has an id, a secret, a nickname, the scopes it may request, an optional IP
allowlist (CIDR), public keys for request signing (ES256 on P-256 or EdDSA on Ed25519)
and the ``enforce_request_signing`` switch. :meth:`ApiClient.as_paxos` renders one the
way ``GET /v2/api-creds/credentials`` lists it (``FirstPartyClient``): never the secret.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import ipaddress
import secrets
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from .. import catalog

__all__ = ["ALL_SCOPES", "ApiClient", "ClientSpecError", "PublicKey", "Registry"]

ALL_SCOPES: tuple[str, ...] = tuple(s.scope for s in catalog.scopes())
_KNOWN_SCOPES = frozenset(ALL_SCOPES)
_NAMESPACE = uuid.UUID("5b0f4f5e-3c1c-4b8e-9a55-7061786f732d")  # ids derive from it


class ClientSpecError(ValueError):
    """A client definition is invalid; ``field`` names the offending field."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class PublicKey:
    """One registered public key; ``id`` is the ``kid`` a Paxos-Signature JWS names."""

    id: str
    client_id: str
    algorithm: str  # "ES256" or "EdDSA": the JWS alg this key verifies
    public_key: str  # PEM (SubjectPublicKeyInfo)
    active: bool = True
    nickname: str = ""
    key: Any = field(default=None, repr=False, compare=False)  # cryptography key object

    def as_paxos(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "client_id": self.client_id,
            "algorithm": self.algorithm,
            "public_key": self.public_key,
            "active": self.active,
            "nickname": self.nickname,
        }


@dataclass(frozen=True)
class ApiClient:
    """One API credential. The repr masks the secret; give it to nobody."""

    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...]
    nickname: str = ""
    ip_allowlist: tuple[str, ...] = ()
    public_keys: tuple[PublicKey, ...] = ()
    enforce_request_signing: bool = False
    status: str = "APPROVED"
    id: str = ""
    customer_id: str = ""
    created_by: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    networks: tuple[Any, ...] = field(default=(), repr=False, compare=False)
    # A first-party (1P) integration ledgers for itself: sending identity_id is a 403
    # (docs.paxos.com, "identity_id forbidden for first-party customers"); 3P by default.
    first_party: bool = False

    def __repr__(self) -> str:
        scopes = (
            "<all scopes>" if set(self.scopes) == _KNOWN_SCOPES else f"<{len(self.scopes)} scopes>"
        )
        return (
            f"ApiClient(client_id={self.client_id!r}, client_secret='********', "
            f"scopes={scopes}, nickname={self.nickname!r}, ip_allowlist={list(self.ip_allowlist)}, "
            f"key_ids={list(self.key_ids)}, enforce_request_signing={self.enforce_request_signing},"
            f" status={self.status!r})"
        )

    @property
    def key_ids(self) -> tuple[str, ...]:
        """The ``kid`` of each public key, in the order they were given."""
        return tuple(k.id for k in self.public_keys)

    def key(self, kid: str) -> PublicKey | None:
        for k in self.public_keys:
            if k.id == kid:
                return k
        return None

    def allows_ip(self, address: str) -> bool:
        """True when there is no allowlist or ``address`` is inside one of its networks."""
        if not self.networks:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        if ip.version == 6 and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in net for net in self.networks)

    def as_paxos(self) -> dict[str, Any]:
        """``FirstPartyClient`` as the API lists it (no secret)."""
        return {
            "id": self.id,
            "customer_id": self.customer_id,
            "client_id": self.client_id,
            "client_public_keys": [k.as_paxos() for k in self.public_keys],
            "status": self.status,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "nickname": self.nickname,
            "ip_allowlist": list(self.ip_allowlist),
            "enforce_request_signing": self.enforce_request_signing,
            "client_scopes": list(self.scopes),
            "created_by": self.created_by,
        }


def parse_scopes(scopes: Iterable[str] | str | None, field_name: str = "scopes") -> tuple[str, ...]:
    """Validated scopes in the given order (duplicates dropped); None means all 60."""
    if scopes is None:
        return ALL_SCOPES
    items = scopes.split() if isinstance(scopes, str) else list(scopes)
    out: list[str] = []
    for s in items:
        if not isinstance(s, str):
            raise ClientSpecError(field_name, f"scopes are strings, got {type(s).__name__}")
        if s not in _KNOWN_SCOPES:
            near = difflib.get_close_matches(s, ALL_SCOPES, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else "; `paxos-nb scopes` lists them"
            raise ClientSpecError(field_name, f"unknown scope {s!r}{hint}")
        if s not in out:
            out.append(s)
    return tuple(out)


def parse_allowlist(cidrs: Iterable[str] | None, field_name: str = "ip_allowlist") -> tuple:
    """(normalized CIDR strings, ip_network objects); an empty list allows every IP."""
    if isinstance(cidrs, str):
        raise ClientSpecError(field_name, "give a list of CIDR blocks, e.g. ['10.0.0.0/8']")
    texts, nets = [], []
    for i, text in enumerate(cidrs or ()):
        try:
            net = ipaddress.ip_network(str(text).strip(), strict=True)
        except ValueError as exc:
            hint = ""
            with contextlib.suppress(ValueError):
                hint = f"; did you mean {ipaddress.ip_network(str(text), strict=False)}?"
            raise ClientSpecError(
                f"{field_name}[{i}]", f"{text!r} is not a CIDR block ({exc}){hint}"
            ) from None
        texts.append(str(net))
        nets.append(net)
    return tuple(texts), tuple(nets)


def _load_key(pem: Any, where: str) -> tuple[Any, str, str]:
    if not isinstance(pem, str | bytes):
        raise ClientSpecError(where, f"expected a PEM string, got {type(pem).__name__}")
    text = pem.decode() if isinstance(pem, bytes) else pem
    if "PRIVATE KEY" in text:
        # Never echo the text: it is a private key.
        raise ClientSpecError(
            where, "this is a PRIVATE key; register only its public key and keep the private one"
        )
    try:
        key = serialization.load_pem_public_key(text.encode())
    except (ValueError, TypeError):
        raise ClientSpecError(
            where, "not a PEM public key (expected '-----BEGIN PUBLIC KEY-----' ...)"
        ) from None
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        alg = "ES256"
    elif isinstance(key, ed25519.Ed25519PublicKey):
        alg = "EdDSA"
    else:
        kind = type(key).__name__.replace("_", "")
        curve = getattr(getattr(key, "curve", None), "name", "")
        size = getattr(key, "key_size", "")
        raise ClientSpecError(
            where,
            f"unsupported key type {kind} {curve or size}".rstrip()
            + "; Paxos accepts only ES256 (EC P-256) or EdDSA (Ed25519) public keys",
        )
    spki = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key, alg, spki.decode()


def parse_keys(
    client_id: str, keys: Iterable[Any] | None, field_name: str = "public_keys"
) -> tuple[PublicKey, ...]:
    """Public keys from PEM strings or ``ClientPublicKey``-shaped dicts."""
    if isinstance(keys, str | bytes):
        raise ClientSpecError(field_name, "give a list of PEM strings, not one string")
    out: list[PublicKey] = []
    for i, item in enumerate(keys or ()):
        where = f"{field_name}[{i}]"
        spec = dict(item) if isinstance(item, Mapping) else {"public_key": item}
        unknown = set(spec) - {"public_key", "id", "nickname", "active", "algorithm", "client_id"}
        if unknown:
            raise ClientSpecError(where, f"unknown field(s) {sorted(unknown)}")
        if "public_key" not in spec:
            raise ClientSpecError(where, "missing 'public_key' (a PEM string)")
        key, alg, pem = _load_key(spec["public_key"], f"{where}.public_key")
        if spec.get("algorithm") not in (None, "", alg):
            raise ClientSpecError(
                f"{where}.algorithm", f"says {spec['algorithm']!r} but the key is {alg}"
            )
        digest = hashlib.sha256(pem.encode()).hexdigest()
        kid = str(spec.get("id") or uuid.uuid5(_NAMESPACE, f"key:{client_id}:{digest}"))
        if any(k.id == kid for k in out):
            raise ClientSpecError(where, f"duplicate key id {kid!r} (same key twice?)")
        active = spec.get("active", True)
        if not isinstance(active, bool):
            raise ClientSpecError(f"{where}.active", "must be true or false")
        nickname = str(spec.get("nickname") or f"key-{i + 1}")
        out.append(PublicKey(kid, client_id, alg, pem, active, nickname, key))
    return tuple(out)


def build_client(
    client_id: str | None = None,
    client_secret: str | None = None,
    scopes: Iterable[str] | str | None = None,
    ip_allowlist: Iterable[str] | None = None,
    public_keys: Iterable[Any] = (),
    enforce_request_signing: bool = False,
    nickname: str | None = None,
    *,
    status: str = "APPROVED",
    id: str | None = None,  # the FirstPartyClient field name
    customer_id: str | None = None,
    created_by: str = "paxos-nb emulator",
    now: datetime | None = None,
    first_party: bool = False,
) -> ApiClient:
    """Validate one client definition; raises :class:`ClientSpecError` naming the field."""
    client_id = str(uuid.uuid4()) if client_id is None else client_id
    if not isinstance(client_id, str) or not client_id or not client_id.isprintable():
        raise ClientSpecError("client_id", "must be a non-empty printable string")
    if any(c.isspace() for c in client_id) or ":" in client_id:
        raise ClientSpecError("client_id", "must not contain spaces or ':'")
    if client_secret is None:
        client_secret = secrets.token_urlsafe(32)
    if not isinstance(client_secret, str) or len(client_secret) < 8:
        raise ClientSpecError("client_secret", "must be a string of at least 8 characters")
    if not isinstance(enforce_request_signing, bool):
        raise ClientSpecError("enforce_request_signing", "must be true or false")
    if status not in ("APPROVED", "DISABLED"):
        raise ClientSpecError("status", "must be 'APPROVED' or 'DISABLED'")
    if not isinstance(first_party, bool):
        raise ClientSpecError("first_party", "must be true (1P) or false (3P)")
    texts, nets = parse_allowlist(ip_allowlist)
    keys = parse_keys(client_id, public_keys)
    if enforce_request_signing and not any(k.active for k in keys):
        raise ClientSpecError(
            "enforce_request_signing", "needs at least one active public key to verify signatures"
        )
    now = now or datetime.now(timezone.utc)
    return ApiClient(
        client_id=client_id,
        client_secret=client_secret,
        scopes=parse_scopes(scopes),
        nickname=str(nickname if nickname is not None else client_id),
        ip_allowlist=texts,
        public_keys=keys,
        enforce_request_signing=enforce_request_signing,
        status=status,
        id=id or str(uuid.uuid5(_NAMESPACE, f"client:{client_id}")),
        customer_id=customer_id or str(uuid.uuid5(_NAMESPACE, "customer")),
        created_by=created_by,
        created_at=now,
        updated_at=now,
        networks=nets,
        first_party=first_party,
    )


class Registry:
    """Thread-safe store of API clients, keyed by ``client_id``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[str, ApiClient] = {}

    def add(self, client: ApiClient) -> ApiClient:
        with self._lock:
            if client.client_id in self._clients:
                raise ValueError(f"a client with client_id {client.client_id!r} already exists")
            self._clients[client.client_id] = client
        return client

    def get(self, client_id: str) -> ApiClient | None:
        return self._clients.get(client_id)

    def clients(self) -> list[ApiClient]:
        with self._lock:
            return list(self._clients.values())

    def disable(self, client_id: str, now: datetime | None = None) -> ApiClient:
        """Mark a client DISABLED (what deleting credentials does); KeyError if unknown."""
        with self._lock:
            client = self._clients[client_id]
            client = replace(
                client, status="DISABLED", updated_at=now or datetime.now(timezone.utc)
            )
            self._clients[client_id] = client
        return client

    def __len__(self) -> int:
        return len(self._clients)
