"""No traceback for anything a person can do: read-only folders, a full disk, a closed pipe,
Ctrl-C. Each case through the real ``reportkit`` command: one message in the user's language,
exit 2 (130 for Ctrl-C; 0 for a reader that closed the pipe), and the campaign and the last
good outputs byte for byte as they were.

The tests run as root, which a ``chmod`` does not stop: a read-only folder is a read-only bind
mount and a full disk a small tmpfs, both made inside a private mount namespace
(``unshare --mount``), so nothing outside the test's command sees them and they vanish with it.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import RESULTS, ROOT, SAMPLE, require_program

ID = "results-2022"


def reportkit(*args, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reportkit.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        env={**os.environ, **(env or {})},
        **kwargs,
    )


def in_namespace(script: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``script`` (bash) in a private mount namespace: its mounts end with it."""
    require_program("unshare")
    require_program("mount")
    return subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "bash", "-euc", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        env={**os.environ, **(env or {})},
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` but reportkit's working files (locks, staging)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".reportkit" not in p.relative_to(folder).parts
    }


def command(*args) -> str:
    return " ".join([sys.executable, "-m", "reportkit.cli", *map(str, args)])


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> tuple[Path, Path]:
    """A campaign and the last good outputs of its plan and report (HTML)."""
    root = tmp_path_factory.mktemp("good")
    campaign = root / "results"
    shutil.copytree(RESULTS, campaign)
    built = reportkit("build", campaign, "--to", "html", "--out", root / "out")
    assert built.returncode == 0, built.stderr
    return campaign, root / "out"


@pytest.fixture
def copy(good, tmp_path) -> tuple[Path, Path]:
    campaign, out = tmp_path / "results", tmp_path / "out"
    shutil.copytree(good[0], campaign)
    shutil.copytree(good[1], out)
    return campaign, out


def one_message(result: subprocess.CompletedProcess, code: int = 2) -> str:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    return result.stderr


@pytest.mark.kernel
@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"REPORTKIT_LANG": "en"}, "reportkit: error: "),
        ({"REPORTKIT_LANG": "", "LANG": "vi_VN.UTF-8"}, "reportkit: lỗi: "),
    ],
)
def test_a_read_only_output_folder_is_one_message_and_nothing_changes(copy, env, expected):
    campaign, out = copy
    before = snapshot(out), snapshot(campaign)
    build = command("build", campaign, "--to", "html", "--out", out, "--force")
    result = in_namespace(f"mount --bind {out} {out}; mount -o remount,bind,ro {out}; {build}", env)
    message = one_message(result)
    assert message.startswith(expected)
    assert ("read-only" in message) if expected.endswith("error: ") else ("chỉ đọc" in message)
    assert (snapshot(out), snapshot(campaign)) == before


def test_a_read_only_campaign_folder_refuses_collect_with_one_message(tmp_path):
    campaign = tmp_path / "campaign"
    shutil.copytree(SAMPLE, campaign, ignore=shutil.ignore_patterns("returns"))
    before = snapshot(campaign)
    collect = command("collect", campaign, SAMPLE / "returns")
    result = in_namespace(
        f"mount --bind {campaign} {campaign}; mount -o remount,bind,ro {campaign}; {collect}"
    )
    message = one_message(result)
    assert message.startswith("reportkit: error: ") and "read-only" in message and str(campaign) in message
    assert snapshot(campaign) == before


@pytest.mark.kernel
def test_a_full_disk_is_one_message_and_the_last_good_outputs_stay(copy):
    """The output folder is a 3 MB tmpfs holding the last good outputs and a file that leaves
    it 64 kB: the build's staged page does not fit."""
    campaign, out = copy
    before = snapshot(out)
    full = out.with_name("full")
    build = command("build", campaign, "--doc", "report", "--to", "html", "--out", full, "--force")
    script = f"""
        mkdir -p {full}
        mount -t tmpfs -o size=3m tmpfs {full}
        cp -a {out}/. {full}/
        free=$(df --output=avail -B1 {full} | tail -1)
        fallocate -l $((free - 65536)) {full}/filler
        set +e; {build}; echo "rc=$?"; set -e
        rm {full}/filler
        cp -a {full}/. {out}/   # what the failed build left, brought out of the namespace
    """
    result = in_namespace(script)
    assert result.stdout.strip().endswith("rc=2"), result.stdout + result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("reportkit: error: the disk is full")
    assert snapshot(out) == before
    assert not list((out / ".reportkit" / "staging").iterdir())  # nothing half-written left


@pytest.mark.parametrize(
    "args",
    [("params",), ("validate", RESULTS), ("--lang", "vi", "params", "report")],
)
def test_a_closed_pipe_ends_the_command_quietly(args):
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line: `reportkit … | head -0`
    try:
        result = subprocess.run(
            [sys.executable, "-m", "reportkit.cli", *map(str, args)],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (0, "")


def _ctrl_c_heard() -> None:
    """In the child: SIGINT as a terminal's foreground job has it. A job that a shell started in
    the background (`make test &`) inherits SIGINT ignored, and Python then keeps ignoring it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.kernel
@pytest.mark.parametrize("after", [0.0, 1.5])  # as staging begins; while a kernel runs
def test_ctrl_c_is_one_message_exit_130_and_the_last_good_outputs_stay(copy, after, tmp_path):
    campaign, out = copy
    before = snapshot(out), snapshot(campaign)
    staging = out / ".reportkit" / "staging"
    document = ["--to", "html"]
    if after:  # a notebook that holds its kernel for 5 s, so that the signal comes while it runs
        from .test_kernels import write_notebook

        write_notebook(tmp_path / "notebooks")
        document += ["--doc", "isolation", "--notebooks", str(tmp_path / "notebooks")]
        document += ["-p", "hold=5", "-p", f"trace={tmp_path}"]
    document += ["--out", str(out), "--force"]
    build = subprocess.Popen(
        [sys.executable, "-m", "reportkit.cli", "build", str(campaign), *document],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        start_new_session=True,  # its own process group, as a terminal's foreground job is
        preexec_fn=_ctrl_c_heard,
    )
    deadline = time.monotonic() + 120
    while not (staging.is_dir() and any(staging.iterdir())) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(staging.iterdir()), "the build never started staging"
    time.sleep(after)
    os.killpg(build.pid, signal.SIGINT)  # what Ctrl-C sends
    stdout, stderr = build.communicate(timeout=300)
    result = subprocess.CompletedProcess(build.args, build.returncode, stdout, stderr)
    assert one_message(result, 130) == "reportkit: interrupted; earlier outputs are unchanged\n"
    assert (snapshot(out), snapshot(campaign)) == before
    assert not any(staging.iterdir())


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (OSError(errno.EROFS, "Read-only file system", "out/x"), "out/x: the folder is on a read-only disk"),
        (OSError(errno.EACCES, "Permission denied", "out/x"), "out/x: permission denied; ask for the right"),
        (OSError(errno.EPERM, "Operation not permitted", "out/x"), "out/x: permission denied"),
        (OSError(errno.ENOSPC, "No space left on device"), "the disk is full; free some space"),
        (OSError(errno.ENOSPC, "No space left on device", "out/x"), "the disk is full (writing out/x)"),
        (OSError(errno.EDQUOT, "Disk quota exceeded", "out/x"), "the disk is full (writing out/x)"),
        (
            OSError(errno.ENOENT, "No such file or directory", "c/units.csv"),
            "c/units.csv: no such file or folder",
        ),
        (OSError(errno.EIO, "Input/output error", "c/units.csv"), "c/units.csv: Input/output error"),
    ],
)
def test_each_kind_of_system_refusal_has_its_message(error, message):
    from reportkit.exceptions import FileSystemError

    refused = FileSystemError(error)
    assert str(refused).startswith(message) and refused.error is error
