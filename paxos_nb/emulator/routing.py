"""Which catalog operation serves ``METHOD /v2/...``, matched on raw (undecoded) path segments.

The path is split on ``/`` as sent, before any percent-decoding, so an encoded ``%2F`` or
``%3F`` stays inside its segment; a placeholder's value is decoded only after the match.
A literal segment beats a placeholder (``/profiles/default`` is not a new profile id), and
among templates the one with fewer placeholders wins, as in the catalog.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

from ..catalog import Operation

__all__ = ["API_METHODS", "Match", "Router"]

API_METHODS = ("GET", "POST", "PUT", "DELETE")


@dataclass(frozen=True)
class Match:
    """An operation and its path parameters (percent-decoded)."""

    op: Operation
    path_params: dict[str, str]


@dataclass(frozen=True)
class _Template:
    op: Operation
    parts: tuple[str | None, ...]  # a literal segment, or None for a {placeholder}
    names: tuple[str, ...]  # placeholder names, in order


def _template(op: Operation) -> _Template:
    parts: list[str | None] = []
    names: list[str] = []
    for segment in op.path.split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            parts.append(None)
            names.append(segment[1:-1])
        else:
            parts.append(segment)
    return _Template(op, tuple(parts), tuple(names))


class Router:
    """Matches raw paths (relative to ``/v2``) against the operations' path templates."""

    def __init__(self, operations: Iterable[Operation]) -> None:
        table: dict[tuple[str, int], list[_Template]] = {}
        ordered = sorted(operations, key=lambda o: (o.path.count("{"), -len(o.path)))
        for op in ordered:
            t = _template(op)
            table.setdefault((op.method, len(t.parts)), []).append(t)
        self._table = table

    def match(self, method: str, raw_path: str) -> Match | None:
        """The operation serving ``method raw_path`` (e.g. ``"/profiles/abc"``), or None."""
        segments = raw_path.split("/")
        if len(segments) > 2 and segments[-1] == "":
            segments.pop()  # one trailing slash is tolerated
        for t in self._table.get((method, len(segments)), ()):
            values = []
            for part, segment in zip(t.parts, segments):  # noqa: B905 - equal lengths
                if part is None:
                    if not segment:
                        break
                    values.append(segment)
                elif part != segment:
                    break
            else:
                params = {n: unquote(v) for n, v in zip(t.names, values)}  # noqa: B905
                return Match(t.op, params)
        return None

    def allowed(self, raw_path: str, besides: str) -> list[str]:
        """The other API methods that have an operation at ``raw_path`` (for a 405)."""
        return [m for m in API_METHODS if m != besides and self.match(m, raw_path)]
