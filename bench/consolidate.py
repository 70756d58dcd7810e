"""The ministry's consolidation of 63 agencies' outputs: how long it takes beyond the kernel.

    .venv/bin/python bench/consolidate.py

It builds the Phú Yên sample's report once (real outputs), then makes 62 more agencies'
output folders from it, each with its own agency and figures (``clone_agency``), and times:

- ``check``: what runs before the kernel starts: loading and checking the 63 folders
  (:func:`reportkit.consolidate.check_sources`), in this process;
- what the notebook does after the kernel's start, phase by phase, in a fresh interpreter:
  its imports (pandas, matplotlib), the consolidation proper (load, check, add up), the two
  charts, and the document (the kernel draws no PNG for Word: the .docx export does);
- ``build``: ``reportkit build --doc consolidated --to html --force``, end to end, and the
  same with the PDF.

Target (issue 13): 63 agencies consolidate in under 2 s beyond the kernel's start.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, SAMPLE, reportkit, timed

MINISTRY = ROOT / "data" / "campaigns" / "wtisd-2021-bo-tttt"
AGENCIES = 63


def clone_agency(source: Path, dest: Path, index: int, *, year: int = 2021) -> Path:
    """A copy of the output folder ``source`` as agency number ``index``: its own province
    (``UBND TỈNH SỐ <index>``), campaign id and figures (the headline numbers scaled by
    ``index``, its report issued a day later for every tenth agency past the fortieth)."""
    figures = json.loads((source / "figures.json").read_text(encoding="utf-8"))
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    campaign = dict(figures["campaign"], id=f"wtisd-{year}-tinh-{index:02d}", year=year)
    campaign["agency"] = dict(campaign["agency"], superior=f"UBND TỈNH SỐ {index}", place=f"Tỉnh số {index}")
    report = dict(figures["report"])
    factor = 1 + index % 7
    for key in ("units_active", "units_target", "activities_total", "reach_total", "spent_total_vnd"):
        report[key] = report[key] * factor
    if index > 40 and index % 10 == 0:
        report["issued_on"] = f"{year}-06-05"
    dest.mkdir(parents=True, exist_ok=True)
    stamped = {"schema_version": figures["schema_version"], "campaign": campaign}
    (dest / "figures.json").write_text(
        json.dumps({"report": report, **stamped}, ensure_ascii=False), encoding="utf-8"
    )
    (dest / "manifest.json").write_text(
        json.dumps({"report": manifest["report"], **stamped, "schema_version": manifest["schema_version"]}),
        encoding="utf-8",
    )
    return dest


COMPOSE = """
import json, sys, time
clock = [time.perf_counter()]
def lap():
    clock.append(time.perf_counter())
    return round(clock[-1] - clock[-2], 3)
from reportkit.campaign import load_campaign
from reportkit.charts import consolidated_charts
from reportkit.consolidate import consolidated_figures, load_sources
from reportkit.document import consolidated_document
phases = {"imports": lap()}
ministry = load_campaign(sys.argv[1])
settings = ministry.config.consolidated
agencies = load_sources(sys.argv[2], year=ministry.config.year, event=ministry.config.event)
figures = consolidated_figures(agencies, settings.asked, deadline=settings.deadline)
phases["consolidate"] = lap()
charts = consolidated_charts(figures)
phases["charts"] = lap()
document = consolidated_document(ministry, figures, charts)
document._repr_mimebundle_()
phases["compose"] = lap()
assert figures.agencies_reported == int(sys.argv[3]), figures.agencies_reported
phases["total"] = round(clock[-1] - clock[0], 3)
print(json.dumps(phases))
"""


def _notebook_phases(sources: Path) -> dict[str, float]:
    """The notebook's work after the kernel started, in a fresh interpreter: the median of 3."""
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", COMPOSE, str(MINISTRY), str(sources), str(AGENCIES)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for _ in range(3)
    ]
    return sorted(runs, key=lambda phases: phases["total"])[1]


def main() -> dict:
    from reportkit.consolidate import check_sources

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        timed(reportkit("build", str(SAMPLE), "--doc", "report", "--to", "html", "--out", str(tmp / "py")))
        sources = tmp / "sources"
        built, first = tmp / "py" / SAMPLE.name, sources / SAMPLE.name
        first.mkdir(parents=True)
        for name in ("figures.json", "manifest.json"):
            (first / name).write_bytes((built / name).read_bytes())
        for index in range(1, AGENCIES):
            clone_agency(first, sources / f"tinh-{index:02d}", index)

        notebook = ROOT / "notebooks" / "consolidated.ipynb"
        checks = []
        for _ in range(5):
            started = time.perf_counter()
            check_sources(notebook, MINISTRY, {"sources": str(sources)})
            checks.append(time.perf_counter() - started)
        phases = _notebook_phases(sources)
        build = [
            "build",
            str(MINISTRY),
            "--doc",
            "consolidated",
            "-p",
            f"sources={sources}",
            "--force",
            "--quiet",
        ]
        html = sorted(timed(reportkit(*build, "--to", "html", "--out", str(tmp / "out"))) for _ in range(3))
        pdf = timed(reportkit(*build, "--to", "html,pdf", "--out", str(tmp / "out")))
        check = sorted(checks)[2]
        return {
            "agencies": AGENCIES,
            "check_before_kernel_s": round(check, 3),
            "consolidate_in_kernel_s": phases["consolidate"],
            "notebook_after_kernel_start_s": phases,
            "build_html_s": round(html[1], 2),
            "build_html_pdf_s": round(pdf, 2),
            "target_s": 2.0,
        }


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
