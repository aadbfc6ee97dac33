"""One exception hierarchy for paxos_nb. Every error says what went wrong and what to do.

::

    PaxosError
    ├── ConfigError (ValueError)            bad .env, argument, URL, environment or key file
    │   ├── UnknownNameError (KeyError)     unknown scope / operation / preset; .closest
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
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "APIError",
    "AlreadyExists",
    "AuthError",
    "BadRequest",
    "ConfigError",
    "Forbidden",
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

    def _repr_html_(self) -> str:
        from .display import error_html

        return error_html(self)


class ConfigError(PaxosError, ValueError):
    """Configuration that cannot work: a missing or malformed value, an unsafe URL."""


class UnknownNameError(ConfigError, KeyError):
    """A name not in the catalog; ``closest`` lists the nearest known names."""

    def __init__(self, kind: str, name: str, closest: list[str] | tuple[str, ...] = ()) -> None:
        self.kind, self.name, self.closest = kind, name, tuple(closest)
        hint = f"did you mean {' or '.join(map(repr, self.closest))}?" if self.closest else None
        super().__init__(f"unknown {kind} {name!r}", hint=hint)

    __str__ = PaxosError.__str__  # KeyError would repr() the message


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


# -- building errors from HTTP answers --------------------------------------------------------

_SCOPE_REQUIRED = re.compile(
    r"required\s+one\s+of\s*[:=]?\s*['\"]?\[?\s*([^\]'\"]+?)\s*\]?['\"]?\s*$"
)
_SCOPE_FOUND = re.compile(r"found\s*[:=]?\s*['\"]([^'\"]*)['\"]")
_STATUS_CLASSES: dict[int, type[APIError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    429: RateLimited,
}


def from_response(
    response: Any,
    *,
    granted: tuple[str, ...] | list[str] = (),
    required: str | None = None,
) -> APIError:
    """The typed :class:`APIError` for an HTTP error answer (problem+json or plain JSON).

    Parameters
    ----------
    response : requests.Response
        The error answer; its ``.request`` names the call in the message.
    granted : sequence of str
        Scopes the token carries, used when a 403 does not list them.
    required : str, optional
        The scope the catalog says the operation needs, used when a 403 does not say.

    Returns
    -------
    APIError
        The subclass matching the status and problem type; bodies that are not JSON
        (an HTML 502 from a proxy) still give a readable error. Secrets are scrubbed.
    """
    from .redact import scrub

    status = int(getattr(response, "status_code", 0) or 0)
    body: Any = None
    try:
        body = response.json()
    except Exception:  # not JSON: keep a short, scrubbed piece of the text
        body = None
    if not isinstance(body, dict):
        body = {}
    ctype = (response.headers.get("Content-Type") or "").split(";")[0].strip()
    title = _text(body.get("title")) or getattr(response, "reason", "") or ""
    detail = _text(body.get("detail") or body.get("message") or body.get("error_description"))
    if not body:
        text = " ".join((getattr(response, "text", "") or "").split())[:160]
        detail = f"non-JSON answer ({ctype or 'no content type'}): {text}".rstrip(": ")
    ptype = _text(body.get("type")) or "about:blank"
    meta = body.get("meta") if isinstance(body.get("meta"), dict) else None
    title, detail = scrub(title), scrub(detail)
    kwargs: dict[str, Any] = {
        "type": ptype,
        "meta": meta,
        "request": getattr(response, "request", None),
        "response": response,
    }
    if status == 403 and "insufficient scope" in detail.lower():
        found = _SCOPE_FOUND.search(detail)
        need = _SCOPE_REQUIRED.search(detail)
        have = tuple(found.group(1).replace(",", " ").split()) if found else tuple(granted)
        have = have or tuple(granted)
        missing = need.group(1).split(",")[0].strip() if need else required
        if missing:
            kwargs["hint"] = (
                f"this token lacks {missing!r} (it has: {', '.join(have) or 'no scopes'}); "
                f"add {missing!r} to the requested scopes (connect(scopes=...) or PAXOS_SCOPES) "
                "and reconnect; if the token endpoint then answers invalid_scope, allow it on "
                "the API credential in the Paxos Dashboard first"
            )
        return ScopeError(status, title, detail, required=missing, granted=have, **kwargs)
    if status == 409 and (
        ptype.rstrip("/").lower().endswith("already-exists")
        or title.lower().replace(" ", "") == "alreadyexists"
        or (meta is not None and "existing" in meta)
    ):
        kwargs["hint"] = (
            "this ref_id was used before: `.existing` holds what it created (if that is this "
            "request, it already succeeded); a new request needs a new ref_id"
        )
        return AlreadyExists(status, title, detail, **kwargs)
    if status == 429:
        from .transport import parse_retry_after

        wait = parse_retry_after(response.headers.get("Retry-After"))
        hint = (
            f"wait {wait:.0f} s before retrying"
            if wait is not None
            else ("Paxos throttles an IP for 5 minutes after a burst; slow down and retry later")
        )
        return RateLimited(status, title, detail, retry_after=wait, hint=hint, **kwargs)
    if status == 403 and ("allowlist" in detail.lower() or "allowed ip" in detail.lower()):
        kwargs["hint"] = (
            "this API credential accepts requests only from its allowed IP ranges: add this "
            "machine's public IP (px.cidr('<your IP>') gives the CIDR form) under API "
            "Credentials in the Paxos Dashboard, or call from an allowed network"
        )
    if status == 401 and "signature" in detail.lower():
        kwargs["hint"] = (
            "Paxos refused the request signature: check the computer's clock (a signature is "
            "accepted for 30 minutes), that PAXOS_SIGNING_KID is the id the Dashboard shows "
            "for this key, and that the key file matches the public key uploaded there"
        )
    elif status == 401:
        kwargs["hint"] = (
            "the token was refused (missing, expired, revoked, or a request-signing problem); "
            "paxos_nb renews the token once on a 401, so check the credential in the Dashboard"
        )
    cls = _STATUS_CLASSES.get(status) or (ServerError if status >= 500 else APIError)
    return cls(status, title, detail, **kwargs)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))
