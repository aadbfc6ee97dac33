"""The credentials form: environment, client id, secret, scopes -> a connected session.

The secret is read from its field and the field is cleared in the same step, before anything
can fail, and the field (:class:`SecretField`) never sends a secret from the kernel to the
browser at all, so no widget state a notebook saves can hold it, however its messages are
timed. The secret is registered with :mod:`paxos_nb.redact` (by
:class:`~paxos_nb.config.Credentials`) before any request, so no error box or log line can
show it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import ipywidgets as w
import traitlets

from .. import display, redact
from ..config import ENVIRONMENTS, Credentials
from ..errors import ConfigError
from ._base import PaxosBox
from .panel import TokenPanel
from .picker import ScopePicker

__all__ = ["CredentialsForm", "SecretField"]

logger = logging.getLogger(__name__)


class SecretField(w.Password):
    """A password field whose value never travels from the kernel to the browser.

    ipywidgets syncs a trait both ways: setting ``field.value`` in code sends the value to
    the browser on the kernel's output channel, and whoever records those messages saves it
    as widget state (nbclient with ``store_widget_state``; a slow channel can even cut the
    later message that clears it). A secret typed in the browser is there already; one set
    in code never is: every state the kernel sends, whole or partial, has the value empty,
    and what the browser sends is not echoed back.
    """

    value = traitlets.Unicode(help="the secret (never sent to the browser)").tag(
        sync=True, echo_update=False
    )

    def get_state(self, key: Any = None, drop_defaults: bool = False) -> dict[str, Any]:
        state: dict[str, Any] = super().get_state(key, drop_defaults=drop_defaults)
        if state.get("value"):
            state["value"] = ""
        return state


class CredentialsForm(PaxosBox):
    """Connect to Paxos from widget input.

    Parameters
    ----------
    environment : {"sandbox", "production", "local"}
        Preselected environment (sandbox by default, as everywhere in paxos_nb).
    client_id : str, optional
        Prefilled client id.
    api_url, token_url : str, optional
        The "Advanced" overrides, e.g. a running emulator's URLs. For ``local`` with no URL
        the embedded emulator is started (with its demo client).
    scopes : str or iterable of str, optional
        Scopes selected in the picker (default: the ``analyst`` preset).
    preset : str, optional
        A preset to select instead.
    allow_writes : bool
        Allow production writes for the session (off by default).
    on_connect : callable, optional
        Called with the new session after each successful connect.
    live : bool
        Show a live token panel once connected (its timer stops on :meth:`close`).

    Attributes
    ----------
    session : PaxosSession or None
        The session from the last successful Connect.
    environment, client_id, secret, api_url, token_url, allow_writes, picker, connect_button
        The widgets, for code and tests (``form.connect_button.click()``).
    """

    def __init__(
        self,
        environment: str = "sandbox",
        client_id: str = "",
        *,
        api_url: str = "",
        token_url: str = "",
        scopes: Any = None,
        preset: str | None = None,
        allow_writes: bool = False,
        on_connect: Callable[[Any], Any] | None = None,
        live: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        environment = str(environment).strip().lower()
        if environment not in ENVIRONMENTS:
            raise ConfigError(
                f"unknown environment {environment!r}",
                hint="use one of: " + ", ".join(ENVIRONMENTS),
            )
        self.session: Any = None
        self.live = live
        self._callbacks: list[Callable[[Any], Any]] = []
        if on_connect is not None:
            self._callbacks.append(on_connect)
        self.environment = w.ToggleButtons(
            options=list(ENVIRONMENTS), value=environment, description="Environment"
        )
        self.client_id = w.Text(
            value=client_id,
            description="Client ID",
            placeholder="from the Paxos Dashboard (Admin › API)",
            layout=w.Layout(width="32em"),
        )
        self.client_id.add_class("paxos-nb-client-id")
        self.secret = SecretField(
            description="Secret",
            placeholder="client secret (cleared as soon as it is read)",
            layout=w.Layout(width="32em"),
        )
        self.secret.add_class("paxos-nb-secret")
        self.api_url = w.Text(
            value=api_url, description="API URL", placeholder="default for the environment"
        )
        self.token_url = w.Text(
            value=token_url, description="Token URL", placeholder="default for the environment"
        )
        self.allow_writes = w.Checkbox(
            value=allow_writes, description="allow production writes", indent=False
        )
        self.advanced = w.Accordion(
            children=[w.VBox([self.api_url, self.token_url, self.allow_writes])],
            titles=("Advanced",),
            selected_index=None,
        )
        if scopes is None and preset is None:
            preset = "analyst"
        self.picker = ScopePicker(value=scopes, preset=preset)
        self.scopes_section = w.Accordion(
            children=[self.picker], titles=("Scopes",), selected_index=None
        )
        self.connect_button = w.Button(description="Connect", button_style="primary", icon="plug")
        self.connect_button.add_class("paxos-nb-connect")
        self.status = w.HTML()
        self.status.add_class("paxos-nb-status")
        self.connected = w.HTML()
        self.connected.add_class("paxos-nb-connected")
        self.token_panel: TokenPanel | None = None
        self.panel_box = w.VBox()

        self.connect_button.on_click(self.guard(lambda _: self.connect(), "connect: "))
        self.environment.observe(self.guard(self._on_environment), "value")
        for field in (self.environment, self.client_id, self.secret, self.api_url, self.token_url):
            field.observe(self._update_ready, "value")
        self.picker.observe(lambda _: self._describe_scopes(), "value")
        self.children = [
            w.HTML("<b>Paxos API credentials</b>"),
            self.environment,
            self.client_id,
            self.secret,
            self.advanced,
            self.scopes_section,
            w.HBox([self.connect_button, self.status]),
            self.errors,
            self.connected,
            self.panel_box,
        ]
        self.add_class("paxos-nb-credentials-form")
        self._describe_scopes()
        self._on_environment({"new": environment})
        self._update_ready()

    # -- public ------------------------------------------------------------------------------

    def on_connect(self, callback: Callable[[Any], Any]) -> None:
        """Call ``callback(session)`` after each successful connect (its errors show here)."""
        self._callbacks.append(callback)

    def credentials(self, secret: str | None) -> Credentials:
        """The Credentials the fields describe, with ``secret`` (read from the form)."""
        env = self.environment.value
        client_id = self.client_id.value.strip() or None
        api_url = self.api_url.value.strip() or None
        token_url = self.token_url.value.strip() or None
        if env == "local" and not (client_id or secret or api_url or token_url):
            return Credentials(environment="local")  # connect() starts the embedded emulator
        empty = [
            name for name, value in (("client ID", client_id), ("secret", secret)) if not value
        ]
        if empty:
            hint = (
                "paste both from the Paxos Dashboard (Admin › API › API Credentials); the "
                "secret is shown once, when the credential is created or rotated"
            )
            if env == "local":
                hint = "type the emulator client's id and secret, or leave every field empty "
                hint += "(and the Advanced URLs) to use the embedded emulator's demo client"
            raise ConfigError(
                f"the {' and the '.join(empty)} {'are' if len(empty) > 1 else 'is'} empty",
                hint=hint,
            )
        return Credentials(client_id, secret, env, api_url=api_url, token_url=token_url)

    def connect(self) -> Any:
        """Read the fields (clearing the secret), connect, and show the session.

        Returns
        -------
        PaxosSession

        Raises
        ------
        PaxosError
            A ConfigError naming a bad field, an AuthError with the token endpoint's hint...
            (the Connect button shows it in the form instead).
        """
        from ..session import connect

        secret = self.secret.value or None
        self.secret.value = ""  # first: the saved widget state must never hold it
        redact.register(secret)
        self.clear_errors()
        self.status.value = "<i>connecting…</i>"
        try:
            creds = self.credentials(secret)
            session = connect(creds, scopes=self.picker.value, allow_writes=self.allow_writes.value)
        except BaseException:
            self.status.value = "<span style='color:#c62828'>not connected</span>"
            raise
        finally:
            del secret
        old, self.session = self.session, session
        if old is not None and old is not session:
            old.close()  # connect() made the new one current
        logger.info(
            "connected to %s as %s", session.environment, redact.mask(session.creds.client_id)
        )
        self.status.value = (
            "<span class='paxos-nb-status-ok' style='color:#2e7d32'>● connected</span>"
        )
        self._show_session()
        for callback in list(self._callbacks):
            self.guard(callback, f"on_connect callback {getattr(callback, '__name__', '')}: ")(
                session
            )
        return session

    def summary(self) -> str:
        if self.session is None:
            return f"{self.environment.value}, not connected"
        session = self.session
        return (
            f"{session.environment}, connected as {redact.mask(session.creds.client_id)}, "
            f"{len(session.scopes)} scope(s)"
        )

    def stop(self) -> None:
        panel = getattr(self, "token_panel", None)  # None, or not built yet (a failed init)
        if panel is not None:
            panel.stop()

    # -- internals ---------------------------------------------------------------------------

    def _redraw(self) -> None:
        if self.session is not None:
            self.connected.value = display.session_html(self.session)

    def _show_session(self) -> None:
        self._redraw()
        if self.token_panel is not None:
            self.token_panel.close()
        self.token_panel = TokenPanel(
            self.session, live=self.live, compact=True, on_renew=lambda _: self._redraw()
        )
        self.panel_box.children = [self.token_panel]

    def _describe_scopes(self) -> None:
        n = len(self.picker.value)
        self.scopes_section.titles = (
            f"Scopes ({n} selected: {self.picker.dashboard_string})"[:120],
        )

    def _update_ready(self, change: Any = None) -> None:
        """Enable Connect only when the fields can make a credential: both the id and the
        secret, or (local) nothing at all for the embedded emulator. The secret is needed
        again for every connect: it is never kept."""
        has_id, has_secret = bool(self.client_id.value.strip()), bool(self.secret.value)
        embedded = self.environment.value == "local" and not (
            has_id or has_secret or self.api_url.value.strip() or self.token_url.value.strip()
        )
        ready = embedded or (has_id and has_secret)
        self.connect_button.disabled = not ready
        self.connect_button.tooltip = (
            "connect to the embedded emulator with its demo client"
            if embedded
            else "connect"
            if ready
            else "type the client ID and the secret first"
        )

    def _on_environment(self, change: dict[str, Any]) -> None:
        env = change["new"]
        defaults = ENVIRONMENTS[env]
        self.api_url.placeholder = defaults.api_url or "empty: the embedded emulator"
        self.token_url.placeholder = defaults.token_url or "empty: derived from the API URL"
        if env == "production":
            self.status.value = (
                "<span style='color:#e65100'>production: real funds; writes are blocked unless "
                "allowed under Advanced</span>"
            )
        elif self.session is None:
            self.status.value = ""
