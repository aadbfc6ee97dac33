"""A parity run's results: the terminal table, the DataFrame, and the JSON file to share.

Everything here is built from :class:`~paxos_nb.parity.tour.Observation` objects, which hold
statuses, shapes and facts only, so neither the table, the frame nor the file can carry a
value, an id, a secret, a token or the client id. Paths are the catalog's templates
(``/profiles/{profile_id}``), never the concrete ones the tour called.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .diff import Finding, compare_observations
from .tour import Observation

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COLUMNS", "FORMAT", "OperationResult", "ParityReport"]

FORMAT = "paxos-nb parity 1"  # the "format" member of the JSON file
COLUMNS = (
    "operation",
    "method",
    "path",
    "result",
    "reference_status",
    "emulator_status",
    "kind",
    "field",
    "reference",
    "emulator",
    "note",
)


@dataclass
class OperationResult:
    """One row of the tour: an operation (or a probe) observed on both sides."""

    label: str  # the operation id, or "ListTransfers (403 probe)"
    method: str
    path: str  # the catalog's template
    reference: Observation
    emulator: Observation
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pagination: str | None = None  # the catalog's paging family, probed on both sides

    @classmethod
    def of(
        cls,
        label: str,
        method: str,
        path: str,
        reference: Observation,
        emulator: Observation,
        *,
        facts_kind: str = "paging",
        pagination: str | None = None,
    ) -> OperationResult:
        findings, notes = compare_observations(reference, emulator, facts_kind=facts_kind)
        return cls(label, method, path, reference, emulator, findings, notes, pagination)

    @property
    def result(self) -> str:
        """``differs``, ``skipped`` or ``same``."""
        if self.findings:
            return "differs"
        if "skipped" in (self.reference.status, self.emulator.status):
            return "skipped"
        return "same"

    @property
    def reason(self) -> str:
        """Why it was skipped (which side, in words), else ``""``."""
        ref, emu = self.reference, self.emulator
        if ref.status == emu.status == "skipped" and ref.reason == emu.reason:
            return f"both sides: {ref.reason}"
        parts = [
            f"{side}: {obs.reason}"
            for side, obs in (("reference", self.reference), ("emulator", self.emulator))
            if obs.status == "skipped" and obs.reason
        ]
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.label,
            "method": self.method,
            "path": self.path,
            "pagination": self.pagination,
            "result": self.result,
            "skipped_because": self.reason or None,
            "differences": [f.to_dict() for f in self.findings],
            "notes": list(self.notes),
            "reference": self.reference.to_dict(),
            "emulator": self.emulator.to_dict(),
        }


@dataclass
class ParityReport:
    """The outcome of :func:`paxos_nb.parity.run`.

    Attributes
    ----------
    results : list of OperationResult
        One per operation toured, probe and write, in tour order.
    reference, emulator : dict
        What was compared: the reference's environment and granted scopes, the emulator's seed.
    notes : list of str
        Facts about the run that are not differences.
    """

    results: list[OperationResult]
    reference: dict[str, Any]
    emulator: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def findings(self) -> list[tuple[OperationResult, Finding]]:
        return [(row, f) for row in self.results for f in row.findings]

    @property
    def differences(self) -> int:
        """How many differences were found."""
        return len(self.findings)

    @property
    def exit_code(self) -> int:
        """0 without differences, 1 with (``paxos-nb parity`` exits with it)."""
        return 1 if self.differences else 0

    def counts(self) -> dict[str, int]:
        out = {"operations": len(self.results), "same": 0, "differs": 0, "skipped": 0}
        for row in self.results:
            out[row.result] += 1
        out["differences"] = self.differences
        return out

    # -- the DataFrame ------------------------------------------------------------------------

    def frame(self) -> pd.DataFrame:
        """One row per difference, and one per operation without any (``kind`` empty)."""
        import pandas as pd

        rows: list[dict[str, str]] = []
        for row in self.results:
            head = {
                "operation": row.label,
                "method": row.method,
                "path": row.path,
                "result": row.result,
                "reference_status": row.reference.status,
                "emulator_status": row.emulator.status,
            }
            if not row.findings:
                empty = dict.fromkeys(("kind", "field", "reference", "emulator"), "")
                rows.append({**head, **empty, "note": row.reason})
            for f in row.findings:
                rows.append({**head, **f.to_dict()})
        frame = pd.DataFrame(rows, columns=list(COLUMNS))
        frame.attrs["exit_code"] = self.exit_code
        return frame

    # -- the JSON file ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The shareable form: shapes, facts and differences, no value of any answer."""
        return {
            "format": FORMAT,
            "paxos_nb": _version(),
            "reference": dict(self.reference),
            "emulator": dict(self.emulator),
            "summary": self.counts(),
            "notes": list(self.notes),
            "operations": [row.to_dict() for row in self.results],
        }

    def save(self, path: str | Path) -> Path:
        """Write :meth:`to_dict` as JSON to ``path``; returns the path."""
        target = Path(path).expanduser()
        target.write_text(json.dumps(self.to_dict(), indent=1, sort_keys=False) + "\n")
        return target

    # -- the terminal table -------------------------------------------------------------------

    def table(self) -> str:
        """The per-operation table, the differences by field, the skips and the notes."""
        lines = [
            _grid(
                ("operation", "reference", "emulator", "result"),
                (
                    (
                        row.label,
                        row.reference.status,
                        row.emulator.status,
                        _result(row),
                    )
                    for row in self.results
                ),
            )
        ]
        if self.findings:
            lines += ["", f"differences ({self.differences}):"]
            lines.append(
                _grid(
                    ("operation", "kind", "field", "reference", "emulator", "note"),
                    (
                        (row.label, f.kind, f.field, f.reference, f.emulator, f.note)
                        for row, f in self.findings
                    ),
                    indent="  ",
                )
            )
        skipped = [row for row in self.results if row.reason]
        if skipped:
            lines += ["", "skipped:"] + [f"  {row.label}: {row.reason}" for row in skipped]
        notes = self.notes + [f"{row.label}: {n}" for row in self.results for n in row.notes]
        if notes:
            lines += ["", "notes:"] + [f"  {note}" for note in notes]
        c = self.counts()
        lines += [
            "",
            f"{c['operations']} operations: {c['same']} same, {c['differs']} differ, "
            f"{c['skipped']} skipped; {c['differences']} difference(s)",
        ]
        return "\n".join(lines)


def _version() -> str:
    try:
        return metadata.version("paxos-nb")
    except metadata.PackageNotFoundError:
        return "unknown"


def _result(row: OperationResult) -> str:
    if row.findings:
        n = len(row.findings)
        return f"{n} difference{'s' if n > 1 else ''}"
    return row.result


def _grid(header: tuple[str, ...], rows: Iterable[tuple[str, ...]], indent: str = "") -> str:
    body = [tuple(str(c) for c in r) for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(header)]
    out = []
    for cells in (header, *body):
        out.append(
            indent + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
        )
    return "\n".join(out)
