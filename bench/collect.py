"""Collect: the sample's 34 forms filled and taken in, and each untrusted return refused.

    .venv/bin/python bench/collect.py [--runs 3]

Each run is the real ``reportkit collect`` command in a fresh process on a fresh copy of
the sample campaign; wall time and the process's peak memory (``ru_maxrss`` from
GNU ``time``) are measured. The 34 forms hold 3 activities each, one with a photo beside it.
The untrusted files are made as tests/test_collect.py makes them (macros, a zip bomb of
200 MB of zeros, a 100 MB file, a million rows, XML entities, another campaign's form, an
edited unit id, an old .xls, an .ods row repeated a million times); each must be refused
with exit code 2.
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

from tests.test_collect import UNTRUSTED, _ods, fill  # noqa: E402  (the same makers as the tests)

from reportkit.forms import issue_forms  # noqa: E402

SAMPLE = ROOT / "data" / "campaigns" / "wtisd-2021-phu-yen"
ROWS = [
    ["17/5/2021", "Phát thanh", 5, "25.000", None, None, "anh.jpg", None],
    ["18/5/2021", "Loa truyền thanh cơ sở", 18, "5 500", None, None, None, None],
    ["19/5/2021", "Băng rôn", 2, None, "700.000", "Kinh phí của đơn vị", None, "Trước trụ sở"],
]


def measure(command: list[str], expect: int) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak MiB) of one run of ``command`` in a fresh process.

    CPU time (user + system) is given beside wall time: on a shared machine the wall time
    says as much about the neighbours as about reportkit.

    GNU time reports the peak: a child's high-water mark counts the memory of the process it
    was forked from, so measuring from this (large) process would overstate it.
    """
    with tempfile.NamedTemporaryFile("r") as report:
        result = subprocess.run(
            ["/usr/bin/time", "-f", "%e %U %S %M", "-o", report.name, *command],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        wall, user, system, kilobytes = report.read().split()[-4:]
    if result.returncode != expect:
        raise SystemExit(
            f"{' '.join(command)} exited {result.returncode}, expected {expect}: {result.stderr}"
        )
    return float(wall), float(user) + float(system), int(kilobytes) / 1024


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
        walls, cpus, peaks = zip(*good, strict=True)
        print(f"collect {count} forms ({count * len(ROWS)} activities, {count} photos), {args.runs} runs:")
        print(
            f"  wall: median {statistics.median(walls):.2f} s, min {min(walls):.2f} s; "
            f"CPU: median {statistics.median(cpus):.2f} s; peak {max(peaks):.0f} MiB"
        )
        print("\n| untrusted return | file size | wall | CPU | peak memory |")
        print("| --- | --- | --- | --- | --- |")
        filled = fill(forms / "so-vp.xlsx", root / "filled.xlsx", "28/5/2021", ROWS[1:])
        for case, (name, make, _expected) in UNTRUSTED.items():
            bad = root / "bad" / case / name
            bad.parent.mkdir(parents=True)
            make(filled, bad)
            folder = campaign_copy(root, f"bad-{case}")
            wall, cpu, peak = measure([*reportkit, str(folder), str(bad)], 2)
            size = bad.stat().st_size / 2**20
            print(f"| {case} | {size:.1f} MB | {wall:.2f} s | {cpu:.2f} s | {peak:.0f} MiB |", flush=True)
        # LibreOffice's way of writing many equal rows: one row "repeated" a million times.
        bad = _ods(root / "bad" / "ods" / "so-vp.ods", ROWS[1:], repeat=1_000_000)
        wall, cpu, peak = measure([*reportkit, str(campaign_copy(root, "bad-ods")), str(bad)], 2)
        size = bad.stat().st_size / 2**20
        print(f"| ods-million-repeated-rows | {size:.1f} MB | {wall:.2f} s | {cpu:.2f} s | {peak:.0f} MiB |")


if __name__ == "__main__":
    main()
