"""Every notebook runs with its default parameters (papermill, as reportkit build runs it), and
as JupyterLab runs it (nbclient, no papermill) with values typed into its parameters cell."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

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
    # named by the notebook and the campaign, as JupyterLab's export downloads it
    assert "Ba trăm nghìn đồng chẵn" in (tmp_path / "plan_wtisd-2021-phu-yen.html").read_text(
        encoding="utf-8"
    )
    assert "Bằng chữ: Ba trăm nghìn đồng chẵn." in pdf_text(tmp_path / "plan_wtisd-2021-phu-yen.pdf")


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
    html = explorer_html(json.loads(executed.read_text(encoding="utf-8")))
    assert html.count("Huyện A, mọi hình thức") == 1  # one view: the interactive one, no static copy
    for label, key in (
        ("Đơn vị đã triển khai", "units_active"),
        ("Số hoạt động", "activities_total"),
        ("Lượt người tiếp cận", "reach_total"),
    ):
        row = re.search(rf">{label}</td>\s*<td[^>]*>([^<]*)</td>", html)
        assert row and row[1] == vn.format_vnd(report[key]), label


def explorer_html(nb) -> str:
    """The HTML the explorer's output widget shows, from the widget state nbclient saves."""
    state = nb["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    return "".join(
        "".join(o.get("data", {}).get("text/html", ""))
        for model in state.values()
        if model["model_name"] == "OutputModel"
        for o in model["state"].get("outputs", [])
    )


def run_as_lab(tmp_path: Path, notebook: str, **values: str):
    """Run a copy of ``notebook`` as JupyterLab's Run All does (nbclient, no papermill), with
    ``values`` typed into its parameters cell; the executed notebook and the error, if any."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    (tmp_path / "data").symlink_to(ROOT / "data")
    folder = tmp_path / "work"
    folder.mkdir()
    shutil.copy(ROOT / "notebooks" / f"{notebook}.ipynb", folder)
    nb = nbformat.read(folder / f"{notebook}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    for name, value in values.items():
        cell.source, found = re.subn(
            rf"^({name}: [^=]+= )[^#\n]*?(\s*#|$)", rf"\g<1>{value}\2", cell.source, flags=re.M
        )
        assert found == 1, name
    try:
        NotebookClient(
            nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
        ).execute()
    except CellExecutionError as error:
        return nb, error
    return nb, None


def cli_error(*parameters: str, lang: str = "en", doc: str = "report") -> str:
    """The message of ``reportkit build`` given ``parameters``, refused before any kernel starts."""
    result = subprocess.run(
        [sys.executable, "-m", "reportkit.cli", "--lang", lang, "build", "--doc", doc, "--to", "html"]
        + [arg for p in parameters for arg in ("-p", p)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 2, result.stderr
    return result.stderr.strip().partition(": ")[2].partition(": ")[2]  # after "reportkit: error: "


@pytest.mark.kernel
@pytest.mark.parametrize(
    ("notebook", "lang", "typed", "given"),
    [
        ("report", "en", {"district": '"Tuy An"'}, "district=Tuy An"),
        ("report", "vi", {"district": '"Tuy An"'}, "district=Tuy An"),
        ("report", "en", {"appendix_rows": '"many"'}, "appendix_rows=many"),
        ("report", "en", {"number": "5.5"}, "number=5.5"),
        ("plan", "vi", {"issued_on": '"tháng 5"'}, "issued_on=tháng 5"),
    ],
)
def test_a_bad_value_typed_in_lab_is_refused_with_the_command_lines_message(
    tmp_path, monkeypatch, notebook, lang, typed, given
):
    monkeypatch.setenv("REPORTKIT_LANG", lang)  # the kernel speaks the language of Lab's server
    nb, error = run_as_lab(tmp_path, notebook, **typed)
    assert error is not None and error.ename == "ParameterError"
    assert error.evalue == cli_error(given, lang=lang, doc=notebook)
    check = nb.cells[2]  # the cell after the parameters cell, before anything is computed
    assert "check_notebook_parameters" in check.source
    (shown,) = check.outputs
    assert shown.output_type == "error" and len(shown.traceback) == 1  # the message, no traceback
    assert all(not c.get("outputs") for c in nb.cells[3:])


@pytest.mark.kernel
def test_a_date_typed_as_text_in_lab_is_converted(tmp_path):
    nb, error = run_as_lab(tmp_path, "report", as_of='"2021-05-15"', district='"Huyện Tuy An"')
    assert error is None
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", []))
    assert "số liệu đến ngày 15/5/2021" in html


def test_an_export_is_named_after_the_document_campaign_and_district(tmp_path):
    """What Lab's "Save and Export Notebook As" downloads: nbconvert names it by the notebook
    and the exporter's output_extension (jupyter_server's nbconvert handler does the same)."""
    import nbformat

    marker = {
        "reportkit": {"document": "report", "title": "Báo cáo", "campaign": "wtisd-2021-phu-yen"}
        | {"district": "Huyện Tuy An"}
    }
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("report_document(...)"))
    nb.cells[0].outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": "<article>Báo cáo</article>"}, metadata={"text/html": marker}
        )
    ]
    nbformat.write(nb, tmp_path / "report.ipynb")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "reportkit_html",
            str(tmp_path / "report.ipynb"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "report_wtisd-2021-phu-yen_huyen-tuy-an.html").exists()
