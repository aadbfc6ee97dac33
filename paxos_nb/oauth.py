"""One client-credentials token request on requests-oauthlib, and what its answer needs.

:func:`oauth2_session` builds the ``OAuth2Session(client=BackendApplicationClient(...))``
the token manager (and the token-flow tutorial) uses; :func:`fetch_token_once` sends one
token request, always with ``scope``. Two hooks run on the answer:

* :func:`inspect_token_response` (a response hook) registers every token with
  :mod:`paxos_nb.redact` before requests-oauthlib logs the body at DEBUG, and leaves
  ``fetch_token`` with :class:`TokenHTTPError` for any answer that is not a 200 JSON object;
* :func:`normalise_expiry` (a compliance hook) makes ``expires_in`` a number or drops it.

When the granted scopes differ from the requested ones oauthlib raises a bare ``Warning``
(unless the process-wide ``OAUTHLIB_RELAX_TOKEN_SCOPE`` is set, which we never do): the
answer is taken from it, and the difference is reported on the token.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable
from typing import Any

import requests
from oauthlib.oauth2 import BackendApplicationClient, OAuth2Error
from requests_oauthlib import OAuth2Session

from . import redact
from .config import Credentials
from .errors import AuthError
from .token_errors import hint_for
from .transport import SafeSession, https_alias

__all__ = [
    "AUTH_METHODS",
    "TokenHTTPError",
    "fetch_token_once",
    "inspect_token_response",
    "normalise_expiry",
    "oauth2_session",
    "whole_seconds",
]

logger = logging.getLogger(__name__)
# How the client id and secret reach the token endpoint: the form body (what Paxos
# documents) or HTTP Basic.
AUTH_METHODS = ("post", "basic")


class TokenHTTPError(Exception):
    """Raised by the response hook to leave ``fetch_token`` with the HTTP details."""

    def __init__(self, response: requests.Response, body: dict[str, Any] | None) -> None:
        super().__init__(response.status_code)
        self.response, self.body = response, body


def oauth2_session(
    creds: Credentials, scopes: Iterable[str], *, session: SafeSession | None = None
) -> tuple[OAuth2Session, str]:
    """A requests-oauthlib session for the client-credentials grant, and the URL to fetch from.

    This is the session :class:`~paxos_nb.auth.TokenManager` uses; the token-flow tutorial
    drives it by hand: ``oauth.fetch_token(url, client_secret=..., include_client_id=True,
    scope=scopes)``. oauthlib refuses plain http, so a loopback http token URL (the emulator)
    is returned as an https alias that paxos_nb's adapter serves over plain http; no
    process-wide ``OAUTHLIB_INSECURE_TRANSPORT``. Any other URL is returned unchanged.

    Parameters
    ----------
    creds : Credentials
    scopes : iterable of str
    session : SafeSession, optional
        Whose connection pool (adapter) the token requests share.

    Returns
    -------
    (OAuth2Session, str)
    """
    http = session or SafeSession()
    wanted: list[object] = list(scopes)
    oauth = OAuth2Session(
        client=BackendApplicationClient(client_id=creds.client_id or "", scope=wanted),
        scope=wanted,
    )
    oauth.mount("https://", http.adapter)  # one pool for tokens and API calls
    oauth.mount("http://", http.adapter)
    oauth.headers["User-Agent"] = http.headers["User-Agent"]
    oauth.trust_env = http.trust_env
    return oauth, https_alias(creds.token_url or "", http.adapter)


def inspect_token_response(response: requests.Response, *args: Any, **kwargs: Any) -> Any:
    """Response hook: register tokens before anything logs them; refuse anything but a 200
    JSON object (raises :class:`TokenHTTPError`)."""
    try:
        body = json.loads(response.text) if response.content else None
    except ValueError:
        body = None
    if isinstance(body, dict):
        redact.register(body.get("access_token"), body.get("refresh_token"), body.get("id_token"))
    if response.status_code != 200 or not isinstance(body, dict):
        raise TokenHTTPError(response, body if isinstance(body, dict) else None)
    return response


def normalise_expiry(response: requests.Response) -> requests.Response:
    """Compliance hook: make ``expires_in`` a number, or drop it when it is unusable."""
    body = json.loads(response.text)
    value = body.get("expires_in")
    fixed: float | None
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        fixed = value
    else:
        try:
            fixed = float(str(value).strip())
        except ValueError:
            fixed = None
    if fixed is not None and not (0 < fixed < 10 * 365 * 86400):
        fixed = None
    if fixed != value or (value is not None and fixed is None):
        if fixed is None:
            body.pop("expires_in", None)
            logger.warning("token response has an unusable expires_in; renewing on 401 only")
        else:
            body["expires_in"] = int(fixed) if float(fixed).is_integer() else fixed
        response._content = json.dumps(body).encode()  # the documented compliance-fix idiom
    elif value is None:
        logger.warning("token response has no expires_in; renewing on 401 only")
    return response


def fetch_token_once(
    oauth: OAuth2Session,
    url: str,
    creds: Credentials,
    scopes: tuple[str, ...],
    *,
    auth_method: str,
    timeout: float,
) -> dict[str, Any]:
    """Send one token request; the token answer as a dict.

    Raises
    ------
    TokenHTTPError
        An HTTP answer that is not a 200 JSON object (the caller retries or explains it).
    AuthError
        An OAuth2 error body with a 200, or a body oauthlib cannot read.
    requests.RequestException
        No answer (the caller retries).
    """
    kwargs: dict[str, Any] = {"timeout": timeout, "scope": list(scopes)}
    secret = creds.client_secret or ""
    if auth_method == "basic":
        kwargs["auth"] = requests.auth.HTTPBasicAuth(creds.client_id or "", secret)
        kwargs["include_client_id"] = False
    else:
        kwargs["include_client_id"] = True
        kwargs["client_secret"] = secret
    try:
        return dict(oauth.fetch_token(url, **kwargs))
    except OAuth2Error as exc:  # an error body with a 200, or a body oauthlib rejects
        raise AuthError(
            f"the token endpoint refused the request: {exc.error}"
            + (f" ({redact.scrub(exc.description)})" if exc.description else ""),
            error=exc.error,
            status=exc.status_code,
            hint=hint_for(exc.error, "", creds, scopes, auth_method),
        ) from None
    except Warning as warning:  # granted scopes differ from requested: report, not fail
        return dict(warning.token)  # type: ignore[attr-defined]  # oauthlib sets .token on it
    except ValueError as exc:  # oauthlib could not read the token response
        raise AuthError(
            f"unusable token response: {redact.scrub(str(exc))}",
            hint="the token URL may not be a Paxos OAuth2 endpoint; check PAXOS_TOKEN_URL",
        ) from None


def whole_seconds(value: Any) -> float | None:
    """``expires_in`` as whole seconds (oauthlib versions differ: some keep strings, floats)."""
    try:
        seconds = math.floor(float(value))
    except (TypeError, ValueError, OverflowError):
        return None
    return float(seconds) if seconds > 0 else None
