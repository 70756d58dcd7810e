"""A batch of the sample campaign's nine district reports: --jobs 2 against --jobs 1, and
against the hand chain run once per district.

    .venv/bin/python bench/batch.py

Targets (issue 4): --jobs 2 at least 1.7× faster than --jobs 1, and at least 4× faster than
the hand chain per district. Nine equal runs on two workers take five rounds against nine,
so 9/5 = 1.8× is the ceiling of the first ratio.
"""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

from common import SAMPLE, hand_chain, reportkit, timed


def districts() -> list[str]:
    rows = csv.DictReader((SAMPLE / "units.csv").read_text(encoding="utf-8").splitlines())
    return list(dict.fromkeys(row["district"] for row in rows if row["district"]))


def main() -> dict:
    names = districts()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        batch = ["batch", str(SAMPLE), "--doc", "report", "--each", "district", "--quiet", "--force"]
        batch += ["--to", "html,pdf"]  # what the hand chain makes
        rounds = []
        for run in range(3):  # alternate, so both see the same machine state; medians
            rounds.append(
                (
                    timed(reportkit(*batch, "--jobs", "1", "--out", str(tmp / f"jobs1-{run}"))),
                    timed(reportkit(*batch, "--jobs", "2", "--out", str(tmp / f"jobs2-{run}"))),
                )
            )
        jobs1 = sorted(r[0] for r in rounds)[1]
        jobs2 = sorted(r[1] for r in rounds)[1]
        hand = sum(hand_chain("report", tmp / "hand" / str(i), district=d) for i, d in enumerate(names))
    result = {
        "districts": len(names),
        "rounds_s": rounds,
        "jobs1_s": jobs1,
        "jobs2_s": jobs2,
        "hand_chain_s": hand,
        "jobs2_vs_jobs1": jobs1 / jobs2,
        "jobs2_vs_hand_chain": hand / jobs2,
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
