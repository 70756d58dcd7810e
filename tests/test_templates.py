"""Templates that JupyterLab cannot change by accident (reportkit.documents, reportkit.lab).

Each test runs the real ``reportkit`` command on a copy of the project (its package, its
notebooks, the sample data), so that it may edit the templates as JupyterLab would save them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reportkit.documents import template_changes

from .conftest import ROOT


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project: src/reportkit, notebooks/ and data/ (linked), run from its root."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "src" / "reportkit", root / "src" / "reportkit")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    (root / "data").symlink_to(ROOT / "data")
    return root


def reportkit(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    return subprocess.run(
        [sys.executable, "-m", "reportkit.cli", *args],
        capture_output=True,
        text=True,
        cwd=project,
        env=env,
        timeout=600,
    )


def save_as_lab_does(notebook: Path, district: str | None = None, outputs: bool = False) -> None:
    """Edit the parameters cell (and leave outputs) the way JupyterLab's autosave writes it."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if "parameters" in cell["metadata"].get("tags", []) and district is not None:
            source = "".join(cell["source"])
            cell["source"] = re.sub(
                r"^(district: str \| None = )None", rf'\g<1>"{district}"', source, flags=re.M
            )
        if outputs and cell["cell_type"] == "code":
            cell["execution_count"] = 1
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "..."}]
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")


def test_the_committed_templates_are_as_adopted():
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        meta = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["reportkit"]
        assert meta["template"]["parameters"], notebook  # a record to compare with
        assert template_changes(notebook) == (), notebook


def test_a_template_edited_in_lab_is_refused_with_one_message(project):
    save_as_lab_does(project / "notebooks" / "report.ipynb", district="Huyện Tuy An")
    result = reportkit(project, "build", "--doc", "report", "--to", "html")
    assert result.returncode == 2
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in message
    assert message.startswith("reportkit: error: notebooks/report.ipynb was changed")
    assert 'district: None → "Huyện Tuy An"' in message
    assert "git checkout -- notebooks/report.ipynb" in message
    assert "reportkit lab --adopt report" in message
    assert not (project / "outputs").exists()  # refused before anything was written
    # the parameters listed by the same command are refused alike: no silent new default
    assert reportkit(project, "params", "report").returncode == 2


def test_a_template_saved_with_outputs_is_refused(project):
    save_as_lab_does(project / "notebooks" / "plan.ipynb", outputs=True)
    result = reportkit(project, "build", "--doc", "plan", "--to", "html")
    assert result.returncode == 2
    assert "plan.ipynb" in result.stderr and "cells run and saved with their outputs" in result.stderr


def test_the_message_is_in_the_users_language(project):
    save_as_lab_does(project / "notebooks" / "report.ipynb", district="Huyện Tuy An")
    result = reportkit(project, "--lang", "vi", "params", "report")
    assert result.returncode == 2
    assert "git checkout -- notebooks/report.ipynb" in result.stderr
    assert "đã bị sửa" in result.stderr


def test_a_change_adopted_on_purpose_becomes_the_template(project):
    template = project / "notebooks" / "report.ipynb"
    save_as_lab_does(template, district="Huyện Tuy An", outputs=True)
    result = reportkit(project, "lab", "--adopt", "report")
    assert result.returncode == 0, result.stderr
    assert template_changes(template) == ()
    nb = json.loads(template.read_text(encoding="utf-8"))
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
    listed = reportkit(project, "params", "report")
    assert listed.returncode == 0, listed.stderr
    assert 'district: str | None = "Huyện Tuy An"' in listed.stdout


def test_a_notebook_of_ones_own_is_used_as_it_is(project):
    """--notebooks DIR: the analyst's working copy, changed and run, is taken on purpose."""
    own = project / "work"
    own.mkdir()
    shutil.copy(project / "notebooks" / "report.ipynb", own)
    save_as_lab_does(own / "report.ipynb", district="Huyện Tuy An", outputs=True)
    listed = reportkit(project, "params", "report", "--notebooks", "work")
    assert listed.returncode == 0, listed.stderr
    assert 'district: str | None = "Huyện Tuy An"' in listed.stdout


def test_working_copies_are_made_once_and_then_kept(tmp_path):
    from reportkit.lab import working_copies

    first = working_copies(tmp_path)
    assert sorted(p.name for p in first.copied) == sorted(
        p.name for p in (ROOT / "notebooks").glob("*.ipynb")
    )
    mine = tmp_path / "work" / "report.ipynb"
    save_as_lab_does(mine, district="Huyện Tuy An", outputs=True)
    edited = mine.read_bytes()
    again = working_copies(tmp_path)
    assert again.copied == () and mine in again.kept
    assert mine.read_bytes() == edited  # an analyst's copy is never overwritten
