"""Validate at scale: ``reportkit validate`` of 1,000,000 activities and 10,000 units against
the floor, a fresh process that imports pandas and only reads activities.csv.

    .venv/bin/python bench/validate.py [--activities 1000000] [--units 10000] [--runs 5] [--before SRC]

Each round runs, one after the other in fresh processes, the floor with pandas' default
``read_csv`` (the C engine: what "import pandas and read the file" means to most people), the
same with ``engine="pyarrow"`` (for reference), and the real command from the virtualenv; the
medians of the rounds and each one's peak memory (``ru_maxrss`` of the child) are printed.
Target (issue 20): ``validate`` at most 1.5x the default floor, under 1 GiB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import BIN

HERE = Path(__file__).resolve().parent
TARGET = 1.5
FLOOR = "import pandas, sys; pandas.read_csv(sys.argv[1]{engine})"
VALIDATE = "from reportkit.cli import main; sys.exit(main(['validate', sys.argv[1]]))"


def run(command: list[str]) -> tuple[float, float]:
    """Wall time of ``command`` in a fresh process, and its own peak RSS in MiB."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return elapsed, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> dict:
    """Measure and print; return the figures run_all.py tabulates."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--before", type=Path, help="the src/ folder of another version of reportkit, timed alongside"
    )
    args = parser.parse_args([] if argv is None else argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "scale"
        # In a process of its own: a child's peak RSS counts the parent it was forked from.
        make = f"from scale import generate; generate(Path({str(folder)!r}), {args.activities}, {args.units})"
        subprocess.run([sys.executable, "-c", f"from pathlib import Path; {make}"], check=True, cwd=HERE)
        activities = str(folder / "activities.csv")
        commands = {
            "floor: read_csv (C engine)": [
                sys.executable,
                "-c",
                FLOOR.format(engine=""),
                activities,
            ],
            "floor: read_csv(engine='pyarrow')": [
                sys.executable,
                "-c",
                FLOOR.format(engine=", engine='pyarrow'"),
                activities,
            ],
            "reportkit validate": [str(BIN / "reportkit"), "validate", str(folder)],
        }
        if args.before:
            before = f"import sys; sys.path.insert(0, {str(args.before.resolve())!r}); {VALIDATE}"
            commands["reportkit validate (--before)"] = [sys.executable, "-c", before, str(folder)]
        subprocess.run(commands["reportkit validate"], check=True, capture_output=True)  # warm the cache
        times: dict[str, list[float]] = {name: [] for name in commands}
        peaks: dict[str, float] = dict.fromkeys(commands, 0.0)
        for _round in range(args.runs):
            for name, command in commands.items():
                elapsed, peak = run(command)
                times[name].append(elapsed)
                peaks[name] = max(peaks[name], peak)
    medians = {name: statistics.median(values) for name, values in times.items()}
    floor, arrow_floor = list(medians.values())[:2]
    validate = medians["reportkit validate"]
    print(f"{args.activities:,} activities, {args.units:,} units; medians of {args.runs} alternating runs")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'':45s} {'median s':>9s} {'peak MiB':>9s}")
    for name in commands:
        print(f"{name:45s} {medians[name]:9.2f} {peaks[name]:9.0f}")
    print(f"validate / floor (C engine): {validate / floor:.2f}x (target at most {TARGET}x)")
    print(f"validate / floor (pyarrow engine): {validate / arrow_floor:.2f}x")
    under = peaks["reportkit validate"] < 1024
    print(f"validate peak RSS under 1 GiB: {'yes' if under else 'no'}")
    return {
        "activities": args.activities,
        "validate_s": validate,
        "floor_s": floor,
        "arrow_floor_s": arrow_floor,
        "ratio": validate / floor,
        "peak_rss_mib": peaks["reportkit validate"],
        "floor_peak_rss_mib": peaks[next(iter(commands))],
        "rounds_s": times,
    }


if __name__ == "__main__":
    main(sys.argv[1:])
