"""Where the default .env comes from: PAXOS_NB_ENV_FILE, else cwd and parents up to the project."""

from __future__ import annotations

import pytest

from paxos_nb.config import Credentials, default_env_file
from paxos_nb.errors import ConfigError

ENV = (
    "PAXOS_CLIENT_ID=from-file\n"
    "PAXOS_CLIENT_SECRET=file-secret-value\n"
    "PAXOS_SCOPES=funding:read_profile\n"
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.delenv("PAXOS_NB_ENV_FILE", raising=False)
    for var in ("PAXOS_CLIENT_ID", "PAXOS_CLIENT_SECRET", "PAXOS_ENV", "PAXOS_SCOPES"):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    (tmp_path / "notebooks").mkdir()
    return tmp_path


def test_notebooks_find_the_env_at_the_project_root(project, monkeypatch):
    (project / ".env").write_text(ENV)
    monkeypatch.chdir(project / "notebooks")
    path, explicit = default_env_file()
    assert (path, explicit) == (str(project / ".env"), False)
    creds = Credentials.from_env()
    assert creds.client_id == "from-file"
    assert str(project / ".env") in creds.sources["PAXOS_CLIENT_ID"]


def test_the_search_stops_at_the_project_root(project, monkeypatch):
    (project.parent / ".env").write_text(ENV)  # outside the project: never read
    try:
        monkeypatch.chdir(project / "notebooks")
        assert default_env_file() == (".env", False)
        with pytest.raises(ConfigError, match="PAXOS_CLIENT_ID is not set"):
            Credentials.from_env()
    finally:
        (project.parent / ".env").unlink()


def test_variable_turns_env_files_off(project, monkeypatch):
    (project / ".env").write_text(ENV)
    monkeypatch.chdir(project)
    monkeypatch.setenv("PAXOS_NB_ENV_FILE", "none")
    assert default_env_file() == (None, False)
    with pytest.raises(ConfigError, match=r"PAXOS_CLIENT_ID is not set \(looked in os.environ"):
        Credentials.from_env()


def test_variable_names_a_file_that_must_exist(project, monkeypatch):
    monkeypatch.chdir(project)
    monkeypatch.setenv("PAXOS_NB_ENV_FILE", str(project / "missing.env"))
    with pytest.raises(ConfigError, match=r"missing\.env does not exist"):
        Credentials.from_env()
    (project / "other.env").write_text(ENV)
    monkeypatch.setenv("PAXOS_NB_ENV_FILE", str(project / "other.env"))
    assert Credentials.from_env().client_id == "from-file"
