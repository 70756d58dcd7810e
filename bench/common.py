"""Shared by the benchmarks: the machine, a clock for commands, and the hand-written chain."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SAMPLE = ROOT / "data" / "campaigns" / "wtisd-2021-phu-yen"


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    memory = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    packages = (
        "reportkit",
        "papermill",
        "nbconvert",
        "typst",
        "weasyprint",  # the hand chain's PDF (the bench extra)
        "distributed",  # bench/cluster.py's scheduler and workers
        "python-docx",
        "pandas",
        "pyarrow",
        "ipykernel",
    )
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": f"{int(memory) / 2**20:.1f} GiB",
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": ", ".join(f"{p} {version(p)}" for p in packages),
    }


def timed(command: list[str], **kwargs) -> float:
    """Wall time of one run of ``command``; it must succeed."""
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, **kwargs)
    return time.perf_counter() - started


def median_of(runs: int, measure) -> tuple[float, list[float]]:
    times = [measure() for _ in range(runs)]
    return statistics.median(times), times


def reportkit(*args: str) -> list[str]:
    return [str(BIN / "reportkit"), *args]


def hand_chain(doc: str, out: Path, campaign: Path = SAMPLE, **parameters: str) -> float:
    """The chain a user would write by hand, one process per step: papermill, then
    ``jupyter nbconvert --to html --no-input``, then the ``weasyprint`` command."""
    out.mkdir(parents=True, exist_ok=True)
    notebook = out / f"{doc}.ipynb"
    params = [arg for name, value in parameters.items() for arg in ("-p", name, value)]
    started = time.perf_counter()
    for command in (
        [
            str(BIN / "papermill"),
            "--no-progress-bar",
            "--cwd",
            str(ROOT / "notebooks"),
            "-p",
            "campaign",
            str(campaign),
            *params,
            str(ROOT / "notebooks" / f"{doc}.ipynb"),
            str(notebook),
        ],
        [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(notebook)],
        [str(BIN / "weasyprint"), str(out / f"{doc}.html"), str(out / f"{doc}.pdf")],
    ):
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    return time.perf_counter() - started


def load() -> dict[str, float]:
    """How busy the machine was: the load averages over 1, 5 and 15 minutes, and the cores."""
    one, five, fifteen = os.getloadavg()
    return {"load_1min": one, "load_5min": five, "load_15min": fifteen, "cores": os.cpu_count() or 1}
