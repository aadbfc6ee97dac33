"""Pre-signed download links served by the emulator (tax forms), like an object store's.

``link(name, content, now)`` keeps ``content`` under ``name`` and returns an absolute URL
``<base>/_emulator/files/<name>?expires=<unix>&signature=<hmac>`` valid for
:data:`LINK_LIFE` of emulator-clock time (Paxos: tax form URLs expire 60 s after issue).
``serve(path, query, now)`` answers a GET of such a URL without any token: the signature
proves the link was issued here; an expired or altered link is a 403 problem+json.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, quote, unquote

from .fmt import dumps, fmt_ts
from .problems import Problem

__all__ = ["LINK_LIFE", "PREFIX", "SignedFiles"]

PREFIX = "/_emulator/files/"
LINK_LIFE = timedelta(seconds=60)
_PDF = "application/pdf"
_PROBLEM = "application/problem+json"


class SignedFiles:
    """Files by name and the key that signs their links (new for each emulator)."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)
        self._files: dict[str, bytes] = {}
        self.base_url = ""  # http://host:port once the emulator serves (else relative links)

    def reset(self) -> None:
        self._files.clear()

    def _signature(self, name: str, expires: int) -> str:
        return hmac.new(self._key, f"{name}\n{expires}".encode(), hashlib.sha256).hexdigest()

    def link(self, name: str, content: bytes, now: datetime) -> str:
        """Keep ``content`` as ``name``; a URL to it that expires ``LINK_LIFE`` after ``now``."""
        self._files[name] = content
        expires = int((now + LINK_LIFE).timestamp())
        return (
            f"{self.base_url}{PREFIX}{quote(name)}?expires={expires}"
            f"&signature={self._signature(name, expires)}"
        )

    def serve(self, path: str, query: str, now: datetime) -> tuple[int, str, bytes]:
        """(status, content type, body) of a GET of ``path?query`` at emulator time ``now``."""
        name = unquote(path[len(PREFIX) :])
        params = dict(parse_qsl(query))
        try:
            expires = int(params.get("expires", ""))
        except ValueError:
            expires = -1
        given = params.get("signature", "")
        if expires < 0 or not hmac.compare_digest(given, self._signature(name, expires)):
            return _problem(Problem(403, "this link is not signed by this emulator"))
        if now.timestamp() > expires:
            at = fmt_ts(datetime.fromtimestamp(expires, timezone.utc))
            detail = f"this link expired at {at}; list the forms again for a fresh URL"
            return _problem(Problem(403, detail))
        content = self._files.get(name)
        if content is None:
            return _problem(Problem(404, f"no file {name}"))
        return 200, _PDF, content


def _problem(problem: Problem) -> tuple[int, str, bytes]:
    return problem.status, _PROBLEM, dumps(problem.body())
