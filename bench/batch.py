"""A batch of the sample campaign's nine district reports with --jobs 2, against the hand
chain looped over the districts, and against --jobs 1; side by side in one run.

    .venv/bin/pip install -e '.[bench]'    # WeasyPrint, the hand chain's PDF command
    .venv/bin/python bench/batch.py [--runs 3] [--hand-runs 2]

Target (issue 20): --jobs 2 at least 7× faster than the hand chain run once per district
(papermill with ``-p district …``, nbconvert, weasyprint, one process each). The hand chain's
loop is the slow side (about ten times the batch), so it runs ``--hand-runs`` times, between
the batch's rounds; every batch runs ``--runs`` times. --jobs 2 against --jobs 1 is shown for
information: nine equal runs on two workers take five rounds against nine, so 9/5 = 1.8× is
its ceiling.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import statistics
import tempfile
from pathlib import Path

from common import SAMPLE, hand_chain, reportkit, timed

BATCH = ("batch", str(SAMPLE), "--doc", "report", "--each", "district", "--quiet", "--force")
LIKE_FOR_LIKE = ("--to", "html,pdf")  # what the hand chain makes; the notebook is always kept


def districts() -> list[str]:
    rows = csv.DictReader((SAMPLE / "units.csv").read_text(encoding="utf-8").splitlines())
    return list(dict.fromkeys(row["district"] for row in rows if row["district"]))


def main(runs: int = 3, hand_runs: int = 2) -> dict:
    names = districts()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        times: dict[str, list[float]] = {"jobs2": [], "jobs1": [], "hand_chain": []}
        for run in range(max(runs, hand_runs)):  # alternate, so all see the same machine state
            if run < runs:
                for jobs in ("2", "1"):
                    out = tmp / f"jobs{jobs}-{run}"
                    batch = reportkit(*BATCH, *LIKE_FOR_LIKE, "--jobs", jobs, "--out", str(out))
                    times[f"jobs{jobs}"].append(timed(batch))
                    shutil.rmtree(out)
            if run < hand_runs:
                out = tmp / f"hand-{run}"
                times["hand_chain"].append(
                    sum(hand_chain("report", out / str(i), district=d) for i, d in enumerate(names))
                )
                shutil.rmtree(out)
    median = {name: statistics.median(seconds) for name, seconds in times.items()}
    result = {
        "districts": len(names),
        "runs_s": times,
        "jobs2_s": median["jobs2"],
        "jobs1_s": median["jobs1"],
        "hand_chain_s": median["hand_chain"],
        "jobs2_vs_hand_chain": median["hand_chain"] / median["jobs2"],
        "jobs2_vs_jobs1": median["jobs1"] / median["jobs2"],
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="rounds of each batch")
    parser.add_argument("--hand-runs", type=int, default=2, help="rounds of the hand chain's loop")
    args = parser.parse_args()
    main(args.runs, args.hand_runs)
