"""The whole report of a campaign of 1,000,000 activities, as a user builds it:
``reportkit build --doc report --to pdf`` into a fresh folder (notebook, PDF and the full
activity list ``activities.xlsx``), with the manifest's timing of each step.

    .venv/bin/python bench/big_report.py [--activities 1000000] [--units 10000]

Target (issue 14): under 15 s.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import zipfile
from pathlib import Path

from common import SAMPLE, load, reportkit, timed
from scale import generate


def main(activities: int = 1_000_000, units: int = 10_000) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "big"
        generate(folder, activities, units)
        before = load()
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        seconds = timed(
            reportkit(
                "build",
                str(folder),
                "--doc",
                "report",
                "--to",
                "pdf",
                "--quiet",
                "--out",
                str(Path(tmp) / "out"),
            )
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the build, its kernel included
        cpu_s = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
        built = Path(tmp) / "out" / SAMPLE.name
        manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))["report"]
        with zipfile.ZipFile(built / "activities.xlsx") as workbook:
            sheets = sum(1 for name in workbook.namelist() if name.startswith("xl/worksheets/sheet"))
        result = {
            "activities": activities,
            "build_s": seconds,
            "build_cpu_s": cpu_s,
            "steps_s": manifest["seconds"],
            "activities_xlsx_mib": (built / "activities.xlsx").stat().st_size / 2**20,
            "activities_xlsx_sheets": sheets,
            "peak_rss_children_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "machine_load_before": before,
            "machine_load_after": load(),
        }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=10_000)
    args = parser.parse_args()
    main(args.activities, args.units)
