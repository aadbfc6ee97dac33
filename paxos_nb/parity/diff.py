"""Where two observations of one operation differ: the findings, by field.

Kinds of finding (``Finding.kind``):

``status``
    the two sides answered differently (``ok`` vs ``501``...); nothing else is compared.
``only in reference`` / ``only in emulator``
    a field one side sends and the other never did (the topmost such path only).
``type``
    the JSON types seen at a path differ (a decimal string on one side, a number on the other).
``timestamp``
    both sides send timestamps there, in different forms (``Z`` vs an offset, RFC 3339 vs
    epoch).
``enum``
    a side sends a value the spec's enum does not list, and the other side does not.
``paging`` / ``problem``
    a paging fact (envelope key, ``limit`` honoured, cursor behaviour, default order) or a
    fact of the 403 answer differs.

Values the two sides both send outside the spec are not differences; they come back as notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .shapes import ROOT, Shape, base, parent
from .tour import Observation

__all__ = ["Finding", "compare_observations", "display_path"]

_TIME_FORMS = ("timestamp", "epoch")
# Whether a page carries a cursor depends on how many records exist; the paging facts
# compare it where it means something (while more pages exist, on the last page).
_DATA_DEPENDENT = frozenset({"next_page_cursor"})


@dataclass(frozen=True)
class Finding:
    """One difference: which kind, at which field, what each side showed (shapes only)."""

    kind: str
    field: str
    reference: str
    emulator: str
    note: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "field": self.field,
            "reference": self.reference,
            "emulator": self.emulator,
            "note": self.note,
        }


def display_path(path: str) -> str:
    return "(body)" if path == ROOT else path


def compare_observations(
    ref: Observation, emu: Observation, *, facts_kind: str = "paging"
) -> tuple[list[Finding], list[str]]:
    """The findings between two observations of one operation, and notes (not differences)."""
    if ref.status == "skipped" or emu.status == "skipped":
        return [], []
    if ref.status != emu.status:
        note = "not emulated" if emu.status == "501" else ""
        return [Finding("status", "(status)", ref.status, emu.status, note)], []
    findings = _facts(ref.facts, emu.facts, facts_kind)
    notes: list[str] = []
    if ref.shape is not None and emu.shape is not None:
        found, notes = _shapes(ref.shape, emu.shape)
        findings += found
    return findings, notes


def _facts(ref: dict[str, Any], emu: dict[str, Any], kind: str) -> list[Finding]:
    out = []
    for name in sorted(set(ref) | set(emu)):
        a, b = ref.get(name), emu.get(name)
        if a is None or b is None or a == b:
            continue  # unknown on one side (a history too long to walk): not comparable
        out.append(Finding("problem" if name == "media type" else kind, name, _text(a), _text(b)))
    return out


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _shapes(ref: Shape, emu: Shape) -> tuple[list[Finding], list[str]]:
    findings: list[Finding] = []
    flagged: set[str] = set()
    for path in sorted(set(ref.types) & set(emu.types)):
        a, b = ref.types[path], emu.types[path]
        if {base(t) for t in a} != {base(t) for t in b}:
            findings.append(Finding("type", display_path(path), _tags(a), _tags(b)))
            flagged.add(path)
            continue
        ta, tb = _time_forms(a), _time_forms(b)
        if ta and tb and ta != tb:
            findings.append(Finding("timestamp", display_path(path), _tags(ta), _tags(tb)))
    notes: list[str] = []
    for side, mine, other in (("reference", ref, emu), ("emulator", emu, ref)):
        alone = set(mine.types) - set(other.types)
        for path in sorted(alone):
            if _under(path, flagged) or parent(path) in alone or path in _DATA_DEPENDENT:
                continue  # reported at its parent, or not a matter of shape
            if path.endswith("[]") and parent(path) in other.types:
                notes.append(
                    f"{display_path(parent(path) or '')} holds records only on the {side}: "
                    "their fields were not compared"
                )
                continue
            note = "not in the spec" if _under(path, mine.undeclared, inclusive=True) else ""
            shown, absent = _tags(mine.types[path]), "(absent)"
            pair = (shown, absent) if side == "reference" else (absent, shown)
            findings.append(Finding(f"only in {side}", display_path(path), *pair, note))
    for path in sorted(set(ref.outside_enum) | set(emu.outside_enum)):
        a, b = ref.outside_enum.get(path, set()), emu.outside_enum.get(path, set())
        if a - b or b - a:
            findings.append(
                Finding(
                    "enum",
                    display_path(path),
                    ", ".join(sorted(a - b)) or "(in the spec)",
                    ", ".join(sorted(b - a)) or "(in the spec)",
                    "outside the spec's enum",
                )
            )
        if a & b:
            both = ", ".join(sorted(a & b))
            notes.append(f"both sides send {both} at {display_path(path)}, outside the spec")
    return findings, notes


def _tags(tags: set[str]) -> str:
    return " | ".join(sorted(tags))


def _time_forms(tags: set[str]) -> set[str]:
    return {t for t in tags if t.partition(":")[2].startswith(_TIME_FORMS)}


def _under(path: str, roots: set[str], *, inclusive: bool = False) -> bool:
    node: str | None = path if inclusive else parent(path)
    while node is not None:
        if node in roots:
            return True
        node = parent(node)
    return False
