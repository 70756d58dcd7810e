"""Find the documents reportkit can build: a document is a notebook.

Any notebook with a cell tagged ``parameters`` whose last output is a reportkit document
(:class:`reportkit.document.Document`) can be built, batched and listed; its name is the
notebook's file name without ``.ipynb``. Notebooks are looked for, the first found winning:

1. in the folder given by ``--notebooks DIR`` (or the ``REPORTKIT_NOTEBOOKS`` variable);
2. in the project's ``notebooks/`` (the source tree reportkit is installed from);
3. in the copies packaged inside reportkit (``reportkit/notebooks/`` in a wheel).

A notebook may say more about itself in its metadata, under ``reportkit`` (all optional)::

    {"reportkit": {"document": false}}              # not a document (notebooks/explore.ipynb)
    {"reportkit": {"needs": ["report"]}}            # campaign.yaml sections it cannot do without
    {"reportkit": {"inputs": ["campaign.*", "budget.*"]}}  # the campaign files it depends on
    {"reportkit": {"attachments": ["activities.xlsx"]}}     # files written beside it
    {"reportkit": {"check": "reportkit.consolidate:check_sources"}}  # inputs from elsewhere

A template (a notebook of the project's ``notebooks/`` or of the packaged copies, not one
of ``--notebooks DIR``) records the parameter defaults it was adopted with, under
``{"reportkit": {"template": {"parameters": {"district": "None", …}}}}``, and is committed
without outputs. JupyterLab saves a notebook as it is edited, so a district typed into the
parameters cell to try it would silently become the default of every build: a template whose
defaults differ from that record, or that holds outputs, is refused by :func:`find_document`
with :class:`TemplateChangedError`, until it is restored (``git checkout``) or adopted on
purpose (:func:`adopt_template`, ``reportkit lab --adopt NAME``). ``reportkit lab`` opens
working copies instead (:mod:`reportkit.lab`).

``inputs`` are glob patterns relative to the campaign folder; without them every file of
the folder counts, so a change to any of them rebuilds the document. ``check`` names a
function (``module:name``) that checks the document's inputs from outside the campaign folder
before any kernel starts, as :func:`reportkit.consolidate.check_sources` checks the agencies'
output folders: it is called with the notebook's path, the campaign folder and the given
parameters, raises a :class:`~reportkit.exceptions.ReportkitError` naming what is wrong, and
returns :class:`Inputs`: the files the document also depends on (their content is part of
its fingerprint) and parameters to pass on instead (a folder made absolute). This module
reads JSON only; it imports nothing heavy.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from .exceptions import ParameterError, ReportkitError
from .i18n import _, ngettext
from .outputs import RESERVED, campaign_files

__all__ = [
    "NOTEBOOKS_ENV",
    "DocumentNotebook",
    "Inputs",
    "TemplateChangedError",
    "adopt_template",
    "check_needs",
    "default_documents",
    "find_document",
    "find_documents",
    "notebook_folders",
    "project_root",
    "template_changes",
    "template_folders",
]

#: A folder of notebooks looked in before the project's own (``--notebooks`` sets it too).
NOTEBOOKS_ENV = "REPORTKIT_NOTEBOOKS"


def project_root() -> Path:
    """The source tree reportkit is installed from (``make run`` installs it editable)."""
    return Path(__file__).resolve().parents[2]


def notebook_folders(notebooks: str | Path | None = None) -> list[Path]:
    """The folders searched for documents, in order; ``notebooks`` first, if given."""
    first = notebooks or os.environ.get(NOTEBOOKS_ENV)
    if first and not Path(first).is_dir():
        raise ParameterError("notebooks", _("{folder} is not a folder of notebooks").format(folder=first))
    candidates = [Path(first)] if first else []
    candidates += template_folders()
    return list(dict.fromkeys(folder for folder in candidates if folder.is_dir()))


def template_folders() -> list[Path]:
    """The folders of the templates, in order: the project's notebooks/, the packaged copies."""
    candidates = [project_root() / "notebooks", Path(str(files("reportkit") / "notebooks"))]
    return [folder for folder in candidates if folder.is_dir()]


@dataclass(frozen=True)
class Inputs:
    """What a document's ``check`` function found: files outside the campaign it depends on,
    and parameters to pass to the notebook instead of those given."""

    files: tuple[Path, ...] = ()
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentNotebook:
    """A document's notebook and what its metadata says about it."""

    name: str
    path: Path
    needs: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
    attachments: tuple[str, ...] = ()
    check: str | None = None
    #: What differs from the template's record: changed defaults, saved outputs (see above).
    changes: tuple[str, ...] = ()

    def checked_inputs(self, campaign_dir: Path, parameters: Mapping[str, Any]) -> Inputs:
        """Run the notebook's ``check`` function, if it names one (see the module's docstring)."""
        if not self.check:
            return Inputs()
        from importlib import import_module

        module, _sep, name = self.check.partition(":")
        try:
            function = getattr(import_module(module), name)
        except (ImportError, AttributeError, ValueError):
            raise ReportkitError(
                _("{notebook}: its metadata names a check {check!r} that cannot be imported").format(
                    notebook=self.path, check=self.check
                )
            ) from None
        return function(self.path, campaign_dir, parameters)

    def campaign_inputs(self, folder: Path) -> list[Path]:
        """The files of the campaign ``folder`` this document depends on, sorted."""
        return campaign_files(folder, self.inputs)


def _read(path: Path) -> DocumentNotebook | None:
    """The document in ``path``, or None when it is not one (no parameters cell, opted out)."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        meta: Mapping[str, Any] = nb.get("metadata", {}).get("reportkit", {}) or {}
        cells = nb.get("cells", [])
    except (OSError, ValueError, AttributeError):
        return None
    if meta.get("document") is False or path.stem in RESERVED:
        return None
    if not any("parameters" in (c.get("metadata", {}).get("tags") or ()) for c in cells):
        return None

    def names(key: str) -> tuple[str, ...]:
        value = meta.get(key) or ()
        return (value,) if isinstance(value, str) else tuple(str(v) for v in value)

    return DocumentNotebook(
        path.stem,
        path,
        needs=names("needs"),
        inputs=names("inputs"),
        attachments=names("attachments"),
        check=meta.get("check") or None,
        changes=tuple(_changes(nb)),
    )


class TemplateChangedError(ReportkitError):
    """A template's parameter defaults or outputs differ from what was adopted."""

    def __init__(self, doc: str, notebook: Path, changes: Sequence[str]):
        self.doc, self.notebook, self.changes = doc, notebook, tuple(changes)
        shown = _shown_path(notebook)
        super().__init__(
            _(
                "{notebook} was changed after it was adopted as the template of {doc} ({changes}); "
                "reportkit does not build from a template changed by accident (JupyterLab saves what "
                "is typed into it). Restore it with 'git checkout -- {notebook}', or keep the change "
                "with 'reportkit lab --adopt {doc}'; to build from a copy of your own, give its "
                "folder with --notebooks DIR (reportkit lab keeps working copies in work/)"
            ).format(notebook=shown, doc=doc, changes="; ".join(self.changes))
        )


def _shown_path(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it, as a person types it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _defaults(nb: Mapping[str, Any]) -> dict[str, str]:
    """The parameters cell's defaults, as source text: ``{"district": "None", …}``."""
    from .parameters import _LINE  # the same reading of the cell as reportkit params

    for cell in nb.get("cells", []):
        if "parameters" in (cell.get("metadata", {}).get("tags") or ()):
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            found = (_LINE.match(line.strip()) for line in source.splitlines())
            return {m["name"]: m["default"] for m in found if m}
    return {}


def _changes(nb: Mapping[str, Any]) -> list[str]:
    """What differs in ``nb`` from its template record; nothing for a notebook without one."""
    record = ((nb.get("metadata", {}).get("reportkit") or {}).get("template") or {}).get("parameters")
    if not isinstance(record, Mapping):
        return []
    now = _defaults(nb)
    changes = [
        _("{name}: {old} → {new}").format(name=name, old=record[name], new=now[name])
        for name in record
        if name in now and now[name] != record[name]
    ]
    changes += [_("{name} added").format(name=name) for name in now if name not in record]
    changes += [_("{name} removed").format(name=name) for name in record if name not in now]
    ran = sum(
        1
        for c in nb.get("cells", [])
        if c.get("cell_type") == "code" and (c.get("outputs") or c.get("execution_count"))
    )
    if ran:
        saved = ngettext(
            "{count} cell run and saved with its outputs",
            "{count} cells run and saved with their outputs",
            ran,
        )
        changes.append(saved.format(count=ran))
    return changes


def template_changes(path: Path) -> tuple[str, ...]:
    """What differs in the notebook at ``path`` from its template record (empty: unchanged)."""
    return tuple(_changes(json.loads(path.read_text(encoding="utf-8"))))


def adopt_template(path: Path) -> Path:
    """Take the notebook at ``path`` as the template: record its parameter defaults, drop its
    outputs. Returns ``path``; written the way Jupyter writes a notebook."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    meta = nb.setdefault("metadata", {}).setdefault("reportkit", {})
    meta["template"] = {"parameters": _defaults(nb)}
    text = json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


@cache
def _cached(path: Path, mtime: float) -> DocumentNotebook | None:
    return _read(path)


def find_documents(notebooks: str | Path | None = None) -> dict[str, DocumentNotebook]:
    """Every document found, by name, in search order (see the module's docstring)."""
    found: dict[str, DocumentNotebook] = {}
    for folder in notebook_folders(notebooks):
        for path in sorted(folder.glob("*.ipynb")):
            if path.stem in found or path.name.startswith("."):
                continue
            document = _cached(path, path.stat().st_mtime)
            if document is not None:
                found[path.stem] = document
    return found


def find_document(doc: str, notebooks: str | Path | None = None) -> DocumentNotebook:
    """The document called ``doc``.

    Raises
    ------
    ParameterError
        No notebook of that name is found; the message lists the documents that are.
    TemplateChangedError
        The document is a template (not of the folder given) changed since it was adopted.
    """
    found = find_documents(notebooks)
    document = found.get(doc)
    if document is not None and document.changes and not _chosen(document.path, notebooks):
        raise TemplateChangedError(doc, document.path, document.changes)
    if doc not in found:
        folders = ", ".join(str(f) for f in notebook_folders(notebooks))
        raise ParameterError(
            "doc",
            _(
                "no document {doc!r}: no {doc}.ipynb with a parameters cell in {folders}; found: {found}"
            ).format(doc=doc, folders=folders, found=", ".join(found) or _("none")),
        )
    return found[doc]


def _chosen(path: Path, notebooks: str | Path | None) -> bool:
    """Whether ``path`` is in the folder a person gave (``--notebooks``), so used as it is."""
    first = notebooks or os.environ.get(NOTEBOOKS_ENV)
    return bool(first) and path.parent.resolve() == Path(first).resolve()


def default_documents(campaign_dir: Path, found: Mapping[str, DocumentNotebook]) -> list[str]:
    """What ``--doc all`` builds for a campaign: the documents its ``campaign.yaml`` has a
    section for (``plan:``, ``report:``, ``consolidated:``…), in the order of the file.

    A document that needs a section the file lacks (a report before any results) is left
    out. A file that cannot be read gives every document it might mean, so that the build
    names the problem.
    """
    from .paths import read_config

    data = read_config(campaign_dir)
    if data is None:
        return list(found)
    docs = [key for key, value in data.items() if key in found and value is not None]
    if not docs:
        from .campaign import load_campaign

        load_campaign(campaign_dir)  # a campaign.yaml without a plan says so, with its other problems
        raise ReportkitError(
            _("{file}: no section names a document; documents found: {found}").format(
                file=campaign_dir / "campaign.yaml", found=", ".join(found)
            )
        )
    return docs


def check_needs(document: DocumentNotebook, sections: Sequence[str], config_file: Path) -> None:
    """Refuse, before any kernel starts, a document whose campaign lacks a section it needs."""
    missing = [section for section in document.needs if section not in sections]
    if missing:
        raise ReportkitError(
            _(
                "{file}: the {doc} document needs a '{section}:' section (data/README.md); "
                "build the others alone with --doc NAME"
            ).format(file=config_file, doc=document.name, section=missing[0])
        )
