"""The Paxos deployments and their URLs: which environment a URL belongs to, which are safe.

``sandbox`` (the default) and ``production`` are the two Paxos deployments. ``local`` is the
emulator: its URLs come from ``PAXOS_API_URL``/``PAXOS_TOKEN_URL``, or :func:`paxos_nb.connect`
starts the embedded one when they are absent. Credentials and tokens travel over https only;
plain http is allowed for loopback hosts (the emulator) alone.
"""

from __future__ import annotations

import difflib
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import ConfigError

__all__ = [
    "ENVIRONMENTS",
    "Environment",
    "check_url",
    "check_ws_url",
    "closest_hint",
    "environment_of_url",
    "is_loopback_url",
    "origin_of",
]


@dataclass(frozen=True)
class Environment:
    """A Paxos deployment: its name, its two base URLs and the host of its public WebSocket
    feeds (None for ``local``)."""

    name: str
    api_url: str | None
    token_url: str | None
    ws_url: str | None = None


ENVIRONMENTS: dict[str, Environment] = {
    "sandbox": Environment(
        "sandbox",
        "https://api.sandbox.paxos.com/v2",
        "https://oauth.sandbox.paxos.com/oauth2/token",
        "wss://ws.sandbox.paxos.com",
    ),
    "production": Environment(
        "production",
        "https://api.paxos.com/v2",
        "https://oauth.paxos.com/oauth2/token",
        "wss://ws.paxos.com",
    ),
    "local": Environment("local", None, None),
}


def is_loopback_url(url: str) -> bool:
    """True when the URL's host is a loopback address (127.0.0.0/8, ::1, localhost)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def environment_of_url(url: str) -> str | None:
    """``"sandbox"``, ``"production"``, ``"local"`` or None (a host we do not know)."""
    if is_loopback_url(url):
        return "local"
    host = (urlsplit(url).hostname or "").lower()
    if host == "paxos.com" or host.endswith(".paxos.com"):
        return "sandbox" if "sandbox" in host.split(".") or "sandbox" in host else "production"
    return None


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def check_url(name: str, url: str, source: str) -> str:
    """``url`` without a trailing slash, if it is http(s) and safe for credentials.

    Raises
    ------
    ConfigError
        Not an http(s) URL, or plain http to a host that is not loopback; names ``name``
        and where it came from (``source``).
    """
    parts = urlsplit(url)
    where = f" (from {source})" if source else ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{name} is not an http(s) URL{where}",
            hint="use a full URL such as https://api.sandbox.paxos.com/v2",
        )
    if parts.scheme == "http" and not is_loopback_url(url):
        raise ConfigError(
            f"{name} uses plain http:// to a host that is not loopback{where}",
            hint="credentials and tokens must travel over https://; plain http is only "
            "allowed for the local emulator on 127.0.0.1/localhost",
        )
    return url.rstrip("/")


def check_ws_url(name: str, url: str, source: str) -> str:
    """``url`` without a trailing slash, if it is ws(s): plain ``ws://`` to loopback only.

    Raises
    ------
    ConfigError
        Not a ws(s) URL, or plain ws to a host that is not loopback; names ``name`` and
        where it came from (``source``).
    """
    parts = urlsplit(url)
    where = f" (from {source})" if source else ""
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise ConfigError(
            f"{name} is not a ws(s) URL{where}",
            hint="use a WebSocket URL such as wss://ws.sandbox.paxos.com (the feeds' host, "
            "without /marketdata)",
        )
    if parts.scheme == "ws" and not is_loopback_url(url.replace("ws", "http", 1)):
        raise ConfigError(
            f"{name} uses plain ws:// to a host that is not loopback{where}",
            hint="use wss://; plain ws is only for the local emulator on 127.0.0.1/localhost",
        )
    return url.rstrip("/")


def closest_hint(name: str, choices: Iterable[str]) -> str:
    """``"did you mean 'x'? "`` for the closest choice, or ``""``."""
    close = difflib.get_close_matches(name.lower(), list(choices), n=1, cutoff=0.4)
    return f"did you mean {close[0]!r}? " if close else ""
