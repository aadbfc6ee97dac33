"""Client-credentials tokens on requests-oauthlib: fetch, report scopes, renew, never leak.

:class:`TokenManager` asks the token endpoint with ``OAuth2Session(client=
BackendApplicationClient(...)).fetch_token(...)``, always sending ``scope``. It renews a token
shortly before it expires (``min(60 s, 10% of its lifetime)`` ahead) and, through
:meth:`TokenManager.renew`, once after a 401; one lock makes renewal single-flight, so eight
threads meeting an expired token cause one token request.

Secrets: the client secret (and the ``id:secret`` pair HTTP Basic encodes) is registered with
:mod:`paxos_nb.redact` before the first request, and every token is registered by a response
hook that runs before requests-oauthlib logs the response body at DEBUG.

When the granted scopes differ from the requested ones oauthlib raises a bare ``Warning``
(unless the process-wide ``OAUTHLIB_RELAX_TOKEN_SCOPE`` is set, which we never do). We catch
it, keep its ``.token`` and report the difference on :class:`Token`.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

import requests
from oauthlib.oauth2 import BackendApplicationClient, OAuth2Error
from requests_oauthlib import OAuth2Session

from . import catalog, redact
from .config import Credentials, is_loopback_url
from .errors import AuthError, ConfigError, TransportError
from .htmlrepr import HTMLRepr
from .transport import SafeSession, https_alias, parse_retry_after

__all__ = ["Token", "TokenManager", "oauth2_session"]

logger = logging.getLogger(__name__)
AUTH_METHODS = ("post", "basic")


class Token(HTMLRepr):
    """An access token's visible side: granted scopes, expiry. Never shows the token itself.

    Attributes
    ----------
    scopes : tuple of str
        Granted scopes (the requested ones when the server did not list them).
    requested : tuple of str
        Scopes asked for.
    missing, extra : tuple of str
        Requested but not granted; granted but not requested.
    expires_at : datetime or None
        UTC expiry (None when the server sent no usable ``expires_in``).
    token_type : str
    """

    __slots__ = (
        "_deadline",
        "_value",
        "expires_at",
        "lifetime",
        "obtained_at",
        "requested",
        "scopes",
        "token_type",
    )

    def __init__(
        self,
        access_token: str,
        *,
        token_type: str,
        scopes: Iterable[str],
        requested: Iterable[str],
        lifetime: float | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        redact.register(access_token)
        self._value = access_token
        self.token_type = token_type
        self.scopes = tuple(scopes)
        self.requested = tuple(requested)
        self.lifetime = lifetime
        self.obtained_at = datetime.now(timezone.utc)
        self.expires_at = self.obtained_at + timedelta(seconds=lifetime) if lifetime else None
        self._deadline = clock() + lifetime if lifetime else None

    @property
    def access_token(self) -> str:
        """The bearer token (kept out of repr/str; registered for redaction)."""
        return self._value

    @property
    def missing(self) -> tuple[str, ...]:
        granted = set(self.scopes)
        return tuple(s for s in self.requested if s not in granted)

    @property
    def extra(self) -> tuple[str, ...]:
        asked = set(self.requested)
        return tuple(s for s in self.scopes if s not in asked)

    @property
    def expires_in(self) -> float | None:
        """Seconds left now (live), or None when the lifetime is unknown."""
        if self.expires_at is None:
            return None
        return max(0.0, (self.expires_at - datetime.now(timezone.utc)).total_seconds())

    def __repr__(self) -> str:
        left = self.expires_in
        expiry = "expiry unknown" if left is None else f"expires in {left:.0f} s"
        text = f"Token({self.token_type}, {expiry}, scopes={list(self.scopes)}"
        if self.missing:
            text += f", missing={list(self.missing)}"
        return text + ")"

    __str__ = __repr__


class _TokenHTTPError(Exception):
    """Raised by the response hook to leave fetch_token with the HTTP details."""

    def __init__(self, response: requests.Response, body: dict[str, Any] | None) -> None:
        super().__init__(response.status_code)
        self.response, self.body = response, body


def oauth2_session(
    creds: Credentials, scopes: Iterable[str], *, session: SafeSession | None = None
) -> tuple[OAuth2Session, str]:
    """A requests-oauthlib session for the client-credentials grant, and the URL to fetch from.

    This is the session :class:`TokenManager` uses; the token-flow tutorial drives it by hand:
    ``oauth.fetch_token(url, client_secret=..., include_client_id=True, scope=scopes)``.
    oauthlib refuses plain http, so a loopback http token URL (the emulator) is returned as an
    https alias that paxos_nb's adapter serves over plain http; no process-wide
    ``OAUTHLIB_INSECURE_TRANSPORT``. Any other URL is returned unchanged.

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
    scopes = list(scopes)
    oauth = OAuth2Session(
        client=BackendApplicationClient(client_id=creds.client_id, scope=scopes), scope=scopes
    )
    oauth.mount("https://", http.adapter)  # one pool for tokens and API calls
    oauth.mount("http://", http.adapter)
    oauth.headers["User-Agent"] = http.headers["User-Agent"]
    oauth.trust_env = http.trust_env
    return oauth, https_alias(creds.token_url, http.adapter)


class TokenManager:
    """Fetch and renew client-credentials tokens for one credential and scope set.

    Parameters
    ----------
    creds : Credentials
    scopes : sequence of str
        Sent as the space-delimited ``scope`` form field on every token request.
    session : SafeSession, optional
        Whose adapter (connection pool) the token requests share.
    auth_method : {"post", "basic"}
        ``post``: id and secret in the form body (what Paxos documents); ``basic``: HTTP Basic.
    timeout : float
    max_wait : float
        Most seconds spent waiting on a 429 or a 5xx from the token endpoint before giving up.
    """

    def __init__(
        self,
        creds: Credentials,
        scopes: Iterable[str],
        *,
        session: SafeSession | None = None,
        auth_method: str = "post",
        timeout: float = 30,
        max_wait: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if auth_method not in AUTH_METHODS:
            raise ConfigError(
                f"unknown auth_method {auth_method!r}",
                hint="use 'post' (client id and secret in the form body, as Paxos documents) "
                "or 'basic' (HTTP Basic)",
            )
        self.scopes = tuple(scopes)
        if not self.scopes:
            raise ConfigError(
                "no scopes to request",
                hint="Paxos grants only what is asked for: pass scopes=[...] or a preset "
                "from px.scopes.PRESETS",
            )
        if not creds.client_id or not creds.token_url:
            raise ConfigError("the credentials have no client id or token URL")
        self.creds = creds
        secret = creds.client_secret or ""
        redact.register(secret, f"{creds.client_id}:{secret}")  # Basic encodes the pair
        self.auth_method = auth_method
        self.timeout, self.max_wait = timeout, max_wait
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._token: Token | None = None
        self.requests = 0  # token requests sent, for reports and tests

        self._oauth, self._url = oauth2_session(creds, self.scopes, session=session)
        self._oauth.max_redirects = 0  # a token endpoint that redirects is misconfigured
        self._oauth.hooks["response"].append(self._inspect)
        self._oauth.register_compliance_hook("access_token_response", _normalise_expiry)

    # -- public ------------------------------------------------------------------------------

    @property
    def current(self) -> Token | None:
        """The last token fetched (may be expired), without any network call."""
        return self._token

    def get(self) -> Token:
        """A token valid for at least the renewal margin, fetching one if needed."""
        token = self._token
        if token is not None and not self._due(token):
            return token
        with self._lock:
            token = self._token
            if token is None or self._due(token):
                token = self._token = self._fetch()
            return token

    def renew(self, stale: Token | None) -> Token:
        """Replace ``stale`` (refused with a 401); threads racing here share one new token."""
        with self._lock:
            if self._token is not None and self._token is not stale and not self._due(self._token):
                return self._token
            self._token = self._fetch()
            return self._token

    def close(self) -> None:
        self._oauth.close()

    # -- internals ---------------------------------------------------------------------------

    def _due(self, token: Token) -> bool:
        if token._deadline is None:
            return False  # unknown lifetime: renewed on a 401 only
        margin = min(60.0, 0.1 * (token.lifetime or 0))
        return self._clock() >= token._deadline - margin

    def _fetch(self) -> Token:
        waited, attempt = 0.0, 0
        while True:
            attempt += 1
            try:
                return self._fetch_once()
            except _TokenHTTPError as exc:
                status = exc.response.status_code
                if status not in (429, 502, 503, 504):
                    raise self._auth_error(exc) from None
                wait = parse_retry_after(exc.response.headers.get("Retry-After"))
                if wait is None:
                    wait = min(8.0, 0.5 * 2**attempt) if status != 429 else 1.0
                if waited + wait > self.max_wait or attempt >= 4:
                    raise self._auth_error(exc, wait=wait) from None
            except requests.TooManyRedirects:
                raise AuthError(
                    f"the token endpoint {self.creds.token_url} redirects",
                    hint="check PAXOS_TOKEN_URL points at the token endpoint itself",
                ) from None
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt >= 3:
                    raise TransportError(
                        f"cannot reach the token endpoint {self.creds.token_url} "
                        f"({type(exc).__name__})",
                        hint="check the network, proxy and PAXOS_ENV / PAXOS_TOKEN_URL",
                    ) from None
                wait = min(4.0, 0.5 * 2**attempt)
                if waited + wait > self.max_wait:
                    raise TransportError(
                        f"cannot reach the token endpoint {self.creds.token_url}"
                    ) from None
            logger.info("token endpoint busy; retrying in %.1f s", wait)
            self._sleep(wait)
            waited += wait

    def _fetch_once(self) -> Token:
        kwargs: dict[str, Any] = {"timeout": self.timeout, "scope": list(self.scopes)}
        secret = self.creds.client_secret or ""
        if self.auth_method == "basic":
            kwargs["auth"] = requests.auth.HTTPBasicAuth(self.creds.client_id, secret)
            kwargs["include_client_id"] = False
        else:
            kwargs["include_client_id"] = True
            kwargs["client_secret"] = secret
        self.requests += 1
        try:
            raw = self._oauth.fetch_token(self._url, **kwargs)
        except OAuth2Error as exc:  # an error body with a 200, or a body oauthlib rejects
            raise AuthError(
                f"the token endpoint refused the request: {exc.error}"
                + (f" ({redact.scrub(exc.description)})" if exc.description else ""),
                error=exc.error,
                status=exc.status_code,
                hint=_hint(exc.error, "", self),
            ) from None
        except Warning as warning:  # granted scopes differ from requested: report, not fail
            raw = warning.token  # type: ignore[attr-defined]
        except ValueError as exc:  # oauthlib could not read the token response
            raise AuthError(
                f"unusable token response: {redact.scrub(str(exc))}",
                hint="the token URL may not be a Paxos OAuth2 endpoint; check PAXOS_TOKEN_URL",
            ) from None
        token_type = str(raw.get("token_type") or "bearer")
        if token_type.lower() != "bearer":
            raise AuthError(
                f"the token endpoint issued a {token_type!r} token; only bearer is supported",
                hint="check PAXOS_TOKEN_URL points at the Paxos OAuth2 token endpoint",
            )
        granted = raw.get("scope")
        scopes = granted.split() if isinstance(granted, str) else list(granted or self.scopes)
        lifetime = raw.get("expires_in")
        token = Token(
            str(raw["access_token"]),
            token_type=token_type.lower(),
            scopes=scopes,
            requested=self.scopes,
            lifetime=_whole_seconds(lifetime),
            clock=self._clock,
        )
        if token.missing:
            logger.warning(
                "granted scopes lack %s (requested %s)",
                " ".join(token.missing),
                " ".join(self.scopes),
            )
        logger.debug("new token: %r", token)
        return token

    def _inspect(self, response: requests.Response, *args: Any, **kwargs: Any) -> Any:
        """Requests response hook: register tokens before anything logs them; refuse junk."""
        try:
            body = json.loads(response.text) if response.content else None
        except ValueError:
            body = None
        if isinstance(body, dict):
            redact.register(
                body.get("access_token"), body.get("refresh_token"), body.get("id_token")
            )
        if response.status_code != 200 or not isinstance(body, dict):
            raise _TokenHTTPError(response, body if isinstance(body, dict) else None)
        return response

    def _auth_error(self, exc: _TokenHTTPError, *, wait: float | None = None) -> AuthError:
        response, body = exc.response, exc.body or {}
        status = response.status_code
        code = body.get("error") if isinstance(body.get("error"), str) else None
        desc = body.get("error_description")
        desc = redact.scrub(desc) if isinstance(desc, str) else ""
        host = self.creds.token_url
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
        return AuthError(text, error=code, status=status, hint=_hint(code, desc, self))


def _normalise_expiry(response: requests.Response) -> requests.Response:
    """Compliance hook: make ``expires_in`` a number, or drop it when it is unusable."""
    body = json.loads(response.text)
    value = body.get("expires_in")
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


def _hint(code: str | None, description: str, manager: TokenManager) -> str:
    creds = manager.creds
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
        if manager.auth_method == "basic":
            parts.append("Paxos documents the form-body method: try auth_method='post'")
        return "; ".join(parts)
    if code == "invalid_scope":
        known = {s.scope for s in catalog.scopes()}
        unknown = [s for s in manager.scopes if s not in known]
        named = [s for s in manager.scopes if s in description]
        if unknown:
            return f"not Paxos scopes: {', '.join(unknown)} (see px.scopes.catalog())"
        culprits = named or list(manager.scopes)
        lead = "not allowed" if named else "one of these is not allowed"
        return (
            f"{lead} on this API credential: {', '.join(culprits)}; allow it in the Paxos "
            "Dashboard (Admin › API) or drop it from the requested scopes"
        )
    if code == "unauthorized_client":
        return "this credential may not use the client-credentials grant; check the Dashboard"
    return "check the credentials and the token URL"


def plain_http_allowed(url: str) -> bool:
    """Whether paxos_nb will talk plain http to this URL (loopback only)."""
    return url.startswith("https://") or is_loopback_url(url)


def _whole_seconds(value: Any) -> float | None:
    """``expires_in`` as whole seconds (oauthlib versions differ: some keep strings, floats)."""
    try:
        seconds = math.floor(float(value))
    except (TypeError, ValueError, OverflowError):
        return None
    return float(seconds) if seconds > 0 else None
