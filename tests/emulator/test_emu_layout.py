"""The emulator's moto-style layout, read from the source with ``ast`` (docs/architecture.md).

Route modules only parse a call, call a backend and serialize: they import no other route
module, define no models, assign no attribute of a record and never move money or schedule
work themselves. Backends import no route module, and ``Ledger.reset()`` reaches every
backend the ledger holds.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from paxos_nb.emulator.ledger import Ledger

EMULATOR = Path(__file__).resolve().parents[2] / "paxos_nb" / "emulator"
ROUTES = sorted(p for p in (EMULATOR / "routes").glob("*.py") if p.name != "__init__.py")
BACKENDS = sorted((EMULATOR / "backends").glob("*.py"))
# Methods that change state: a route calling one bypasses the backend that owns the change.
STATE_CHANGERS = {
    "credit", "debit", "reserve", "release", "changed", "schedule", "after",
    "set_status", "open_pair", "add", "clear", "reset", "settle", "run_due",
}  # fmt: skip


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _imported(path: Path) -> set[str]:
    """Dotted names imported by ``path``, relative imports resolved inside the package."""
    package = ["paxos_nb", "emulator", *path.parent.relative_to(EMULATOR).parts]
    names: set[str] = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", ROUTES, ids=lambda p: p.stem)
def test_a_route_module_imports_no_other_route_module(path):
    others = {f"paxos_nb.emulator.routes.{p.stem}" for p in ROUTES} - {
        "paxos_nb.emulator.routes._shared",
        f"paxos_nb.emulator.routes.{path.stem}",
    }
    assert _imported(path) & others == set()


@pytest.mark.parametrize("path", ROUTES, ids=lambda p: p.stem)
def test_a_route_module_holds_no_model_and_changes_no_state(path):
    wrong = []
    for node in ast.walk(_tree(path)):
        where = f"{path.name}:{getattr(node, 'lineno', '?')}"
        protocol = isinstance(node, ast.ClassDef) and any(
            isinstance(base, ast.Name) and base.id == "Protocol" for base in node.bases
        )
        if isinstance(node, ast.ClassDef) and not protocol:  # a Protocol only types
            wrong.append(f"{where} defines class {node.name} (models live in backends/)")
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, ast.Attribute):
                    wrong.append(f"{where} assigns .{part.attr}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in STATE_CHANGERS
        ):
            wrong.append(f"{where} calls .{node.func.attr}()")
    assert wrong == []


@pytest.mark.parametrize("path", BACKENDS, ids=lambda p: p.stem)
def test_a_backend_imports_no_route(path):
    assert not any(name.startswith("paxos_nb.emulator.routes") for name in _imported(path))


def test_reset_reaches_every_backend():
    ledger = Ledger(0, history=5)
    holders = {
        name
        for name, value in vars(ledger).items()
        if hasattr(value, "reset") and value is not ledger.core
    }
    reset = {name for name, value in vars(ledger).items() if value in ledger.backends}
    assert holders == reset
