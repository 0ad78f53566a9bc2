"""Shared fixtures: the repository root, the embedded model, and the accord
CLI binary the numbers are compared against."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import accord

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def sco() -> accord.Model:
    return accord.embedded()


def _cli_path() -> Path | None:
    given = os.environ.get("ACCORD_CLI")
    if given:
        return Path(given)
    for profile in ("debug", "release"):
        p = ROOT / "target" / profile / "accord"
        if p.exists():
            return p
    return None


@pytest.fixture(scope="session")
def cli():
    """Runs the accord CLI with --json and returns the parsed output. The
    binary is $ACCORD_CLI (.ci/run sets it: the test fails when it is
    missing), else target/debug or target/release of the repository."""
    path = _cli_path()
    if path is None:
        pytest.skip("no accord CLI binary: build it with `cargo build -p accord-cli` or set ACCORD_CLI")
    assert path.exists(), f"ACCORD_CLI={path} does not exist"

    def run(*args: str):
        out = subprocess.run([str(path), *args, "--json"], cwd=ROOT, capture_output=True, text=True, check=True)
        return json.loads(out.stdout)

    return run
