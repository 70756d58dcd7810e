"""A batch of the sample campaign's nine district reports on a local Dask cluster
(``dask scheduler`` and ``dask worker --nthreads 1`` on 127.0.0.1): two workers against one,
and against the local pool of ``--jobs 2``. Two clusters are up side by side, one of one
worker and one of two; each round runs the batch on the first, the second, then the local
pool; medians.

    .venv/bin/python bench/cluster.py [--runs 3]

Target (issue 20): two workers at least 1.7× faster than one. Nine equal runs on two workers
take five rounds against nine: 9/5 = 1.8× is the ceiling.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from common import BIN, SAMPLE, load, reportkit, timed

BATCH = (
    "batch",
    str(SAMPLE),
    "--doc",
    "report",
    "--each",
    "district",
    "--quiet",
    "--force",
    "--to",
    "html,pdf",
)


@contextmanager
def local_cluster(folder: Path):
    """A scheduler on 127.0.0.1 without dashboard; ``add_worker()`` starts one more worker."""
    folder.mkdir(parents=True)
    file = folder / "scheduler.json"
    processes = [
        subprocess.Popen(
            [
                str(BIN / "dask"),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(file),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    while not file.is_file():
        time.sleep(0.2)
    address = json.loads(file.read_text())["address"]

    def add_worker() -> None:
        from distributed import Client

        processes.append(
            subprocess.Popen(
                [
                    str(BIN / "dask"),
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        with Client(address, timeout=60) as client:
            client.wait_for_workers(len(processes) - 1, timeout=120)

    try:
        yield address, add_worker
    finally:  # the workers first, then the scheduler; whatever does not stop in 30 s is killed
        for process in [*processes[1:], processes[0]]:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main(runs: int = 3) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        before = load()
        rounds: dict[str, list[float]] = {"one_worker": [], "two_workers": [], "jobs2": []}
        with local_cluster(tmp / "one") as (one, add_to_one), local_cluster(tmp / "two") as (two, add_to_two):
            add_to_one()
            add_to_two()
            add_to_two()
            for run in range(runs):  # alternate, so all see the same machine state
                for name, where in (
                    ("one_worker", ("--cluster", one)),
                    ("two_workers", ("--cluster", two)),
                    ("jobs2", ("--jobs", "2")),
                ):
                    out = tmp / f"{name}-{run}"
                    rounds[name].append(timed(reportkit(*BATCH, *where, "--out", str(out))))
                    shutil.rmtree(out)
    median = {name: statistics.median(times) for name, times in rounds.items()}
    result = {
        "reports": 9,
        "rounds_s": rounds,
        "median_s": median,
        "per_report_s": {name: seconds / 9 for name, seconds in median.items()},
        "two_vs_one_worker": median["one_worker"] / median["two_workers"],
        "two_workers_vs_jobs2": median["jobs2"] / median["two_workers"],
        "machine_load_before": before,
        "machine_load_after": load(),
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    main(parser.parse_args().runs)
