"""The two commands' set-up: one list of Debian packages, installed before anything else.

A test never skips for a missing program: every program the tests run comes from a package of
system-packages.txt, which `make test` installs, and these tests check that it does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT, require_program

#: Every program outside the virtualenv that a test runs, and the listed package it comes with.
TEST_PROGRAMS = {
    "pdftotext": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "pdffonts": "poppler-utils",
    "unshare": None,  # util-linux's: tests/test_no_system_libraries.py hides libraries with it
    "soffice": "libreoffice-writer-nogui",
    "chromium": "chromium",
    "softhsm2-util": "softhsm2",
    "pkcs11-tool": "opensc",
    "script": None,  # util-linux's, on every Debian system
}


def listed(when: str | None = None) -> list[str]:
    packages = []
    for line in (ROOT / "system-packages.txt").read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if fields and not line.startswith("#") and (when is None or fields[0] == when):
            assert fields[0] in ("run", "test"), line
            packages.append(fields[1])
    return packages


@pytest.mark.parametrize("program", TEST_PROGRAMS)
def test_every_program_the_tests_run_comes_from_a_listed_package(program):
    path = Path(require_program(program)).resolve()
    owner = subprocess.run(["dpkg", "-S", str(path)], capture_output=True, text=True, check=True)
    owners = {line.split(":")[0] for line in owner.stdout.splitlines()}
    package = TEST_PROGRAMS[program]
    if package is None:
        assert owners <= {"bsdutils", "util-linux"}
        return
    assert package in listed()
    # The listed package brings the program's own package with it.
    needs = subprocess.run(
        [
            "apt-cache",
            "depends",
            "--recurse",
            "--installed",
            "--no-recommends",
            "--no-suggests",
            "--no-conflicts",
            "--no-breaks",
            "--no-replaces",
            "--no-enhances",
            package,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert owners & {package, *needs}, f"{program} comes from {owners}, not with {package}"


def test_building_needs_no_system_package():
    # The typeface is shipped inside the package and the PDF is set by Typst, a wheel; that
    # nothing of the system is loaded is tests/test_no_system_libraries.py's to prove.
    assert listed("run") == []
    assert listed("test")
    assert (ROOT / "src/reportkit/fonts/LiberationSerif-Regular.ttf").is_file()


@pytest.mark.parametrize("target", ["run", "lab"])
def test_make_run_installs_no_system_package_and_needs_no_root(target):
    plan = subprocess.run(["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "system-packages" not in plan.stdout and "apt-get" not in plan.stdout
    assert "sudo" not in plan.stdout


@pytest.fixture
def setup_copy() -> Iterator[Path]:
    """The set-up script beside a package list naming a package that does not exist, in a
    folder that a user other than root can read (pytest's own temporary folders are private)."""
    with tempfile.TemporaryDirectory(prefix="reportkit-setup-") as name:
        folder = Path(name)
        (folder / "scripts").mkdir()
        shutil.copy(ROOT / "scripts/system-packages", folder / "scripts")
        (folder / "system-packages.txt").write_text(
            "# test\nrun  reportkit-no-such-package  a package that is missing\n", encoding="utf-8"
        )
        for path in (folder, folder / "scripts"):
            path.chmod(0o755)
        yield folder


def as_nobody(command: list[str], **env: str) -> subprocess.CompletedProcess:
    if os.getuid() != 0:
        return subprocess.run(command, capture_output=True, text=True, env=os.environ | env)
    setpriv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    return subprocess.run([*setpriv, *command], capture_output=True, text=True, env=os.environ | env)


def test_without_root_it_stops_at_once_with_the_line_to_run(setup_copy):
    result = as_nobody(
        [str(setup_copy / "scripts/system-packages"), "run"], LANG="C.UTF-8", REPORTKIT_LANG=""
    )
    assert result.returncode == 1
    assert "sudo apt-get install -y --no-install-recommends reportkit-no-such-package" in result.stderr
    assert "these system packages are missing" in result.stderr


def test_the_line_is_vietnamese_in_a_vietnamese_locale(setup_copy):
    result = as_nobody(
        [str(setup_copy / "scripts/system-packages"), "run"], LANG="vi_VN.UTF-8", REPORTKIT_LANG=""
    )
    assert result.returncode == 1
    assert "thiếu các gói hệ thống" in result.stderr


def test_make_installs_system_packages_before_the_virtualenv():
    # make -n prints what it would do, in order, without doing it.
    plan = subprocess.run(
        ["make", "-n", "-B", "test"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    first = next(i for i, line in enumerate(plan) if "scripts/system-packages" in line)
    venv = next(i for i, line in enumerate(plan) if "-m venv" in line or "pip install" in line)
    assert "scripts/system-packages test" in plan[first] and first < venv


def test_ci_runs_make_test_and_lists_no_packages_of_its_own():
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert "make test" in ci and "apt-get" not in ci
