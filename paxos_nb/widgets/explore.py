"""The API explorer: find an operation, see its scope, fill parameters, run, copy the line.

The operation list is the generated catalog (:mod:`paxos_nb.catalog`). Parameter fields are
built from each operation's ``params`` (path and query): the path and required ones and the
common filters first, the rest folded under "More parameters"; a JSON body box appears for
POST/PUT. Results render as a compact, scrollable preview of the DataFrame (every page up to
"max rows"; ``explorer.last_result`` holds all of it) or as JSON; the equivalent line of
Python and ``%paxos`` line are shown ready to copy.
"""

from __future__ import annotations

import logging
from typing import Any

import ipywidgets as w

from .. import catalog, display
from ..errors import ConfigError
from . import calls
from ._base import PaxosBox, close_tree

__all__ = ["Explorer"]

logger = logging.getLogger(__name__)

TABLE, JSON = "table", "JSON"
# Filters an analyst reaches for first, in this order (after path and required parameters).
COMMON = (
    "profile_id",
    "profile_ids",
    "market",
    "markets",
    "asset",
    "assets",
    "type",
    "statuses",
    "status",
    "side",
    "ref_ids",
    "created_at.gte",
    "created_at.lt",
    "limit",
)
MAX_COMMON = 8
_FILL = {"width": "auto", "max_width": "100%"}  # fills the row; 100% plus margins overflows


def split_params(op: catalog.Operation) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``op``'s parameters as (shown first, folded under "More parameters"): path and
    required ones, then the :data:`COMMON` filters it has, up to :data:`MAX_COMMON`. An
    operation with no more than that many shows them all."""
    if len(op.params) <= MAX_COMMON:
        return list(op.params), []
    rank = {name: i for i, name in enumerate(COMMON)}

    def key(param: dict[str, Any]) -> tuple[int, int]:
        if param.get("in") == "path" or param.get("required"):
            return (0, 0)
        return (1, rank.get(param["name"], len(COMMON)))

    ordered = sorted(op.params, key=key)
    first = [p for p in ordered if key(p)[0] == 0 or key(p)[1] < len(COMMON)][:MAX_COMMON]
    first = [p for p in first if key(p)[0] == 0] + [p for p in first if key(p)[0] == 1]
    return first, [p for p in op.params if p not in first]


def _label(op: catalog.Operation) -> str:
    return f"{op.method:<6} {op.path}  ·  {op.operation_id}"


class Explorer(PaxosBox):
    """Search the operations catalog, run one operation, and copy the equivalent Python.

    Parameters
    ----------
    session : PaxosSession or credentials form, optional
        Where calls go. Default: the current session (the last one the credentials form
        connected, or ``px.magics.use(...)``), looked up at each run.
    search : str
        Initial search text.
    max_rows : int
        Default row limit for tables (0: every row).

    Attributes
    ----------
    search, operations, run_button, view, max_rows, body, python, magic_line, result
        The widgets, for code and tests (``explorer.run_button.click()``).
    params : dict of str to ipywidgets.Widget
        The parameter fields of the selected operation.
    last_result : DataFrame or JSON value or None
        What the last run returned.
    """

    def __init__(
        self, session: Any = None, *, search: str = "", max_rows: int = 100, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self._session = session
        self.params: dict[str, w.Widget] = {}
        self.more_params: w.Accordion | None = None
        self._folded: set[str] = set()
        self.last_result: Any = None
        self._ops = catalog.operations()
        self._fields: dict[str, w.Widget] = {}
        self.search = w.Text(
            value=search,
            placeholder="search operations: id, path, tag or scope",
            description="Search",
            continuous_update=True,
            layout=w.Layout(**_FILL),
        )
        self.search.add_class("paxos-nb-search")
        self.operations = w.Select(options=[], rows=8, layout=w.Layout(**_FILL))
        self.info = w.HTML()
        self.param_box = w.VBox(layout=w.Layout(**_FILL))
        self.body = w.Textarea(
            placeholder="JSON body",
            layout=w.Layout(**_FILL, height="9em", display="none"),
        )
        self.view = w.ToggleButtons(options=[TABLE, JSON], value=TABLE, description="Show as")
        self.max_rows = w.BoundedIntText(
            value=max_rows,
            min=0,
            max=1_000_000,
            description="Max rows",
            layout=w.Layout(width="14em"),
        )
        self.run_button = w.Button(description="Run", button_style="primary", icon="play")
        self.run_button.add_class("paxos-nb-run")
        self.python = w.Text(description="Python", layout=w.Layout(**_FILL))
        self.python.add_class("paxos-nb-python")
        self.magic_line = w.Text(description="Magic", layout=w.Layout(**_FILL))
        self.result = w.HTML()
        self.result.add_class("paxos-nb-result-box")

        self.search.observe(self.guard(self._on_search, "search: "), "value")
        self.operations.observe(self.guard(self._on_select, "operation: "), "value")
        for source in (self.view, self.max_rows, self.body):
            source.observe(self.guard(lambda _: self._update_line(quiet=True)), "value")
        self.run_button.on_click(self.guard(lambda _: self.run(), "run: "))
        self.children = [
            self.search,
            self.operations,
            self.info,
            self.param_box,
            self.body,
            w.HBox([self.view, self.max_rows, self.run_button]),
            self.python,
            self.magic_line,
            self.errors,
            self.result,
        ]
        self.add_class("paxos-nb-explorer")
        self._filter(search)
        if callable(getattr(session, "on_connect", None)):  # a form: redraw on each connect
            session.on_connect(lambda _: self._show_info())

    # -- the session -------------------------------------------------------------------------

    @property
    def session(self) -> Any:
        """The session calls go to (the current one when none was given), or None."""
        from .. import magics

        if self._session is None:
            return magics.current()
        if hasattr(self._session, "request"):  # a PaxosSession
            return self._session
        return getattr(self._session, "session", None)  # a form: its session once connected

    @session.setter
    def session(self, value: Any) -> None:
        self._session = value
        self._show_info()

    # -- public ------------------------------------------------------------------------------

    @property
    def operation(self) -> catalog.Operation | None:
        """The selected operation."""
        return catalog.by_id(self.operations.value) if self.operations.value else None

    def select(self, name: str) -> catalog.Operation:
        """Select an operation by id or ``"METHOD /path"`` (clears the search if needed)."""
        op = catalog.by_id(name)
        if op is None and " " in name:
            method, path = name.split(None, 1)
            op = catalog.match(method, path)
        if op is None:
            from .. import scopes

            scopes.for_operation(name)  # raises UnknownNameError with the closest names
            raise ConfigError(f"unknown operation {name!r}")
        if op.operation_id not in dict(self.operations.options).values():
            self.search.value = ""
        self.operations.value = op.operation_id
        return op

    def set_params(self, **values: Any) -> None:
        """Fill parameter fields by name (``created_at.gte`` may be written created_at__gte)."""
        for key, value in values.items():
            name = key if key in self.params else key.replace("__", ".")
            if name not in self.params:
                raise ConfigError(
                    f"{self.operation.operation_id if self.operation else 'this'} has no "
                    f"parameter {key!r}",
                    hint="parameters: " + (", ".join(self.params) or "none"),
                )
            field = self.params[name]
            if self.more_params is not None and name in self._folded:
                self.more_params.selected_index = 0  # show the field being filled
            field.value = (
                ("true" if value else "false")
                if isinstance(value, bool)
                else ",".join(map(str, value))
                if isinstance(value, (list, tuple))
                else str(value)
            )

    def call(self) -> calls.Call:
        """The call the fields describe (raises ConfigError naming a bad field)."""
        op = self.operation
        if op is None:
            raise ConfigError("no operation selected", hint="search and pick one in the list")
        values = {name: field.value for name, field in self.params.items()}
        table = self.view.value == TABLE and calls.is_list(op)
        return calls.build(op, values, self.body.value, table=table, max_rows=self.max_rows.value)

    def run(self) -> Any:
        """Run the selected operation; returns the DataFrame or JSON and shows it."""
        call = self.call()
        session = self.session
        if session is None:
            raise ConfigError(
                "no session: connect first",
                hint="connect with px.widgets.credentials_form() or pass explorer(session=...)",
            )
        self.clear_errors()
        self.result.value = "<i>running…</i>"
        try:
            result = call.run(session)
        except BaseException:
            self.result.value = ""
            raise
        finally:
            self._show_info()  # the token may have been fetched or renewed by the call
        self.last_result = result
        if call.table:
            self.result.value = display.frame_html(result)
        else:
            self.result.value = display.json_html(result)
        return result

    def summary(self) -> str:
        op = self.operation
        return f"{len(self.operations.options)} operations" + (
            f", {op.operation_id} selected" if op else ""
        )

    # -- events ------------------------------------------------------------------------------

    def _filter(self, text: str) -> None:
        words = text.lower().split()

        def rank(op: catalog.Operation) -> int | None:
            """None: no match; else lower is better (id match, then path, then the rest)."""
            hay = " ".join(
                (op.operation_id, op.method, op.path, op.tag, op.summary, op.scope or "")
            )
            if not all(word in hay.lower() for word in words):
                return None
            ident, key = op.operation_id.lower(), op.key.lower()
            joined = " ".join(words)
            if joined in (ident, key):
                return 0
            if all(word in ident for word in words):
                return 1
            return 2 if all(word in key for word in words) else 3

        ranked = sorted(
            ((r, i, op) for i, op in enumerate(self._ops) if (r := rank(op)) is not None),
            key=lambda item: item[:2],
        )
        found = [op for _, _, op in ranked]
        keep = self.operations.value
        self.operations.options = [(_label(op), op.operation_id) for op in found]
        ids = [op.operation_id for op in found]
        if ranked and ranked[0][0] == 0:  # an exact id or "METHOD /path" always wins
            self.operations.value = found[0].operation_id
        elif keep in ids:  # the selection does not jump while the user types
            self.operations.value = keep
        elif found and words:  # the best match, so Run works right after typing a name
            self.operations.value = found[0].operation_id
        else:
            self.operations.value = None

    def _on_search(self, change: dict[str, Any]) -> None:
        self._filter(change["new"])

    def _on_select(self, change: dict[str, Any]) -> None:
        op = self.operation
        self.params, self._fields = {}, {}
        rows: list[w.Widget] = []
        self.more_params, self._folded = None, set()
        if op is not None:
            first, folded = split_params(op)
            for param in first:
                rows.append(self._field(param))
            if folded:
                fields = [self._field(param) for param in folded]
                self._folded = {param["name"] for param in folded}
                self.more_params = w.Accordion(
                    children=[w.VBox(fields, layout=w.Layout(**_FILL))],
                    titles=(f"More parameters ({len(folded)})",),
                    selected_index=None,
                )
                self.more_params.add_class("paxos-nb-more-params")
                rows.append(self.more_params)
            self.params = {p["name"]: self._fields[p["name"]] for p in op.params}
            self.body.layout.display = "" if op.method in ("POST", "PUT", "PATCH") else "none"
            self.body.value = calls.body_template(op)
            self.view.value = TABLE if calls.is_list(op) else JSON
            self.view.disabled = not calls.is_list(op)
        old = self.param_box.children
        self.param_box.children = rows
        for field in old:
            field.unobserve_all()
            close_tree(field)
        self.result.value = ""
        self.last_result = None
        self._show_info()
        self._update_line(quiet=True)

    def _field(self, param: dict[str, Any]) -> w.Widget:
        field = self._make_field(param)
        self._fields[param["name"]] = field
        return field

    def _make_field(self, param: dict[str, Any]) -> w.Widget:
        name, kind = param["name"], param.get("type", "string")
        label = name + (" *" if param.get("required") else "")
        tip = (param.get("description") or "") + f" ({param.get('in')}, {kind})"
        style = {"description_width": "12em"}
        layout = dict(_FILL)  # a dict: each text field builds its own Layout
        if param.get("enum"):
            options = ["", *map(str, param["enum"])]
            if kind == "array":
                field = w.Text(
                    description=label,
                    placeholder="comma-separated: " + ", ".join(options[1:6]),
                    style=style,
                    layout=layout,
                )
            else:
                field = w.Dropdown(options=options, value="", description=label, style=style)
        elif kind == "boolean":
            field = w.Dropdown(
                options=["", "true", "false"], value="", description=label, style=style
            )
        else:
            hint = {"integer": "a number", "array": "comma-separated values"}.get(kind, "")
            if param.get("format") == "date-time":
                hint = "RFC 3339, e.g. 2025-01-31T00:00:00Z"
            field = w.Text(description=label, placeholder=hint, style=style, layout=layout)
        field.tooltip = tip
        field.observe(self.guard(lambda _: self._update_line(quiet=True)), "value")
        return field

    def _show_info(self) -> None:
        op = self.operation
        if op is None:
            self.info.value = "<i>no operation selected</i>"
            return
        session = self.session
        token = display.current_token(session) if session is not None else None
        self.info.value = display.operation_html(op, token.scopes if token else None)

    def _update_line(self, quiet: bool = False) -> None:
        """Refresh the copyable lines; ``quiet``: an incomplete form just empties them."""
        try:
            call = self.call()
        except ConfigError:
            if not quiet:
                raise
            op = self.operation
            self.python.value = f"# fill the required fields of {op.operation_id}" if op else ""
            self.magic_line.value = ""
            return
        self.python.value = call.python()
        self.magic_line.value = call.magic()
