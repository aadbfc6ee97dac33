"""Shared fixtures. Paths are resolved from the repository root, whatever the cwd."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT.parent / "shared" / "paxos" / "spec"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def spec_dir() -> Path:
    """The reference OpenAPI folder; tests that compare against it skip where it is absent."""
    if not (SPEC_DIR / "paxos-v2.openapi.yaml").exists():
        pytest.skip("../shared/paxos/spec is not present on this machine")
    return SPEC_DIR
