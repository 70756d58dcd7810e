"""Batches on a real Dask cluster: a scheduler and two workers on 127.0.0.1, started as a user
would (``dask scheduler``, ``dask worker``), and the real ``reportkit batch … --cluster``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from .conftest import MARK, ROOT, SAMPLE, marked

pytestmark = [pytest.mark.cluster, pytest.mark.kernel]

BIN = Path(sys.executable).parent


def kernels(token: str) -> list[psutil.Process]:
    found = []
    for process in marked(token):
        try:
            if "ipykernel" in " ".join(process.cmdline()):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


class Cluster:
    """``dask scheduler`` and ``dask worker`` subprocesses on 127.0.0.1, without dashboards."""

    def __init__(self, folder: Path, workers: int = 2):
        self.token = str(folder)
        self.env = {**os.environ, MARK: self.token, "PYTHONUNBUFFERED": "1"}
        # The scheduler gives up on a task at the first death of its worker, so that what brings
        # the run back is reportkit's own --retries.
        self.env["DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES"] = "0"
        self.file = folder / "scheduler.json"
        self.log = folder / "logs"
        self.log.mkdir()
        self.scheduler = self._start(
            "scheduler",
            ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"],
            "--scheduler-file",
            str(self.file),
        )
        deadline = time.monotonic() + 60
        while not self.file.is_file():
            assert time.monotonic() < deadline, (self.log / "scheduler.log").read_text()
            time.sleep(0.2)
        self.address = json.loads(self.file.read_text())["address"]
        self.workers = [
            self._start(
                f"worker-{n}",
                ["worker", self.address, "--nthreads", "1", "--no-nanny", "--no-dashboard"],
                "--host",
                "127.0.0.1",
                "--name",
                f"worker-{n}",
            )
            for n in range(workers)
        ]
        self._wait_for_workers(workers)

    def _start(self, name: str, args: list[str], *more: str) -> subprocess.Popen:
        with open(self.log / f"{name}.log", "w") as log:
            return subprocess.Popen(
                [str(BIN / "dask"), *args, *more], env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def _wait_for_workers(self, count: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(count, timeout=120)

    def stop(self) -> None:
        for process in [*self.workers, self.scheduler]:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in [*self.workers, self.scheduler]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def cluster(tmp_path):
    running = Cluster(tmp_path)
    try:
        yield running
    finally:
        running.stop()
    # nothing this test started outlives it: no worker, no kernel
    deadline = time.monotonic() + 20
    while marked(running.token) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not marked(running.token)


def batch(*args: str, env: dict | None = None) -> list[str]:
    return [str(BIN / "reportkit"), "batch", str(SAMPLE), "--doc", "report", "--each", "district", *args]


def run_folders(out: Path) -> dict[str, Path]:
    return {p.name: p for p in (out / SAMPLE.name).iterdir() if p.name.startswith("report-")}


def test_a_batch_on_two_workers_writes_what_the_local_batch_writes(cluster, tmp_path):
    on_cluster = tmp_path / "cluster"
    done = subprocess.run(
        batch("--cluster", cluster.address, "--to", "html,pdf", "--out", str(on_cluster)),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=cluster.env,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    local = tmp_path / "local"
    subprocess.run(
        batch("--jobs", "2", "--to", "html", "--out", str(local)), check=True, cwd=ROOT, timeout=900
    )
    remote, here = run_folders(on_cluster), run_folders(local)
    assert sorted(remote) == sorted(here) and len(remote) == 9
    for name, folder in remote.items():
        for output in ("report.ipynb", "report.html", "report.pdf", "activities.xlsx", "manifest.json"):
            assert (folder / output).is_file(), f"{name}/{output}"
        figures = json.loads((folder / "figures.json").read_text(encoding="utf-8"))["report"]
        expected = json.loads((here[name] / "figures.json").read_text(encoding="utf-8"))["report"]
        assert figures == expected, name
        assert f"{name}: built" in done.stdout
    assert not kernels(cluster.token)  # once the batch is over, no kernel is left running


def test_a_run_whose_worker_is_killed_is_retried_on_the_other(cluster, tmp_path):
    out = tmp_path / "out"
    started = subprocess.Popen(
        batch("--cluster", cluster.address, "--to", "html", "--out", str(out)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=cluster.env,
    )
    victim = psutil.Process(cluster.workers[0].pid)
    deadline = time.monotonic() + 300
    while not any("ipykernel" in " ".join(c.cmdline()) for c in victim.children(recursive=True)):
        assert time.monotonic() < deadline and started.poll() is None, "worker-0 never started a kernel"
        time.sleep(0.1)
    time.sleep(0.5)  # killed mid-run, while its kernel executes
    victim.kill()
    stdout, stderr = started.communicate(timeout=900)
    assert started.returncode == 0, stderr
    folders = run_folders(out)
    assert len(folders) == 9
    assert all((f / "report.html").is_file() and (f / "activities.xlsx").is_file() for f in folders.values())
    # the run it was executing, and any the scheduler had already handed it, went to the other
    retried = [line for line in stdout.splitlines() if "worker was lost" in line]
    assert 1 <= len(retried) <= 2 and all(": built (submitted 2 times" in line for line in retried), stdout
    # the killed worker's kernel does not outlive it, nor do those of the surviving worker
    deadline = time.monotonic() + 20
    while kernels(cluster.token) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not kernels(cluster.token)


def test_a_worker_that_cannot_see_the_folders_says_which_and_where(cluster, tmp_path):
    from reportkit.cluster import run_on_cluster
    from reportkit.runs import Run

    ghost = tmp_path / "elsewhere" / "campaign"  # a path the workers do not have
    outcomes = run_on_cluster(
        ghost,
        "report",
        [Run("report-x", {"district": "x"})],
        to=("html",),
        out=tmp_path / "o",
        address=cluster.address,
    )
    assert not outcomes["report-x"].ok
    message = outcomes["report-x"].message
    assert message.startswith("worker tcp://127.0.0.1:") and str(ghost) in message, message
    assert "shared file system" in message


def test_an_unreachable_scheduler_is_one_message_and_exit_2(tmp_path):
    done = subprocess.run(
        batch("--cluster", "tcp://127.0.0.1:9", "--out", str(tmp_path)),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "REPORTKIT_CLUSTER_TIMEOUT": "3"},
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("reportkit: error: cluster tcp://127.0.0.1:9: cannot reach the scheduler")
    assert "Traceback" not in done.stderr


def test_a_local_batch_does_not_import_dask():
    code = (
        "import sys, reportkit.batch, reportkit.cli; "
        "print(any(m == 'distributed' or m.startswith(('distributed.', 'dask')) for m in sys.modules))"
    )
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
    )


def test_a_worker_keeps_the_next_kernel_warm_and_every_run_finds_a_fresh_one(tmp_path):
    """One worker, one thread: each run's kernel was started while the run before held its own
    kernel, and finds nothing that run left (reportkit.kernels)."""
    from .test_kernels import HOLD, write_notebook

    running = Cluster(tmp_path, workers=1)
    try:
        notebooks, trace, out = tmp_path / "notebooks", tmp_path / "trace", tmp_path / "out"
        write_notebook(notebooks)
        trace.mkdir()
        grid = tmp_path / "grid.csv"
        grid.write_text("step,hold,trace\n" + "".join(f"{s},{HOLD},{trace}\n" for s in (1, 2, 3)), "utf-8")
        command = [str(BIN / "reportkit"), "batch", str(SAMPLE), "--doc", "isolation", "--grid", str(grid)]
        command += ["--notebooks", str(notebooks), "--cluster", running.address, "--to", "html"]
        done = subprocess.run(
            [*command, "--out", str(out)], capture_output=True, text=True, env=running.env, timeout=600
        )
        assert done.returncode == 0, done.stderr
        seen = {step: json.loads((trace / f"{step}.json").read_text()) for step in (1, 2, 3)}
        assert len({run["pid"] for run in seen.values()}) == 3
        for step, run in seen.items():
            assert not (run["global"] or run["builtin"] or run["module"] or run["env"]), step
        for step in (2, 3):
            assert seen[step]["age"] > HOLD * 0.8, (step, seen[step]["age"])
        assert not kernels(running.token)  # the batch is over: its worker keeps no kernel
    finally:
        running.stop()
