"""The code stays as the project's ruff settings want it (make format fixes most of it)."""

import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def test_ruff_finds_nothing():
    ruff = str(Path(sys.executable).with_name("ruff"))  # the dev extra installs it beside python
    for args in (["check"], ["format", "--check"]):
        result = subprocess.run([ruff, *args, "src", "tests"], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
