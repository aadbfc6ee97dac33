"""What every paxos_nb widget shares: a VBox whose callbacks never lose an error.

A callback that raises inside ipywidgets is printed to the kernel log, which a notebook user
never sees. :meth:`PaxosBox.guard` wraps every callback: the error is shown inside the widget,
in an ``Output`` widget (``panel.errors``) as the error's HTML box (message, hint, and the
missing scope for a ScopeError). The box is added to ``Output.outputs`` directly rather than
through ``with output:`` capture, so it works the same in a kernel, in a test and in a
headless run, and its text is scrubbed of secrets before it enters the widget state.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from .. import display, redact
from ..errors import PaxosError

logger = logging.getLogger(__name__)


def descendants(widget: w.Widget) -> list[w.Widget]:
    """``widget`` and every widget below it (children, and their children...)."""
    seen: list[w.Widget] = []
    stack = [widget]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.append(node)
        stack.extend(getattr(node, "children", ()) or ())
    return seen


def close_tree(widget: w.Widget, skip_root: bool = False) -> None:
    """Close ``widget``, everything below it, and their layout and style models."""
    for node in descendants(widget):
        if node is not widget and isinstance(node, PaxosBox):
            node.close()  # its own close: timers, widgets outside its children
            continue
        for part in (getattr(node, "layout", None), getattr(node, "style", None)):
            if isinstance(part, w.Widget):  # some are shared: closing twice is harmless
                part.close()
        if not (skip_root and node is widget):
            w.Widget.close(node)


class PaxosBox(w.VBox):
    """A VBox with an error area and guarded callbacks; closing it closes its whole tree."""

    def __init__(self, **kwargs: Any) -> None:
        self.errors = w.Output(layout=w.Layout(width="auto", max_width="100%"))
        self.errors.add_class("paxos-nb-errors")
        self.error: BaseException | None = None  # the last error shown, for code and tests
        super().__init__(**kwargs)
        self.add_class("paxos-nb")

    # -- errors ------------------------------------------------------------------------------

    def show_error(self, exc: BaseException, context: str = "") -> None:
        """Show ``exc`` in :attr:`errors` (replacing what was there)."""
        self.error = exc
        if isinstance(exc, PaxosError):
            logger.info("%s%s: %s", context, type(exc).__name__, getattr(exc, "message", exc))
        else:  # a bug: keep the traceback in the log too
            logger.error("%sunexpected %s", context, type(exc).__name__, exc_info=exc)
        html = display.error_html(exc)
        plain = redact.scrub(f"{context}{type(exc).__name__}: {exc}")
        if context:
            html = f"<div><small>{display.text(context)}</small>{html}</div>"
        self.errors.outputs = (
            {
                "output_type": "display_data",
                "data": {"text/html": html, "text/plain": plain},
                "metadata": {},
            },
        )

    def clear_errors(self) -> None:
        self.error = None
        self.errors.outputs = ()

    @property
    def error_text(self) -> str:
        """The text of the error box (empty when there is none)."""
        return "\n".join(o["data"].get("text/plain", "") for o in self.errors.outputs)

    def guard(self, fn: Callable[..., Any], context: str = "") -> Callable[..., Any]:
        """``fn`` wrapped so that whatever it raises is shown in the widget, never lost."""

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                self.show_error(exc, context)
                return None

        return wrapper

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close this widget and every widget inside it (their models leave the kernel)."""
        self.stop()
        close_tree(self, skip_root=True)
        super().close()

    def stop(self) -> None:
        """Stop background work (timers); subclasses that have some override this."""

    def __repr__(self) -> str:
        # ipywidgets' repr lists every trait (long, volatile); this is the text/plain a
        # notebook stores and nbval compares.
        return f"<{type(self).__name__}: {self.summary()}>"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        """The live widget, plus a static picture of it (``text/html``) for wherever the
        notebook is shown without a kernel or saved widget state (GitHub, an HTML export)."""
        from .snapshot import snapshot_html

        data: dict[str, Any] = super()._repr_mimebundle_(**kwargs)
        data["text/html"] = snapshot_html(self)
        return data

    def summary(self) -> str:
        return ""
