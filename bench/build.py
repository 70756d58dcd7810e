"""A full build of plan and report (ipynb, HTML, PDF) against the hand chain, side by side,
and a rebuild with nothing changed.

    .venv/bin/python bench/build.py [--runs 3]

Targets (issue 4): at least 3× faster than the hand chain; a no-op rebuild under 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from common import SAMPLE, hand_chain, median_of, reportkit, timed


def main(runs: int = 3) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ours, hand = [], []
        for run in range(runs):  # alternate, so both see the same machine state
            out = tmp / f"ours-{run}"
            ours.append(timed(reportkit("build", str(SAMPLE), "--out", str(out), "--quiet")))
            hand.append(sum(hand_chain(doc, tmp / f"hand-{run}") for doc in ("plan", "report")))
            shutil.rmtree(out)
        out = tmp / "rebuild"
        timed(reportkit("build", str(SAMPLE), "--out", str(out), "--quiet"))
        rebuild, rebuilds = median_of(
            max(5, runs), lambda: timed(reportkit("build", str(SAMPLE), "--out", str(out), "--quiet"))
        )
    ours.sort()
    hand.sort()
    result = {
        "reportkit_build_s": ours[len(ours) // 2],
        "hand_chain_s": hand[len(hand) // 2],
        "speedup": hand[len(hand) // 2] / ours[len(ours) // 2],
        "reportkit_runs_s": ours,
        "hand_chain_runs_s": hand,
        "noop_rebuild_s": rebuild,
        "noop_rebuild_runs_s": rebuilds,
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    main(parser.parse_args().runs)
