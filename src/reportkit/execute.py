"""Build documents: check, execute the notebook with papermill, export, publish.

A build never damages the outputs of an earlier good one. Its files are written into a
staging folder beside the output folder (``<out>/.reportkit/staging/``) and moved into
place only when every requested document and format succeeded, while a lock keeps two
builds of the same folder from publishing at once. A failing notebook is kept under
``<target>/_failed/``.

A build whose inputs are unchanged reuses its outputs: each document's *fingerprint*
(the notebook, the parameters, the formats, every input file's content and reportkit's own
code) is recorded in ``manifest.json`` and compared before anything heavy is imported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from . import __version__, locking
from .exceptions import ExecutionError, ParameterError, ReportkitError
from .i18n import _
from .outputs import (
    CAMPAIGN_FOLDER_KEY,
    FIGURES_FILE,
    FIGURES_SCHEMA,
    FORMATS,
    MANIFEST_FILE,
    MANIFEST_SCHEMA,
    NOTEBOOK_KEY,
    NOTEBOOKS_KEY,
    PATTERNS_KEY,
    SCHEMA_KEY,
    WORK_DIR,
    publish,
)
from .outputs import read_json as _read_json
from .outputs import sha256 as _sha256
from .outputs import write_json as _write_json

__all__ = ["BuildResult", "build"]


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote: the output folder, the files per document, what was reused."""

    folder: Path
    files: Mapping[str, tuple[Path, ...]]
    reused: tuple[str, ...] = ()
    figures: Mapping[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def build(
    campaign_dir: str | Path,
    *,
    docs: Sequence[str],
    to: Sequence[str] = FORMATS,
    parameters: Mapping[str, Any] | None = None,
    out: str | Path = "outputs",
    variant: str | None = None,
    force: bool = False,
    progress: bool = False,
    notebooks: str | Path | None = None,
) -> BuildResult:
    """Build ``docs`` of the campaign in ``campaign_dir`` into ``<out>/<campaign id>/``.

    Parameters
    ----------
    campaign_dir
        The campaign folder; it is loaded and checked before any kernel starts.
    docs
        Documents to build, by notebook name (:func:`reportkit.documents.find_documents`).
    to
        Formats besides the executed notebook, from :data:`FORMATS`.
    parameters
        Notebook parameters, checked against each notebook's ``parameters`` cell (see
        :mod:`reportkit.parameters`); ``campaign`` is set by reportkit.
    out
        The output folder.
    variant
        A sub-folder for one run of a batch: ``<out>/<campaign id>/<variant>/``. It must be
        a slug (:func:`reportkit.batch.slug`), so it cannot point outside ``out``.
    force
        Rebuild even when the inputs are unchanged.
    progress
        Show a progress bar on standard error.
    notebooks
        A folder searched for the documents' notebooks before the project's own.

    Raises
    ------
    DataError
        The campaign's data is bad; nothing is executed or written.
    ParameterError
        A parameter is unknown or has a value of the wrong type.
    ExecutionError
        A cell failed; the executed notebook is kept under ``_failed/``.
    """
    started = time.perf_counter()
    _skip_slow_imports()
    for fmt in to:
        if fmt not in FORMATS:
            raise ParameterError(
                "to",
                _("unknown format {format}; reportkit writes: {formats}").format(
                    format=repr(fmt), formats=", ".join(FORMATS)
                ),
            )
    parameters = dict(parameters or {})
    campaign_dir = Path(campaign_dir)
    campaign_id = _campaign_id(campaign_dir)
    target = Path(out) / campaign_id
    if variant is not None:
        if not variant or variant != Path(variant).name or variant.startswith("."):
            raise ParameterError("variant", _("{variant} is not a folder name").format(variant=repr(variant)))
        target = target / variant
    from .documents import find_document

    documents = {doc: find_document(doc, notebooks) for doc in docs}
    from .parameters import split_parameters

    known = ()
    if any(isinstance(value, Mapping) for value in parameters.values()):  # a params file's sections
        from .documents import find_documents

        known = tuple(find_documents(notebooks))
    own = split_parameters({doc: d.path for doc, d in documents.items()}, parameters, known)
    extra: dict[str, tuple[Path, ...]] = {}
    for doc in docs:  # inputs from outside the campaign folder, checked before any kernel
        found = documents[doc].checked_inputs(campaign_dir, own[doc])
        own[doc] = {**own[doc], **found.parameters}
        extra[doc] = found.files
    # The campaign is read, and its kernels run, with its folder shared (collect waits) and the
    # output folder held (a second build of it, sign or package wait): see reportkit.locking.
    with locking.reading(campaign_dir), locking.writing(target, output=True):
        fingerprints = {
            doc: _fingerprint(documents[doc], campaign_dir, own[doc], to, extra[doc]) for doc in docs
        }
        manifest = _read_json(target / MANIFEST_FILE)
        stale = [doc for doc in docs if force or not _fresh(target, manifest.get(doc), fingerprints[doc])]
        if stale:
            _build_kernels_first(
                campaign_dir,
                stale,
                documents,
                fingerprints,
                to,
                own,
                extra,
                Path(out),
                target,
                progress,
                notebooks,
            )
    files = {
        doc: tuple(target / name for name in sorted(_read_json(target / MANIFEST_FILE)[doc]["outputs"]))
        for doc in docs
    }
    figures = _read_json(target / FIGURES_FILE)
    return BuildResult(
        folder=target,
        files=files,
        reused=tuple(doc for doc in docs if doc not in stale),
        figures={doc: figures.get(doc) for doc in docs},
        seconds=time.perf_counter() - started,
    )


def _build_kernels_first(campaign_dir, docs, documents, *args) -> None:
    """Start each stale document's kernel, which imports what its notebook imports while this
    process loads and checks the campaign (reportkit.kernels); then build them."""
    from .kernels import take

    ready = {doc: take(documents[doc].path) for doc in docs}
    try:
        _build_stale(campaign_dir, docs, documents, *args, ready)
    finally:  # a kernel whose run never came (the campaign was refused) stops here
        for kernel in ready.values():
            kernel.close()


def _build_stale(
    campaign_dir,
    docs,
    documents,
    fingerprints,
    to,
    parameters,
    extra,
    out,
    target,
    progress,
    notebooks_option,
    kernels,
):
    from .campaign import CONFIG_FILE, load_campaign
    from .documents import check_needs
    from .parameters import check_parameters, register_date_translator
    from .placeholders import check_written

    campaign = load_campaign(campaign_dir)
    sections = [name for name, value in campaign.config if value is not None]
    for doc in docs:
        check_needs(documents[doc], sections, campaign.folder / CONFIG_FILE)
        check_written(campaign.unwritten, documents[doc].needs, doc)
    notebooks = {doc: documents[doc].path for doc in docs}
    checked = {doc: check_parameters(notebooks[doc], parameters[doc], campaign) for doc in docs}
    register_date_translator()

    staging_root = out / WORK_DIR / "staging"
    staging_root.mkdir(parents=True, exist_ok=True)
    snapshot = _snapshot(campaign, out) if any("report" in documents[d].needs for d in docs) else None
    steps = _progress(len(docs) * (1 + len(to)), progress)
    steps.set_description(_("executing"))
    # The notebooks run in their kernels side by side (each on its kernel's thread) while a
    # pool of two threads writes their attachments (the report's full activity list), then each
    # notebook's formats as soon as it ran: Typst sets a PDF without holding the GIL, so a PDF
    # and a Word file are written at the same time.
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=2)
    # made just before the block whose end removes it, so that Ctrl-C cannot leave it behind
    staging = Path(tempfile.mkdtemp(prefix=f"{campaign.id}-", dir=staging_root))
    try:
        attachments = {
            doc: [
                pool.submit(_timed, _attach, name, campaign, checked[doc], staging)
                for name in documents[doc].attachments
            ]
            for doc in docs
        }
        env = _kernel_env(snapshot)
        runs = {
            doc: kernels[doc].run(
                _execute, notebooks[doc], staging / f"{doc}.ipynb", campaign, checked[doc], target, env=env
            )
            for doc in docs
        }
        for kernel in kernels.values():  # two cores: the kernels' start-up first, then this
            kernel.wait()
        _prepare_exports(to)
        from .export import notebook_document
        from .metadata import metadata_fields

        figures: dict[str, Any] = {}
        executed, timings, exports = {}, {}, {}
        for doc in docs:  # each document's formats are written as soon as its notebook ran
            executed[doc], seconds = runs[doc].result()
            timings[doc] = {"execute": seconds}
            figures.update(_figures_of(executed[doc], doc, notebooks[doc]))
            steps.update()
            exports[doc] = {fmt: pool.submit(_timed, _export, executed[doc], staging, doc, fmt) for fmt in to}
        records: dict[str, Any] = {}
        for doc in docs:
            names = [f"{doc}.ipynb"]
            for attachment in attachments[doc]:
                name, timings[doc][name] = attachment.result()
                names.append(name)
            for fmt, export in exports[doc].items():
                steps.set_description(f"{doc}: {fmt}")
                name, timings[doc][fmt] = export.result()
                names.append(name)
                steps.update()
            records[doc] = _record(
                campaign,
                documents[doc],
                checked[doc],
                fingerprints[doc],
                staging,
                names,
                timings[doc],
                extra[doc],
            )
            records[doc]["metadata"] = metadata_fields(notebook_document(executed[doc]))  # Decree 30, App. VI
            if notebooks_option:
                records[doc][NOTEBOOKS_KEY] = str(Path(notebooks_option).resolve())
        target.mkdir(parents=True, exist_ok=True)
        stamp = {SCHEMA_KEY: FIGURES_SCHEMA, "campaign": _campaign_block(campaign)}
        _write_json(staging / FIGURES_FILE, _read_json(target / FIGURES_FILE) | figures | stamp)
        stamp = {SCHEMA_KEY: MANIFEST_SCHEMA, "campaign": stamp["campaign"]}
        before = _read_json(target / MANIFEST_FILE)
        _write_json(staging / MANIFEST_FILE, before | records | stamp)
        publish(staging, target, out, {doc: records[doc]["outputs"] for doc in docs}, before)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        steps.close()
        shutil.rmtree(staging, ignore_errors=True)


def _prepare_exports(to: Sequence[str]) -> None:
    """While the kernels run, load what the exports need (nbconvert, the PDF engine and the
    shipped face as Typst reads it, python-docx), so that the first notebook's formats start
    at once."""
    from . import export  # noqa: F401 (nbconvert)

    if "pdf" in to:
        from .system import check_pdf_dependencies

        check_pdf_dependencies()
    if "pdf" in to or "docx" in to:
        from .document.typst import shipped_fonts

        shipped_fonts()
    if "docx" in to:
        from .document import docx  # noqa: F401 (python-docx and the Word look)


def _timed(function, *args):
    clock = time.perf_counter()
    return function(*args), time.perf_counter() - clock


def _skip_slow_imports() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` in this process.

    jsonschema imports it, when installed (jupyterlab's dependencies install it), to check
    the "iri" format, and it builds a grammar for about 1.3 s at import. nbformat's schema
    never uses that format, so a build has no use for it: marked absent, jsonschema skips
    that one checker. Only done before jsonschema is imported, so nothing loaded changes.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def _campaign_id(folder: Path) -> str:
    """The campaign's id, read cheaply; anything amiss is left to the full load, which names it."""
    from .paths import ID_PATTERN, read_config

    campaign_id = (read_config(folder) or {}).get("id")
    if isinstance(campaign_id, str) and ID_PATTERN.fullmatch(campaign_id):
        return campaign_id
    from .campaign import load_campaign

    return load_campaign(folder).id  # raises the error that names the problem


# --- fingerprints: what a document's outputs depend on --------------------------------------


@cache
def _code_hash() -> str:
    """reportkit's own code and templates: a change to either makes outputs stale."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".css", ".json"):
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _fingerprint(document, folder: Path, parameters: Mapping[str, Any], to, extra=()) -> str:
    digest = hashlib.sha256()
    digest.update(_code_hash().encode())
    digest.update(_sha256(document.path).encode())
    digest.update(
        json.dumps({"parameters": parameters, "to": sorted(to)}, sort_keys=True, default=str).encode()
    )
    for path in document.campaign_inputs(folder):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + _sha256(path).encode())
    for path in extra:
        digest.update(str(path).encode() + b"\0" + _sha256(path).encode())
    return digest.hexdigest()


def _fresh(target: Path, record: Mapping[str, Any] | None, fingerprint: str) -> bool:
    """The outputs recorded for this fingerprint are all there, byte for byte."""
    if not record or record.get("fingerprint") != fingerprint:
        return False
    outputs = record.get("outputs", {})
    return bool(outputs) and all(
        (target / name).is_file() and _sha256(target / name) == digest for name, digest in outputs.items()
    )


# --- steps -------------------------------------------------------------------------------


def _progress(total: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="step", disable=not enabled, leave=False, file=sys.stderr)


def _snapshot(campaign, out: Path) -> Path | None:
    """Hand a large campaign's checked tables to the kernel (reportkit.snapshot)."""
    from .snapshot import MIN_ROWS, write_snapshot

    if not campaign.has_results or len(campaign.activities) < MIN_ROWS:
        return None
    return write_snapshot(out / WORK_DIR / "snapshots", campaign.folder, campaign.units, campaign.activities)


#: Seconds one cell may run; ``REPORTKIT_CELL_TIMEOUT`` changes it.
CELL_TIMEOUT = int(os.environ.get("REPORTKIT_CELL_TIMEOUT", "600"))


def _quiet_papermill() -> None:
    """Drop papermill's "Passed unknown parameter" warning. papermill cannot read annotations
    such as ``int | None`` and calls those parameters unknown; reportkit has already checked
    every name against the same cell (:mod:`reportkit.parameters`)."""
    import logging

    log = logging.getLogger("papermill")
    if not any(getattr(f, "reportkit", False) for f in log.filters):

        def checked(record: logging.LogRecord) -> bool:
            return not record.getMessage().startswith("Passed unknown parameter")

        checked.reportkit = True  # type: ignore[attr-defined]
        log.addFilter(checked)


def _execute(manager, notebook: Path, output: Path, campaign, params: Mapping[str, Any], target: Path):
    """Run ``notebook`` with papermill in the started kernel of ``manager``; the executed
    notebook and the seconds it took (its kernel started earlier, see :mod:`reportkit.kernels`)."""
    clock = time.perf_counter()
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .kernels import START_TIMEOUT
    from .parameters import for_papermill, register_date_translator

    register_date_translator()
    _quiet_papermill()
    parameters = {"campaign": str(campaign.folder.resolve()), **for_papermill(params)}
    try:
        executed = papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            # written once at the end (and on a failure), not twice for every cell
            request_save_on_cell_execute=False,
            progress_bar=False,
            log_output=False,
            report_mode=False,
            start_timeout=START_TIMEOUT,
            execution_timeout=CELL_TIMEOUT,
            # started in the notebook's folder, warmed up, and stopped at once by its owner
            km=manager,
        )
    except PapermillExecutionError as error:
        kept = target / "_failed" / output.name
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(output, kept)
        # cells counted from 1, as JupyterLab shows them in the status bar
        raise ExecutionError(notebook.name, error.cell_index + 1, error.ename, error.evalue, kept) from None
    return executed, time.perf_counter() - clock


def _kernel_env(snapshot: Path | None) -> dict[str, str]:
    """What the kernel learns of its run through its environment: where a large campaign's
    checked tables are (reportkit.snapshot)."""
    from .snapshot import ENV as SNAPSHOT_ENV

    return {} if snapshot is None else {SNAPSHOT_ENV: str(snapshot.resolve())}


def _figures_of(nb, doc: str, notebook: Path) -> dict[str, Any]:
    from .export import document_figures

    figures = document_figures(nb)
    if not figures:
        raise ReportkitError(
            _("{notebook}: ran, but showed no reportkit document (its last cell should)").format(
                notebook=notebook.name
            )
        )
    # filed under the notebook's name, whatever kind of document it composed
    return {doc: figures[doc] if doc in figures else next(iter(figures.values()))}


def _export(nb, staging: Path, doc: str, fmt: str) -> str:
    from .export import ReportkitDocxExporter, ReportkitHTMLExporter, ReportkitPDFExporter

    exporter = {"html": ReportkitHTMLExporter, "pdf": ReportkitPDFExporter, "docx": ReportkitDocxExporter}[
        fmt
    ]()
    body, _resources = exporter.from_notebook_node(nb, {"metadata": {"name": doc}})
    name = f"{doc}.{fmt}"
    target = staging / name
    if isinstance(body, bytes):
        target.write_bytes(body)
    else:
        target.write_text(body, encoding="utf-8")
    return name


def _version(distribution: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def _attach(name: str, campaign, parameters: Mapping[str, Any], staging: Path) -> str:
    """Write the attachment ``name`` a notebook's metadata asks for; reportkit knows
    ``activities.xlsx``."""
    writers = {"activities.xlsx": _activities_workbook}
    if name not in writers:
        raise ReportkitError(
            _("unknown attachment {name!r} in a notebook's metadata; reportkit writes: {known}").format(
                name=name, known=", ".join(writers)
            )
        )
    return writers[name](campaign, parameters, staging)


def _campaign_block(campaign) -> dict[str, Any]:
    """Whose outputs these are, for a reader of figures.json such as a consolidation."""
    config, agency = campaign.config, campaign.config.agency
    return {
        "id": campaign.id,
        "year": config.year,
        "event": config.event,
        "event_date": config.event_date.isoformat(),
        "agency": {
            "superior": agency.superior,
            "name": agency.name,
            "abbreviation": agency.abbreviation,
            "place": agency.place,
        },
    }


def _activities_workbook(campaign, parameters: Mapping[str, Any], staging: Path) -> str:
    """``activities.xlsx``: every activity the report covers, which its appendix may cut short."""
    from .coverage import scope
    from .workbook import write_activities

    _units, activities = scope(
        campaign.units,
        campaign.activities,
        as_of=parameters.get("as_of"),
        district=parameters.get("district"),
    )
    write_activities(activities, campaign.units, staging / "activities.xlsx")
    return "activities.xlsx"


def _record(campaign, document, params, fingerprint, staging, names, timings, extra=()) -> dict:
    """Where a document came from: parameters, input hashes, versions, timings, outputs."""
    import nbconvert
    import papermill

    return {
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "fingerprint": fingerprint,
        "parameters": {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items()},
        "inputs": {
            str(p.relative_to(campaign.folder)): _sha256(p) for p in document.campaign_inputs(campaign.folder)
        }
        | {f"notebooks/{document.path.name}": _sha256(document.path)}
        | {str(path.resolve()): _sha256(path) for path in extra},
        # where the inputs are, so that package and sign can tell whether they changed since
        CAMPAIGN_FOLDER_KEY: str(campaign.folder.resolve()),
        NOTEBOOK_KEY: str(document.path.resolve()),
        PATTERNS_KEY: list(document.inputs),
        "versions": {
            "reportkit": __version__,
            "papermill": papermill.__version__,
            "nbconvert": nbconvert.__version__,
            **{name: _version(name) for name in ("typst", "python-docx")},
            "python": sys.version.split()[0],
        },
        "seconds": {step: round(seconds, 3) for step, seconds in timings.items()},
        "outputs": {name: _sha256(staging / name) for name in sorted(names)},
    }


# --- publishing ----------------------------------------------------------------------------
