"""The ministry's consolidation of 63 agencies' outputs: how long it takes beyond the kernel.

    .venv/bin/python bench/consolidate.py

It builds the Phú Yên sample's report once (real outputs), then makes 62 more agencies'
output folders from it, each with its own agency and figures (``clone_agency``), and times:

- ``check``: what runs before the kernel starts: loading and checking the 63 folders
  (:func:`reportkit.consolidate.check_sources`), in this process;
- ``compose``: what the notebook does after the kernel's start: load, add up, draw the
  charts and compose the document, timed in a fresh interpreter (imports included);
- ``build``: ``reportkit build --doc consolidated --to html --force``, end to end, and the
  same with the PDF.

Target (issue 13): check + compose under 2 s.
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
import time, sys
started = time.perf_counter()
from reportkit.campaign import load_campaign
from reportkit.charts import consolidated_charts
from reportkit.consolidate import consolidated_figures, load_sources
from reportkit.document import consolidated_document
ministry = load_campaign(sys.argv[1])
settings = ministry.config.consolidated
agencies = load_sources(sys.argv[2], year=ministry.config.year, event=ministry.config.event)
figures = consolidated_figures(agencies, settings.asked, deadline=settings.deadline)
document = consolidated_document(ministry, figures, consolidated_charts(figures))
document._repr_mimebundle_()
assert figures.agencies_reported == int(sys.argv[3]), figures.agencies_reported
print(time.perf_counter() - started)
"""


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
        composes = [
            float(
                subprocess.run(
                    [sys.executable, "-c", COMPOSE, str(MINISTRY), str(sources), str(AGENCIES)],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            )
            for _ in range(3)
        ]
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
        check, compose = sorted(checks)[2], sorted(composes)[1]
        return {
            "agencies": AGENCIES,
            "check_s": round(check, 3),
            "compose_s": round(compose, 3),
            "beyond_kernel_start_s": round(check + compose, 3),
            "build_html_s": round(html[1], 2),
            "build_html_pdf_s": round(pdf, 2),
            "target_s": 2.0,
        }


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
