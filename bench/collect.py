"""Collect: the sample's 34 forms filled and taken in, and each untrusted return refused.

    .venv/bin/python bench/collect.py [--runs 3]

Each run is the real ``reportkit collect`` command in a fresh process on a fresh copy of
the sample campaign; wall time and the process's peak memory (``ru_maxrss`` from
GNU ``time``) are measured. The 34 forms hold 3 activities each, one with a photo beside it.
The untrusted files are made as tests/test_collect.py makes them (macros, a zip bomb of
200 MB of zeros, a 100 MB file, a million rows, XML entities, another campaign's form, an
edited unit id, an old .xls); each must be refused with exit code 2.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_collect import UNTRUSTED, fill  # noqa: E402  (the same makers as the tests)

from reportkit.forms import issue_forms  # noqa: E402

SAMPLE = ROOT / "data" / "campaigns" / "wtisd-2021-phu-yen"
ROWS = [
    ["17/5/2021", "Phát thanh", 5, "25.000", None, None, "anh.jpg", None],
    ["18/5/2021", "Loa truyền thanh cơ sở", 18, "5 500", None, None, None, None],
    ["19/5/2021", "Băng rôn", 2, None, "700.000", "Kinh phí của đơn vị", None, "Trước trụ sở"],
]


def measure(command: list[str], expect: int) -> tuple[float, float]:
    """(seconds, peak MiB) of one run of ``command`` in a fresh process.

    GNU time reports the peak: a child's high-water mark counts the memory of the process it
    was forked from, so measuring from this (large) process would overstate it.
    """
    with tempfile.NamedTemporaryFile("r") as report:
        result = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", "-o", report.name, *command],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        seconds, kilobytes = report.read().split()[-2:]
    if result.returncode != expect:
        raise SystemExit(
            f"{' '.join(command)} exited {result.returncode}, expected {expect}: {result.stderr}"
        )
    return float(seconds), int(kilobytes) / 1024


def campaign_copy(root: Path, name: str) -> Path:
    folder = root / name
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("returns"))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    reportkit = [sys.executable, "-m", "reportkit.cli", "collect"]
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        forms = issue_forms(campaign_copy(root, "issuer"), root / "out").folder
        mail = root / "mail"
        for form in sorted(forms.iterdir()):
            fill(form, mail / form.stem / form.name, "28/5/2021", ROWS)
            shutil.copy(SAMPLE / "evidence" / "dai-tt-tuy-an.jpg", mail / form.stem / "anh.jpg")
        count = len(list(forms.iterdir()))
        good = []
        for run in range(args.runs):
            folder = campaign_copy(root, f"run{run}")
            good.append(measure([*reportkit, str(folder), str(mail)], 0))
        print(f"collect {count} forms ({count * len(ROWS)} activities, {count} photos), {args.runs} runs:")
        print(
            f"  median {statistics.median(s for s, _ in good):.2f} s "
            f"(min {min(s for s, _ in good):.2f} s), peak {max(m for _, m in good):.0f} MiB"
        )
        print("\n| untrusted return | file size | refused in | peak memory |\n| --- | --- | --- | --- |")
        filled = fill(forms / "so-vp.xlsx", root / "filled.xlsx", "28/5/2021", ROWS[1:])
        for case, (name, make, _expected) in UNTRUSTED.items():
            bad = root / "bad" / case / name
            bad.parent.mkdir(parents=True)
            make(filled, bad)
            folder = campaign_copy(root, f"bad-{case}")
            seconds, peak = measure([*reportkit, str(folder), str(bad)], 2)
            print(f"| {case} | {bad.stat().st_size / 2**20:.1f} MB | {seconds:.2f} s | {peak:.0f} MiB |")


if __name__ == "__main__":
    main()
