"""One exception hierarchy for paxos_nb. Every error says what went wrong and what to do.

::

    PaxosError
    ├── ConfigError (ValueError)            bad .env, argument, URL, environment or key file
    │   ├── UnknownNameError (KeyError)     unknown scope / operation / preset; .closest
    │   ├── InvalidRequest                  a parameter or body the operation does not take,
    │   │                                   found before sending: .operation .field .closest
    │   └── SigningKeyError                 unusable signing key (curve, type, passphrase)
    ├── AuthError                           the token endpoint refused: .error (RFC 6749), .hint
    ├── TransportError (ConnectionError)    no usable HTTP answer after the retries
    ├── WriteNotAllowed (PermissionError)   a production write without allow_writes=True
    ├── PaginationError (RuntimeError)      a repeated cursor or runaway paging
    └── APIError                            an HTTP error answer (problem+json): .status
        │                                   .type .title .detail .meta .request .response
        ├── BadRequest                      400
        ├── Unauthorized                    401 (token missing, invalid, expired or revoked)
        ├── Forbidden                       403 other than a missing scope (funds, signing, IP)
        │   └── ScopeError                  403 missing scope: .required, .granted
        ├── NotFound                        404
        ├── AlreadyExists                   409 already-exists: .existing
        ├── RateLimited                     429: .retry_after (seconds or None)
        └── ServerError                     5xx

Exceptions subclass built-ins where one fits, so existing ``except ValueError`` blocks
keep working. No message ever contains a secret (client secret, token, private key).

This module imports nothing from paxos_nb: every other module may raise these errors.
Building the right error from an HTTP answer is :func:`paxos_nb.problems.from_response`;
the notebook's HTML box for an error is drawn by :mod:`paxos_nb.display`. The warnings
(:class:`~paxos_nb.notices.PaxosWarning`) live in :mod:`paxos_nb.notices`.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIError",
    "AlreadyExists",
    "AuthError",
    "BadRequest",
    "ConfigError",
    "Forbidden",
    "InvalidRequest",
    "NotFound",
    "PaginationError",
    "PaxosError",
    "RateLimited",
    "ScopeError",
    "ServerError",
    "SigningKeyError",
    "TransportError",
    "Unauthorized",
    "UnknownNameError",
    "WriteNotAllowed",
]


class PaxosError(Exception):
    """Base class of every paxos_nb error. ``hint`` says what to do next, when known."""

    hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class ConfigError(PaxosError, ValueError):
    """Configuration that cannot work: a missing or malformed value, an unsafe URL."""


class UnknownNameError(ConfigError, KeyError):
    """A name not in the catalog; ``closest`` lists the nearest known names."""

    def __init__(self, kind: str, name: str, closest: list[str] | tuple[str, ...] = ()) -> None:
        self.kind, self.name, self.closest = kind, name, tuple(closest)
        hint = f"did you mean {' or '.join(map(repr, self.closest))}?" if self.closest else None
        super().__init__(f"unknown {kind} {name!r}", hint=hint)

    __str__ = PaxosError.__str__  # KeyError would repr() the message


class InvalidRequest(ConfigError):
    """A request the catalog says cannot work, refused before it is sent: an unknown
    parameter (``closest`` names the nearest real ones), an impossible value, or a JSON
    body that breaks the operation's schema. ``field`` is the parameter or body field."""

    def __init__(
        self,
        message: str,
        *,
        operation: str = "",
        field: str = "",
        closest: list[str] | tuple[str, ...] = (),
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.operation, self.field, self.closest = operation, field, tuple(closest)


class SigningKeyError(ConfigError):
    """A signing key that Paxos would not accept, found when the key is loaded."""


class AuthError(PaxosError):
    """The token endpoint refused the request. ``error`` is the RFC 6749 code."""

    def __init__(
        self,
        message: str,
        *,
        error: str | None = None,
        status: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.error, self.status = error, status


class TransportError(PaxosError, ConnectionError):
    """The server could not be reached, or kept failing, after the allowed retries."""


class WriteNotAllowed(PaxosError, PermissionError):
    """A write to production without ``allow_writes=True``."""


class PaginationError(PaxosError, RuntimeError):
    """Paging cannot finish: the server repeated a cursor or returned too many pages."""


class APIError(PaxosError):
    """An error answer from the API, parsed from its problem+json body."""

    def __init__(
        self,
        status: int,
        title: str = "",
        detail: str = "",
        *,
        type: str = "about:blank",
        meta: dict[str, Any] | None = None,
        request: Any = None,
        response: Any = None,
        hint: str | None = None,
    ) -> None:
        self.status, self.title, self.detail = status, title, detail
        self.type, self.meta = type, dict(meta or {})
        self.request, self.response = request, response
        where = ""
        if request is not None and getattr(request, "method", None):
            where = f" ({request.method} {_path_of(request)})"
        text = f"{status} {title}".strip() + where
        super().__init__(f"{text}: {detail}" if detail else text, hint=hint)


def _path_of(request: Any) -> str:
    url = getattr(request, "path_url", None) or getattr(request, "url", "") or ""
    return str(url).split("?", 1)[0]


class BadRequest(APIError):
    """400: the request was malformed or failed validation."""


class Unauthorized(APIError):
    """401: no token, or an invalid, expired or revoked one."""


class Forbidden(APIError):
    """403 for a reason other than a missing scope (funds, signing, IP allowlist...)."""


class ScopeError(Forbidden):
    """403: the token lacks the scope the operation needs."""

    def __init__(
        self,
        status: int,
        title: str = "",
        detail: str = "",
        *,
        required: str | None = None,
        granted: tuple[str, ...] | list[str] = (),
        **kwargs: Any,
    ) -> None:
        self.required, self.granted = required, tuple(granted)
        kwargs.setdefault(
            "hint",
            f"allow {required!r} on the API credential in the Paxos Dashboard, add it to the "
            "requested scopes (PAXOS_SCOPES or connect(scopes=...)), then reconnect"
            if required
            else None,
        )
        super().__init__(status, title, detail, **kwargs)


class NotFound(APIError):
    """404: no such resource (or not visible to this credential)."""


class AlreadyExists(APIError):
    """409 already-exists: ``existing`` holds the resource created earlier with this ref_id."""

    @property
    def existing(self) -> dict[str, Any] | None:
        return self.meta.get("existing")


class RateLimited(APIError):
    """429: too many requests. ``retry_after`` is the server's wait in seconds, if it sent one."""

    def __init__(self, status: int = 429, *args: Any, retry_after: float | None = None, **kw: Any):
        self.retry_after = retry_after
        super().__init__(status, *args, **kw)


class ServerError(APIError):
    """5xx: the server failed; GETs are retried before this is raised."""
