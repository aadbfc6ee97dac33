"""Token endpoint refusals -> :class:`~paxos_nb.errors.AuthError` with a hint that helps.

The RFC 6749 error code (``invalid_client``, ``invalid_scope``...) decides the hint: the
likely cause for this credential and environment, and where to fix it. Nothing here sends a
request; :mod:`paxos_nb.auth` calls it when the token manager gives up.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import requests

from . import catalog, redact
from .config import Credentials
from .errors import AuthError

__all__ = ["auth_error", "hint_for"]


def auth_error(
    response: requests.Response,
    body: dict[str, Any] | None,
    creds: Credentials,
    scopes: Sequence[str],
    auth_method: str,
    *,
    wait: float | None = None,
) -> AuthError:
    """The :class:`AuthError` for a token answer that is not a token.

    Parameters
    ----------
    response : requests.Response
        The token endpoint's answer (any status but 200, or a 200 that is not JSON).
    body : dict or None
        Its JSON object, when it had one.
    creds, scopes, auth_method
        What was asked, for the hint.
    wait : float, optional
        The server's ``Retry-After`` for a 429, in seconds.
    """
    body = body or {}
    status = response.status_code
    code = body.get("error") if isinstance(body.get("error"), str) else None
    desc = body.get("error_description")
    desc = redact.scrub(desc) if isinstance(desc, str) else ""
    host = creds.token_url
    if status == 429:
        when = (
            f"retry after {wait:.0f} s "
            f"(at {datetime.now(timezone.utc) + timedelta(seconds=wait):%H:%M:%S} UTC)"
            if wait is not None
            else "retry in a few minutes"
        )
        return AuthError(
            f"the token endpoint {host} is rate limiting this IP (429); {when}",
            error=code or "rate_limited",
            status=status,
            hint="Paxos allows 1 token request per second per IP; reuse one session "
            "(one token lasts about an hour) instead of reconnecting",
        )
    if 300 <= status < 400:  # never followed: a 307 would re-send the secret elsewhere
        where = response.headers.get("Location") or "?"
        return AuthError(
            f"the token endpoint {host} redirects (HTTP {status} to {where.split('?')[0]}); "
            "the credentials were not sent on",
            status=status,
            hint="set PAXOS_TOKEN_URL to the token endpoint itself (for sandbox "
            "https://oauth.sandbox.paxos.com/oauth2/token)",
        )
    if code is None:
        ctype = (response.headers.get("Content-Type") or "?").split(";")[0]
        return AuthError(
            f"the token endpoint {host} answered HTTP {status} with {ctype}, "
            "not an OAuth2 JSON response",
            status=status,
            hint="a proxy or outage page; retry later, and check PAXOS_TOKEN_URL"
            if status >= 500
            else "check PAXOS_TOKEN_URL points at the Paxos token endpoint",
        )
    text = f"the token endpoint refused the request: {code} (HTTP {status})"
    if desc:
        text += f": {desc}"
    return AuthError(
        text, error=code, status=status, hint=hint_for(code, desc, creds, scopes, auth_method)
    )


def hint_for(
    code: str | None,
    description: str,
    creds: Credentials,
    scopes: Sequence[str],
    auth_method: str,
) -> str:
    """What to do about an RFC 6749 error ``code`` from the token endpoint."""
    if code == "invalid_client" and any(w in description.lower() for w in ("deleted", "disabled")):
        return (
            "this API credential was deleted or disabled in the Paxos Dashboard; create a new "
            "one (its secret is shown once), put it in .env, and reconnect"
        )
    if code == "invalid_client":
        parts = [
            f"the client id or secret was refused by the {creds.environment} token endpoint",
            "check the secret was copied whole, without spaces or quotes (it is shown once, "
            "when created or rotated)",
            "wrong environment? sandbox and production credentials are separate, and "
            f"this session uses {creds.environment} ({creds.api_host})",
        ]
        parts += [n for n in creds.notes if "stale" in n or "os.environ" in n]
        if auth_method == "basic":
            parts.append("Paxos documents the form-body method: try auth_method='post'")
        return "; ".join(parts)
    if code == "invalid_scope":
        known = {s.scope for s in catalog.scopes()}
        unknown = [s for s in scopes if s not in known]
        named = [s for s in scopes if s in description]
        if unknown:
            return f"not Paxos scopes: {', '.join(unknown)} (see px.scopes.catalog())"
        culprits = named or list(scopes)
        lead = "not allowed" if named else "one of these is not allowed"
        return (
            f"{lead} on this API credential: {', '.join(culprits)}; allow it in the Paxos "
            "Dashboard (Admin › API) or drop it from the requested scopes"
        )
    if code == "unauthorized_client":
        return "this credential may not use the client-credentials grant; check the Dashboard"
    return "check the credentials and the token URL"
