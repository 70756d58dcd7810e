"""Every notebook runs as JupyterLab runs it: papermill, default parameters, from notebooks/."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT, pdf_text

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.kernel
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_with_default_parameters(notebook, tmp_path):
    import nbformat
    import papermill

    output = tmp_path / notebook.name
    papermill.execute_notebook(str(notebook), str(output), cwd=str(notebook.parent), progress_bar=False)
    nb = nbformat.read(output, as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    documents = [
        o
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.get("metadata", {}).get("text/html", {}).get("reportkit")
    ]
    assert len(documents) == (0 if notebook.stem == "explore" else 1)  # explore reviews, it prints nothing


def test_notebooks_are_committed_without_outputs():
    import nbformat

    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        assert all(
            not c.get("outputs") and not c.get("execution_count") for c in nb.cells if c.cell_type == "code"
        ), path


@pytest.mark.kernel
@pytest.mark.pdf
def test_jupyter_nbconvert_knows_the_reportkit_exporters(tmp_path):
    import papermill

    executed = tmp_path / "plan.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "plan.ipynb"), str(executed), cwd=str(ROOT / "notebooks"), progress_bar=False
    )
    for fmt in ("reportkit_html", "reportkit_pdf"):
        result = subprocess.run(
            [sys.executable, "-m", "jupyter", "nbconvert", "--to", fmt, str(executed)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
    assert "Ba trăm nghìn đồng chẵn" in (tmp_path / "plan.html").read_text(encoding="utf-8")
    assert "Bằng chữ: Ba trăm nghìn đồng chẵn." in pdf_text(tmp_path / "plan.pdf")


@pytest.mark.kernel
def test_explore_shows_the_reports_numbers_for_the_same_filter(tmp_path):
    """The review in explore.ipynb and a district report built by reportkit agree."""
    import json

    import papermill

    from reportkit import vn

    from .conftest import MINIMAL

    results = MINIMAL.parent / "results"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "reportkit.cli",
            "build",
            str(results),
            "--doc",
            "report",
            "--to",
            "html",
            "--out",
            str(tmp_path),
            "-p",
            "district=Huyện A",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr
    report = json.loads((tmp_path / "results-2022" / "figures.json").read_text(encoding="utf-8"))["report"]
    executed = tmp_path / "explore.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "explore.ipynb"),
        str(executed),
        cwd=str(ROOT / "notebooks"),
        parameters={"campaign": str(results), "district": "Huyện A"},
        progress_bar=False,
    )
    html = "".join(
        "".join(o["data"].get("text/html", ""))
        for c in json.loads(executed.read_text(encoding="utf-8"))["cells"]
        for o in c.get("outputs", [])
        if "data" in o
    )
    assert "Huyện A, mọi hình thức" in html
    for label, key in (
        ("Đơn vị đã triển khai", "units_active"),
        ("Số hoạt động", "activities_total"),
        ("Lượt người tiếp cận", "reach_total"),
    ):
        assert f"<td>{label}</td>\n      <td>{vn.format_vnd(report[key])}</td>" in html, label
