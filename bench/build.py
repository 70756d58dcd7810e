"""A full build of plan and report (ipynb, HTML, PDF) against the hand chain, side by side,
the default build with the Word copy too, and a rebuild with nothing changed.

    .venv/bin/python bench/build.py [--runs 3]

Targets (issue 14): at least 4× faster than the hand chain; a no-op rebuild under 0.15 s.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from common import SAMPLE, hand_chain, median_of, reportkit, timed

LIKE_FOR_LIKE = ("--to", "html,pdf")  # what the hand chain makes


def main(runs: int = 3) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ours, hand, with_word, docx = [], [], [], []
        for run in range(runs):  # alternate, so all see the same machine state
            out = tmp / f"ours-{run}"
            ours.append(timed(reportkit("build", str(SAMPLE), "--out", str(out), "--quiet", *LIKE_FOR_LIKE)))
            hand.append(sum(hand_chain(doc, tmp / f"hand-{run}") for doc in ("plan", "report")))
            shutil.rmtree(out)
            with_word.append(timed(reportkit("build", str(SAMPLE), "--out", str(out), "--quiet")))
            manifest = json.loads((out / SAMPLE.name / "manifest.json").read_text(encoding="utf-8"))
            docx.append({doc: manifest[doc]["seconds"]["docx"] for doc in ("plan", "report")})
            shutil.rmtree(out)
        out = tmp / "rebuild"
        timed(reportkit("build", str(SAMPLE), "--out", str(out), "--quiet"))
        rebuild, rebuilds = median_of(
            max(5, runs), lambda: timed(reportkit("build", str(SAMPLE), "--out", str(out), "--quiet"))
        )
    ours.sort()
    hand.sort()
    with_word.sort()
    result = {
        "default_build_s": with_word[len(with_word) // 2],
        "default_build_runs_s": with_word,
        "docx_export_runs_s": docx,
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
