"""The token panel: environment, masked client id, granted scopes, live time left, renew.

The time left is refreshed by one daemon thread per live panel (an ``Event.wait`` loop, so
:meth:`TokenPanel.stop` ends it at once and joins it). The panel reads the session's last
token without any network call; only the Renew button asks the token endpoint.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import ipywidgets as w

from .. import display, redact
from ..errors import ConfigError
from ._base import PaxosBox, close_tree

__all__ = ["TokenPanel"]

logger = logging.getLogger(__name__)


class TokenPanel(PaxosBox):
    """Show a session's token and renew it.

    Parameters
    ----------
    session : PaxosSession, optional
        Default: the current session (``px.magics.current()``), looked up on each refresh.
    live : bool
        Update the time left every ``interval`` seconds from a background thread until
        :meth:`stop` or :meth:`close`.
    interval : float
        Seconds between updates.
    compact : bool
        Only the time left and Renew (the credentials form shows the rest already).
    on_renew : callable, optional
        Called with the new token after each renewal.

    Attributes
    ----------
    facts : ipywidgets.HTML
        Environment, API, masked client id and granted scopes.
    time_left : ipywidgets.Label
    renew : ipywidgets.Button
    """

    def __init__(
        self,
        session: Any = None,
        *,
        live: bool = True,
        interval: float = 1.0,
        compact: bool = False,
        on_renew: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._session = session
        self._on_renew = on_renew
        self.interval = float(interval)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.facts = w.HTML()
        self.time_left = w.Label(value="")
        self.time_left.add_class("paxos-nb-time-left")
        self.renew = w.Button(description="Renew", icon="refresh", tooltip="fetch a new token")
        self.renew.on_click(self.guard(lambda _: self.renew_token(), "renew: "))
        self.children = [
            *([] if compact else [self.facts]),
            w.HBox([w.Label("Time left:"), self.time_left, self.renew]),
            self.errors,
        ]
        self.add_class("paxos-nb-token-panel")
        self.refresh()
        if live:
            self.start()

    @property
    def session(self) -> Any:
        """The session shown (the current one when none was given)."""
        if self._session is not None:
            return self._session
        from .. import magics

        return magics.current()

    @session.setter
    def session(self, session: Any) -> None:
        self._session = session
        self.refresh()

    # -- actions -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Redraw from the session's current token (no network)."""
        session = self.session
        if session is None:
            self.facts.value = "<i>no session yet: connect first</i>"
            self.time_left.value = ""
            return
        token = display.current_token(session)
        pairs = [
            ("environment", session.environment),
            ("API", session.api_url),
            ("client id", redact.mask(session.creds.client_id)),
        ]
        rows = "".join(
            f"<tr><th style='text-align:left;padding-right:12px'>{k}</th>"
            f"<td><code>{display.text(v)}</code></td></tr>"
            for k, v in pairs
        )
        granted = display.scopes_html(token.scopes, token.missing) if token else "no token yet"
        rows += (
            "<tr><th style='text-align:left;padding-right:12px;vertical-align:top'>granted</th>"
            f"<td class='paxos-nb-granted'>{granted}</td></tr>"
        )
        self.facts.value = f"<b>Paxos token</b><table>{rows}</table>"
        self.time_left.value = (
            "session closed" if session.closed else display.token_time_left(token)
        )

    def renew_token(self) -> Any:
        """Fetch a new token now; returns it (its repr never shows the value)."""
        session = self.session
        if session is None:
            raise ConfigError("no session to renew", hint="connect first")
        if session.closed:
            raise ConfigError("this session is closed", hint="connect again")
        token = session.renew_token()
        self.clear_errors()
        self.refresh()
        logger.info("token renewed: %r", token)
        if self._on_renew is not None:
            self._on_renew(token)
        return token

    def close(self) -> None:
        close_tree(self.facts)  # not among the children when compact
        super().close()

    # -- the live timer ----------------------------------------------------------------------

    @property
    def live(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start updating the time left every ``interval`` seconds."""
        if self.live:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._tick, name="paxos-nb-token-panel", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the updates (and wait for the thread to end)."""
        if not hasattr(self, "_stop"):  # __init__ did not get that far
            return
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def _tick(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.refresh()
            except Exception:  # a broken refresh must not kill the kernel's thread silently
                logger.exception("token panel refresh failed; stopping its timer")
                return
            if self.session is not None and self.session.closed:
                return

    def summary(self) -> str:
        session = self.session
        if session is None:
            return "no session"
        return f"{session.environment}, client {redact.mask(session.creds.client_id)}"
