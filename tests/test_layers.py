"""The import rules of docs/architecture.md, read from the source with ``ast``.

Every ``import`` and ``from ... import`` in every module of ``paxos_nb`` counts, at module
level and inside functions, relative and absolute; only imports under ``if TYPE_CHECKING:``
are left out (they never run). The graph must have no cycle, and each client module may
import only from its own layer or the layers below it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = "paxos_nb"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE

# The client layers, lowest first (docs/architecture.md draws them). A module may import
# modules of its own layer and of the layers before it, never of a layer after it.
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("leaves", frozenset({"errors", "redact", "htmlrepr", "notices", "catalog"})),
    ("config", frozenset({"environments", "envfile", "config", "allowlist"})),
    ("scopes", frozenset({"operation_lookup", "presets", "scopes"})),
    (
        "auth",
        frozenset(
            {
                "retry",
                "transport",
                "oauth",
                "token_errors",
                "auth",
                "signing_keys",
                "keygen",
                "signing",
                "request_auth",
            }
        ),
    ),
    (
        "data",
        frozenset({"pagination", "frame_fields", "frame_columns", "frames", "record_schema"}),
    ),
    (
        "session",
        frozenset(
            {
                "validators",
                "request_checks",
                "response_checks",
                "problems",
                "preflight",
                "sending",
                "listing",
                "client",
                "current",
                "embedded",
                "bootstrap",
                "session",
            }
        ),
    ),
    ("parity", frozenset({"parity"})),  # paxos_nb/parity/: compares two sessions' shapes
    ("ui", frozenset({"display", "shell_hooks", "magics", "widgets"})),
    ("face", frozenset({""})),  # paxos_nb/__init__.py
    ("cli", frozenset({"commands", "cli", "__main__"})),
)
# Modules that import nothing from paxos_nb, not even inside a function.
LEAVES = ("paxos_nb.errors", "paxos_nb.redact", "paxos_nb.htmlrepr", "paxos_nb.notices")
EMULATOR = "paxos_nb.emulator"
# The emulator is a separate server: it shares only the operations data with the client.
EMULATOR_MAY_IMPORT = ("paxos_nb.catalog", "paxos_nb.catalog.schemas")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: all of them but those under TYPE_CHECKING."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)  # the `else:` branch does run
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The paxos_nb modules ``name`` imports (a name that is a submodule counts as it)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # `from . import scopes` imports the submodule; `from .x import Name` imports x.
            targets = [
                f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in modules else prefix
                for alias in node.names
            ]
        for target in targets:
            if target.split(".")[0] != PACKAGE:
                continue
            while target and target not in modules:  # `import paxos_nb.x.y` of a non-module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as ``[a, b, ..., a]``, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def layer_of(name: str) -> int | None:
    if name == EMULATOR or name.startswith(EMULATOR + "."):
        return None
    top = name.removeprefix(PACKAGE).removeprefix(".").split(".")[0]
    for rank, (_, members) in enumerate(LAYERS):
        if top in members:
            return rank
    return None


# -- the rules ---------------------------------------------------------------------------------


def test_the_graph_sees_function_level_and_relative_imports():
    edges = graph()
    assert "paxos_nb.errors" in edges["paxos_nb.frames"]  # `from .errors import ...`
    # magics imports the session inside a function: it must be an edge
    assert "paxos_nb.session" in edges["paxos_nb.magics"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_paxos_nb():
    edges = graph()
    cycle = find_cycle(edges)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


@pytest.mark.parametrize("leaf", LEAVES)
def test_leaves_import_nothing_from_paxos_nb(leaf):
    assert graph()[leaf] == set(), f"{leaf} must import nothing from paxos_nb"


def test_every_client_module_has_a_layer():
    missing = [name for name in graph() if layer_of(name) is None and EMULATOR not in name]
    assert missing == [], f"add these modules to a layer in LAYERS (and the docs): {missing}"


def test_layers_point_one_way():
    wrong = []
    for name, targets in graph().items():
        rank = layer_of(name)
        if rank is None:
            continue
        for target in sorted(targets):
            other = layer_of(target)
            if other is not None and other > rank:
                wrong.append(f"{name} ({LAYERS[rank][0]}) imports {target} ({LAYERS[other][0]})")
    assert wrong == [], "imports against the layers:\n" + "\n".join(wrong)


def test_the_emulator_imports_only_the_catalog_from_the_client():
    wrong = sorted(
        f"{name} imports {target}"
        for name, targets in graph().items()
        if name == EMULATOR or name.startswith(EMULATOR + ".")
        for target in targets
        if not target.startswith(EMULATOR) and target not in EMULATOR_MAY_IMPORT
    )
    assert wrong == []
