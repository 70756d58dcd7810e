"""The PDF's render time, before (WeasyPrint over the HTML page) and after (Typst from the
document's tree), side by side in one run: the sample's plan and report, and the report of a
campaign of 1,000,000 activities (bench/big_report.py's campaign).

    .venv/bin/pip install -e '.[bench]'     # WeasyPrint, for the "before" column only
    .venv/bin/python bench/pdf_engines.py [--activities 1000000] [--runs 5]

Each engine renders the same executed notebook's document ``--runs`` times, each render in a
fresh process that has read the notebook already (Typst memoises layouts within a process);
the figures are medians in seconds.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from common import SAMPLE, load, reportkit, timed
from pypdf import PdfReader
from scale import generate

from reportkit.document.typst import render_pdf as typst_pdf
from reportkit.export import ReportkitHTMLExporter, notebook_document
from reportkit.fonts import FACES, FAMILY, face_file


def _weasyprint():
    """WeasyPrint as reportkit used it: the shipped face declared from its files, no image
    interpolation, PDF/A-2u; None when it is not installed (or Pango is missing)."""
    try:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
    except (ImportError, OSError):
        return None
    config = FontConfiguration()
    faces = "\n".join(
        f'@font-face {{ font-family: "{FAMILY}"; font-weight: {face.weight}; font-style: {face.style}; '
        f'src: url("{face_file(face).as_uri()}"); }}'
        for face in FACES
    )
    sheets = [
        weasyprint.CSS(string=faces, font_config=config),
        weasyprint.CSS(string="img { image-rendering: crisp-edges; }"),
    ]

    def render(html: str) -> bytes:
        document = weasyprint.HTML(string=html).render(stylesheets=sheets, font_config=config)
        return document.write_pdf(pdf_variant="pdf/a-2u")

    return render


def _render_once(engine: str, notebook: Path) -> dict:
    """One render of ``notebook``'s document by ``engine`` in this process (a fresh one: Typst
    memoises what it laid out, so a second render of the same document would be cached)."""
    nb = nbformat.read(notebook, as_version=4)
    if engine == "typst":
        source = notebook_document(nb, {})
        render = typst_pdf
    else:
        source, _resources = ReportkitHTMLExporter().from_notebook_node(
            nb, {"metadata": {"name": notebook.stem}}
        )
        render = _weasyprint()
    started = time.perf_counter()
    pdf = render(source)
    seconds = time.perf_counter() - started
    return {"s": seconds, "bytes": len(pdf), "pages": len(PdfReader(io.BytesIO(pdf)).pages)}


def _median(engine: str, notebook: Path, runs: int) -> dict:
    """The median of ``runs`` renders, each in its own process."""
    found = []
    for _ in range(runs):
        worker = [sys.executable, __file__, "--worker", engine, str(notebook)]
        found.append(json.loads(subprocess.run(worker, check=True, capture_output=True, text=True).stdout))
    return {
        f"{engine}_s": round(statistics.median(run["s"] for run in found), 3),
        f"{engine}_pages": found[0]["pages"],
        f"{engine}_kib": round(found[0]["bytes"] / 1024),
    }


def main(activities: int = 1_000_000, runs: int = 5) -> dict:
    weasyprint = _weasyprint() is not None
    results: dict = {"machine_load_before": load(), "runs": runs, "activities": activities}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        timed(reportkit("build", str(SAMPLE), "--to", "pdf", "--quiet", "--out", str(out / "sample")))
        big = Path(tmp) / "big"
        generate(big, activities, 10_000)
        build = reportkit("build", str(big), "--doc", "report", "--to", "pdf", "--quiet")
        timed([*build, "--out", str(out / "big")])
        notebooks = {
            "plan": out / "sample" / SAMPLE.name / "plan.ipynb",
            "report": out / "sample" / SAMPLE.name / "report.ipynb",
            f"report, {activities:,} activities": out / "big" / SAMPLE.name / "report.ipynb",
        }
        for name, notebook in notebooks.items():
            row = _median("typst", notebook, runs)
            if weasyprint:
                row |= _median("weasyprint", notebook, runs)
                row["speed_up"] = round(row["weasyprint_s"] / row["typst_s"], 1)
            results[name] = row
    results["weasyprint"] = "measured" if weasyprint else "not installed: pip install -e '.[bench]'"
    results["machine_load_after"] = load()
    print(json.dumps(results, indent=2, ensure_ascii=False))
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "NOTEBOOK"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_render_once(args.worker[0], Path(args.worker[1]))))
    else:
        main(args.activities, args.runs)
