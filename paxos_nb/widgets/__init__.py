"""Jupyter UIs for paxos_nb: credentials form, scope picker, token panel, API explorer,
live order book.

``import paxos_nb.widgets`` is cheap: ipywidgets is imported when a UI is first built.

>>> form = px.widgets.credentials_form()            # doctest: +SKIP
>>> form                                           # type, pick scopes, click Connect
>>> form.session.frame("/profiles")                # the connected session
>>> px.widgets.explorer()                          # uses the session the form connected

Every UI shows the errors of its callbacks inside itself (message, hint, the missing scope
for a ScopeError) and never shows a secret; the secret field is cleared when it is read.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .explore import Explorer
    from .form import CredentialsForm
    from .livebook import LiveBook
    from .panel import TokenPanel
    from .picker import ScopePicker

__all__ = [
    "CredentialsForm",
    "Explorer",
    "LiveBook",
    "ScopePicker",
    "TokenPanel",
    "credentials_form",
    "explorer",
    "live_book",
    "scope_picker",
    "token_panel",
]

_CLASSES = {
    "CredentialsForm": ".form",
    "Explorer": ".explore",
    "LiveBook": ".livebook",
    "ScopePicker": ".picker",
    "TokenPanel": ".panel",
}


def __getattr__(name: str) -> Any:
    if name in _CLASSES:
        value = getattr(importlib.import_module(_CLASSES[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def credentials_form(
    environment: str = "sandbox",
    client_id: str = "",
    *,
    api_url: str = "",
    token_url: str = "",
    scopes: str | Iterable[str] | None = None,
    preset: str | None = None,
    allow_writes: bool = False,
    on_connect: Any = None,
    live: bool = True,
) -> CredentialsForm:
    """A form that connects to Paxos: environment, client id, secret, scopes, Connect.

    Parameters
    ----------
    environment : {"sandbox", "production", "local"}
        Preselected environment. ``local`` with no id, secret or URL uses the embedded
        emulator and its demo client.
    client_id : str
        Prefilled client id (the secret is never prefilled).
    api_url, token_url : str
        The "Advanced" URL overrides (e.g. a running emulator's ``api_url``/``token_url``).
    scopes, preset : optional
        Scopes selected at first; default the ``analyst`` preset.
    allow_writes : bool
        Allow production writes for the session.
    on_connect : callable, optional
        ``on_connect(session)`` after each successful Connect.
    live : bool
        Keep the token panel's time left live (a timer thread, stopped by ``form.close()``).

    Returns
    -------
    CredentialsForm
        ``form.session`` is the session after Connect; it also becomes the current session
        of ``%paxos`` and of :func:`explorer`.
    """
    from .form import CredentialsForm  # ipywidgets loads here, not at import

    return CredentialsForm(
        environment,
        client_id,
        api_url=api_url,
        token_url=token_url,
        scopes=scopes,
        preset=preset,
        allow_writes=allow_writes,
        on_connect=on_connect,
        live=live,
    )


def scope_picker(
    value: str | Iterable[str] | None = None,
    *,
    preset: str | None = None,
    operations: Iterable[str] | None = None,
) -> ScopePicker:
    """Pick scopes by API family, from a preset, or the least privilege for operations.

    Parameters
    ----------
    value : str or iterable of str, optional
        Scopes selected at first.
    preset : str, optional
        A ``px.scopes.PRESETS`` name.
    operations : iterable of str, optional
        Operation ids or ``"METHOD /path"``: select exactly the scopes they need.

    Returns
    -------
    ScopePicker
        ``.value`` is the selected scopes; ``.dashboard_string`` the text for the Dashboard.
    """
    from .picker import ScopePicker  # ipywidgets loads here, not at import

    return ScopePicker(value, preset, operations)


def token_panel(session: Any = None, *, live: bool = True, interval: float = 1.0) -> TokenPanel:
    """A session's token: environment, masked client id, granted scopes, live time left, Renew.

    Parameters
    ----------
    session : PaxosSession, optional
        Default: the current session (the one the credentials form connected).
    live : bool
        Update the time left every ``interval`` seconds until ``panel.close()``.
    interval : float

    Returns
    -------
    TokenPanel
    """
    from .panel import TokenPanel  # ipywidgets loads here, not at import

    return TokenPanel(session, live=live, interval=interval)


def explorer(session: Any = None, *, search: str = "", max_rows: int = 100) -> Explorer:
    """Search the operations catalog, fill parameters, run, and copy the equivalent Python.

    Parameters
    ----------
    session : PaxosSession or CredentialsForm, optional
        Default: the current session, looked up at each run.
    search : str
        Initial search text (``"ListProfiles"`` selects that operation).
    max_rows : int
        Row limit for tables (0: every row).

    Returns
    -------
    Explorer
    """
    from .explore import Explorer  # ipywidgets loads here, not at import

    return Explorer(session, search=search, max_rows=max_rows)


def live_book(session: Any, market: str, *, interval: float = 0.25) -> LiveBook:
    """A market's live order book: depth chart and latest trades, updating, with Stop.

    Parameters
    ----------
    session : PaxosSession
        Its WebSocket feeds are used (``session.order_book`` and the executions feed).
    market : str
        ``"BTCUSD"``...; an unknown market raises ``NotFound`` at once.
    interval : float
        Seconds between redraws at most (a burst of updates costs one redraw).

    Returns
    -------
    LiveBook
        ``.book`` (the :class:`~paxos_nb.livebook.OrderBook`), ``.trades``, ``.stop()``
        (also the Stop button; ``close()`` stops too).
    """
    from .livebook import LiveBook  # ipywidgets loads here, not at import

    return LiveBook(session, market, interval=interval)
