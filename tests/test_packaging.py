"""The foundation: packaging metadata, the public face, the README commands, lint."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import types

import pytest
import yaml
from packaging.version import Version

import paxos_nb

tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the metadata tests skip on 3.10

# pyproject (PyPI) name -> conda-forge names it needs.
CONDA_NAMES = {"pyjwt[crypto]": {"pyjwt", "cryptography"}}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~; ]", requirement.strip(), maxsplit=1)[0].lower()


def test_environment_yml_lists_the_same_dependencies(root):
    meta = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    wanted = {}
    for req in meta["dependencies"] + [
        r for extra in meta["optional-dependencies"].values() for r in extra
    ]:
        name = _name(req)
        if name.startswith("paxos-nb"):
            continue  # the dev extra includes the notebooks extra
        for conda in CONDA_NAMES.get(name, {name}):
            bound = re.search(r">=\s*([\w.]+)", req)
            wanted[conda] = bound.group(1) if bound and conda == name.split("[")[0] else None
    env = yaml.safe_load((root / "environment.yml").read_text())
    listed = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, _, bound = dep.partition(">=")
            if name not in ("python", "pip"):
                listed[name] = bound or None
    assert listed == wanted
    assert {"pip": ['-e ".[dev]"']} in env["dependencies"]


def test_public_names_match_all():
    exported = set(paxos_nb.__all__)
    assert len(exported) == len(paxos_nb.__all__), "duplicates in __all__"
    for name in exported:
        assert getattr(paxos_nb, name) is not None
    public = {
        n
        for n, v in vars(paxos_nb).items()
        if not n.startswith("_") and not isinstance(v, types.ModuleType) and n != "annotations"
    }
    assert public <= exported


def _readme_commands(root) -> list[str]:
    text = (root / "README.md").read_text()
    block = text.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_readme_has_exactly_three_setup_commands(root):
    install, main, tests = _readme_commands(root)
    assert install == 'python -m pip install -e ".[dev]"'
    assert main.startswith("jupyter lab")
    assert tests == "pytest"


LIGHTER = {
    "library": "python -m pip install -e .",
    "notebooks": 'python -m pip install -e ".[notebooks]"',
}


def test_readme_documents_the_lighter_installs(root):
    """Issue 15 item 9: an analyst need not install Playwright and pytest to use paxos_nb."""
    text = (root / "README.md").read_text()
    setup = text.split("```bash\n", 1)[1].split("```", 1)[0]
    for command in LIGHTER.values():
        assert f"`{command}`" in text
        assert command not in setup  # alternatives, after the three commands
    meta = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert "jupyterlab" in " ".join(meta["optional-dependencies"]["notebooks"])


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(LIGHTER))
def test_a_lighter_install_works_in_a_fresh_venv(root, tmp_path, kind):
    """Each lighter install, as written in the README, in a fresh virtual environment."""
    import venv

    venv.create(tmp_path / "venv", with_pip=True)
    python = str(tmp_path / "venv" / "bin" / "python")
    command = LIGHTER[kind].replace("python", python, 1).split()
    command[-1] = command[-1].strip('"')  # the shell's quotes
    subprocess.run(command, cwd=root, check=True, capture_output=True, timeout=1200)
    env = {"PATH": os.environ.get("PATH", ""), "PAXOS_NB_ENV_FILE": "none", "HOME": str(tmp_path)}
    probe = (
        "import importlib.util as u, paxos_nb as px\n"
        "assert px.connect().frame('/profiles').shape[0] == 3\n"
        "print(sorted(m for m in ('pytest', 'playwright', 'ruff', 'jupyterlab') if u.find_spec(m)))"
    )
    run = subprocess.run(
        [python, "-c", probe], env=env, cwd=tmp_path, capture_output=True, text=True, check=True
    )
    present = run.stdout.strip()
    assert present == ("[]" if kind == "library" else "['jupyterlab']"), present
    if kind == "notebooks":
        notebook = tmp_path / "01-quickstart.ipynb"
        shutil.copy(root / "notebooks" / notebook.name, notebook)
        subprocess.run(
            [str(tmp_path / "venv" / "bin" / "jupyter"), "nbconvert", "--to", "notebook",
             "--execute", "--inplace", str(notebook)],
            env=env, cwd=tmp_path, check=True, capture_output=True, timeout=600,
        )  # fmt: skip


def test_ci_runs_the_readme_commands(root):
    ci = (root / ".ci" / "run").read_text()
    for needle in ("README.md", 'eval "$install_cmd"', 'eval "$test_cmd"'):
        assert needle in ci
    out = subprocess.run(
        [
            "awk",
            "/^```bash$/ {inside=1; next} inside && /^```$/ {exit} inside {print}",
            "README.md",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    commands = _readme_commands(root)
    assert (out[0], out[-1]) == (commands[0], commands[-1])


def test_cli_help_and_version():
    run = subprocess.run(
        [sys.executable, "-m", "paxos_nb", "--help"], capture_output=True, text=True, check=True
    )
    assert "paxos-nb" in run.stdout
    run = subprocess.run(
        [sys.executable, "-m", "paxos_nb", "--version"], capture_output=True, text=True, check=True
    )
    assert paxos_nb.__version__ in run.stdout


def test_env_example_documents_every_variable(root):
    text = (root / ".env.example").read_text()
    for var in (
        "PAXOS_CLIENT_ID",
        "PAXOS_CLIENT_SECRET",
        "PAXOS_ENV",
        "PAXOS_SCOPES",
        "PAXOS_API_URL",
        "PAXOS_TOKEN_URL",
        "PAXOS_SIGNING_KEY_FILE",
        "PAXOS_SIGNING_KID",
    ):
        assert re.search(rf"^#? ?{var}=", text, re.M), var
    assert "PAXOS_CLIENT_SECRET=your-client-secret" in text  # a placeholder, never a value


def test_env_files_are_ignored_by_git(root):
    if not (root / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    for path in (".env", "notebooks/.env", "signing-key.pem"):
        ignored = subprocess.run(["git", "check-ignore", "-q", path], cwd=root, check=False)
        assert ignored.returncode == 0, path
    kept = subprocess.run(["git", "check-ignore", "-q", ".env.example"], cwd=root, check=False)
    assert kept.returncode == 1


def _tutorials(root) -> list[str]:
    lines = (root / "notebooks" / "tutorials.txt").read_text().splitlines()
    return [f"notebooks/{n.strip()}" for n in lines if n.strip() and not n.startswith("#")]


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]])
def test_ruff_is_clean(root, args):
    # The tutorials by name: pyproject excludes notebooks/*.ipynb (a user's own ones).
    run = subprocess.run(
        [sys.executable, "-m", "ruff", *args, *_tutorials(root)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_lower_bounds_are_pinned_for_ci(root):
    """.ci/run tests the oldest releases pyproject allows; the two lists must agree."""
    meta = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    bounds = {}
    for req in meta["dependencies"]:
        name, _, version = req.partition(">=")
        bounds[name.split("[")[0].lower()] = Version(version)
    pins = {}
    for line in (root / ".ci" / "lower-bounds.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.lower()] = Version(version)
    assert pins == bounds
