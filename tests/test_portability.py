"""What differs on Windows and macOS: imports, atomic writes, the console's encoding.

Windows and macOS themselves are CI's (``.github/workflows/tests.yml``); here each difference
is checked where Linux can see it: the source's imports by reading it, a refused replace by
making ``os.replace`` refuse, a Windows console by giving Python its code page.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reportkit import fsio

from .conftest import ROOT, SAMPLE

SOURCE = ROOT / "src" / "reportkit"
#: Modules that exist only on POSIX systems: importing one at module level stops reportkit on Windows.
POSIX_ONLY = {"fcntl", "termios", "pwd", "grp", "resource", "posix", "tty", "pty", "syslog", "crypt"}


def module_level_imports(source: str) -> list[tuple[int, str]]:
    """``(line, module)`` of every import that runs when the module is imported.

    Imports inside a function run only when it is called (guarded there by a platform check);
    everything else, classes and ``if``/``try`` blocks of the module included, runs at import.
    """
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name.split(".")[0]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("import fcntl\n", True),
        ("from termios import tcgetattr\n", True),
        ("import os, pwd\n", True),
        ("try:\n    import resource\nexcept ImportError:\n    pass\n", True),
        ("class A:\n    import grp\n", True),
        ("def f():\n    if sys.platform != 'win32':\n        import fcntl\n", False),
        ("import os\nfrom . import fcntl\n", False),  # a module of reportkit's own
    ],
)
def test_the_scan_finds_posix_imports_that_run_at_import(source, flagged):
    assert any(module in POSIX_ONLY for _line, module in module_level_imports(source)) == flagged


def test_no_module_imports_a_posix_only_module_at_module_level():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in sorted(SOURCE.rglob("*.py"))
        for line, module in module_level_imports(path.read_text(encoding="utf-8"))
        if module in POSIX_ONLY
    ]
    assert not offenders, "import these inside a function, behind a platform check: " + ", ".join(offenders)


def test_every_replace_in_place_goes_through_fsio():
    """One atomic write: no module makes its own temporary file or calls os.replace."""
    own = []
    for path in sorted(SOURCE.rglob("*.py")):
        if path.name == "fsio.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("replace", "mkstemp", "NamedTemporaryFile")
                and isinstance(node.value, ast.Name)
                and node.value.id in ("os", "tempfile")
            ):
                own.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.id}.{node.attr}")
    assert not own, own


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_an_atomic_write_has_the_mode_any_new_file_gets(tmp_path, umask):
    old = os.umask(umask)
    try:
        (tmp_path / "plain").write_bytes(b"x")
        fsio.write_bytes(tmp_path / "atomic", b"x")
        (tmp_path / "replaced").write_bytes(b"old")
        fsio.write_bytes(tmp_path / "replaced", b"new")
    finally:
        os.umask(old)
    plain = (tmp_path / "plain").stat().st_mode & 0o777
    assert plain == 0o666 & ~umask
    assert (tmp_path / "atomic").stat().st_mode & 0o777 == plain
    assert (tmp_path / "replaced").stat().st_mode & 0o777 == plain
    assert (tmp_path / "replaced").read_bytes() == b"new"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "forms.csv"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), fsio.atomic_path(target) as temporary:
        temporary.write_bytes(b"half")
        raise RuntimeError("the writer failed")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["forms.csv"]


def test_a_file_open_elsewhere_on_windows_is_retried_then_named(tmp_path, monkeypatch):
    """Windows refuses to replace a file another program has open (a PDF in a viewer)."""
    target = tmp_path / "report.signed.pdf"
    target.write_bytes(b"old")
    replace, refusals = os.replace, []

    def refusing(times):
        def fake(source, destination):
            if len(refusals) < times:
                refusals.append(destination)
                raise PermissionError(13, "The process cannot access the file", str(destination))
            replace(source, destination)

        return fake

    monkeypatch.setattr(fsio, "_RETRY_WHEN_DENIED", True)
    monkeypatch.setattr(fsio, "RETRY_SECONDS", 0.5)
    monkeypatch.setattr(os, "replace", refusing(2))
    fsio.write_bytes(target, b"new")  # the viewer let go in time
    assert target.read_bytes() == b"new" and len(refusals) == 2

    refusals.clear()
    monkeypatch.setattr(os, "replace", refusing(10**6))
    with pytest.raises(fsio.FileInUseError, match=r"report\.signed\.pdf is open in another program"):
        fsio.write_bytes(target, b"newer")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_elsewhere_a_refused_replace_is_a_real_permission_error(tmp_path, monkeypatch):
    monkeypatch.setattr(fsio, "_RETRY_WHEN_DENIED", False)

    def refuse(source, destination):
        raise PermissionError(13, "Permission denied", str(destination))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError):
        fsio.write_bytes(tmp_path / "x", b"x")


@pytest.mark.parametrize("code_page", ["cp1252", "cp1258", "ascii"])
def test_vietnamese_messages_reach_a_console_in_another_code_page(tmp_path, code_page):
    """A Windows console redirected to a file or pipe gets the ANSI code page, not UTF-8."""
    env = {**os.environ, "PYTHONIOENCODING": code_page, "REPORTKIT_LANG": "vi", "REPORTKIT_LOCK_TIMEOUT": "x"}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("reportkit")), "collect", str(tmp_path), str(tmp_path)],
        capture_output=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2
    message = result.stderr.decode("utf-8")
    assert "cần một số giây" in message and "Traceback" not in message, message


# --- Windows and macOS: the runtime dependencies resolve to wheels --------------------------------

PYTHONS = ("3.11", "3.12", "3.13")
#: Windows on x86-64 and Apple silicon from macOS 11 on; pyarrow's wheels for Python 3.13 need
#: macOS 12 (they are tagged macosx_12_0_arm64), so a Mac with 3.13 is taken as macOS 12.
COMBINATIONS = (
    *(("win_amd64", python) for python in PYTHONS),
    ("macosx_11_0_arm64", "3.11"),
    ("macosx_11_0_arm64", "3.12"),
    ("macosx_12_0_arm64", "3.13"),
)
#: Packages that load a system library at run time (through ctypes, cffi or GObject), which an
#: office PC does not have: none may be among the resolved runtime dependencies.
BINDS_A_SYSTEM_LIBRARY = {
    "weasyprint": "loads Pango, HarfBuzz and fontconfig from the system (GTK on Windows)",
    "cairocffi": "loads the Cairo library from the system",
    "cairosvg": "renders through cairocffi, so through the system's Cairo",
    "pycairo": "binds the system's Cairo",
    "pygobject": "binds GLib/GObject and the GTK stack",
    "pangocffi": "loads Pango from the system",
    "pangocairocffi": "loads Pango and Cairo from the system",
    "python-magic": "loads libmagic from the system",
    "pyvips": "loads libvips from the system",
    "wand": "loads ImageMagick's MagickWand from the system",
    "pyzbar": "loads zbar from the system",
    "pylibdmtx": "loads libdmtx from the system",
    "gi": "GObject introspection: the GTK stack",
}


def runtime_dependencies() -> list[str]:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]


def resolve(platform: str, python: str, requirements: list[str], report: Path) -> subprocess.CompletedProcess:
    """pip's resolution of ``requirements`` for another machine, from wheels only; nothing installed."""
    return subprocess.run(
        [
            *(sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed"),
            *("--only-binary=:all:", "--platform", platform, "--python-version", python),
            *("--implementation", "cp", "--quiet", "--report", str(report), *requirements),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.mark.resolve
def test_the_denylist_catches_a_binding_package(tmp_path):
    """The check below can fail: today's PDF engine, asked for alone, is caught."""
    result = resolve("win_amd64", "3.12", ["weasyprint"], tmp_path / "report.json")
    assert result.returncode == 0, result.stderr
    assert "weasyprint" in resolved_names(tmp_path / "report.json") & BINDS_A_SYSTEM_LIBRARY.keys()


def resolved_names(report: Path) -> set[str]:
    import json

    from packaging.utils import canonicalize_name

    return {canonicalize_name(item["metadata"]["name"]) for item in json.loads(report.read_text())["install"]}


@pytest.mark.resolve
def test_runtime_dependencies_resolve_to_wheels_on_windows_and_macos(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    requirements = runtime_dependencies()
    combinations = list(COMBINATIONS)
    with ThreadPoolExecutor(len(combinations)) as pool:  # pip waits on the index, not the CPU
        results = dict(
            zip(
                combinations,
                pool.map(lambda c: resolve(*c, requirements, tmp_path / f"{c[0]}-{c[1]}.json"), combinations),
                strict=True,
            )
        )
    problems = []
    for (platform, python), result in results.items():
        if result.returncode != 0:
            problems.append(f"{platform}, Python {python}: does not resolve: {result.stderr[-800:]}")
            continue
        for name in sorted(
            resolved_names(tmp_path / f"{platform}-{python}.json") & BINDS_A_SYSTEM_LIBRARY.keys()
        ):
            problems.append(f"{platform}, Python {python}: {name} {BINDS_A_SYSTEM_LIBRARY[name]}")
    assert not problems, "\n".join(problems)


# --- the wheel carries everything ---------------------------------------------------------------


@pytest.mark.wheel
@pytest.mark.kernel
def test_the_wheel_installed_elsewhere_builds_the_sample(tmp_path):
    """Build the wheel, install it (not editable) into a new virtualenv, build from elsewhere.

    The new environment takes reportkit from the wheel only; its dependencies, already
    installed in the project's virtualenv, are put on its path after its own site-packages (a
    ``.pth`` line) rather than downloaded again. That folder's ``.pth`` files, the editable
    install's among them, are not read from there, so the repository's ``src`` stays out.
    """
    import sysconfig
    import zipfile

    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("reportkit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for name in (
        *(f"reportkit/notebooks/{nb.name}" for nb in (ROOT / "notebooks").glob("*.ipynb")),
        "reportkit/templates/document/document.css",
        "reportkit/templates/typst/reportkit.typ",
        "reportkit/templates/campaign/campaign.yaml",
        "reportkit/fonts/LiberationSerif-Regular.ttf",
        "reportkit/locale/vi/LC_MESSAGES/reportkit.mo",
    ):
        assert name in names, name

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stderr

    elsewhere = tmp_path / "office"
    elsewhere.mkdir()
    campaign = elsewhere / "campaign"
    shutil.copytree(SAMPLE, campaign, ignore=shutil.ignore_patterns("returns", ".*"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "REPORTKIT_NOTEBOOKS")}
    where = subprocess.run(
        [str(python), "-c", "import reportkit; print(reportkit.__file__)"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), where
    result = subprocess.run(
        [str(bin_dir / "reportkit"), "build", "campaign", "--doc", "plan", "--to", "html", "--out", "out"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    page = (elsewhere / "out" / "wtisd-2021-phu-yen" / "plan.html").read_text(encoding="utf-8")
    assert "KẾ HOẠCH" in page and "Phú Yên" in page
