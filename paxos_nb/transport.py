"""The HTTP plumbing under a session: one connection pool, safe redirects, retry timing.

* :class:`PaxosAdapter` is one ``HTTPAdapter`` mounted on both the API session and the token
  session, so token fetches and API calls share keep-alive connections.
* Plain http to loopback for the token endpoint: oauthlib refuses ``http://`` unless the
  process-wide ``OAUTHLIB_INSECURE_TRANSPORT`` variable is set, which would silently relax
  the check for every other OAuth client in the process (and race with other threads).
  Instead the token session asks oauthlib for ``https://127.0.0.1:PORT/...`` and the adapter,
  which holds an explicit allowlist of loopback origins, sends that request over plain http.
  Nothing global changes, and non-loopback origins can never be added (see :func:`https_alias`).
  requests-oauthlib logs the URL it was given; a log filter shows such an alias as the plain
  http it really is, so a DEBUG log never claims TLS that was not used.
* :class:`SafeSession` drops ``Authorization`` and ``Paxos-Signature`` whenever a redirect
  leaves the origin (scheme, host or port), and re-signs a redirect that stays.
* :class:`RetryPolicy` and :func:`parse_retry_after` live in :mod:`paxos_nb.retry` (re-exported
  here, their historical import path).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from .environments import is_loopback_url
from .retry import RetryPolicy, parse_retry_after

__all__ = [
    "PaxosAdapter",
    "RetryPolicy",
    "SafeSession",
    "https_alias",
    "origin",
    "parse_retry_after",
]

logger = logging.getLogger(__name__)
USER_AGENT = "paxos-nb"


def origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` with default ports filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


class _PlainAliasLog(logging.Filter):
    """Rewrites ``https://host:port`` of the plain-http loopback aliases back to ``http://``
    in requests-oauthlib's log records ("Requesting url https://127.0.0.1:...")."""

    def __init__(self) -> None:
        super().__init__()
        self.origins: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.origins:
            message = record.getMessage()
            plain = message
            for alias in self.origins:
                plain = plain.replace(alias, "http://" + alias.removeprefix("https://"))
            if plain != message:
                record.msg, record.args = plain, None
        return True


_ALIAS_LOG = _PlainAliasLog()
logging.getLogger("requests_oauthlib.oauth2_session").addFilter(_ALIAS_LOG)


class PaxosAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` that sends ``https://`` URLs of allowlisted loopback origins as http."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plain_origins: set[tuple[str, int | None]] = set()

    def allow_plain(self, url: str) -> None:
        """Let ``https://host:port`` of this loopback URL travel as plain http."""
        if not is_loopback_url(url):
            raise ValueError("plain http is only allowed for loopback hosts")
        _, host, port = origin(url)
        self.plain_origins.add((host, port))

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any):
        parts = urlsplit(request.url or "")
        if parts.scheme == "https" and ((parts.hostname or "").lower(), parts.port) in (
            self.plain_origins
        ):
            request.url = urlunsplit(parts._replace(scheme="http"))
        return super().send(request, *args, **kwargs)


def https_alias(url: str, adapter: PaxosAdapter) -> str:
    """The URL to hand to oauthlib: loopback http becomes https served plainly by ``adapter``."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        return url
    adapter.allow_plain(url)  # raises for anything that is not loopback
    port = parts.port or 80
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    _ALIAS_LOG.origins.add(f"https://{host}:{port}")
    return urlunsplit(parts._replace(scheme="https", netloc=f"{host}:{port}"))


class SafeSession(requests.Session):
    """A ``requests.Session`` whose redirects never carry credentials to another origin."""

    def __init__(self, adapter: PaxosAdapter | None = None) -> None:
        super().__init__()
        self.adapter = adapter or PaxosAdapter()
        self.mount("https://", self.adapter)
        self.mount("http://", self.adapter)
        self.headers["User-Agent"] = f"{USER_AGENT} {requests.utils.default_user_agent()}"
        self.max_redirects = 5
        self.signer: Any = None  # set by the session when requests are signed

    def rebuild_auth(self, prepared_request: requests.PreparedRequest, response: Any) -> None:
        # requests keeps Authorization on a port change only sometimes and never strips custom
        # headers; we strip both on any origin change and never add netrc credentials.
        headers = prepared_request.headers
        if origin(response.request.url) != origin(prepared_request.url or ""):
            for name in ("Authorization", "Paxos-Signature"):
                headers.pop(name, None)
            logger.debug("redirect to another origin: credentials dropped")
        elif "Paxos-Signature" in headers and self.signer is not None:
            self.signer.apply(prepared_request)  # the path changed: sign the new one
