"""What paxos_nb tells the user that is not an error: notes, and warnings.

Notes are information ("using the local Paxos emulator").
:func:`note` writes one line to stderr, where a terminal or the command line shows it next to
the output without mixing into it (``paxos-nb call ... --raw | jq`` keeps working). A Jupyter
notebook draws stderr as a pink error box, so inside a kernel the UI layer
(:mod:`paxos_nb.shell_hooks`) sets a handler that shows the note as a quiet output instead.

Warnings are :class:`PaxosWarning` subclasses, issued with :func:`warnings.warn`, so the
usual filters apply (``warnings.filterwarnings("ignore", category=px.ResponseWarning)``)::

    PaxosWarning (UserWarning)         a .env or shell variable paxos_nb does not read
    └── ResponseWarning                an answer that breaks its operation's response
                                       schema: .operation .field

This module imports nothing from paxos_nb (a leaf, like :mod:`paxos_nb.errors`).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

__all__ = ["PaxosWarning", "ResponseWarning", "handler", "note", "set_handler"]

logger = logging.getLogger(__name__)
_handler: Callable[[str], None] | None = None


def set_handler(show: Callable[[str], None] | None) -> None:
    """Show notes with ``show(text)`` from now on (None: back to stderr)."""
    global _handler
    _handler = show


def handler() -> Callable[[str], None] | None:
    """The handler set with :func:`set_handler`, or None (stderr)."""
    return _handler


def note(text: str) -> None:
    """Tell the user ``text`` (one line, no secret in it), as information."""
    show = _handler
    if show is not None:
        try:
            show(text)
            return
        except Exception:  # a broken display must not hide the note
            logger.debug("note handler failed; writing to stderr", exc_info=True)
    sys.stderr.write(text + "\n")


class PaxosWarning(UserWarning):
    """Base class of paxos_nb's warnings (``warnings.filterwarnings`` can target it)."""


class ResponseWarning(PaxosWarning):
    """An answer that breaks its operation's response schema: a required field missing, a
    number where the spec has a decimal string, a wrong type. The answer is still returned
    as it came; ``field`` names the first offending field (``items[3].amount``)."""

    def __init__(self, message: str, *, operation: str = "", field: str = "") -> None:
        super().__init__(message)
        self.operation, self.field = operation, field
