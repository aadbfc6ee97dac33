"""HTML for the rich notebook reprs and the widgets: sessions, tokens, errors, scopes, results.

Pure string building with the standard library (pandas only when a frame is rendered), no
IPython or ipywidgets. This is the UI layer: the core classes never import it. Instead
:func:`register_html_reprs` (run by ``import paxos_nb``) registers the renderers with
:mod:`paxos_nb.htmlrepr`, whose table the core classes' ``_repr_html_`` read.

Every value goes through :func:`paxos_nb.redact.scrub` and :func:`html.escape` before it
reaches the page; a client id is shown masked and a secret or token never at all. CSS
classes (``paxos-nb-*``) name each piece so the browser test and users' themes can find it.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from . import catalog, htmlrepr, redact
from .errors import APIError, AuthError, PaxosError, ScopeError

if TYPE_CHECKING:
    import pandas as pd

    from .auth import Token
    from .client import PaxosSession
    from .scopes import Plan, ScopeInfo

__all__ = [
    "current_token",
    "error_html",
    "error_text",
    "frame_html",
    "json_html",
    "note_html",
    "operation_html",
    "plan_html",
    "register_html_reprs",
    "scope_info_html",
    "scopes_html",
    "session_html",
    "text",
    "token_html",
    "token_time_left",
]

logger = logging.getLogger(__name__)

_BOX = (
    "border:1px solid var(--jp-border-color1,#ccc);border-radius:4px;padding:6px 10px;"
    "margin:4px 0;font-size:var(--jp-content-font-size1,13px)"
)
_ERROR_BOX = (
    "border-left:4px solid #c62828;border-radius:2px;padding:6px 10px;margin:4px 0;"
    "background:rgba(198,40,40,0.06)"
)
_CHIP = (
    "display:inline-block;padding:0 6px;margin:1px 2px;border-radius:8px;"
    "background:var(--jp-layout-color2,#eee);font-family:var(--jp-code-font-family,monospace);"
    "font-size:90%"
)
_MISSING_CHIP = _CHIP + ";background:rgba(198,40,40,0.15)"
_TH = "text-align:left;padding-right:12px;vertical-align:top;white-space:nowrap"


def text(value: Any) -> str:
    """``value`` as HTML-safe text: secrets scrubbed, then escaped."""
    return html.escape(redact.scrub("" if value is None else str(value)))


def _rows(pairs: Iterable[tuple[str, str]]) -> str:
    """Table rows; the values are HTML already (callers escape them)."""
    return "".join(
        f"<tr><th style='{_TH}'>{html.escape(k)}</th><td style='text-align:left'>{v}</td></tr>"
        for k, v in pairs
    )


def scopes_html(scopes: Iterable[str], missing: Iterable[str] = ()) -> str:
    """Scopes as chips; the ``missing`` ones are listed after, marked."""
    found = [f"<span class='paxos-nb-scope' style='{_CHIP}'>{text(s)}</span>" for s in scopes]
    lost = [
        f"<span class='paxos-nb-scope-missing' style='{_MISSING_CHIP}' title='requested, not "
        f"granted'>{text(s)} ✗</span>"
        for s in missing
    ]
    return "".join(found + lost) or "<i>(none)</i>"


def current_token(session: PaxosSession) -> Token | None:
    """The session's last token without any network call (None before the first one)."""
    return session.last_token


def token_time_left(token: Token | None) -> str:
    """``"59 min 12 s left (until 13:45:01 UTC)"``, ``"expired"`` or ``"expiry unknown"``."""
    if token is None:
        return "no token yet"
    left = token.expires_in
    if left is None or token.expires_at is None:
        return "expiry unknown (renewed when the API refuses it)"
    if left <= 0:
        return "expired: renew it (the next call renews it too)"
    minutes, seconds = divmod(int(left), 60)
    span = f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"
    return f"{span} left (until {token.expires_at:%H:%M:%S} UTC)"


def token_html(token: Token) -> str:
    """The visible side of a token: type, expiry, granted and missing scopes. Never its value."""
    pairs = [
        ("type", text(token.token_type)),
        ("time left", f"<span class='paxos-nb-time-left'>{text(token_time_left(token))}</span>"),
        ("granted", scopes_html(token.scopes, token.missing)),
    ]
    if token.extra:
        pairs.append(("not requested", scopes_html(token.extra)))
    return (
        f"<div class='paxos-nb-token' style='{_BOX}'><b>Paxos access token</b> "
        f"<small>(value hidden)</small><table>{_rows(pairs)}</table></div>"
    )


def session_html(session: PaxosSession) -> str:
    """A session: environment, API host, masked client id, granted scopes, token expiry."""
    token = current_token(session)
    closed = session.closed
    env = session.environment + (" (embedded emulator)" if session.emulator is not None else "")
    pairs = [
        ("environment", f"<span class='paxos-nb-env'>{text(env)}</span>"),
        ("API", f"<code>{text(session.api_url)}</code>"),
        ("client id", f"<code>{text(redact.mask(session.creds.client_id))}</code>"),
    ]
    if token is None:
        pairs.append(("requested", scopes_html(session.scopes)))
        pairs.append(("token", "no token yet (fetched on the first call)"))
    else:
        pairs.append(("granted", scopes_html(token.scopes, token.missing)))
        pairs.append(
            ("token", f"<span class='paxos-nb-time-left'>{text(token_time_left(token))}</span>")
        )
    signing = f"kid {session.creds.signing_kid}" if session.signer is not None else "off"
    pairs.append(("signing", text(signing)))
    writes = session.allow_writes or session.environment != "production"
    pairs.append(("writes", "allowed" if writes else "blocked (allow_writes=False)"))
    state = "closed" if closed else "connected"
    color = "#777" if closed else "#2e7d32"
    return (
        f"<div class='paxos-nb-session' data-state='{state}' style='{_BOX}'>"
        f"<b>Paxos session</b> <span class='paxos-nb-state' style='color:{color}'>● {state}"
        f"</span><table>{_rows(pairs)}</table></div>"
    )


def _scope_fix(exc: ScopeError) -> list[tuple[str, str]]:
    from . import scopes as scope_catalog

    pairs = []
    if exc.required:
        try:
            what = scope_catalog.explain(exc.required).description
        except Exception:  # a scope the catalog does not know: still show its name
            what = ""
        pairs.append(
            (
                "missing scope",
                f"<code class='paxos-nb-missing-scope'>{text(exc.required)}</code>"
                + (f" — {text(what)}" if what else ""),
            )
        )
    if len(exc.granted) > 4:  # the fix below lists them again: fold them away here
        pairs.append(
            (
                "token has",
                f"<details><summary>{len(exc.granted)} scopes</summary>"
                f"{scopes_html(exc.granted)}</details>",
            )
        )
    else:
        pairs.append(("token has", scopes_html(exc.granted)))
    if exc.required:
        wanted = " ".join(dict.fromkeys((*exc.granted, exc.required)))
        pairs.append(
            (
                "fix",
                "allow it on the API credential (Dashboard › Admin › API), then reconnect "
                f"requesting <code class='paxos-nb-fix'>{text(wanted)}</code>",
            )
        )
    return pairs


def error_html(exc: BaseException, traceback: str | None = None) -> str:
    """An error box: its class, message and hint; for a ScopeError the missing scope and the fix.

    Works for any exception (an unexpected one shows its type and scrubbed message).
    ``traceback``, when given, is folded under a "Traceback" line: one click away.
    """
    message = getattr(exc, "message", None) if isinstance(exc, PaxosError) else None
    if message is None:
        message = str(exc) or type(exc).__name__
    pairs: list[tuple[str, str]] = []
    if isinstance(exc, ScopeError):
        pairs += _scope_fix(exc)
    elif isinstance(exc, APIError) and exc.type and exc.type != "about:blank":
        pairs.append(("problem type", f"<code>{text(exc.type)}</code>"))
    if isinstance(exc, AuthError) and exc.error:
        pairs.append(("OAuth2 error", f"<code>{text(exc.error)}</code>"))
    hint = getattr(exc, "hint", None)
    hint_html = f"<div class='paxos-nb-hint'><b>What to do:</b> {text(hint)}</div>" if hint else ""
    if not isinstance(exc, PaxosError):
        hint_html = (
            "<div class='paxos-nb-hint'><b>Unexpected error</b> (not a paxos_nb error): "
            "the traceback is in the log; please report it if it persists.</div>"
        )
    table = f"<table>{_rows(pairs)}</table>" if pairs else ""
    folded = (
        "<details class='paxos-nb-traceback'><summary><small>Traceback (or run %tb)</small>"
        f"</summary><pre style='font-size:85%;overflow:auto'>{text(traceback)}</pre></details>"
        if traceback
        else ""
    )
    return (
        f"<div class='paxos-nb-error' style='{_ERROR_BOX}'>"
        f"<b class='paxos-nb-error-type'>{text(type(exc).__name__)}</b>: "
        f"<span class='paxos-nb-error-message'>{text(message)}</span>{hint_html}{table}"
        f"{folded}</div>"
    )


def error_text(exc: BaseException) -> str:
    """The error as a few plain lines: its class, message and hint (scrubbed)."""
    return redact.scrub(f"{type(exc).__name__}: {exc}")


def note_html(note: str) -> str:
    """A quiet line of information (not an error): small, grey, an "i" in front."""
    return (
        "<div class='paxos-nb-note' style='font-size:90%;color:var(--jp-ui-font-color2,#666)'>"
        f"ⓘ {text(note)}</div>"
    )


def operation_html(op: catalog.Operation, granted: Iterable[str] | None = None) -> str:
    """One catalog operation: method and path, summary, the scope it needs and whether the
    current token (``granted``; None when there is no token) has it."""
    if op.scope is None:
        need = "<i>public: no token needed</i>"
        have = ""
    else:
        need = f"<code class='paxos-nb-need'>{text(op.scope)}</code>"
        if granted is None:
            have = "<span class='paxos-nb-has-scope' data-has='unknown'>no token yet</span>"
        elif op.scope in set(granted):
            have = (
                "<span class='paxos-nb-has-scope' data-has='yes' style='color:#2e7d32'>"
                "✓ the current token has it</span>"
            )
        else:
            have = (
                "<span class='paxos-nb-has-scope' data-has='no' style='color:#c62828'>"
                "✗ the current token lacks it: add it in the scope picker and reconnect</span>"
            )
    pairs = [
        ("operation", f"<code>{text(op.key)}</code> ({text(op.operation_id)}, {text(op.tag)})"),
        ("summary", text(op.summary)),
        ("scope", need + (f" — {have}" if have else "")),
    ]
    if op.pagination:
        pairs.append(("pages", text(op.pagination)))
    if op.sandbox_only:
        pairs.append(("note", "sandbox only"))
    return f"<div class='paxos-nb-operation' style='{_BOX}'><table>{_rows(pairs)}</table></div>"


_TABLE_CSS = (
    "<style>.paxos-nb-table{border-collapse:collapse;font-size:12px}"
    ".paxos-nb-table th,.paxos-nb-table td{padding:2px 8px;text-align:right;white-space:nowrap;"
    "border-bottom:1px solid var(--jp-border-color2,#e0e0e0)}"
    ".paxos-nb-table thead th{border-bottom:1px solid var(--jp-border-color1,#bbb);"
    "position:sticky;top:0;background:var(--jp-layout-color1,#fff)}</style>"
)


def frame_html(frame: pd.DataFrame, max_rows: int = 20, height: str = "22em") -> str:
    """A compact, scrollable preview of a DataFrame: its shape, the first ``max_rows`` rows
    (cells escaped by pandas, never wrapped), in a box at most ``height`` tall."""
    rows, cols = frame.shape
    shown = frame.head(max_rows)
    table = shown.to_html(border=0, classes="paxos-nb-table", escape=True)
    more = f", the first {len(shown)} shown" if rows > len(shown) else ""
    return (
        f"<div class='paxos-nb-result' data-kind='frame'>{_TABLE_CSS}<small>{rows} rows × "
        f"{cols} columns{more}</small><div class='paxos-nb-scroll' style='overflow:auto;"
        f"max-height:{height};max-width:100%'>{redact.scrub(table)}</div></div>"
    )


def json_html(value: Any, limit: int = 20_000) -> str:
    """A JSON value pretty-printed in a ``<pre>`` (long answers are cut, and say so)."""
    body = json.dumps(value, indent=2, default=str, ensure_ascii=False)
    cut = len(body) > limit
    body = body[:limit] + ("\n… (cut; use the Python line to get everything)" if cut else "")
    return (
        f"<div class='paxos-nb-result' data-kind='json'><pre class='paxos-nb-json' "
        f"style='max-height:30em;overflow:auto'>{text(body)}</pre></div>"
    )


def scope_info_html(info: ScopeInfo) -> str:
    """One scope (:func:`paxos_nb.scopes.explain`): what it is and the operations it unlocks."""
    e = html.escape
    rows = (
        "".join(
            f"<tr><td><code>{e(line.split(' — ')[0])}</code></td>"
            f"<td>{e(line.partition(' — ')[2])}</td></tr>"
            for line in info.operations
        )
        or "<tr><td colspan='2'><i>no REST operation in the spec</i></td></tr>"
    )
    return (
        f"<p><code>{e(info.name)}</code> ({e(info.access)}, {e(info.family)}): "
        f"{e(info.description)}</p><table><thead><tr><th>operation</th><th>summary</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def plan_html(plan: Plan) -> str:
    """A least-privilege plan (:func:`paxos_nb.scopes.plan`): each operation and its scope."""
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(s.name)}</td><td><code>{e(s.method)} {e(s.path)}</code></td>"
        f"<td>{e(s.operation_id)}</td><td><code>{e(s.scope or 'public')}</code></td></tr>"
        for s in plan.steps
    )
    return (
        f"<p><b>{len(plan.scopes)} scope(s)</b>: "
        f"<code>{e(plan.dashboard_string) or '(none: all public)'}</code></p>"
        "<table><thead><tr><th>asked for</th><th>operation</th><th>id</th><th>scope</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def register_html_reprs() -> None:
    """Give the core classes their notebook HTML (``import paxos_nb`` runs this).

    By import path, so nothing heavy is imported here: a session's module loads only when
    the user connects.
    """
    htmlrepr.register(PaxosError, error_html)
    htmlrepr.register("paxos_nb.client.PaxosSession", session_html)
    htmlrepr.register("paxos_nb.auth.Token", token_html)
    htmlrepr.register("paxos_nb.scopes.ScopeInfo", scope_info_html)
    htmlrepr.register("paxos_nb.scopes.Plan", plan_html)
