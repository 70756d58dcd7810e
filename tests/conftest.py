"""Shared fixtures: tiny campaigns to copy and break, and the path of the sample."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# Messages in English whatever the machine's LANG, here and in every subprocess the tests start;
# the tests of Vietnamese messages (test_i18n.py) set the language they want.
os.environ["REPORTKIT_LANG"] = "en"

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "campaigns" / "wtisd-2021-phu-yen"
MINIMAL = Path(__file__).parent / "data" / "minimal"
RESULTS = Path(__file__).parent / "data" / "results"  # a campaign with activities, for the report


def require_program(program: str) -> str:
    """The path of ``program``; the test fails, never skips, when the set-up did not install it.

    Every program a test runs belongs to a package of system-packages.txt (tests/test_setup.py
    checks that), which ``make test`` installs.
    """
    path = shutil.which(program)
    if path is None:
        pytest.fail(f"{program} is not installed: `make test` installs it (system-packages.txt)")
    return path


@pytest.fixture
def make_campaign(tmp_path: Path) -> Callable[..., Path]:
    """Copy a campaign into a temporary folder, replacing or removing some of its files.

    ``make_campaign(**{"budget.csv": "text"})`` writes that text; ``None`` deletes the file;
    a callable receives the original text and returns the new one.
    """

    def make(source: Path = MINIMAL, **files: str | Callable[[str], str] | None) -> Path:
        folder = tmp_path / "campaigns" / source.name
        shutil.copytree(source, folder)
        for name, content in files.items():
            path = folder / name
            if content is None:
                path.unlink()
            elif callable(content):
                path.write_text(content(path.read_text(encoding="utf-8")), encoding="utf-8")
            else:
                path.write_text(content, encoding="utf-8")
        return folder

    return make


def pdf_text(path: Path) -> str:
    """The text of a PDF, as pdftotext reads it, with every run of spaces made one."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(text.stdout.replace("\u00a0", " ").split())


def build_campaign(campaign: Path, out: Path, *options: str) -> Path:
    """Build ``campaign`` into ``out`` with the real command; the campaign's output folder."""
    result = subprocess.run(
        [sys.executable, "-m", "reportkit.cli", "build", str(campaign), "--out", str(out), *options],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return next(p for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))


def build_sample(out: Path, *options: str) -> Path:
    """Build the sample campaign into ``out`` with the real command; its output folder."""
    return build_campaign(SAMPLE, out, *options)


#: An environment variable a test sets on the processes it starts, to find them (and their
#: kernels) among the machine's afterwards.
MARK = "REPORTKIT_TEST_MARK"


def marked(token: str) -> list:
    """Every live process whose environment carries ``token`` under :data:`MARK`."""
    import psutil

    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get(MARK) == token:
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found
