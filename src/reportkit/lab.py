"""JupyterLab on working copies of the notebooks, so that exploring never edits a template.

``reportkit lab`` (and ``make lab``) copies each notebook of the project's ``notebooks/``
into ``work/`` the first time (an analyst's copy is never overwritten), then starts
JupyterLab on 127.0.0.1, rooted at the project so that ``work/``, ``data/`` and ``outputs/``
are at hand, and opens ``work/``. The copies sit beside ``notebooks/``, so their default
campaign (``../data/campaigns/…``) is the same folder. ``reportkit build`` still builds
from the templates; a template edited anyway is refused (:mod:`reportkit.documents`), and
``reportkit build --notebooks work`` builds from the copies on purpose.

JupyterLab runs in this process (``LabApp.launch_instance``), not through a shell, so the
command is the same on Windows.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .documents import adopt_template, find_document, project_root, template_folders
from .exceptions import ParameterError
from .i18n import _

__all__ = [
    "WORK_DIR",
    "WorkingCopies",
    "adopt",
    "lab_arguments",
    "run_lab",
    "unusable_exporters",
    "working_copies",
]

#: The folder of working copies, beside notebooks/.
WORK_DIR = "work"


@dataclass(frozen=True)
class WorkingCopies:
    """The working-copy folder, the notebooks copied into it now and those kept as they were."""

    folder: Path
    copied: tuple[Path, ...]
    kept: tuple[Path, ...]


def _templates() -> Path:
    """The folder of the templates: the project's notebooks/, else the packaged copies."""
    return template_folders()[0]


def default_root() -> Path:
    """The project, when reportkit runs from its source tree; else the current folder."""
    root = project_root()
    return root if (root / "notebooks").is_dir() else Path.cwd()


def working_copies(root: Path | None = None) -> WorkingCopies:
    """Copy every template notebook into ``<root>/work/`` unless a copy is already there."""
    folder = (root or default_root()) / WORK_DIR
    folder.mkdir(parents=True, exist_ok=True)
    copied, kept = [], []
    for template in sorted(_templates().glob("*.ipynb")):
        copy = folder / template.name
        if copy.exists():
            kept.append(copy)
        else:
            shutil.copyfile(template, copy)
            copied.append(copy)
    return WorkingCopies(folder, tuple(copied), tuple(kept))


def lab_arguments(root: Path, port: int, browser: bool) -> list[str]:
    """JupyterLab's command-line arguments: loopback only, rooted at ``root``, opening work/."""
    arguments = [
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.default_url=/lab/tree/{WORK_DIR}",
        # nothing fetched from the network: no news, no check for a newer JupyterLab
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    arguments += [f"--{name}.enabled=False" for name in unusable_exporters()]
    if not browser:
        arguments.append("--no-browser")
    if getattr(os, "geteuid", lambda: 1)() == 0:  # a container's root; Jupyter refuses it otherwise
        arguments.append("--allow-root")
    return arguments


def unusable_exporters() -> list[str]:
    """JupyterLab's own export formats that would fail here, by nbconvert class, to leave
    them out of "Save and Export Notebook As" (nbconvert lists only enabled exporters).

    LaTeX, PDF, AsciiDoc and reStructuredText need pandoc (PDF also XeLaTeX); Qtpdf and
    Qtpng need PyQtWebEngine; WebPDF needs a Chromium that Playwright downloads, which
    reportkit never does. A document's PDF and Word file are reportkit's own formats.
    """
    import importlib.util

    unusable = ["WebPDFExporter"]
    if shutil.which("pandoc") is None:
        unusable += ["LatexExporter", "ASCIIDocExporter", "RSTExporter"]  # PDFExporter is a LaTeX one
    elif shutil.which("xelatex") is None:
        unusable.append("PDFExporter")
    if importlib.util.find_spec("PyQt5") is None:
        unusable.append("QtExporter")  # Qtpdf and Qtpng
    return unusable


def run_lab(root: Path | None = None, *, port: int = 8888, browser: bool = True, extra: Sequence[str] = ()):
    """Make the working copies, then run JupyterLab on them until it is stopped (Ctrl+C)."""
    root = (root or default_root()).resolve()
    copies = working_copies(root)
    for path in copies.copied:
        print(_("{copy}: a working copy of the template, yours to edit").format(copy=path))
    from jupyterlab.labapp import LabApp

    LabApp.launch_instance(argv=[*lab_arguments(root, port, browser), *extra])


def adopt(doc: str) -> Path:
    """Take the template of ``doc``, as it is now, as its template (``reportkit lab --adopt``).

    Raises
    ------
    ParameterError
        No template of that name; the message lists the documents there are.
    """
    for folder in template_folders():
        if (folder / f"{doc}.ipynb").is_file():
            return adopt_template(folder / f"{doc}.ipynb")
    find_document(doc)  # no such document: its message lists those there are
    folders = ", ".join(str(folder) for folder in template_folders())
    raise ParameterError("adopt", _("{doc} is not a template of {folders}").format(doc=doc, folders=folders))
