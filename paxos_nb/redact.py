"""Keep secrets out of everything a user might share: reprs, errors and logs.

Every secret the package sees (client secret, access tokens, private keys) is passed to
:func:`register`. :func:`scrub` replaces each registered secret, in raw, JSON-escaped,
URL-encoded, repr and base64 forms, with ``[redacted]``. :func:`install` adds a log-record
factory so even DEBUG records from requests-oauthlib (which logs the token request body and
the token) and urllib3 are scrubbed when they are created, for every handler; in log records
it also blanks the values of well-known secret fields (``access_token``, ``client_secret``,
``Bearer ...``), which catches tokens fetched by other code in the same process. Inside
IPython it scrubs displayed tracebacks too (``%xmode Verbose`` prints every frame's variables).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import sys
import threading
from urllib.parse import quote, quote_plus

__all__ = ["REDACTED", "install", "mask", "register", "scrub"]

REDACTED = "[redacted]"
_MIN_LENGTH = 6  # shorter strings would scrub ordinary words
_lock = threading.Lock()
# Every registered form, longest first (a secret may contain a shorter one), replaced as one
# snapshot on register so scrub() — on every log record — reads it without a lock or a sort.
_forms: tuple[str, ...] = ()
_installed = False


def _variants(secret: str) -> set[str]:
    raw = secret.encode()
    forms = {
        secret,
        json.dumps(secret)[1:-1],
        repr(secret)[1:-1],  # inside a printed dict or tuple (a backslash is doubled there)
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
    }
    for pad in (0, 1, 2):  # inside a longer base64 text (a Basic auth header), at any byte
        # alignment: only the characters that depend on the secret's bytes alone
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * pad + raw).decode()
            forms.add(text[4 if pad else 0 : 4 * ((pad + len(raw)) // 3)])
    if "\n" in secret:  # PEM keys: also each long line on its own (one line is enough to leak)
        forms.update(line for line in secret.splitlines() if len(line) >= 40)
    return {f for f in forms if len(f) >= _MIN_LENGTH}


def register(*secrets: str | bytes | None) -> None:
    """Remember secrets so :func:`scrub` and the log filter remove them."""
    global _forms
    new: set[str] = set()
    for secret in secrets:
        if secret is None:
            continue
        text = secret.decode() if isinstance(secret, bytes) else str(secret)
        if len(text) >= _MIN_LENGTH:
            new |= _variants(text)
    if new:
        with _lock:
            _forms = tuple(sorted(set(_forms) | new, key=len, reverse=True))


def scrub(text: str) -> str:
    """``text`` with every registered secret (in any of its encodings) replaced."""
    forms = _forms
    if not forms or not text:
        return text
    for form in forms:
        if form in text:
            text = text.replace(form, REDACTED)
    return text


def mask(value: str | None, keep: int = 4) -> str:
    """A display form that shows only the last ``keep`` characters: ``'••••9f3c'``."""
    if not value:
        return "(none)"
    if len(value) <= keep * 2:
        return "•" * len(value)
    return "•" * 4 + value[-keep:]


# A secret field's value in a log line: JSON, a printed dict or a form body. For tokens the
# package never saw (fetched by other code in the process), so not registered.
_FIELD = re.compile(
    r"""(?P<head>\b(?:access_token|refresh_token|id_token|client_secret)['"]?\s*[:=]\s*)"""
    r"""(?:(?P<q>['"])(?:\\.|(?!(?P=q)).)*(?P=q)|(?!\[redacted\])[^\s&,;'"})\]]{6,})""",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"(?P<head>\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{8,}")
_FIELD_WORDS = ("access_token", "refresh_token", "id_token", "client_secret", "bearer", "basic")


def _scrub_log(text: str) -> str:
    """:func:`scrub`, then blank the values of well-known secret fields."""
    text = scrub(text)
    lowered = text.lower()
    if not any(word in lowered for word in _FIELD_WORDS):
        return text
    text = _FIELD.sub(lambda m: f"{m['head']}{m['q'] or ''}{REDACTED}{m['q'] or ''}", text)
    return _SCHEME.sub(lambda m: m["head"] + REDACTED, text)


def install() -> None:
    """Scrub every log record at creation (idempotent; chains any existing factory), and
    the tracebacks IPython shows when it is running."""
    global _installed
    _scrub_ipython_tracebacks()
    with _lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            try:
                message = record.getMessage()
            except Exception:  # a malformed record: leave it to logging's own handling
                return record
            clean = _scrub_log(message)
            if clean != message or (_forms and record.args):
                record.msg, record.args = clean, None
            if record.exc_info and record.exc_info[0] is not None:
                # logger.exception(): the traceback's message may hold a secret too;
                # a pre-set exc_text is what every standard Formatter prints.
                text = logging.Formatter().formatException(record.exc_info)
                clean_text = _scrub_log(text)
                if clean_text != text:
                    record.exc_text = clean_text
            if record.stack_info:
                record.stack_info = _scrub_log(record.stack_info)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True


class _Scrubbed:
    """An exception stand-in whose ``str`` is scrubbed (IPython sends ``str(evalue)``)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


def _scrub_ipython_tracebacks() -> None:
    """Scrub every traceback the running IPython shell displays (once per shell)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or getattr(shell, "_paxos_nb_scrubbed", False):
        return
    show = shell._showtraceback

    def _showtraceback(etype, evalue, stb):
        text = str(evalue)
        clean = scrub(text)
        if clean != text:
            evalue = _Scrubbed(clean)
        return show(etype, evalue, [scrub(line) for line in stb])

    shell._showtraceback = _showtraceback
    shell._paxos_nb_scrubbed = True
