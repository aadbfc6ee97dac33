"""Client-credentials tokens: fetch, report scopes, keep fresh, renew, never leak.

:class:`TokenManager` asks the token endpoint through requests-oauthlib
(:mod:`paxos_nb.oauth`), always sending ``scope``. It renews a token shortly before it
expires (``min(60 s, 10% of its lifetime)`` ahead, authlib's ``ensure_active_token``
pattern) and, through :meth:`TokenManager.renew`, after a 401; one lock makes renewal
single-flight, so eight threads meeting an expired token cause one token request. Busy
answers (429, 502, 503, 504) and connection errors are retried under the same
:class:`~paxos_nb.retry.RetryPolicy` as the API calls. What each refusal means is in
:mod:`paxos_nb.token_errors`; putting the token on API requests is
:class:`~paxos_nb.request_auth.BearerAuth`.

Secrets: the client secret (and the ``id:secret`` pair HTTP Basic encodes) is registered with
:mod:`paxos_nb.redact` before the first request, and every token is registered by a response
hook that runs before requests-oauthlib logs the response body at DEBUG.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import requests

from . import redact
from .config import Credentials
from .errors import AuthError, ConfigError, TransportError
from .htmlrepr import HTMLRepr
from .oauth import (
    AUTH_METHODS,
    TokenHTTPError,
    fetch_token_once,
    inspect_token_response,
    normalise_expiry,
    oauth2_session,
    whole_seconds,
)
from .retry import RetryPolicy, parse_retry_after
from .token_errors import auth_error
from .transport import SafeSession

__all__ = ["Token", "TokenManager", "oauth2_session"]

logger = logging.getLogger(__name__)


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
    retry : RetryPolicy, optional
        Retries of busy answers and connection errors (the session passes its own).
    max_wait : float, optional
        Most seconds spent waiting before giving up (default: the policy's ``budget``).
    clock : callable
        Monotonic seconds for expiry (tests and benchmarks pass a fake clock).
    sleep : callable, optional
        Replaces the policy's ``sleep`` (tests record the waits).
    """

    def __init__(
        self,
        creds: Credentials,
        scopes: Iterable[str],
        *,
        session: SafeSession | None = None,
        auth_method: str = "post",
        timeout: float = 30,
        retry: RetryPolicy | None = None,
        max_wait: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
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
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        if sleep is not None:
            self.retry = replace(self.retry, sleep=sleep)
        self.max_wait = max_wait
        self._clock = clock
        self._lock = threading.Lock()
        self._token: Token | None = None
        self.requests = 0  # token requests sent, for reports and tests

        self._oauth, self._url = oauth2_session(creds, self.scopes, session=session)
        self._oauth.max_redirects = 0  # a token endpoint that redirects is misconfigured
        self._oauth.hooks["response"].append(inspect_token_response)
        self._oauth.register_compliance_hook("access_token_response", normalise_expiry)

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
        """Close the token session's connections."""
        self._oauth.close()

    # -- internals ---------------------------------------------------------------------------

    def _due(self, token: Token) -> bool:
        if token._deadline is None:
            return False  # unknown lifetime: renewed on a 401 only
        margin = min(60.0, 0.1 * (token.lifetime or 0))
        return self._clock() >= token._deadline - margin

    def _fetch(self) -> Token:
        tries = self.retry.start(budget=self.max_wait)
        while True:
            try:
                return self._fetch_once()
            except TokenHTTPError as exc:
                asked = parse_retry_after(exc.response.headers.get("Retry-After"))
                wait = (
                    tries.next_wait(asked)
                    if exc.response.status_code in self.retry.statuses
                    else None
                )
                if wait is None:
                    raise auth_error(
                        exc.response,
                        exc.body,
                        self.creds,
                        self.scopes,
                        self.auth_method,
                        wait=asked,
                    ) from None
            except requests.TooManyRedirects:
                raise AuthError(
                    f"the token endpoint {self.creds.token_url} redirects",
                    hint="check PAXOS_TOKEN_URL points at the token endpoint itself",
                ) from None
            except (requests.ConnectionError, requests.Timeout) as exc:
                wait = tries.next_wait()
                if wait is None:
                    raise TransportError(
                        f"cannot reach the token endpoint {self.creds.token_url} "
                        f"({type(exc).__name__})",
                        hint="check the network, proxy and PAXOS_ENV / PAXOS_TOKEN_URL",
                    ) from None
            logger.info("token endpoint busy; retrying in %.1f s", wait)
            tries.wait(wait)

    def _fetch_once(self) -> Token:
        self.requests += 1
        raw = fetch_token_once(
            self._oauth,
            self._url,
            self.creds,
            self.scopes,
            auth_method=self.auth_method,
            timeout=self.timeout,
        )
        token_type = str(raw.get("token_type") or "bearer")
        if token_type.lower() != "bearer":
            raise AuthError(
                f"the token endpoint issued a {token_type!r} token; only bearer is supported",
                hint="check PAXOS_TOKEN_URL points at the Paxos OAuth2 token endpoint",
            )
        granted = raw.get("scope")
        scopes = granted.split() if isinstance(granted, str) else list(granted or self.scopes)
        token = Token(
            str(raw["access_token"]),
            token_type=token_type.lower(),
            scopes=scopes,
            requested=self.scopes,
            lifetime=whole_seconds(raw.get("expires_in")),
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
