"""Run every benchmark and write bench/RESULTS.md: the machine, each figure, each target.

    .venv/bin/python bench/run_all.py          # about five minutes on 2 cores

Benchmarks, not timed tests: rerun them on your machine and compare ratios, not seconds.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import batch
import big_report
import build
import cluster
import workbook
from common import load, machine

HERE = Path(__file__).resolve().parent


def scale() -> dict:
    import json

    out = subprocess.run([sys.executable, str(HERE / "scale.py")], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def main() -> None:
    about = machine()
    load_before = load()
    b = build.main(runs=3)
    s = scale()
    t = batch.main()
    big = big_report.main()
    c = cluster.main(runs=3)
    w = workbook.main()
    load_after = load()
    rows = [
        (
            "full build of plan and report (ipynb, HTML, PDF)",
            f"{b['reportkit_build_s']:.1f} s",
            f"hand chain {b['hand_chain_s']:.1f} s: **{b['speedup']:.1f}×** faster",
            "≥ 4×",
            verdict(b["speedup"] >= 4),
        ),
        (
            "default build: the same and the Word copy (ipynb, HTML, PDF, .docx)",
            f"{b['default_build_s']:.1f} s",
            "writing the .docx: plan "
            + "/".join(f"{r['plan']:.2f}" for r in b["docx_export_runs_s"])
            + " s, report "
            + "/".join(f"{r['report']:.2f}" for r in b["docx_export_runs_s"])
            + " s",
            "",
            "",
        ),
        (
            "rebuild with nothing changed",
            f"{b['noop_rebuild_s']:.2f} s",
            "median of 5",
            "< 0.15 s",
            verdict(b["noop_rebuild_s"] < 0.15),
        ),
        (
            f"batch of {t['districts']} district reports, --jobs 2 against --jobs 1",
            f"{t['jobs2_s']:.1f} s",
            f"--jobs 1 {t['jobs1_s']:.1f} s: **{t['jobs2_vs_jobs1']:.2f}×**",
            "≥ 1.7×",
            verdict(t["jobs2_vs_jobs1"] >= 1.7),
        ),
        (
            "same batch against the hand chain once per district",
            f"{t['jobs2_s']:.1f} s",
            f"hand chain {t['hand_chain_s']:.1f} s: **{t['jobs2_vs_hand_chain']:.1f}×**",
            "≥ 4×",
            verdict(t["jobs2_vs_hand_chain"] >= 4),
        ),
        (
            "1,000,000 activities, 10,000 units: load, check, figures",
            f"{s['total_s']:.1f} s",
            f"load and check {s['load_and_check_s']:.1f} s, figures {s['figures_s']:.1f} s; "
            f"CPU {s['cpu_s']:.1f} s",
            "< 3 s",
            verdict(s["total_s"] < 3),
        ),
        (
            "same, peak memory",
            f"{s['peak_rss_mib']:.0f} MiB",
            "peak RSS of the measuring process",
            "< 1 GiB",
            verdict(s["peak_rss_mib"] < 1024),
        ),
        (
            f"whole report of {big['activities']:,} activities (`build --doc report --to pdf`)",
            f"{big['build_s']:.1f} s",
            "steps: "
            + ", ".join(f"{k} {v:.1f} s" for k, v in big["steps_s"].items())
            + f"; activities.xlsx {big['activities_xlsx_mib']:.0f} MiB",
            "< 15 s",
            verdict(big["build_s"] < 15),
        ),
        (
            "batch of 9 district reports on a local Dask cluster, 2 workers against 1",
            f"{c['median_s']['two_workers']:.1f} s ({c['per_report_s']['two_workers']:.1f} s a report)",
            f"1 worker {c['median_s']['one_worker']:.1f} s: **{c['two_vs_one_worker']:.2f}×**",
            "ceiling 1.8×",
            "",
        ),
        (
            "same batch, 2 Dask workers against the local pool --jobs 2",
            f"{c['median_s']['two_workers']:.1f} s",
            f"--jobs 2 {c['median_s']['jobs2']:.1f} s ({c['per_report_s']['jobs2']:.1f} s a report): "
            f"**{c['two_workers_vs_jobs2']:.2f}×**",
            "",
            "",
        ),
        (
            f"writing activities.xlsx, per million activities (measured on {w['activities']:,})",
            f"{w['per_million_s']['reportkit'][0]:.1f} s",
            "XlsxWriter constant_memory "
            f"{w['per_million_s']['xlsxwriter_constant_memory'][0]:.0f} s"
            + (
                f", openpyxl {w['per_million_s']['openpyxl'][0]:.0f} s"
                if "openpyxl" in w["per_million_s"]
                else ""
            ),
            "",
            "",
        ),
    ]
    lines = [
        "# Benchmarks",
        "",
        f"Measured {dt.date.today().isoformat()} by `.venv/bin/python bench/run_all.py` "
        "(each script also runs alone).",
        "",
        "## Machine",
        "",
        *(f"- {key}: {value}" for key, value in about.items()),
        "",
        f"- load average (1/5/15 min) before: {load_before['load_1min']:.1f} / "
        f"{load_before['load_5min']:.1f} / {load_before['load_15min']:.1f}; after: "
        f"{load_after['load_1min']:.1f} / {load_after['load_5min']:.1f} / {load_after['load_15min']:.1f} "
        f"on {load_after['cores']} cores (above the core count, other work shared the machine)",
        "",
        "## Results",
        "",
        "| what | reportkit | compared with | target | |",
        "| --- | --- | --- | --- | --- |",
        *(f"| {' | '.join(row)} |" for row in rows),
        "",
        "## How each is measured",
        "",
        "- **Hand chain**: for each document, `papermill` (with `-p campaign …`), then "
        "`jupyter nbconvert --to html --no-input`, then the `weasyprint` command, one process per step, "
        "as a user would script it. It runs in the same loop as `reportkit build --to html,pdf` into a "
        "fresh folder (the same formats), alternating, three rounds; medians are shown. The default "
        "build, which also writes the Word copies, runs in the same loop; its manifest gives the "
        "seconds spent writing each .docx.",
        f"- Build rounds (s): reportkit {', '.join(f'{x:.1f}' for x in b['reportkit_runs_s'])}; "
        f"hand chain {', '.join(f'{x:.1f}' for x in b['hand_chain_runs_s'])}.",
        "- **No-op rebuild**: `reportkit build` again on unchanged inputs; it compares fingerprints in "
        "manifest.json and verifies the outputs' hashes, importing neither pandas nor papermill.",
        "- **Batch**: `reportkit batch --each district --force --to html,pdf` with `--jobs 1` and "
        "`--jobs 2` into fresh folders, alternating, three rounds, medians shown; the hand chain runs once "
        "per district with "
        "`-p district …`. Nine equal runs on two workers take five rounds against nine: 9/5 = 1.8× is "
        f"the ceiling of the first ratio. Rounds (s, jobs 1 / jobs 2): "
        f"{'; '.join(f'{a:.1f} / {b:.1f}' for a, b in t['rounds_s'])}.",
        f"- **Scale**: `bench/scale.py` generates {s['activities']:,} activities "
        f"({s['activities_csv_mib']:.0f} MiB of CSV) and 10,000 units, then a fresh interpreter imports "
        "reportkit, loads and checks the folder and computes every figure of the report; its own clock "
        "and `ru_maxrss`.",
        "",
        "- **Whole report of a million activities**: `bench/big_report.py` generates the campaign as "
        "above and times `reportkit build --doc report --to pdf` into a fresh folder; the steps are the "
        "manifest's (`execute` the kernel, `activities.xlsx` written in a thread beside it, `pdf`).",
        "- **Cluster**: `bench/cluster.py` starts `dask scheduler` and `dask worker --nthreads 1 --no-nanny` "
        "on 127.0.0.1 and runs `reportkit batch … --cluster` with one worker, then two, alternating with "
        "the local `--jobs 2` and `--jobs 1`; medians. Rounds (s): "
        + "; ".join(f"{k} {', '.join(f'{x:.1f}' for x in v)}" for k, v in c["rounds_s"].items())
        + ".",
        "- **activities.xlsx**: `bench/workbook.py` writes the same checked activities with reportkit's "
        "writer and with pandas' XlsxWriter (constant memory) and openpyxl engines.",
        "",
        "## Where the time goes",
        "",
        "- Every process that imports nbformat pays ~1.3 s for `rfc3987_syntax`, which jsonschema loads "
        "for a format nbformat never uses; the hand chain pays it in each papermill and nbconvert process. "
        "reportkit keeps it out of its build process (`execute._skip_slow_imports`).",
        "- reportkit runs the plan's and the report's kernels side by side and exports in the same process; "
        "the report's PDF (charts, photos; WeasyPrint) is the largest single step, about 2 s.",
    ]
    (HERE / "RESULTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print((HERE / "RESULTS.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
