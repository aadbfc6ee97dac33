"""Opaque access tokens: issue, look up, expire, revoke.

Tokens look like Ory Hydra's HMAC tokens, the shape of the one real Paxos sample: two
base64url segments of 43 characters joined by ".". They are random, not JWTs; clients must
treat them as opaque.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

__all__ = ["TokenRecord", "TokenStore", "new_token"]


def new_token() -> str:
    """A fresh Hydra-shaped opaque token (2 x 32 random bytes, base64url)."""
    return f"{secrets.token_urlsafe(32)}.{secrets.token_urlsafe(32)}"


@dataclass
class TokenRecord:
    client_id: str
    scopes: tuple[str, ...]
    expires_at: float  # time.time()
    revoked: bool = False

    def __repr__(self) -> str:  # never the token itself; the record does not hold it anyway
        return (
            f"TokenRecord(client_id={self.client_id!r}, scopes=<{len(self.scopes)}>, "
            f"expires_at={self.expires_at:.0f}, revoked={self.revoked})"
        )


class TokenStore:
    """Thread-safe token table. Expired and revoked tokens are remembered for a while so
    a request with one gets a precise error ("token expired", "token revoked")."""

    _FORGET_AFTER = 3600.0  # seconds past expiry before a record is dropped

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, TokenRecord] = {}
        self._next_sweep = time.time() + self._FORGET_AFTER

    def issue(self, token: str, client_id: str, scopes: tuple[str, ...], lifetime: float) -> None:
        now = time.time()
        with self._lock:
            self._tokens[token] = TokenRecord(client_id, tuple(scopes), now + lifetime)
            if now >= self._next_sweep:
                cutoff = now - self._FORGET_AFTER
                self._tokens = {t: r for t, r in self._tokens.items() if r.expires_at > cutoff}
                self._next_sweep = now + self._FORGET_AFTER

    def lookup(self, token: str) -> tuple[TokenRecord | None, str]:
        """(record, "") for a usable token, else (record or None, reason)."""
        record = self._tokens.get(token)
        if record is None:
            return None, "invalid token"
        if record.revoked:
            return record, "token revoked"
        if record.expires_at <= time.time():
            return record, "token expired"
        return record, ""

    def revoke(self, client_id: str | None = None, token: str | None = None) -> int:
        """Revoke one token, a client's tokens, or (no arguments) every token; returns count."""
        n = 0
        with self._lock:
            if token is not None:
                targets = [self._tokens[token]] if token in self._tokens else []
            else:
                targets = [
                    r
                    for r in self._tokens.values()
                    if client_id is None or r.client_id == client_id
                ]
            for record in targets:
                if not record.revoked:
                    record.revoked = True
                    n += 1
        return n

    def __len__(self) -> int:
        return len(self._tokens)
