"""Build documents: check the campaign, execute its notebook with papermill, export, publish.

A build never damages the outputs of an earlier good one. Everything is written into a
staging folder beside the outputs and moved into place only when every requested document
and format succeeded; a failing notebook is kept under ``<out>/<campaign id>/_failed/``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .campaign import Campaign, load_campaign
from .exceptions import ExecutionError, ParameterError, ReportkitError

__all__ = ["DOCUMENTS", "FORMATS", "BuildResult", "build", "notebook_path", "project_root"]

#: The documents reportkit builds, each from ``notebooks/<name>.ipynb``.
DOCUMENTS = ("plan", "report")
#: Formats besides the executed notebook.
FORMATS = ("html", "pdf")

FIGURES_FILE = "figures.json"
MANIFEST_FILE = "manifest.json"


def project_root() -> Path:
    """The source tree reportkit is installed from (``make run`` installs it editable)."""
    return Path(__file__).resolve().parents[2]


def notebook_path(doc: str) -> Path:
    """``notebooks/<doc>.ipynb``; ``REPORTKIT_NOTEBOOKS`` names another folder."""
    if doc not in DOCUMENTS:
        raise ParameterError("doc", f"unknown document {doc!r}; reportkit builds: {', '.join(DOCUMENTS)}")
    folder = Path(os.environ.get("REPORTKIT_NOTEBOOKS") or project_root() / "notebooks")
    path = folder / f"{doc}.ipynb"
    if not path.is_file():
        raise ReportkitError(f"{path}: the {doc} notebook is missing (set REPORTKIT_NOTEBOOKS to its folder)")
    return path


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote: the output folder, the files per document, and the figures."""

    folder: Path
    files: Mapping[str, tuple[Path, ...]]
    figures: Mapping[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def build(
    campaign_dir: str | Path,
    *,
    docs: Sequence[str] = DOCUMENTS,
    to: Sequence[str] = FORMATS,
    parameters: Mapping[str, Any] | None = None,
    out: str | Path = "outputs",
) -> BuildResult:
    """Build ``docs`` of the campaign in ``campaign_dir`` into ``<out>/<campaign id>/``.

    Parameters
    ----------
    campaign_dir
        The campaign folder; it is loaded and checked before any kernel starts.
    docs
        Documents to build, from :data:`DOCUMENTS`.
    to
        Formats besides the executed notebook, from :data:`FORMATS`.
    parameters
        Notebook parameters (``campaign`` is set by reportkit), checked against the
        notebook's ``parameters`` cell.
    out
        The output folder; the campaign's documents go to ``<out>/<campaign id>/``.

    Raises
    ------
    DataError
        The campaign's data is bad; nothing is executed or written.
    ParameterError
        A parameter is not one of the notebook's.
    ExecutionError
        A cell failed; the executed notebook is kept under ``_failed/``.
    """
    started = time.perf_counter()
    for fmt in to:
        if fmt not in FORMATS:
            raise ParameterError("to", f"unknown format {fmt!r}; reportkit writes: {', '.join(FORMATS)}")
    campaign = load_campaign(campaign_dir)
    if "report" in docs and not campaign.has_results:
        raise ReportkitError(
            f"{campaign.folder / 'campaign.yaml'}: the report needs a 'report:' section and the units and "
            "activities tables (data/README.md); build the plan alone with --doc plan"
        )
    if "pdf" in to:
        from .system import check_pdf_dependencies

        check_pdf_dependencies()
    jobs = {
        doc: (notebook_path(doc), _checked_parameters(notebook_path(doc), parameters or {})) for doc in docs
    }

    out = Path(out)
    final = out / campaign.id
    final.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=final))
    try:
        written: dict[str, tuple[Path, ...]] = {}
        figures: dict[str, Any] = {}
        records: dict[str, Any] = {}
        for doc, (notebook, params) in jobs.items():
            doc_started = time.perf_counter()
            nb = _execute(notebook, staging / f"{doc}.ipynb", campaign, params, final)
            figures.update(_figures_of(nb, doc, notebook))
            names = [f"{doc}.ipynb", *(_export(nb, staging, doc, fmt) for fmt in to)]
            written[doc] = tuple(final / name for name in names)
            records[doc] = _record(campaign, doc, notebook, params, names, time.perf_counter() - doc_started)
        _write_json(staging / FIGURES_FILE, _merged(final / FIGURES_FILE, figures))
        _write_json(staging / MANIFEST_FILE, _merged(final / MANIFEST_FILE, records))
        _publish(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(final, written, figures, time.perf_counter() - started)


def _checked_parameters(notebook: Path, parameters: Mapping[str, Any]) -> dict[str, Any]:
    import papermill

    known = papermill.inspect_notebook(str(notebook))
    for name in parameters:
        if name not in known:
            names = ", ".join(n for n in known if n != "campaign")
            raise ParameterError(name, f"{notebook.name} has no such parameter; its parameters are: {names}")
        if name == "campaign":
            raise ParameterError(name, "give the campaign folder as the build's first argument instead")
    return dict(parameters)


def _kernel_manager_class(socket_dir: Path):
    """A kernel manager that talks to its kernel over IPC sockets in ``socket_dir``, not TCP.

    The kernel is on the same machine: IPC opens no port, and ipykernel has no reason to
    warn that TCP traffic is unencrypted.
    """
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.ip = str(socket_dir / "kernel")

    return IPCKernelManager


def _execute(notebook: Path, output: Path, campaign: Campaign, params: Mapping[str, Any], final: Path):
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    parameters = {"campaign": str(campaign.folder.resolve()), **params}
    with tempfile.TemporaryDirectory(prefix="reportkit-kernel-") as sockets:
        try:
            papermill.execute_notebook(
                str(notebook),
                str(output),
                parameters=parameters,
                cwd=str(notebook.parent),
                progress_bar=False,
                log_output=False,
                report_mode=False,
                kernel_manager_class=_kernel_manager_class(Path(sockets)),
            )
        except PapermillExecutionError as error:
            kept = final / "_failed" / output.name
            kept.parent.mkdir(exist_ok=True)
            shutil.copyfile(output, kept)
            # cells counted from 1, as JupyterLab shows them in the status bar
            cell = error.cell_index + 1
            raise ExecutionError(notebook.name, cell, error.ename, error.evalue, kept) from None
    return nbformat.read(output, as_version=4)


def _figures_of(nb, doc: str, notebook: Path) -> dict[str, Any]:
    from .export import document_figures

    figures = document_figures(nb)
    if doc not in figures:
        raise ReportkitError(f"{notebook.name}: ran, but showed no {doc} document (its last cell should)")
    return {doc: figures[doc]}


def _export(nb, staging: Path, doc: str, fmt: str) -> str:
    from .export import ReportkitHTMLExporter, ReportkitPDFExporter

    exporter = {"html": ReportkitHTMLExporter, "pdf": ReportkitPDFExporter}[fmt]()
    body, _ = exporter.from_notebook_node(nb, {"metadata": {"name": doc}})
    name = f"{doc}.{fmt}"
    target = staging / name
    if isinstance(body, bytes):
        target.write_bytes(body)
    else:
        target.write_text(body, encoding="utf-8")
    return name


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _record(
    campaign: Campaign,
    doc: str,
    notebook: Path,
    params: Mapping[str, Any],
    names: Iterable[str],
    seconds: float,
) -> dict:
    """Where a document came from: parameters, input hashes, versions, time taken."""
    import nbconvert
    import papermill

    return {
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 3),
        "parameters": {k: str(v) if isinstance(v, dt.date) else v for k, v in params.items()},
        "inputs": {str(path.relative_to(campaign.folder)): _sha256(path) for path in campaign.inputs(doc)}
        | {f"notebooks/{notebook.name}": _sha256(notebook)},
        "versions": {
            "reportkit": __version__,
            "papermill": papermill.__version__,
            "nbconvert": nbconvert.__version__,
        },
        "outputs": sorted(names),
    }


def _merged(existing: Path, update: Mapping[str, Any]) -> dict[str, Any]:
    """``existing`` JSON updated with ``update``: building the plan keeps the report's entry."""
    try:
        current = json.loads(existing.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        current = {}
    return (current if isinstance(current, dict) else {}) | dict(update)


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _publish(staging: Path, final: Path) -> None:
    """Move every staged file into place; each move is atomic (same file system)."""
    for path in sorted(staging.iterdir()):
        os.replace(path, final / path.name)
