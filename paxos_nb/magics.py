"""``%paxos`` and ``%%paxos``: one Paxos call per line, for quick experiments.

Load with ``%load_ext paxos_nb`` (or ``%load_ext paxos_nb.magics``)::

    %paxos GET /profiles                       # a list operation -> a DataFrame (every page)
    %paxos GET /profiles limit=10 --max-rows 5 # query parameters as key=value
    %paxos /profiles/default --json            # the method defaults to GET; --json: raw JSON
    %paxos --session s GET /transfer/transfers # use the notebook variable ``s``

    %%paxos POST /transfer/internal
    {"amount": "1", "asset": "USD", "from_profile_id": "...", "to_profile_id": "..."}

Which session runs the call, first match wins:

1. ``--session NAME``: the notebook variable ``NAME`` (a session, or a credentials form /
   token panel / explorer holding one);
2. the *current session* (:mod:`paxos_nb.current`): the last one opened with
   ``px.connect()`` or a credentials form's Connect, or set with :func:`use`
   (``px.magics.use(session)``);
3. otherwise :func:`paxos_nb.connect` with no arguments (the ``.env``, or the embedded
   emulator, reused if one runs), which then becomes the current session.

Errors from paxos_nb (a missing scope, a bad argument, a refused token) are displayed as the
error's HTML box, with its hint, instead of a traceback; the exception is kept in
:data:`last_error`.
"""

from __future__ import annotations

import json
import logging
import shlex
from typing import Any

from . import catalog
from . import current as current_session
from .errors import ConfigError, PaxosError

# PaxosMagics (the IPython Magics class) is built on first access, see __getattr__.
__all__ = ["as_session", "current", "last_error", "load_ipython_extension", "run", "use"]

logger = logging.getLogger(__name__)

last_error: BaseException | None = None
"""The last error a ``%paxos`` call displayed (None after a success)."""

_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
_USAGE = (
    "usage: %paxos [--session NAME] [--json] [--max-rows N] [METHOD] /path [key=value ...] "
    "(the cell of %%paxos holds the JSON body)"
)


# -- the current session -------------------------------------------------------------------


def use(session: Any) -> Any:
    """Make ``session`` the current session of ``%paxos`` and of the explorer.

    Parameters
    ----------
    session : PaxosSession or None
        A session (or an object with a ``.session``, such as a credentials form); None
        forgets the current one.

    Returns
    -------
    PaxosSession or None
        The session now current.
    """
    return current_session.use(None if session is None else as_session(session))


def current() -> Any:
    """The current session, or None (none set yet, or the one set was closed)."""
    return current_session.get()


def as_session(obj: Any) -> Any:
    """``obj`` if it is a session, else its ``.session`` (a form, panel or explorer).

    Raises
    ------
    ConfigError
        ``obj`` holds no session (a form not connected yet, or another kind of object).
    """
    from .session import PaxosSession

    if isinstance(obj, PaxosSession):
        return obj
    inner = getattr(obj, "session", None)
    if isinstance(inner, PaxosSession):
        return inner
    if hasattr(obj, "session"):
        raise ConfigError(
            f"this {type(obj).__name__} is not connected yet",
            hint="click Connect in the credentials form first (or pass a session)",
        )
    raise ConfigError(
        f"expected a PaxosSession, got {type(obj).__name__}",
        hint="pass a session from px.connect(...) or a connected credentials form",
    )


def _session_for(name: str | None, namespace: dict[str, Any]) -> Any:
    if name:
        if name not in namespace:
            raise ConfigError(
                f"--session {name}: the notebook has no variable {name!r}",
                hint="give the name of a variable holding a session, e.g. s = px.connect(...)",
            )
        return as_session(namespace[name])
    session = current()
    if session is None:
        from .session import connect

        logger.info("%%paxos: no current session; connecting with px.connect()")
        session = connect()  # it becomes the current session
    return session


# -- parsing and running -------------------------------------------------------------------


def _parse(line: str) -> dict[str, Any]:
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise ConfigError(f"cannot read the %paxos line: {exc}", hint=_USAGE) from None
    out: dict[str, Any] = {"session": None, "json": False, "max_rows": None, "params": {}}
    rest: list[str] = []
    words_iter = iter(words)
    for word in words_iter:
        if word in ("--session", "-s", "--max-rows"):
            value = next(words_iter, None)
            if value is None:
                raise ConfigError(f"{word} needs a value", hint=_USAGE)
            if word == "--max-rows":
                if not value.isdigit():
                    raise ConfigError(f"--max-rows {value!r} is not a whole number", hint=_USAGE)
                out["max_rows"] = int(value)
            else:
                out["session"] = value
        elif word.startswith("--session="):
            out["session"] = word.split("=", 1)[1]
        elif word == "--json":
            out["json"] = True
        elif word.startswith("-") and not word.startswith("/"):
            raise ConfigError(f"unknown option {word}", hint=_USAGE)
        else:
            rest.append(word)
    method = "GET"
    if rest and rest[0].upper() in _METHODS:
        method = rest.pop(0).upper()
    if not rest:
        raise ConfigError("%paxos needs a path, e.g. %paxos GET /profiles", hint=_USAGE)
    out["method"], out["path"] = method, rest.pop(0)
    for word in rest:
        key, eq, value = word.partition("=")
        if not eq or not key:
            raise ConfigError(
                f"{word!r} is not a key=value query parameter",
                hint="write query parameters as name=value, e.g. limit=10 order=DESC",
            )
        params = out["params"]
        if key not in params:
            params[key] = value
        else:  # a repeated key is a list (markets=BTCUSD markets=ETHUSD)
            before = params[key]
            params[key] = [*before, value] if isinstance(before, list) else [before, value]
    return out


def _body(cell: str | None, method: str) -> Any:
    if cell is None or not cell.strip():
        return None
    if method in ("GET", "DELETE"):
        raise ConfigError(
            f"%%paxos {method} takes no body",
            hint="put query parameters on the magic line as key=value; only POST and PUT "
            "send the cell as a JSON body",
        )
    try:
        return json.loads(cell)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"the cell is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            hint="write the request body as JSON: double quotes, no trailing commas",
        ) from None


def run(line: str, cell: str | None = None, namespace: dict[str, Any] | None = None) -> Any:
    """Run one ``%paxos`` line (and ``%%paxos`` cell) and return the result; errors raise.

    Returns
    -------
    pandas.DataFrame or dict or list
        A DataFrame for a list operation (``GET`` with records), else the parsed JSON.
    """
    args = _parse(line)
    body = _body(cell, args["method"])
    session = _session_for(args["session"], namespace or {})
    method, path, params = args["method"], args["path"], args["params"] or None
    op = catalog.match(method, path.split("?", 1)[0])
    if method == "GET" and op is not None and op.envelope and not args["json"]:
        return session.frame(path, params=params, max_rows=args["max_rows"])
    return session.request(method, path, params=params, json=body)


# -- IPython glue --------------------------------------------------------------------------


def _magics_class() -> type:
    from IPython.core.magic import Magics, line_cell_magic, magics_class

    @magics_class
    class PaxosMagics(Magics):
        """The ``%paxos`` line and cell magic (see :mod:`paxos_nb.magics`)."""

        @line_cell_magic
        def paxos(self, line: str, cell: str | None = None) -> Any:
            global last_error
            try:
                result = run(line, cell, self.shell.user_ns if self.shell else {})
            except PaxosError as exc:
                from IPython.display import HTML, display

                from .display import error_html

                last_error = exc
                display(HTML(error_html(exc)))
                return None
            last_error = None
            return result

    PaxosMagics.paxos.__doc__ = __doc__
    return PaxosMagics


def __getattr__(name: str) -> Any:
    if name == "PaxosMagics":  # built on first use: importing this module needs no IPython
        globals()[name] = _magics_class()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%paxos``/``%%paxos`` (``%load_ext paxos_nb``), and paxos_nb's error display
    (:mod:`paxos_nb.shell_hooks`) if importing paxos_nb did not find this shell."""
    from . import shell_hooks

    cls = globals().get("PaxosMagics") or __getattr__("PaxosMagics")
    ipython.register_magics(cls)
    shell_hooks.install(ipython)
