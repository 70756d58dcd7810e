"""A full build of plan and report against the hand chain, side by side in one run: reportkit
with the hand chain's formats (ipynb, HTML, PDF), the hand chain, and reportkit's default build
(the same and the Word copy); then a rebuild with nothing changed.

    .venv/bin/pip install -e '.[bench]'    # WeasyPrint, the hand chain's PDF command
    .venv/bin/python bench/build.py [--runs 5]

Targets (issue 20): the build of ipynb, HTML and PDF at least 6× faster than the hand chain;
the default build, which also writes the .docx, at least 5× faster than the same hand chain
(the hand chain makes no Word copy: reportkit does more work in that figure, not less); a
rebuild with nothing changed under 0.1 s (median of at least 5).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
from pathlib import Path

from common import SAMPLE, hand_chain, median_of, reportkit, timed

LIKE_FOR_LIKE = ("--to", "html,pdf")  # what the hand chain makes; the notebook is always kept


def main(runs: int = 5) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ours, hand, with_word, docx = [], [], [], []
        for run in range(runs):  # alternate, so all three see the same machine state
            out = tmp / f"ours-{run}"
            ours.append(timed(reportkit("build", str(SAMPLE), "--out", str(out), "--quiet", *LIKE_FOR_LIKE)))
            shutil.rmtree(out)
            hand.append(sum(hand_chain(doc, tmp / f"hand-{run}") for doc in ("plan", "report")))
            shutil.rmtree(tmp / f"hand-{run}")
            with_word.append(timed(reportkit("build", str(SAMPLE), "--out", str(out), "--quiet")))
            manifest = json.loads((out / SAMPLE.name / "manifest.json").read_text(encoding="utf-8"))
            docx.append({doc: manifest[doc]["seconds"]["docx"] for doc in ("plan", "report")})
            shutil.rmtree(out)
        out = tmp / "rebuild"
        timed(reportkit("build", str(SAMPLE), "--out", str(out), "--quiet"))
        rebuild, rebuilds = median_of(
            max(5, runs), lambda: timed(reportkit("build", str(SAMPLE), "--out", str(out), "--quiet"))
        )
    hand_s = statistics.median(hand)
    result = {
        "rounds": runs,
        "reportkit_build_s": statistics.median(ours),
        "hand_chain_s": hand_s,
        "speedup": hand_s / statistics.median(ours),
        "default_build_s": statistics.median(with_word),
        "default_speedup": hand_s / statistics.median(with_word),
        "reportkit_runs_s": ours,
        "hand_chain_runs_s": hand,
        "default_build_runs_s": with_word,
        "docx_export_runs_s": docx,
        "noop_rebuild_s": rebuild,
        "noop_rebuild_runs_s": rebuilds,
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    main(parser.parse_args().runs)
