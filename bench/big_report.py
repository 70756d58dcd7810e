"""The whole report of a campaign of 1,000,000 activities against the sample's report of 52,
built with the same command, ``reportkit build --doc report --to pdf`` (notebook, PDF and the
full activity list ``activities.xlsx``), each into a fresh folder, alternating; medians, and
the big build's steps from its manifest.

    .venv/bin/python bench/big_report.py [--activities 1000000] [--units 10000] [--runs 3]

Target (issue 20): the million-activity report at most 1.6× the sample's.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
from pathlib import Path

from common import SAMPLE, load, reportkit, timed
from scale import generate


def _build(folder: Path, out: Path) -> tuple[float, dict[str, float]]:
    """Seconds of one build of ``folder``'s report into the fresh ``out``, and its manifest's steps."""
    seconds = timed(
        reportkit("build", str(folder), "--doc", "report", "--to", "pdf", "--quiet", "--out", str(out))
    )
    manifest = json.loads((out / SAMPLE.name / "manifest.json").read_text(encoding="utf-8"))
    shutil.rmtree(out)
    return seconds, manifest["report"]["seconds"]


def main(activities: int = 1_000_000, units: int = 10_000, runs: int = 3) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        generate(tmp / "big", activities, units)
        before = load()
        big, sample, steps = [], [], []
        for run in range(runs):  # alternate, so both see the same machine state
            seconds, big_steps = _build(tmp / "big", tmp / f"big-{run}")
            big.append(seconds)
            steps.append(big_steps)
            sample.append(_build(SAMPLE, tmp / f"sample-{run}")[0])
    result = {
        "activities": activities,
        "units": units,
        "rounds": runs,
        "big_s": statistics.median(big),
        "sample_s": statistics.median(sample),
        "big_vs_sample": statistics.median(big) / statistics.median(sample),
        "big_runs_s": big,
        "sample_runs_s": sample,
        "big_steps_s": {step: statistics.median(s[step] for s in steps) for step in steps[0]},
        "machine_load_before": before,
        "machine_load_after": load(),
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    main(args.activities, args.units, args.runs)
