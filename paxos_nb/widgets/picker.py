"""The scope picker: Paxos scopes by API family, task presets, least privilege, Dashboard string.

Everything comes from :mod:`paxos_nb.scopes` and the operations catalog; nothing here talks to
the network. ``picker.value`` is the selected scopes (a tuple in catalog order) and is a
traitlet, so ``picker.observe(callback, "value")`` follows every change.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import ipywidgets as w
import traitlets
from ipywidgets.widgets.widget_bool import CheckboxStyle

from .. import catalog, display
from .. import scopes as px_scopes
from ..errors import ConfigError
from ._base import PaxosBox

__all__ = ["ScopePicker"]

logger = logging.getLogger(__name__)

_NO_PRESET = "(choose a preset)"


class ScopePicker(PaxosBox):
    """Choose OAuth2 scopes: by hand, from a preset, or the least privilege for operations.

    Parameters
    ----------
    value : str or iterable of str, optional
        Scopes selected at first (a space-separated string or names).
    preset : str, optional
        A :data:`paxos_nb.scopes.PRESETS` name applied at first (after ``value``).
    operations : iterable of str, optional
        Operation ids or ``"METHOD /path"``: select exactly the scopes they need.

    Attributes
    ----------
    value : tuple of str
        The selected scopes, in catalog order.
    checkboxes : dict of str to ipywidgets.Checkbox
        One per scope.
    preset, operations, dashboard : widgets
        The preset menu, the operations input and the Dashboard string box.
    """

    value = traitlets.Tuple()

    def __init__(
        self,
        value: str | Iterable[str] | None = None,
        preset: str | None = None,
        operations: Iterable[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._batch = False
        self.checkboxes: dict[str, w.Checkbox] = {}
        families: dict[str, list[Any]] = {}
        for scope in catalog.scopes():
            families.setdefault(scope.family, []).append(scope)
        self._families = families
        self._access = {s.scope: s.access for s in catalog.scopes()}
        # One Checkbox per scope, its description in the label, sharing one layout and one
        # style: 60 scopes stay 60 widget models (a saved notebook holds each one's state).
        layout = w.Layout(width="auto")
        style = CheckboxStyle(description_width="initial")
        pages = []
        for members in families.values():
            boxes = []
            for scope in members:
                box = w.Checkbox(
                    value=False,
                    description=f"{scope.scope} ({scope.access}) — {scope.description}",
                    tooltip=scope.description,
                    indent=False,
                    layout=layout,
                    style=style,
                )
                box.observe(self._on_box, "value")
                self.checkboxes[scope.scope] = box
                boxes.append(box)
            pages.append(w.VBox(boxes))
        self.families = w.Accordion(children=pages, titles=tuple(families))
        self.families.selected_index = None

        self.preset = w.Dropdown(
            options=[_NO_PRESET, *px_scopes.PRESETS],
            value=_NO_PRESET,
            description="Preset",
            layout=w.Layout(width="22em"),
        )
        self.preset.observe(self.guard(self._on_preset, "preset: "), "value")
        ops = catalog.operations()
        self.operations = w.TagsInput(
            value=[],
            allowed_tags=[op.operation_id for op in ops] + [op.key for op in ops],
            allow_duplicates=False,
            placeholder="operation ids, e.g. ListProfiles",
        )
        self.least = w.Button(
            description="Least privilege", tooltip="select exactly the scopes these need"
        )
        self.least.on_click(self.guard(lambda _: self.apply_operations(), "least privilege: "))
        self.plan_view = w.HTML()
        self.clear = w.Button(description="Clear", tooltip="unselect every scope")
        self.clear.on_click(self.guard(lambda _: self.select(()), "clear: "))
        self.dashboard = w.Text(
            description="Dashboard",
            placeholder="space-delimited scopes (paste PAXOS_SCOPES here too)",
            continuous_update=False,
            layout=w.Layout(width="auto", max_width="100%"),
        )
        self.dashboard.observe(self.guard(self._on_dashboard, "Dashboard string: "), "value")
        self.count = w.HTML()
        self.children = [
            w.HBox([self.preset, self.clear, self.count]),
            w.HBox([w.Label("For operations:"), self.operations, self.least]),
            self.plan_view,
            self.families,
            self.dashboard,
            self.errors,
        ]
        self.add_class("paxos-nb-scope-picker")
        if value is not None:
            self.select(px_scopes.validate(value))
        if preset is not None:
            self.apply_preset(preset)
        if operations is not None:
            self.apply_operations(operations)
        self._sync()

    # -- public ------------------------------------------------------------------------------

    @property
    def dashboard_string(self) -> str:
        """The selected scopes, space-delimited: paste into the Dashboard or PAXOS_SCOPES."""
        return " ".join(self.value)

    def select(self, scopes: Iterable[str]) -> tuple[str, ...]:
        """Select exactly ``scopes`` (validated; unknown names raise with suggestions)."""
        wanted = set(px_scopes.validate(scopes))  # unknown names raise, with the closest ones
        self._batch = True
        try:
            for name, box in self.checkboxes.items():
                box.value = name in wanted
        finally:
            self._batch = False
        self._sync()
        return self.value

    def apply_preset(self, name: str) -> tuple[str, ...]:
        """Select the scopes of a preset (``"analyst"``, ``"convert"``...)."""
        scopes = px_scopes.PRESETS[name]
        self.plan_view.value = ""
        self.select(scopes)
        if name in self.preset.options:
            self.preset.value = name
        return self.value

    def apply_operations(self, names: Iterable[str] | None = None) -> tuple[str, ...]:
        """Select the least-privilege scopes for operations (default: the operations box)."""
        if names is not None:
            names = [names] if isinstance(names, str) else list(names)
            allowed = set(self.operations.allowed_tags)
            self.operations.value = [n for n in names if n in allowed]
        else:
            names = list(self.operations.value)
        if not names:
            raise ConfigError(
                "no operations to plan for",
                hint="type operation ids (e.g. ListProfiles) or 'METHOD /path' first",
            )
        plan = px_scopes.plan(names)
        self.plan_view.value = display.plan_html(plan)
        return self.select(plan.scopes)

    def summary(self) -> str:
        return f"{len(self.value)} scope(s) selected"

    # -- events ------------------------------------------------------------------------------

    def _on_box(self, change: dict[str, Any]) -> None:
        if not self._batch:
            self._sync()

    def _on_preset(self, change: dict[str, Any]) -> None:
        if change["new"] and change["new"] != _NO_PRESET:
            self.apply_preset(change["new"])

    def _on_dashboard(self, change: dict[str, Any]) -> None:
        if self._batch or change["new"] == self.dashboard_string:
            return
        self.select(px_scopes.validate(change["new"]))

    def _sync(self) -> None:
        selected = tuple(name for name, box in self.checkboxes.items() if box.value)
        self.value = selected
        self._batch = True
        try:
            self.dashboard.value = " ".join(selected)
        finally:
            self._batch = False
        titles = []
        for family, members in self._families.items():
            n = sum(1 for s in members if s.scope in selected)
            titles.append(f"{family} ({n}/{len(members)})" if n else family)
        self.families.titles = tuple(titles)
        writes = sum(1 for s in selected if self._access.get(s) == "write")
        self.count.value = (
            f"<span class='paxos-nb-scope-count'><b>{len(selected)}</b> selected"
            + (f", {writes} write" if writes else "")
            + "</span>"
        )
        chosen = self.preset.value
        if chosen != _NO_PRESET and set(selected) != set(px_scopes.PRESETS[chosen]):
            self.preset.value = _NO_PRESET  # edited since: no longer that preset
