"""One API call described by the explorer's fields, and its equivalent line of Python.

Pure (no ipywidgets, no network): :func:`build` turns an operation and the text typed in its
parameter fields into a :class:`Call`, checking each value against the catalog's parameter
type; :meth:`Call.python` is the one line that does the same thing in a notebook, and
:meth:`Call.run` sends it through a session.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from ..catalog import Operation
from ..errors import ConfigError

__all__ = ["Call", "build", "is_list"]

_FRAME_OWN = frozenset({"path", "params", "max_rows", "progress", "amounts", "max_pages"})


def is_list(op: Operation) -> bool:
    """A GET whose answer holds records (it has an envelope): it can become a DataFrame."""
    return op.method == "GET" and bool(op.envelope)


@dataclass(frozen=True)
class Call:
    """A ready call: method, concrete path, query params, JSON body and how to show it."""

    op: Operation
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    table: bool = False  # True: session.frame (every page, as a DataFrame)
    max_rows: int | None = None

    def python(self, session_name: str = "session") -> str:
        """The equivalent line, e.g. ``session.frame("/profiles", limit=10)``."""
        args = [json.dumps(self.path)]
        if self.table:
            names = {k.replace(".", "__"): v for k, v in self.params.items()}
            if all(n.isidentifier() and n not in _FRAME_OWN for n in names):
                args += [f"{n}={_literal(v)}" for n, v in names.items()]
            elif self.params:
                args.append(f"params={_literal(self.params)}")
            if self.max_rows:
                args.append(f"max_rows={self.max_rows}")
            return f"{session_name}.frame({', '.join(args)})"
        if self.body is not None:
            args.append(f"json={_literal(self.body)}")
        if self.params:
            args.append(f"params={_literal(self.params)}")
        return f"{session_name}.{self.op.method.lower()}({', '.join(args)})"

    def magic(self) -> str:
        """The same call as a ``%paxos`` line (the body, if any, goes in a ``%%paxos`` cell)."""
        words = ["%%paxos" if self.body is not None else "%paxos", self.op.method, self.path]
        for key, value in self.params.items():
            for item in value if isinstance(value, list) else [value]:
                text = str(item).lower() if isinstance(item, bool) else str(item)
                words.append(f"{key}={_shell_word(text)}")
        if not self.table and self.op.method == "GET" and is_list(self.op):
            words.append("--json")
        if self.table and self.max_rows:
            words += ["--max-rows", str(self.max_rows)]
        return " ".join(words)

    def run(self, session: Any) -> Any:
        """Send it: a DataFrame when ``table``, else the parsed JSON."""
        if self.table:
            return session.frame(
                self.path, params=self.params or None, max_rows=self.max_rows, progress=False
            )
        return session.request(
            self.op.method, self.path, params=self.params or None, json=self.body
        )


def _literal(value: Any) -> str:
    """A Python literal for JSON-like data, strings in double quotes like the path."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return repr(value)  # numbers, booleans, None


def _shell_word(text: str) -> str:
    import shlex

    return shlex.quote(text)


def _convert(param: Mapping[str, Any], raw: str) -> Any:
    name, kind = param["name"], param.get("type", "string")
    text = raw.strip()
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            raise ConfigError(
                f"{name} must be a whole number, not {text!r}", hint=f"type digits in {name}"
            ) from None
    if kind == "boolean":
        lowered = text.lower()
        if lowered not in ("true", "false"):
            raise ConfigError(f"{name} must be true or false, not {text!r}")
        return lowered == "true"
    if kind == "array":
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


def build(
    op: Operation,
    values: Mapping[str, str],
    body: str = "",
    *,
    table: bool | None = None,
    max_rows: int | None = None,
) -> Call:
    """A :class:`Call` from the text typed in the parameter fields.

    Parameters
    ----------
    op : catalog.Operation
    values : mapping of str to str
        Parameter name -> typed text; empty text means "not given".
    body : str
        The JSON body text (POST/PUT); empty for none.
    table : bool, optional
        Fetch every page as a DataFrame (default: True for list operations).
    max_rows : int, optional
        For a table: stop after this many rows (0 or None: all).

    Raises
    ------
    ConfigError
        A required parameter is empty, a value does not fit its type, the body is not JSON,
        or a table is asked for an operation that returns no records.
    """
    path = op.path
    params: dict[str, Any] = {}
    for param in op.params:
        name = param["name"]
        raw = (values.get(name) or "").strip()
        if not raw:
            if param.get("required"):
                where = "path" if param.get("in") == "path" else "query"
                raise ConfigError(
                    f"{name} is required by {op.operation_id}",
                    hint=f"fill the {where} parameter {name}"
                    + (
                        " (a UUID, or 'default' for the default profile)"
                        if "profile" in name
                        else ""
                    ),
                )
            continue
        value = _convert(param, raw)
        if param.get("in") == "path":
            path = path.replace("{" + name + "}", quote(str(value), safe=""))
        else:
            params[name] = value
    parsed = None
    if body.strip():
        if op.method not in ("POST", "PUT", "PATCH"):
            raise ConfigError(f"{op.method} sends no body", hint="clear the body box")
        try:
            parsed = json.loads(body)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"the body is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                hint="double quotes around names and strings, no trailing commas",
            ) from None
    if table is None:
        table = is_list(op)
    if table and not is_list(op):
        raise ConfigError(
            f"{op.operation_id} returns one object, not a list of records",
            hint="show it as JSON instead",
        )
    return Call(op, path, params, parsed, bool(table), (max_rows or None) if table else None)


def body_template(op: Operation) -> str:
    """A JSON skeleton of the body's required fields (``""`` values) for the body box."""
    if not op.body:
        return ""
    required = op.body.get("required") or []
    return json.dumps(dict.fromkeys(required, ""), indent=2) if required else "{}"
