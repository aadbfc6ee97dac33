"""PaxosSession: authenticated verbs relative to /v2, retries, typed errors, pages to frames.

One :class:`~paxos_nb.transport.SafeSession` (one keep-alive pool, shared with the token
requests) carries every call. Each call: write guard -> token (renewed before expiry) ->
prepared request -> signature over the final body bytes -> send -> retry or raise a typed
error from :func:`paxos_nb.errors.from_response`.

Retries: GET on 429/502/503/504 and connection errors, with backoff and jitter honouring
``Retry-After`` inside a bounded total wait. POST/PUT only when the JSON body carries a
``ref_id`` (Paxos then refuses a duplicate with 409 already-exists and returns the first
object in ``meta.existing``, which a retry returns as its result). A 401 renews the token
once. Redirects never carry the token or the signature to another origin.
"""

from __future__ import annotations

import json as jsonlib
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests

from . import catalog, redact
from .auth import Token, TokenManager
from .config import _UNSET, Credentials, default_env_file, is_loopback_url
from .errors import (
    AlreadyExists,
    APIError,
    ConfigError,
    RateLimited,
    TransportError,
    WriteNotAllowed,
    from_response,
)
from .pagination import Pager, query_params
from .transport import RetryPolicy, SafeSession, parse_retry_after

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PaxosSession", "connect"]

logger = logging.getLogger(__name__)
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})


class PaxosSession:
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
    signer : object with ``apply(prepared_request)``, optional
        Signs every authenticated request (built from the credentials' signing key if None).
    emulator : Emulator, optional
        An embedded emulator this session owns and stops on :meth:`close`.
    progress : bool or None
        Default progress-bar setting for :meth:`frame` (None: only when interactive).
    clock : callable, optional
        Monotonic seconds for token expiry (default ``time.monotonic``); tests and
        benchmarks pass a fake clock to simulate hours without sleeping.
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
        signer: Any = None,
        emulator: Any = None,
        progress: bool | None = None,
        token_max_wait: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.creds = creds
        self.allow_writes = bool(allow_writes)
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.progress = progress
        self._emulator = emulator
        self._closed = False
        self.calls = 0  # API requests sent (retries included)
        self._http = SafeSession()
        # The emulator is on loopback: no proxy, no netrc from the environment.
        self._http.trust_env = not is_loopback_url(creds.api_url or "")
        if signer is None and creds.signing_key_file:
            signer = _load_signer(creds)
        self.signer = self._http.signer = signer
        self._tokens = TokenManager(
            creds,
            scopes,
            session=self._http,
            auth_method=auth_method,
            timeout=timeout,
            max_wait=token_max_wait,
            sleep=self.retry.sleep,
            clock=clock,
        )
        self._base = (creds.api_url or "").rstrip("/")

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

    def renew_token(self) -> Token:
        """Fetch a new token now, even if the current one is still valid; returns it."""
        return self._tokens.renew(self._tokens.current)

    @property
    def token_requests(self) -> int:
        """How many token requests this session has sent."""
        return self._tokens.requests

    @property
    def emulator(self) -> Any:
        """The embedded emulator this session started, or None."""
        return self._emulator

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
    ) -> Any:
        """One API call with retries; returns the parsed JSON body (``{}`` when empty).

        Raises
        ------
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
        rel = _relative(path)
        if method in WRITES and self.environment == "production" and not self.allow_writes:
            raise WriteNotAllowed(
                f"{method} {rel} would change data in production",
                hint="connect with allow_writes=True to allow production writes",
            )
        op = catalog.match(method, rel)
        body = None if json is None else jsonlib.dumps(json, separators=(",", ":")).encode()
        retryable = method == "GET" or (
            method in ("POST", "PUT") and isinstance(json, dict) and bool(json.get("ref_id"))
        )
        attempts = self.retry.attempts if retryable else 1
        request = requests.Request(
            method,
            self._base + rel,
            params=query_params(params),
            data=body,
            headers={
                "Accept": "application/json",
                **({"Content-Type": "application/json"} if body is not None else {}),
                **dict(headers or {}),
            },
        )
        waited, attempt, renewed, retried = 0.0, 0, False, False
        while True:
            token = self._tokens.get()
            prepared = self._prepare(request, token)
            self.calls += 1
            try:
                response = self._http.send(
                    prepared, timeout=timeout or self.timeout, allow_redirects=True
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                wait = self.retry.delay(attempt, None)
                if attempt + 1 < attempts and waited + wait <= self.retry.budget:
                    logger.info("%s %s: %s; retrying", method, rel, type(exc).__name__)
                    self.retry.sleep(wait)
                    waited, attempt, retried = waited + wait, attempt + 1, True
                    continue
                raise TransportError(
                    f"{method} {rel}: no answer from {urlsplit(self._base).netloc} "
                    f"({type(exc).__name__})"
                    + (f" after {attempt + 1} attempts" if attempt else ""),
                    hint="check the network and the API URL"
                    + (
                        ""
                        if retryable or method not in WRITES
                        else "; a write without ref_id is never retried: it may or may not have "
                        "been applied, so check before sending it again (or add a ref_id)"
                    ),
                ) from None
            except requests.RequestException as exc:  # too many redirects, a bad URL...
                raise TransportError(
                    f"{method} {rel}: {type(exc).__name__}: {redact.scrub(str(exc))}",
                    hint="check the API URL (PAXOS_API_URL / PAXOS_ENV)",
                ) from None
            status = response.status_code
            if status < 400:
                return _parse(response, method, rel)
            if status == 401 and not renewed and "signature" not in response.text.lower():
                renewed = True
                logger.info("%s %s: 401; renewing the token once", method, rel)
                self._tokens.renew(token)
                continue
            if retryable and status in RETRY_STATUSES:
                header = parse_retry_after(response.headers.get("Retry-After"))
                wait = self.retry.delay(attempt, header)
                if attempt + 1 < attempts and waited + wait <= self.retry.budget:
                    logger.info("%s %s: %s; retrying in %.2f s", method, rel, status, wait)
                    response.close()
                    self.retry.sleep(wait)
                    waited, attempt, retried = waited + wait, attempt + 1, True
                    continue
            error = from_response(response, granted=token.scopes, required=op.scope if op else None)
            if isinstance(error, AlreadyExists) and retried and error.existing is not None:
                logger.info("%s %s: already created by an earlier attempt", method, rel)
                return error.existing
            if isinstance(error, RateLimited) and error.retry_after is not None:
                error.message += f" (the server asks to wait {error.retry_after:.0f} s)"
            raise error

    def _prepare(self, request: requests.Request, token: Token) -> requests.PreparedRequest:
        prepared = self._http.prepare_request(request)
        prepared.headers["Authorization"] = f"Bearer {token.access_token}"
        if self.signer is not None:
            self.signer.apply(prepared)  # last: the body and URL are final
        return prepared

    # -- pages and frames --------------------------------------------------------------------

    def pager(self, path: str, *, max_pages: int = 10_000, progress: bool | None = None) -> Pager:
        """The :class:`~paxos_nb.pagination.Pager` for a list path (family from the catalog)."""
        rel = _relative(path)
        op = catalog.match("GET", rel)
        return Pager(
            fetch=lambda params: self.get(rel, params=params),
            family=op.pagination if op else None,
            envelope=op.envelope if op else (),
            envelope_all=op.envelope_all if op else False,
            max_pages=max_pages,
            progress=self.progress if progress is None else progress,
            label=rel,
        )

    def pages(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        max_pages: int = 10_000,
        progress: bool | None = None,
        **kwargs: Any,
    ) -> Iterator[Any]:
        """Every page of a list operation (the raw JSON of each)."""
        pager = self.pager(path, max_pages=max_pages, progress=progress)
        return pager.pages(query_params(params, **kwargs))

    def records(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        max_rows: int | None = None,
        max_pages: int = 10_000,
        progress: bool | None = None,
        **kwargs: Any,
    ) -> Iterator[Any]:
        """Every record of every page, envelope unwrapped, up to ``max_rows``."""
        pager = self.pager(path, max_pages=max_pages, progress=progress)
        return pager.records(query_params(params, **kwargs), max_rows=max_rows)

    def frame(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        max_rows: int | None = None,
        progress: bool | None = None,
        amounts: str = "decimal",
        max_pages: int = 10_000,
        **kwargs: Any,
    ) -> pd.DataFrame:
        """Every record of a list operation as a DataFrame.

        Parameters
        ----------
        path : str
            Relative to /v2, e.g. ``"/transfer/transfers"``.
        params : mapping, optional
            Query parameters as Paxos spells them (``{"created_at.gte": ...}``).
        max_rows : int, optional
            Stop after this many records (and fetch no further page).
        progress : bool or None
            A progress bar for multi-page fetches; None: only when interactive.
        amounts : {"decimal", "float", "string"}
            Exact ``Decimal`` objects (default), float64, or the strings as sent.
        **kwargs
            More query parameters; ``__`` becomes ``.`` (``created_at__gte=``), lists
            become repeated keys.
        """
        from .frames import records_to_frame

        rows = list(
            self.records(
                path,
                params=params,
                max_rows=max_rows,
                max_pages=max_pages,
                progress=progress,
                **kwargs,
            )
        )
        return records_to_frame(rows, amounts=amounts)

    # -- lifecycle and display ---------------------------------------------------------------

    def close(self) -> None:
        """Close connections and stop the embedded emulator, if this session started one."""
        if self._closed:
            return
        self._closed = True
        self._tokens.close()
        self._http.close()
        if self._emulator is not None:
            _stop_emulator(self._emulator)
            self._emulator = None

    def __enter__(self) -> PaxosSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _summary(self) -> dict[str, str]:
        token = self._tokens.current
        if token is None:
            scopes = "requested " + " ".join(self.scopes)
            state = "no token yet"
        else:
            scopes = " ".join(token.scopes) or "(none)"
            left = token.expires_in
            state = "expiry unknown" if left is None else f"expires in {left:.0f} s"
            if token.missing:
                scopes += f" (missing: {' '.join(token.missing)})"
        return {
            "environment": self.environment + (" (embedded emulator)" if self._emulator else ""),
            "api": urlsplit(self._base).netloc,
            "client": redact.mask(self.creds.client_id),
            "scopes": scopes,
            "token": state + (", closed" if self._closed else ""),
            "signing": f"kid {self.creds.signing_kid}" if self.signer is not None else "off",
            "writes": "allowed"
            if self.allow_writes or self.environment != "production"
            else "blocked (allow_writes=False)",
        }

    def __repr__(self) -> str:
        s = self._summary()
        return (
            f"<PaxosSession {s['environment']} {s['api']} client={s['client']} "
            f"scopes=[{s['scopes']}] token: {s['token']}>"
        )

    def _repr_html_(self) -> str:
        from .display import session_html

        return session_html(self)


def _relative(path: str) -> str:
    if not isinstance(path, str) or not path.strip():
        raise ConfigError("the path is empty", hint="pass a path relative to /v2, e.g. /profiles")
    if "://" in path:
        raise ConfigError(
            f"{path!r} is a full URL",
            hint="pass the path relative to /v2 (e.g. /profiles); the session adds the host",
        )
    path = path.strip()
    if not path.startswith("/"):
        path = "/" + path
    if path == "/v2" or path.startswith("/v2/"):
        path = path[3:] or "/"
    return path


def _parse(response: requests.Response, method: str, rel: str) -> Any:
    if not response.content:
        return {}
    try:
        return response.json()
    except ValueError:
        ctype = (response.headers.get("Content-Type") or "?").split(";")[0]
        raise APIError(
            response.status_code,
            "Unexpected content",
            f"{method} {rel} answered {ctype}, not JSON",
            request=response.request,
            response=response,
            hint="a proxy or captive portal may sit between you and Paxos; check the API URL",
        ) from None


def _load_signer(creds: Credentials) -> Any:
    from .signing import RequestSigner

    return RequestSigner(creds.signing_key_file, creds.signing_kid)


def _stop_emulator(emulator: Any) -> None:
    for name in ("stop", "close"):
        stop = getattr(emulator, name, None)
        if callable(stop):
            stop()
            return
    emulator.__exit__(None, None, None)


def _has_credentials_somewhere(env_file: Any) -> bool:
    """A .env file (an explicit path counts even if missing: from_env says so) or PAXOS_*.

    Only looks for the file; :meth:`Credentials.from_env` reads it afterwards.
    """
    if env_file is not _UNSET and env_file is not None:
        return True
    found = False
    if env_file is _UNSET:
        path, explicit = default_env_file()
        found = explicit or (path is not None and os.path.isfile(path))
    return found or any(
        os.environ.get(var) for var in ("PAXOS_CLIENT_ID", "PAXOS_ENV", "PAXOS_API_URL")
    )


def connect(
    creds: Credentials | None = None,
    scopes: str | Iterable[str] | None = None,
    *,
    env_file: Any = _UNSET,
    allow_writes: bool = False,
    auth_method: str = "post",
    timeout: float = 30,
    retry: RetryPolicy | None = None,
    signer: Any = None,
    progress: bool | None = None,
    seed: int = 0,
) -> PaxosSession:
    """Open a :class:`PaxosSession`: given credentials, else .env / os.environ, else the emulator.

    Parameters
    ----------
    creds : Credentials, optional
        Default: ``Credentials.from_env(env_file)`` when a .env or ``PAXOS_*`` variables
        exist; with none at all, the embedded local emulator (seed ``seed``) and its demo
        client, announced in one line on stderr.
    scopes : str or sequence of str, optional
        Scope names, a space-separated string, or a preset name (``"analyst"``). Default:
        the credentials' ``PAXOS_SCOPES``; the read-only ``analyst`` preset on the emulator.
    env_file : path, optional
        The .env to read (default ``.env``, skipped when absent; an explicit path must exist).
    allow_writes : bool
        Needed for POST/PUT/DELETE in production.
    auth_method : {"post", "basic"}
        How the client id and secret reach the token endpoint.
    timeout : float
        Seconds per HTTP request.

    Returns
    -------
    PaxosSession
    """
    from . import scopes as scope_catalog

    emulator = None
    if creds is None:
        if _has_credentials_somewhere(env_file):
            creds = Credentials.from_env(env_file)
        else:
            emulator, creds = _embedded(seed, why="no credentials found")
    elif not isinstance(creds, Credentials):
        raise ConfigError(
            f"creds must be a px.Credentials, not {type(creds).__name__}",
            hint="build one with px.Credentials(...) or px.Credentials.from_env('.env')",
        )
    if creds.environment == "local" and not creds.api_url:
        emulator, creds = _embedded(seed, base=creds, why="PAXOS_ENV=local without a URL")
    try:
        wanted = _choose_scopes(scopes, creds, emulator is not None, scope_catalog)
        session = PaxosSession(
            creds,
            wanted,
            allow_writes=allow_writes,
            auth_method=auth_method,
            timeout=timeout,
            retry=retry,
            signer=signer,
            emulator=emulator,
            progress=progress,
        )
    except BaseException:
        if emulator is not None:
            _stop_emulator(emulator)
        raise
    try:
        session.token  # noqa: B018 -- fail at connect, not at the first call
    except BaseException:
        session.close()
        raise
    return session


def _choose_scopes(
    scopes: Any, creds: Credentials, embedded: bool, catalog_mod: Any
) -> tuple[str, ...]:
    if (
        isinstance(scopes, str)
        and scopes.strip()
        and " " not in scopes.strip()
        and (":" not in scopes)
    ):
        return tuple(catalog_mod.PRESETS[scopes.strip()])  # a preset name
    if scopes is not None:
        wanted = catalog_mod.validate(scopes)
    elif creds.scopes:
        wanted = catalog_mod.validate(creds.scopes)
    elif embedded or creds.environment == "local":
        wanted = tuple(catalog_mod.PRESETS["analyst"])
    else:
        raise ConfigError(
            "no scopes requested: Paxos grants a token only the scopes asked for",
            hint="pass scopes=[...] (e.g. scopes='analyst' or px.scopes.PRESETS['analyst'], "
            "see px.scopes.PRESETS, or px.scopes.required([...]) for your operations), or set "
            "PAXOS_SCOPES in the .env",
        )
    if not wanted:
        raise ConfigError("the scope list is empty", hint="see px.scopes.PRESETS")
    return wanted


def _embedded(seed: int, *, why: str, base: Credentials | None = None) -> tuple[Any, Credentials]:
    from .emulator import Emulator

    emulator = Emulator(seed=seed, fault_proxy=True)  # tutorials inject connection resets
    emulator.__enter__()
    try:
        demo = emulator.demo_client
        creds = Credentials(
            demo.client_id,
            demo.client_secret,
            "local",
            api_url=emulator.api_url,
            token_url=emulator.token_url,
            scopes=base.scopes if base is not None else None,
            signing_key_file=base.signing_key_file if base is not None else None,
            signing_kid=base.signing_kid if base is not None else None,
            sources={"PAXOS_CLIENT_ID": "embedded emulator demo client"},
        )
    except BaseException:
        _stop_emulator(emulator)
        raise
    sys.stderr.write(  # one line, on purpose: the user must know this is not Paxos
        f"paxos_nb: {why}; using the local Paxos emulator at {emulator.api_url} (seed {seed})\n"
    )
    return emulator, creds
