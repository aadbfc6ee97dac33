"""HTTP error answers -> the typed errors of :mod:`paxos_nb.errors`, in one place.

:func:`from_response` reads a problem+json body (RFC 9457; plain JSON and non-JSON bodies
too) and picks the :class:`~paxos_nb.errors.APIError` subclass for the status and problem
type, with a hint saying what to do. :func:`json_body` parses a successful answer, or
raises when it is not JSON (a proxy's login page). Every text is scrubbed of secrets.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .errors import (
    AlreadyExists,
    APIError,
    BadRequest,
    Forbidden,
    NotFound,
    RateLimited,
    ScopeError,
    ServerError,
    Unauthorized,
)
from .redact import scrub
from .retry import parse_retry_after

if TYPE_CHECKING:
    from .catalog import Operation

__all__ = ["from_response", "json_body"]

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
    operation: Operation | None = None,
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
    operation : catalog.Operation, optional
        The operation called: a 400's hint names what its parameters expect.

    Returns
    -------
    APIError
        The subclass matching the status and problem type; bodies that are not JSON
        (an HTML 502 from a proxy) still give a readable error. Secrets are scrubbed.
    """
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
                f"add {missing!r} to the requested scopes (connect(scopes=...) or PAXOS_SCOPES) "
                "and reconnect; if the token endpoint then answers invalid_scope, allow it on "
                "the API credential in the Paxos Dashboard first"
            )
        error = ScopeError(status, title, detail, required=missing, granted=have, **kwargs)
        if missing:  # the short form: the server's detail lists every granted scope
            error.message = f"{_head(error.message)}: insufficient scopes: this token lacks "
            error.message += f"{missing!r} (it has {_scope_list(have)})"
        return error
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
        wait = parse_retry_after(response.headers.get("Retry-After"))
        hint = (
            f"wait {wait:.0f} s before retrying"
            if wait is not None
            else ("Paxos throttles an IP for 5 minutes after a burst; slow down and retry later")
        )
        limited = RateLimited(status, title, detail, retry_after=wait, hint=hint, **kwargs)
        if wait is not None:
            limited.message += f" (the server asks to wait {wait:.0f} s)"
        return limited
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
    if status == 400 and "hint" not in kwargs:
        kwargs["hint"] = _bad_request_hint(detail, operation)
    if status == 501:
        kwargs["hint"] = _not_implemented_hint(detail, operation)
    cls = _STATUS_CLASSES.get(status) or (ServerError if status >= 500 else APIError)
    return cls(status, title, detail, **kwargs)


def _not_implemented_hint(detail: str, op: Operation | None) -> str:
    """What to do when an operation answers 501 (the emulator's "not emulated")."""
    name = f"{op.operation_id} " if op is not None else "this operation "
    if "not emulated" in detail.lower():
        return (
            f"{name}is documented by Paxos but the local emulator does not answer it yet "
            "(docs/emulator.md lists what it covers); with sandbox credentials in a .env, "
            "the same call runs against Paxos"
        )
    return (
        f"the server does not implement {name.strip()} in this environment; check that "
        "PAXOS_ENV names the environment where the operation is available"
    )


def _head(message: str) -> str:
    """``"403 Forbidden (GET /v2/x)"`` of ``"403 Forbidden (GET /v2/x): detail"``."""
    return message.split("): ", 1)[0] + ")" if "): " in message else message.split(":")[0]


def _scope_list(scopes: tuple[str, ...], shown: int = 3) -> str:
    if not scopes:
        return "no scopes"
    if len(scopes) <= shown:
        return ", ".join(scopes)
    return f"{len(scopes)} scopes: {', '.join(scopes[:shown])}, … (err.granted lists them)"


_LIMIT_RANGE = re.compile(r"limit must be between (\d+) and (\d+)")


def _bad_request_hint(detail: str, op: Operation | None) -> str | None:
    """What to do about a 400, from the parameter its detail names."""
    text = detail.lower()
    if "page_cursor" in text:
        return (
            "pass a page's next_page_cursor back unchanged, or let frame(), records() or "
            "pages() follow the pages"
        )
    if "limit" in text:
        found = _LIMIT_RANGE.search(text)
        most = f" (at most {found.group(2)} here)" if found else ""
        return (
            f"limit is the page size{most}; frame() and records() fetch every page, so "
            "leave limit out, or cap the rows with max_rows="
        )
    if "rfc 3339" in text or "timestamp" in text or "date" in text:
        return (
            "write timestamps as RFC 3339 with a time and a zone, e.g. 2025-01-31T00:00:00Z, "
            "or pass a datetime"
        )
    if op is not None:
        from .catalog import schemas

        declared = schemas.for_operation(op.operation_id)
        named = [n for n in (*declared.query, *declared.path) if n.lower() in text]
        if named:
            return (
                f"check {named[0]}: px.catalog.schemas.for_operation({op.operation_id!r}) "
                "shows what each parameter takes"
            )
    return "Paxos refused the request as invalid: fix the value its message names"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def json_body(response: Any) -> Any:
    """The parsed JSON of a successful answer (``{}`` when it is empty).

    Raises
    ------
    APIError
        The answer is not JSON: a proxy or captive portal answered instead of Paxos.
    """
    if not response.content:
        return {}
    try:
        return response.json()
    except ValueError:
        request = response.request
        ctype = (response.headers.get("Content-Type") or "?").split(";")[0]
        raise APIError(
            response.status_code,
            "Unexpected content",
            f"{request.method} {_path_of(request)} answered {ctype}, not JSON",
            request=request,
            response=response,
            hint="a proxy or captive portal may sit between you and Paxos; check the API URL",
        ) from None


def _path_of(request: Any) -> str:
    """The path relative to /v2 (what the user typed), without the query."""
    path = (getattr(request, "path_url", "") or "").split("?", 1)[0]
    return path[3:] if path.startswith("/v2/") else path
