"""Keep secrets out of everything a user might share: reprs, errors and logs.

Every secret the package sees (client secret, access tokens, private keys) is passed to
:func:`register`. :func:`scrub` replaces each registered secret, in raw, JSON-escaped,
URL-encoded and base64 forms, with ``[redacted]``. :func:`install` adds a log-record factory
so even DEBUG records from requests-oauthlib (which logs the token request body and the
token) and urllib3 are scrubbed when they are created, for every handler.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from urllib.parse import quote, quote_plus

__all__ = ["REDACTED", "install", "mask", "register", "scrub"]

REDACTED = "[redacted]"
_MIN_LENGTH = 6  # shorter strings would scrub ordinary words
_lock = threading.Lock()
_forms: frozenset[str] = frozenset()  # every registered form, replaced as one snapshot
_installed = False


def _variants(secret: str) -> set[str]:
    raw = secret.encode()
    forms = {
        secret,
        json.dumps(secret)[1:-1],
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
            _forms = _forms | new


def scrub(text: str) -> str:
    """``text`` with every registered secret (in any of its encodings) replaced."""
    forms = _forms
    if not forms or not text:
        return text
    for form in sorted(forms, key=len, reverse=True):
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


def install() -> None:
    """Scrub every log record at creation (idempotent; chains any existing factory)."""
    global _installed
    with _lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            if _forms:
                try:
                    message = record.getMessage()
                except Exception:  # a malformed record: leave it to logging's own handling
                    return record
                clean = scrub(message)
                if clean != message or record.args:
                    record.msg, record.args = clean, None
                if record.exc_info and record.exc_info[0] is not None:
                    # logger.exception(): the traceback's message may hold a secret too;
                    # a pre-set exc_text is what every standard Formatter prints.
                    text = logging.Formatter().formatException(record.exc_info)
                    if scrub(text) != text:
                        record.exc_text = scrub(text)
                if record.stack_info:
                    record.stack_info = scrub(record.stack_info)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True
