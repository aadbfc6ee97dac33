"""A static HTML picture of a widget tree, saved with the notebook next to the live widget.

A notebook saved without widget state (the tutorials are: the state would hold every typed
value) shows nothing where a widget was, wherever no kernel runs: GitHub, nbviewer, an HTML
export. So every paxos_nb widget's display data also carries ``text/html``: this picture of
the widget as it was when displayed (fields, values, buttons, the session box), drawn from
the widget objects. Frontends with a kernel draw the live widget instead; the picture is the
fallback. A password field is drawn empty, always; values are scrubbed and escaped.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from .. import redact

__all__ = ["snapshot_html"]

_FIELD = (
    "border:1px solid var(--jp-border-color1,#bbb);border-radius:2px;padding:1px 6px;"
    "min-width:12em;display:inline-block;background:var(--jp-layout-color1,#fff)"
)
_BUTTON = "border:1px solid var(--jp-border-color1,#bbb);border-radius:2px;padding:1px 10px"
_LABEL = "display:inline-block;min-width:8em"
_MAX_CHILDREN = 80  # a scope picker has 60 checkboxes; more would only bloat the file


def snapshot_html(widget: w.Widget) -> str:
    """``widget`` and its children as static HTML (class ``paxos-nb-snapshot``)."""
    return (
        "<div class='paxos-nb-snapshot' title='a picture of the widget as it was displayed; "
        f"run the notebook for the live one'>{_draw(widget)}</div>"
    )


def _text(value: Any) -> str:
    return html.escape(redact.scrub("" if value is None else str(value)))


def _labelled(widget: Any, inner: str) -> str:
    label = getattr(widget, "description", "") or ""
    head = (
        f"<span style='display:inline-block;min-width:8em'>{_text(label)}</span> " if label else ""
    )
    return f"<div style='margin:2px 0'>{head}{inner}</div>"


def _draw(widget: Any) -> str:
    if isinstance(widget, w.Password):  # before Text: a secret is never drawn
        return _labelled(widget, f"<span style='{_FIELD}'>&nbsp;</span>")
    if isinstance(widget, w.Output):
        return "".join(_output(o) for o in widget.outputs)
    if isinstance(widget, (w.HTML, w.HTMLMath)):
        return redact.scrub(widget.value)  # HTML the package drew (escaped where it built it)
    if isinstance(widget, w.Label):
        return _labelled(widget, _text(widget.value))
    if isinstance(widget, w.Button):
        return f"<button disabled style='{_BUTTON}'>{_text(widget.description)}</button> "
    if isinstance(widget, w.Checkbox):
        mark = "☑" if widget.value else "☐"
        return f"<div>{mark} {_text(widget.description)}</div>"
    if isinstance(widget, w.ToggleButtons):
        chips = " ".join(
            f"<b>[{_text(o)}]</b>" if o == widget.value else _text(o) for o in widget.options
        )
        return _labelled(widget, chips)
    if isinstance(widget, (w.Dropdown, w.Select)):
        count = len(widget.options)
        shown = _text(widget.label) if widget.label is not None else "<i>(none)</i>"
        return _labelled(widget, f"<span style='{_FIELD}'>{shown}</span> <small>of {count}</small>")
    if isinstance(widget, (w.Text, w.Textarea, w.IntText, w.BoundedIntText)):
        value = _text(widget.value) or f"<i style='opacity:.6'>{_text(widget.placeholder)}</i>"
        if getattr(widget.layout, "display", None) == "none":
            return ""
        return _labelled(widget, f"<span style='{_FIELD}'>{value}</span>")
    if isinstance(widget, w.Accordion):
        titles = list(widget.titles or ())
        return "".join(
            f"<details{' open' if widget.selected_index == i else ''}><summary>"
            f"{_text(titles[i] if i < len(titles) else '')}</summary>{_draw(child)}</details>"
            for i, child in enumerate(widget.children)
        )
    if isinstance(widget, w.Box):
        row = isinstance(widget, w.HBox)
        style = "display:flex;gap:6px;align-items:center" if row else ""
        parts = [_draw(c) for c in list(widget.children)[:_MAX_CHILDREN]]
        if len(widget.children) > _MAX_CHILDREN:
            parts.append(f"<small>… {len(widget.children) - _MAX_CHILDREN} more</small>")
        return f"<div style='{style}'>{''.join(parts)}</div>"
    return ""


def _output(output: dict[str, Any]) -> str:
    data = output.get("data") or {}
    if "text/html" in data:
        return redact.scrub(str(data["text/html"]))
    text = data.get("text/plain") or output.get("text") or ""
    return f"<pre>{_text(text)}</pre>" if text else ""
