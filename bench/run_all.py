"""Run the benchmarks of issue 20's targets and write their part of bench/RESULTS.md: the
machine, each target with its measured figure, and how each is measured.

    .venv/bin/pip install -e '.[bench]'        # WeasyPrint, the hand chain's PDF command
    .venv/bin/python bench/run_all.py          # about 12 minutes on 2 quiet cores, 18 at a load of 5

Only the part between the two markers below is rewritten; everything else in RESULTS.md (the
notes people wrote, figures of scripts run alone) is kept. Benchmarks, not timed tests: rerun
them on your machine and compare ratios, not seconds.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import batch
import big_report
import build
import cluster
from common import load, machine

try:
    import validate  # bench/validate.py (issue 20.3, the Arrow validation): run_all needs it
except ModuleNotFoundError as missing:
    if missing.name != "validate":
        raise
    raise SystemExit(
        "bench/validate.py is missing: run_all measures the 1M-activity validation with it"
    ) from None

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
BEGIN = "<!-- bench/run_all.py writes from here to the closing marker; edit outside them -->"
END = "<!-- end of bench/run_all.py's part: everything below is kept as written -->"

BUILD_RUNS = 5  # the hand chain takes about 20 s a round
BATCH_RUNS, HAND_BATCH_RUNS = 3, 2  # the hand chain's loop over nine districts takes 1.5 min or more
CLUSTER_RUNS = 3
BIG_REPORT_RUNS = 3


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def seconds(values) -> str:
    return ", ".join(f"{x:.1f}" for x in values)


def measure() -> dict:
    """Every benchmark once, with the machine's load before and after and each script's wall time."""
    results = {"machine": machine(), "load_before": load(), "took_s": {}}
    for name, run in (
        ("build", lambda: build.main(runs=BUILD_RUNS)),
        ("batch", lambda: batch.main(runs=BATCH_RUNS, hand_runs=HAND_BATCH_RUNS)),
        ("cluster", lambda: cluster.main(runs=CLUSTER_RUNS)),
        ("big_report", lambda: big_report.main(runs=BIG_REPORT_RUNS)),
        ("validate", validate.main),
    ):
        started = time.perf_counter()
        results[name] = run()
        results["took_s"][name] = time.perf_counter() - started
    results["load_after"] = load()
    return results


def rows(r: dict) -> list[tuple[str, ...]]:
    """The table: issue 20's targets first, then figures shown for information."""
    b, t, c, big, v = r["build"], r["batch"], r["cluster"], r["big_report"], r["validate"]
    return [
        (
            "full build of plan and report (ipynb, HTML, PDF)",
            f"{b['reportkit_build_s']:.1f} s",
            f"hand chain {b['hand_chain_s']:.1f} s: **{b['speedup']:.2f}×**",
            "≥ 6×",
            verdict(b["speedup"] >= 6),
        ),
        (
            "default build, the same and the Word copies (.docx)",
            f"{b['default_build_s']:.1f} s",
            f"the same hand chain {b['hand_chain_s']:.1f} s (no .docx): **{b['default_speedup']:.2f}×**",
            "≥ 5×",
            verdict(b["default_speedup"] >= 5),
        ),
        (
            "rebuild with nothing changed",
            f"{b['noop_rebuild_s']:.3f} s",
            f"median of {len(b['noop_rebuild_runs_s'])}",
            "< 0.1 s",
            verdict(b["noop_rebuild_s"] < 0.1),
        ),
        (
            f"{t['districts']} district reports, `batch --jobs 2`",
            f"{t['jobs2_s']:.1f} s",
            f"hand chain looped over the districts {t['hand_chain_s']:.1f} s: "
            f"**{t['jobs2_vs_hand_chain']:.2f}×**",
            "≥ 7×",
            verdict(t["jobs2_vs_hand_chain"] >= 7),
        ),
        (
            "`reportkit validate`, 1,000,000 activities and 10,000 units",
            f"{v['validate_s']:.2f} s",
            f"a fresh process importing pandas and reading activities.csv {v['floor_s']:.2f} s: "
            f"**{v['ratio']:.2f}×**",
            "≤ 1.5×",
            verdict(v["ratio"] <= 1.5),
        ),
        (
            "same, peak memory",
            f"{v['peak_rss_mib']:.0f} MiB",
            "peak RSS",
            "< 1 GiB",
            verdict(v["peak_rss_mib"] < 1024),
        ),
        (
            f"whole report of {big['activities']:,} activities (`build --doc report --to pdf`)",
            f"{big['big_s']:.1f} s",
            f"the sample's report (52 activities) {big['sample_s']:.1f} s: **{big['big_vs_sample']:.2f}×**",
            "≤ 1.6×",
            verdict(big["big_vs_sample"] <= 1.6),
        ),
        (
            "district batch on a local Dask cluster, 2 workers against 1",
            f"{c['median_s']['two_workers']:.1f} s",
            f"1 worker {c['median_s']['one_worker']:.1f} s: **{c['two_vs_one_worker']:.2f}×** (ceiling 1.8×)",
            "≥ 1.7×",
            verdict(c["two_vs_one_worker"] >= 1.7),
        ),
        (
            "district batch, `--jobs 2` against `--jobs 1`",
            f"{t['jobs2_s']:.1f} s",
            f"--jobs 1 {t['jobs1_s']:.1f} s: **{t['jobs2_vs_jobs1']:.2f}×** (ceiling 1.8×)",
            "",
            "",
        ),
        (
            "district batch, 2 Dask workers against the local `--jobs 2`",
            f"{c['median_s']['two_workers']:.1f} s",
            f"--jobs 2 {c['median_s']['jobs2']:.1f} s: **{c['two_workers_vs_jobs2']:.2f}×**",
            "",
            "",
        ),
    ]


def generated(r: dict) -> list[str]:
    """The part of RESULTS.md that run_all writes."""
    b, t, c, big = r["build"], r["batch"], r["cluster"], r["big_report"]
    before, after = r["load_before"], r["load_after"]
    return [
        f"Measured {dt.date.today().isoformat()} by `.venv/bin/python bench/run_all.py` in "
        f"{sum(r['took_s'].values()) / 60:.0f} min ("
        + ", ".join(f"{name}.py {s / 60:.1f}" for name, s in r["took_s"].items())
        + "); each script also runs alone. Targets of issue 20.",
        "",
        "## Machine",
        "",
        *(f"- {key}: {value}" for key, value in r["machine"].items()),
        f"- load average (1/5/15 min) before: {before['load_1min']:.1f} / {before['load_5min']:.1f} / "
        f"{before['load_15min']:.1f}; after: {after['load_1min']:.1f} / {after['load_5min']:.1f} / "
        f"{after['load_15min']:.1f} on {after['cores']} cores (before: whether other work shared the "
        "machine, a quiet one is under 1 per core; after: mostly the benchmarks' own processes)",
        "",
        "## Results",
        "",
        "| what | reportkit | compared with | target | |",
        "| --- | --- | --- | --- | --- |",
        *(f"| {' | '.join(row)} |" for row in rows(r)),
        "",
        "## How each is measured",
        "",
        "Every comparison runs its sides in the same loop, alternating, each into a fresh folder; "
        "the figures are medians.",
        "",
        "- **Hand chain** (`bench/common.py`): for each document, `papermill` (with `-p campaign …`), "
        "then `jupyter nbconvert --to html --no-input`, then the `weasyprint` command, one process per "
        "step, as a user would script it. It makes the notebook, the HTML and the PDF; no Word copy.",
        f"- **Build** (`bench/build.py`, {b['rounds']} rounds): `reportkit build --to html,pdf` (the "
        "hand chain's formats), the hand chain for plan and report, and the default `reportkit build` "
        "(every format, .docx included). The .docx target compares that default build with the same "
        "hand chain, which makes no .docx: reportkit does more work there, not less. Rounds (s): "
        f"reportkit {seconds(b['reportkit_runs_s'])}; hand chain {seconds(b['hand_chain_runs_s'])}; "
        f"default build {seconds(b['default_build_runs_s'])}; writing the .docx (manifest), plan / "
        "report: " + "; ".join(f"{d['plan']:.2f} / {d['report']:.2f}" for d in b["docx_export_runs_s"]) + ".",
        "- **No-op rebuild**: the default `reportkit build` again on unchanged inputs, "
        f"{len(b['noop_rebuild_runs_s'])} times: "
        + ", ".join(f"{x:.3f}" for x in b["noop_rebuild_runs_s"])
        + " s.",
        f"- **Batch** (`bench/batch.py`): `reportkit batch --doc report --each district --force --to "
        f"html,pdf` with `--jobs 2` and `--jobs 1`, {len(t['runs_s']['jobs2'])} rounds each; the hand "
        f"chain once per district with `-p district …`, {len(t['runs_s']['hand_chain'])} rounds (the "
        "slow side; it runs between the batches' rounds). Rounds (s): "
        + "; ".join(f"{name} {seconds(v)}" for name, v in t["runs_s"].items())
        + ".",
        "- **Validation of a million activities** (`bench/validate.py`): `reportkit validate` on a "
        "generated campaign of 1,000,000 activities and 10,000 units, against a fresh process that "
        "imports pandas and reads activities.csv only; peak RSS of the validation.",
        f"- **Whole report of a million activities** (`bench/big_report.py`, {big['rounds']} rounds): "
        "the same command, `reportkit build --doc report --to pdf`, on the generated campaign and on the "
        f"sample. Rounds (s): {big['activities']:,} activities {seconds(big['big_runs_s'])}; sample "
        f"{seconds(big['sample_runs_s'])}. The big build's steps (manifest, medians): "
        + ", ".join(f"{k} {v:.1f} s" for k, v in big["big_steps_s"].items())
        + ".",
        "- **Cluster** (`bench/cluster.py`): two local clusters at once on 127.0.0.1, one of one "
        "`dask worker --nthreads 1 --no-nanny` and one of two; each round runs the district batch "
        "(`--to html,pdf`) with `--cluster` on the first, on the second, then with the local `--jobs 2`. "
        "Rounds (s): " + "; ".join(f"{k} {seconds(v)}" for k, v in c["rounds_s"].items()) + ".",
    ]


def _kept() -> tuple[str, str]:
    """RESULTS.md before BEGIN and after END: what run_all keeps."""
    text = RESULTS.read_text(encoding="utf-8")
    if text.count(BEGIN) != 1 or text.count(END) != 1:
        raise SystemExit(
            f"{RESULTS}: expected each of these lines once, around run_all's part:\n{BEGIN}\n{END}"
        )
    head, rest = text.split(BEGIN)
    return head, rest.split(END)[1]


def write(lines: list[str]) -> None:
    """Replace the text between BEGIN and END in RESULTS.md with ``lines``; keep the rest."""
    head, tail = _kept()
    RESULTS.write_text("\n".join([head + BEGIN, "", *lines, "", END]) + tail, encoding="utf-8")


def main() -> None:
    _kept()  # the markers are checked before the measuring, not after it
    lines = generated(measure())
    write(lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
