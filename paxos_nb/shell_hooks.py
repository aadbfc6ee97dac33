"""What paxos_nb changes in a running IPython shell: short errors, quiet notes.

Installed by ``import paxos_nb`` inside IPython (and by ``%load_ext paxos_nb``):

* **Errors.** A paxos_nb error raised by notebook code shows as its HTML box (message,
  hint, the missing scope of a ScopeError; :func:`paxos_nb.display.error_html`), with the
  full traceback folded under one click, instead of a long traceback through the package
  before the message. The cell still fails (Run All stops there) and a one-line error output
  says so; ``%tb`` prints the full traceback. Other exceptions are untouched.
* **Notes** (:mod:`paxos_nb.notices`): inside a Jupyter kernel, stderr renders as a pink
  error box, so "using the local Paxos emulator" shows as a quiet output instead.

Only IPython's public hooks are used: ``set_custom_exc`` and ``IPython.display``. A shell that
already has its own custom exception handler keeps it.
"""

from __future__ import annotations

import logging
import sys
import traceback
from typing import Any

from . import display, notices, redact
from .errors import PaxosError

__all__ = ["install", "running_shell"]

logger = logging.getLogger(__name__)
_MARK = "_paxos_nb_hooks"


def running_shell() -> Any:
    """The running IPython shell, or None (IPython is never imported here)."""
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None


def install(shell: Any = None) -> bool:
    """Install the hooks in ``shell`` (default: the running one); idempotent.

    Returns
    -------
    bool
        True when the hooks are (now) installed.
    """
    shell = shell if shell is not None else running_shell()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    if getattr(shell, _MARK, False):
        return True
    if getattr(shell, "custom_exceptions", ()):
        logger.info("this IPython shell has its own custom exception handler; keeping it")
    else:
        shell.set_custom_exc((PaxosError,), _show_error)
    if _is_kernel(shell):
        notices.set_handler(_show_note)
    setattr(shell, _MARK, True)
    return True


def _is_kernel(shell: Any) -> bool:
    """A Jupyter kernel (rich outputs, stderr drawn as an error), not a terminal."""
    return getattr(shell, "kernel", None) is not None


def _show_error(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None):
    from IPython.display import display as show

    # %tb (and pdb) read the last exception from here, as for any other error.
    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb
    if sys.version_info >= (3, 12):
        sys.last_exc = value
    full = "".join(traceback.format_exception(etype, value, tb))
    show(
        {"text/html": display.error_html(value, full), "text/plain": display.error_text(value)},
        raw=True,
    )
    # One short error output: the cell failed (Run All stops), and where the rest is.
    line = redact.scrub(f"{etype.__name__}: see the message above; %tb shows the full traceback")
    shell._showtraceback(etype, value, [line])
    return None


def _show_note(note: str) -> None:
    from IPython.display import display as show

    show({"text/html": display.note_html(note), "text/plain": note}, raw=True)
