"""PaxosSession: authenticated verbs relative to /v2, typed errors, pages to frames.

One call, :meth:`PaxosSession.request`, in layers:

1. preflight (:mod:`paxos_nb.preflight`): the path (an operation of the catalog), the
   production write guard, the parameters and body against the operation's schemas
   (:mod:`paxos_nb.request_checks`), the request;
2. send (:mod:`paxos_nb.sending`): each try prepared with the auth stack (bearer token kept
   fresh and renewed once on a 401, then the JWS signature: :mod:`paxos_nb.request_auth`),
   sent over one keep-alive pool with credential-free redirects
   (:mod:`paxos_nb.transport`), retried under the :class:`~paxos_nb.retry.RetryPolicy`;
3. answer (:mod:`paxos_nb.problems`): the parsed JSON, checked against the response schema
   (:mod:`paxos_nb.response_checks`: a break is a warning naming the field), or the typed
   error for the status; a retried write whose earlier try had succeeded (409
   already-exists) returns that object.

Lists (``pages``, ``records``, ``frame``) are :class:`paxos_nb.listing.Listing`, through
:mod:`paxos_nb.pagination` (pages, records) and :mod:`paxos_nb.frames` (a DataFrame).
:func:`paxos_nb.connect` (in :mod:`paxos_nb.bootstrap`) builds sessions.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import redact
from .auth import Token, TokenManager
from .config import Credentials, is_loopback_url
from .errors import AlreadyExists, ConfigError
from .htmlrepr import HTMLRepr
from .listing import Listing
from .preflight import api_path, build_request, check_request, guard_write, operation
from .problems import from_response, json_body
from .request_auth import AuthStack, BearerAuth, SignatureAuth, Signer
from .response_checks import check_response
from .retry import RetryPolicy
from .sending import Sender, is_retryable
from .transport import SafeSession

if TYPE_CHECKING:
    from requests.auth import AuthBase

__all__ = ["PaxosSession"]

logger = logging.getLogger("paxos_nb.session")  # the session layer's one log channel


class PaxosSession(Listing, HTMLRepr):
    """An authenticated connection to one Paxos environment. Build it with :func:`connect`.

    Parameters
    ----------
    creds : Credentials
    scopes : sequence of str
        Requested on every token request.
    allow_writes : bool
        Production POST/PUT/DELETE are refused unless True.
    auth_method : {"post", "basic"}
    timeout : float
        Seconds per HTTP request.
    retry : RetryPolicy, optional
        Used by the API calls and the token requests alike.
    signer : object with ``apply(prepared_request)``, optional
        Signs every authenticated request (built from the credentials' signing key if None).
    emulator : Emulator, optional
        An embedded emulator this session owns and stops on :meth:`close`.
    release : callable, optional
        Called by :meth:`close` instead of stopping ``emulator``: the lease on an embedded
        emulator shared with other sessions (:mod:`paxos_nb.embedded`).
    progress : bool or None
        Default progress-bar setting for :meth:`frame` (None: only when interactive).
    clock : callable, optional
        Monotonic seconds for token expiry (default ``time.monotonic``); tests and
        benchmarks pass a fake clock to simulate hours without sleeping.

    Attributes
    ----------
    validate : bool
        Check paths, parameters and bodies against the catalog before sending (default
        True); a call's ``validate=`` overrides it. False sends what the catalog does not
        know yet (a parameter or enum value Paxos added after it was generated).
    """

    def __init__(
        self,
        creds: Credentials,
        scopes: Iterable[str],
        *,
        allow_writes: bool = False,
        auth_method: str = "post",
        timeout: float = 30,
        retry: RetryPolicy | None = None,
        signer: Signer | None = None,
        emulator: Any = None,
        release: Callable[[], None] | None = None,
        progress: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.creds = creds
        self.allow_writes = bool(allow_writes)
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.progress = progress
        self.validate = True
        self._emulator = emulator
        self._owned = ExitStack()  # what close() releases, last opened first
        if release is not None:
            self._owned.callback(release)
        elif emulator is not None:
            self._owned.push(emulator)  # its __exit__ stops it
        self._closed = False
        self._base = (creds.api_url or "").rstrip("/")

        http = SafeSession()
        http.trust_env = not is_loopback_url(creds.api_url or "")  # no proxy, no netrc
        self._owned.callback(http.close)
        if signer is None and creds.signing_key_file:
            from .signing import RequestSigner

            signer = RequestSigner(creds.signing_key_file, creds.signing_kid or "")
        self.signer = http.signer = signer  # the redirect layer re-signs with it
        self._tokens = TokenManager(  # the token requests share the pool and the policy
            creds,
            scopes,
            session=http,
            auth_method=auth_method,
            timeout=timeout,
            retry=self.retry,
            clock=clock,
        )
        self._owned.callback(self._tokens.close)
        auths: list[AuthBase] = [BearerAuth(self._tokens)]
        if signer is not None:
            auths.append(SignatureAuth(signer))  # last: it signs the final request
        http.auth = AuthStack(*auths)
        self._sender = Sender(http, self.retry, timeout)

    # -- facts -------------------------------------------------------------------------------

    @property
    def environment(self) -> str:
        return self.creds.environment

    @property
    def api_url(self) -> str:
        return self._base

    @property
    def scopes(self) -> tuple[str, ...]:
        """The requested scopes."""
        return self._tokens.scopes

    @property
    def token(self) -> Token:
        """The current token (fetched or renewed if needed): granted scopes and expiry."""
        return self._tokens.get()

    @property
    def last_token(self) -> Token | None:
        """The last token fetched (possibly expired), without any network call; None before
        the first one. What displays show."""
        return self._tokens.current

    def renew_token(self) -> Token:
        """Fetch a new token now, even if the current one is still valid; returns it."""
        return self._tokens.renew(self._tokens.current)

    @property
    def token_requests(self) -> int:
        """How many token requests this session has sent."""
        return self._tokens.requests

    @property
    def calls(self) -> int:
        """How many HTTP requests this session has sent for API calls (retries included)."""
        return self._sender.calls

    @property
    def emulator(self) -> Any:
        """The embedded emulator this session started, or None."""
        return self._emulator

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran."""
        return self._closed

    # -- verbs -------------------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        """``GET`` ``path`` (relative to /v2); returns the parsed JSON."""
        return self.request("GET", path, params=params, **kwargs)

    def post(
        self, path: str, json: Any = None, params: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        """``POST`` a JSON body; retried only when it carries a ``ref_id``."""
        return self.request("POST", path, params=params, json=json, **kwargs)

    def put(
        self, path: str, json: Any = None, params: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        """``PUT`` a JSON body; retried only when it carries a ``ref_id``."""
        return self.request("PUT", path, params=params, json=json, **kwargs)

    def delete(self, path: str, params: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        """``DELETE`` ``path``; never retried."""
        return self.request("DELETE", path, params=params, **kwargs)

    def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        validate: bool | None = None,
    ) -> Any:
        """One API call with retries; returns the parsed JSON body (``{}`` when empty).

        Parameters
        ----------
        method, path : str
            ``path`` is relative to /v2.
        params : mapping, optional
            Query parameters as Paxos spells them (see :func:`~paxos_nb.pagination.query_params`).
        json : optional
            The JSON body (POST/PUT).
        headers : mapping, optional
        timeout : float, optional
            Seconds for this call (default: the session's).
        validate : bool, optional
            Check the path, parameters and body against the catalog first (default: the
            session's :attr:`validate`, True). False sends them unchecked.

        Raises
        ------
        InvalidRequest, UnknownNameError
            Found before sending: a path no operation has, a parameter the operation does
            not take, an impossible value, a body that breaks its schema.
        WriteNotAllowed
            A production write without ``allow_writes=True``.
        APIError
            Its subclass for the status: ``ScopeError`` (names the missing scope),
            ``NotFound``, ``AlreadyExists`` (``.existing``), ``RateLimited``...
        TransportError
            No answer after the allowed retries.
        """
        if self._closed:
            raise ConfigError("this session is closed", hint="connect again with px.connect()")
        method = method.upper()
        rel = api_path(path)
        check = self.validate if validate is None else validate
        guard_write(method, rel, environment=self.environment, allow_writes=self.allow_writes)
        op = operation(method, rel, validate=check)
        if check and op is not None:
            check_request(op, rel, params, json)
        request = build_request(method, self._base + rel, params, json, headers)
        response, retried = self._sender.send(
            request, label=f"{method} {rel}", retryable=is_retryable(method, json), timeout=timeout
        )
        if response.status_code < 400:
            result = json_body(response)
            if op is not None:
                check_response(op, response.status_code, result)
            return result
        token = self._tokens.current
        error = from_response(
            response,
            granted=token.scopes if token is not None else (),
            required=op.scope if op else None,
            operation=op,
        )
        if isinstance(error, AlreadyExists) and retried and error.existing is not None:
            logger.info("%s %s: already created by an earlier attempt", method, rel)
            return error.existing
        raise error

    # -- lifecycle and display ---------------------------------------------------------------

    def close(self) -> None:
        """Close connections and stop the embedded emulator, if this session started one."""
        if self._closed:
            return
        self._closed = True
        self._emulator = None
        self._owned.close()

    def __enter__(self) -> PaxosSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        token = self.last_token
        if token is None:
            scopes, state = "requested " + " ".join(self.scopes), "no token yet"
        else:
            scopes = " ".join(token.scopes) or "(none)"
            left = token.expires_in
            state = "expiry unknown" if left is None else f"expires in {left:.0f} s"
            if token.missing:
                scopes += f" (missing: {' '.join(token.missing)})"
        where = self.environment + (" (embedded emulator)" if self._emulator else "")
        return (
            f"<PaxosSession {where} {urlsplit(self._base).netloc} "
            f"client={redact.mask(self.creds.client_id)} scopes=[{scopes}] "
            f"token: {state}{', closed' if self._closed else ''}>"
        )
