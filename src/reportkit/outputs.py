"""The outputs contract: what a build publishes in ``<out>/<campaign id>/``, and whether it is current.

A build publishes, per document, the executed notebook, one file per format of :data:`FORMATS`
and its attachments, with two files shared by the documents of the folder (data/README.md,
"Outputs"): ``figures.json`` (the numbers each document shows) and ``manifest.json`` (per
document: parameters, hashes of the inputs, versions, timings and its ``outputs`` with their
hashes). Both carry a ``schema_version``; a reader refuses one it does not know.

The manifest is the only word on which files are current: a file of the folder that no
document's ``outputs`` lists (a PDF left by an earlier ``--to pdf``) is not part of the
documents. A build sets such files of the documents it rebuilt aside, under
``<out>/.reportkit/aside/``, rather than deleting them. Commands that pass a document on
(``package``, ``sign``, and ``edxml``) first ask :func:`check_fresh` whether the inputs
recorded for it are still the campaign's files, byte for byte.

This module imports nothing heavy: the no-op rebuild uses it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shlex
import signal
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import fsio
from .exceptions import ReportkitError
from .i18n import _

__all__ = [
    "ASIDE_DIR",
    "CAMPAIGN_FOLDER_KEY",
    "FIGURES_FILE",
    "FIGURES_SCHEMA",
    "FORMATS",
    "MANIFEST_FILE",
    "MANIFEST_SCHEMA",
    "NOTEBOOKS_KEY",
    "NOTEBOOK_KEY",
    "PATTERNS_KEY",
    "RESERVED",
    "SCHEMA_KEY",
    "WORK_DIR",
    "StaleOutputError",
    "campaign_files",
    "changed_inputs",
    "check_fresh",
    "check_signable",
    "current",
    "documents_of",
    "publish",
    "read_json",
    "rebuild_command",
    "set_aside",
    "sha256",
    "superseded",
    "write_json",
]

#: Formats besides the executed notebook: the page, the PDF to sign, the Word copy to edit.
FORMATS = ("html", "pdf", "docx")
FIGURES_FILE = "figures.json"
MANIFEST_FILE = "manifest.json"
#: Versions of the two files' layout: a reader such as :mod:`reportkit.consolidate` refuses a
#: version it does not know.
FIGURES_SCHEMA = 1
MANIFEST_SCHEMA = 1
SCHEMA_KEY = "schema_version"
#: Keys of figures.json and manifest.json that are not documents, so not notebook names.
RESERVED = ("campaign", SCHEMA_KEY)
#: Under ``--out``: staging folders, locks, snapshots, and outputs set aside.
WORK_DIR = ".reportkit"
#: Where files that stopped being current are moved, under ``<out>/.reportkit/``.
ASIDE_DIR = "aside"
#: The key of a manifest record naming the campaign folder the document was built from.
CAMPAIGN_FOLDER_KEY = "campaign_folder"
#: The key of a manifest record naming the notebook the document was built from.
NOTEBOOK_KEY = "notebook"
#: The key of a manifest record with the ``--notebooks`` folder its build was given.
NOTEBOOKS_KEY = "notebooks"
#: The key of a manifest record with the patterns of its campaign inputs (none: all its files).
PATTERNS_KEY = "input_patterns"


class StaleOutputError(ReportkitError):
    """A built document cannot be passed on: it is missing, or its inputs changed since.

    ``folder`` and ``doc`` say which; ``changed`` names the inputs that differ (empty when
    the document was never built there); ``command`` is the build that makes it current.
    """

    def __init__(
        self, folder: Path, doc: str, changed: tuple[str, ...], command: str, signed: str | None = None
    ):
        self.folder, self.doc, self.changed, self.command = folder, doc, changed, command
        if signed:
            message = _(
                "{folder}: {signed} was not signed from the current {doc}.pdf; sign that one: "
                "reportkit sign {pdf} …"
            ).format(folder=folder, signed=signed, doc=doc, pdf=folder / f"{doc}.pdf")
        elif changed:
            shown = ", ".join(changed[:5]) + (", …" if len(changed) > 5 else "")
            message = _(
                "{folder}: the {doc} was built from inputs that changed since ({files}); "
                "build it again: {command}"
            ).format(folder=folder, doc=doc, files=shown, command=command)
        else:
            message = _("{folder}: no current {doc} there; build it: {command}").format(
                folder=folder, doc=doc, command=command
            )
        super().__init__(message)


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object written by a build; an absent, unreadable or other file gives ``{}``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` as reportkit's JSON files are: UTF-8 text, indented, a final newline."""
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def documents_of(manifest: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The documents' records of a manifest (or of figures.json), by document name."""
    return {k: v for k, v in manifest.items() if k not in RESERVED and isinstance(v, Mapping)}


def current(folder: str | Path, doc: str | None = None) -> tuple[Path, ...]:
    """The files of ``folder`` that its manifest vouches for: of ``doc``, or of every document.

    Only these are the build's outputs; any other file there is left from an earlier build.
    """
    folder = Path(folder)
    records = documents_of(read_json(folder / MANIFEST_FILE))
    chosen = [records[doc]] if doc is not None and doc in records else [] if doc else records.values()
    names = sorted({name for record in chosen for name in record.get("outputs", {})})
    return tuple(folder / name for name in names)


def superseded(
    folder: Path, doc: str, kept: Mapping[str, str], before: Mapping[str, Any] | None
) -> list[str]:
    """The files of ``folder`` that a new build of ``doc`` makes obsolete.

    ``kept`` are its new outputs (name → SHA-256), ``before`` its previous record. Obsolete:
    what the previous record listed and the new one does not, a format file the build did
    not write this time, and a signed copy (``<doc>.*.pdf``) not signed from the new PDF.
    """
    names = set((before or {}).get("outputs", {}))
    names |= {f"{doc}.{ext}" for ext in (*FORMATS, "ipynb")}
    names |= {p.name for p in folder.glob(f"{doc}.*.pdf")} if folder.is_dir() else set()
    gone = []
    for name in sorted(names - set(kept)):
        path = folder / name
        if path.is_file() and not (name.endswith(".pdf") and _signed_from(path, folder / f"{doc}.pdf", kept)):
            gone.append(name)
    return gone


def _signed_from(signed: Path, pdf: Path, kept: Mapping[str, str]) -> bool:
    """``signed`` is an incremental update of the current ``pdf``: it starts with its bytes."""
    if pdf.name not in kept:
        return False
    size = pdf.stat().st_size if pdf.is_file() else -1
    with open(signed, "rb") as stream:
        head = stream.read(size) if size > 0 else b""
    return len(head) == size and hashlib.sha256(head).hexdigest() == kept[pdf.name]


def set_aside(folder: Path, names: list[str], out: Path) -> Path | None:
    """Move ``names`` from ``folder`` to ``<out>/.reportkit/aside/<folder under out>/<time>/``.

    Returns that folder, or ``None`` when there was nothing to move.
    """
    if not names:
        return None
    try:
        where = folder.resolve().relative_to(out.resolve())
    except ValueError:
        where = Path(folder.name)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    aside = out / WORK_DIR / ASIDE_DIR / where / stamp
    aside.mkdir(parents=True, exist_ok=True)
    for name in names:
        fsio.replace(folder / name, aside / name)
    return aside


def campaign_files(folder: Path, patterns: tuple[str, ...] | list[str] = ()) -> list[Path]:
    """The files of the campaign ``folder`` matched by ``patterns`` (all its files when there are
    none), sorted; names starting with a dot (locks, editors' copies) are not inputs."""
    if patterns:
        found = {p for pattern in patterns for p in folder.glob(pattern) if p.is_file()}
    else:
        found = {p for p in folder.rglob("*") if p.is_file()}
    return sorted(p for p in found if not p.name.startswith("."))


def publish(
    staging: Path, target: Path, out: Path, built: Mapping[str, Mapping[str, str]], before: Mapping[str, Any]
) -> None:
    """Move every staged file into ``target``, then set aside what the rebuilt documents lost.

    ``built`` gives each rebuilt document's new outputs, ``before`` the manifest they replace.
    Each move is atomic (same file system) and the manifest goes last: until it is replaced,
    the old one does not vouch for the new files, so a build killed half-way through is
    rebuilt, not reused. What a rebuilt document no longer has (a PDF when built ``--to html``
    this time, a copy signed from the old PDF) goes under ``<out>/.reportkit/aside/``.
    """
    earlier = documents_of(before)
    obsolete = sorted(
        {n for doc, kept in built.items() for n in superseded(target, doc, kept, earlier.get(doc))}
    )
    names = sorted(p.name for p in staging.iterdir() if p.name != MANIFEST_FILE)
    with _uninterrupted():
        for name in [*names, MANIFEST_FILE]:
            fsio.replace(staging / name, target / name)
        set_aside(target, obsolete, out)


@contextmanager
def _uninterrupted() -> Iterator[None]:
    """Hold Ctrl-C until the block is done: a folder half old, half new is worse than waiting
    the moment it takes to move a few files. Only the main thread can hold a signal."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def changed_inputs(record: Mapping[str, Any], campaign_dir: Path) -> tuple[str, ...]:
    """The inputs of a manifest record that are not, byte for byte, the files now there.

    Checked: the campaign's files the record lists, files of the campaign the document would
    read now and the record does not list (a photo added by ``collect``), and files outside
    the campaign (recorded by absolute path). The notebook is code, like reportkit's own,
    and is left to the build's fingerprint.
    """
    recorded = dict(record.get("inputs", {}))
    notebook = record.get(NOTEBOOK_KEY)
    if notebook:
        recorded.pop(f"notebooks/{Path(notebook).name}", None)
    changed = []
    for name, digest in recorded.items():
        path = Path(name) if Path(name).is_absolute() else campaign_dir / name
        if not path.is_file() or sha256(path) != digest:
            changed.append(name)
    if PATTERNS_KEY in record:
        now = {str(p.relative_to(campaign_dir)) for p in campaign_files(campaign_dir, record[PATTERNS_KEY])}
        changed += sorted(now - set(recorded))
    return tuple(changed)


def rebuild_command(
    campaign_dir: Path | str, doc: str, record: Mapping[str, Any] | None = None, folder: Path | None = None
) -> str:
    """The ``reportkit build`` that makes ``doc`` of the output ``folder`` current again, with its
    formats, its parameters and ``--out`` when the folder is not under the default ``outputs``."""
    record = record or {}
    formats = [fmt for fmt in FORMATS if f"{doc}.{fmt}" in record.get("outputs", {})]
    words = ["reportkit", "build", str(campaign_dir), "--doc", doc]
    if formats:
        words += ["--to", ",".join(formats)]
    for name, value in record.get("parameters", {}).items():
        words += ["-p", f"{name}={value}"]
    if record.get(NOTEBOOKS_KEY):
        words += ["--notebooks", str(record[NOTEBOOKS_KEY])]
    if folder is not None and folder.parent.resolve() != Path("outputs").resolve():
        words += ["--out", str(folder.parent)]
    return shlex.join(words)


def check_fresh(folder: str | Path, doc: str, campaign_dir: str | Path | None = None) -> Mapping[str, Any]:
    """Refuse ``doc`` of the output ``folder`` unless it was built from the campaign as it is now.

    ``campaign_dir`` defaults to the folder the manifest says the document was built from.
    Returns the document's manifest record.

    Raises
    ------
    StaleOutputError
        The manifest has no record of ``doc``, one of its outputs is gone, or an input
        changed; the message names the changed files and the ``reportkit build`` to run.
    """
    folder = Path(folder)
    record = documents_of(read_json(folder / MANIFEST_FILE)).get(doc)
    campaign = Path(campaign_dir) if campaign_dir is not None else None
    if campaign is None and record and record.get(CAMPAIGN_FOLDER_KEY):
        campaign = Path(record[CAMPAIGN_FOLDER_KEY])
    shown = campaign if campaign is not None else Path(_("CAMPAIGN"))
    if not record:
        raise StaleOutputError(folder, doc, (), rebuild_command(shown, doc, folder=folder))
    missing = tuple(name for name in record.get("outputs", {}) if not (folder / name).is_file())
    changed = missing + changed_inputs(record, campaign) if campaign is not None else missing
    if changed:
        raise StaleOutputError(folder, doc, changed, rebuild_command(shown, doc, record, folder))
    return record


def check_signable(pdf: str | Path, campaign_dir: str | Path | None = None) -> None:
    """Refuse to sign a PDF that a build left behind or whose document's inputs changed since.

    A PDF beside no reportkit manifest, or named after none of its documents, is not
    reportkit's to judge and passes. ``report.pdf`` and its signed copies
    (``report.signed.pdf``) belong to the document ``report``; a signed copy must start with
    the current PDF's bytes (signatures are incremental updates). ``campaign_dir`` defaults
    to the folder the manifest names.
    """
    pdf = Path(pdf)
    records = documents_of(read_json(pdf.parent / MANIFEST_FILE))
    doc = next((d for d in records if pdf.name == f"{d}.pdf" or pdf.name.startswith(f"{d}.")), None)
    if doc is None:
        return
    record = records[doc]
    campaign = Path(campaign_dir or record.get(CAMPAIGN_FOLDER_KEY) or _("CAMPAIGN"))
    if f"{doc}.pdf" not in record.get("outputs", {}):
        raise StaleOutputError(pdf.parent, doc, (), rebuild_command(campaign, doc, record, pdf.parent))
    if pdf.name != f"{doc}.pdf" and not _signed_from(pdf, pdf.parent / f"{doc}.pdf", record["outputs"]):
        command = rebuild_command(campaign, doc, record, pdf.parent)
        raise StaleOutputError(pdf.parent, doc, (), command, signed=pdf.name)
    check_fresh(pdf.parent, doc, campaign if campaign.is_dir() else None)
