"""The code stays as the project's ruff settings want it (make format fixes most of it)."""

import shutil
import subprocess

import pytest

from .conftest import ROOT


@pytest.mark.skipif(
    shutil.which("ruff") is None and not (ROOT / ".venv/bin/ruff").exists(), reason="ruff missing"
)
def test_ruff_finds_nothing():
    ruff = shutil.which("ruff") or str(ROOT / ".venv/bin/ruff")
    for args in (["check"], ["format", "--check"]):
        result = subprocess.run([ruff, *args, "src", "tests"], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
