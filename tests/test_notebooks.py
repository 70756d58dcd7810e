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
    assert len(documents) == 1


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
