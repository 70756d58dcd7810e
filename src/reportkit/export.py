"""Export an executed notebook to the document's HTML, PDF and Word file, through nbconvert.

The exporters are registered under the ``nbconvert.exporters`` entry point, so
``jupyter nbconvert --to reportkit_pdf outputs/wtisd-2021-phu-yen/plan.ipynb`` works as
well as ``reportkit build`` (and ``reportkit_html``, ``reportkit_docx``). They keep only the
outputs that a notebook marked as its document (see :class:`reportkit.document.Document`):
no code, no prompts.

The HTML page is the document's HTML view as the notebook shows it. The PDF (Typst) and the
Word file (python-docx) are rendered from the document's tree, which the notebook's output
carries beside the HTML (:data:`reportkit.document.DOCUMENT_MIMETYPE`): no renderer reads
another's output, no TeX, no browser, no system library. Nothing is fetched from the network.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import json
import re
from importlib.resources import files
from typing import Any

from nbconvert.exporters import Exporter, TemplateExporter
from traitlets import default

from . import __version__
from .document.model import DOCUMENT_MIMETYPE, DOCX_MIMETYPE, FIGURES_MIMETYPE, Document, from_data
from .exceptions import ReportkitError
from .i18n import _

__all__ = [
    "DOCX_MIMETYPE",
    "ReportkitDocxExporter",
    "ReportkitHTMLExporter",
    "ReportkitPDFExporter",
    "document_figures",
    "document_outputs",
    "notebook_document",
]

_TEMPLATES = files("reportkit") / "templates" / "nbconvert"


class ReportkitHTMLExporter(TemplateExporter):
    """The document of an executed reportkit notebook as one self-contained HTML page."""

    export_from_notebook = "HTML"
    output_mimetype = "text/html"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".html"

    @default("template_name")
    def _template_name_default(self) -> str:
        return "reportkit"

    @default("template_extension")
    def _template_extension_default(self) -> str:
        return ".html.j2"

    @default("extra_template_basedirs")
    def _default_extra_template_basedirs(self) -> list[str]:
        return [str(_TEMPLATES)]

    def from_notebook_node(self, nb, resources: dict[str, Any] | None = None, **kw):
        resources = self._init_resources(resources)
        documents = document_outputs(nb, resources)
        resources["reportkit_title"] = _marker(documents[0]).get("title", "")
        resources["reportkit_author"] = _marker(documents[0]).get("agency", "")
        resources["reportkit_version"] = __version__
        from .fonts import embedded_css

        nb = copy.deepcopy(nb)
        for output in document_outputs(nb):
            output["data"]["text/html"] = _inline_charts(output["data"]["text/html"])
        resources["reportkit_fonts"] = embedded_css()
        body, resources = super().from_notebook_node(nb, resources, **kw)
        resources["output_extension"] = _output_extension(documents, ".html")
        return body, resources


class ReportkitPDFExporter(Exporter):
    """The document of an executed reportkit notebook as an A4 PDF/A-2a and PDF/UA-1 file,
    typeset by Typst from the document's tree (:mod:`reportkit.document.typst`)."""

    export_from_notebook = "PDF (Nghị định 30)"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".pdf"

    def from_notebook_node(self, nb, resources: dict[str, Any] | None = None, **kw):
        from .document.typst import render_pdf
        from .metadata import with_document_metadata

        nb, resources = super().from_notebook_node(nb, resources, **kw)
        document = notebook_document(nb, resources)
        resources["output_extension"] = _output_extension(document_outputs(nb), ".pdf")
        return with_document_metadata(render_pdf(document), document), resources


class ReportkitDocxExporter(Exporter):
    """The document of an executed reportkit notebook as a Word file (.docx) on A4, written
    from the document's tree (:mod:`reportkit.document.docx`), its charts drawn as PNG from
    their SVG (:mod:`reportkit.document.raster`)."""

    export_from_notebook = "Word"
    output_mimetype = DOCX_MIMETYPE

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".docx"

    def from_notebook_node(self, nb, resources: dict[str, Any] | None = None, **kw):
        from .document.docx import render_docx

        nb, resources = super().from_notebook_node(nb, resources, **kw)
        document = notebook_document(nb, resources)
        resources["output_extension"] = _output_extension(document_outputs(nb), ".docx")
        return render_docx(document), resources


def _output_extension(documents: list, extension: str) -> str:
    """What follows the notebook's name in the file written: ``_<campaign>_<district>.pdf``.

    Jupyter names an export (JupyterLab's download, ``jupyter nbconvert``) by the notebook's
    name followed by ``output_extension``; a document that says its campaign and district
    (``campaign``, ``district`` in its marker) gets a name that tells one report from another:
    ``report_wtisd-2021-phu-yen_huyen-tuy-an.pdf``. ``reportkit build`` names its files itself.
    """
    from .paths import slug

    marker = _marker(documents[0])
    words = [str(marker[key]) for key in ("campaign", "district") if marker.get(key)]
    return "".join(f"_{slug(word)}" for word in words) + extension


_SVG_IMAGE = re.compile(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"(?: alt="([^"]*)")?[^>]*>')


def _inline_charts(html: str) -> str:
    """The charts' SVG put in the page itself, so their text takes the page's embedded face (a
    browser keeps a page's fonts out of an ``<img>``). The PDF and Word keep the images."""

    def inline(match: re.Match) -> str:
        svg = base64.b64decode(match.group(1)).decode("utf-8")
        svg = svg[svg.index("<svg") :]  # no XML declaration or doctype inside HTML
        return svg.replace("<svg ", f'<svg role="img" aria-label="{match.group(2) or ""}" ', 1)

    return _SVG_IMAGE.sub(inline, html)


def document_outputs(nb, resources: dict[str, Any] | None = None) -> list:
    """The outputs of ``nb`` that show a reportkit document, in order.

    Raises :class:`ReportkitError` when there is none: the notebook has not been run.
    """
    outputs = [
        output
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if "text/html" in output.get("data", {}) and _marker(output)
    ]
    if not outputs:
        name = (resources or {}).get("metadata", {}).get("name") or _("the notebook")
        raise ReportkitError(
            _(
                "{name}: no reportkit document among its outputs; run the notebook first "
                "(its last cell shows the document)"
            ).format(name=name)
        )
    return outputs


def _marker(output) -> dict[str, Any]:
    """What a document output says of itself: ``{"document": kind, "title": …}``, or ``{}``."""
    metadata = output.get("metadata", {})
    return metadata.get("text/html", {}).get("reportkit") or metadata.get("reportkit") or {}


def notebook_document(nb, resources: dict[str, Any] | None = None) -> Document:
    """The document tree an executed notebook shows (the trees of several documents, one
    after the other, as one document titled by the first).

    Raises :class:`ReportkitError` when there is none: the notebook has not been run, or was
    run before the document model (its outputs carry HTML only).
    """
    trees = [
        from_data(output["data"][DOCUMENT_MIMETYPE])
        for output in document_outputs(nb, resources)
        if DOCUMENT_MIMETYPE in output.get("data", {})
    ]
    if not trees:
        name = (resources or {}).get("metadata", {}).get("name") or _("the notebook")
        raise ReportkitError(
            _("{name}: its document was made by an older reportkit; run the notebook again").format(name=name)
        )
    first = trees[0]
    if len(trees) == 1:
        return first
    return dataclasses.replace(first, parts=tuple(part for tree in trees for part in tree.parts))


def document_figures(nb) -> dict[str, Any]:
    """The figures every document in an executed notebook carries, merged by document kind."""
    figures: dict[str, Any] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {}).get(FIGURES_MIMETYPE)
            if data is not None:
                figures.update(json.loads(data) if isinstance(data, str) else data)
    return figures
