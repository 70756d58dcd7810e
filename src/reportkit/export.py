"""Export an executed notebook to the document's HTML, PDF and Word file, through nbconvert.

The exporters are registered under the ``nbconvert.exporters`` entry point, so
``jupyter nbconvert --to reportkit_pdf outputs/wtisd-2021-phu-yen/plan.ipynb`` works as
well as ``reportkit build`` (and ``reportkit_html``, ``reportkit_docx``). They keep only the
outputs that a notebook marked as its document (see :class:`reportkit.document.Document`):
no code, no prompts.

The PDF comes from WeasyPrint: no TeX, no browser. The Word file is laid out from the same
HTML by :mod:`reportkit.word`. Nothing is fetched from the network: the HTML is
self-contained and WeasyPrint's URL fetcher refuses everything but ``data:`` URLs and local
files.
"""

from __future__ import annotations

import base64
import copy
import json
import re
from importlib.resources import files
from typing import Any

from nbconvert.exporters import Exporter, TemplateExporter
from traitlets import default

from . import __version__
from .document import FIGURES_MIMETYPE, RASTERS_MIMETYPE
from .exceptions import ReportkitError, SystemDependencyError
from .i18n import _
from .word import DOCX_MIMETYPE, write_docx

__all__ = [
    "PDF_VARIANT",
    "ReportkitDocxExporter",
    "ReportkitHTMLExporter",
    "ReportkitPDFExporter",
    "document_figures",
    "document_outputs",
    "render_pdf",
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
        return ".html.j2"  # the PDF is laid out from the same HTML

    @default("extra_template_basedirs")
    def _default_extra_template_basedirs(self) -> list[str]:
        return [str(_TEMPLATES)]

    #: Whether the page carries the document face in ``data:`` URLs (the PDF declares it from
    #: the font files instead).
    embed_fonts = True

    def from_notebook_node(self, nb, resources: dict[str, Any] | None = None, **kw):
        resources = self._init_resources(resources)
        documents = document_outputs(nb, resources)
        resources["reportkit_title"] = _marker(documents[0]).get("title", "")
        resources["reportkit_author"] = _marker(documents[0]).get("agency", "")
        resources["reportkit_version"] = __version__
        resources["reportkit_fonts"] = ""
        if self.embed_fonts:
            from .fonts import embedded_css

            nb = copy.deepcopy(nb)
            for output in document_outputs(nb):
                output["data"]["text/html"] = _inline_charts(output["data"]["text/html"])
            resources["reportkit_fonts"] = embedded_css()
        body, resources = super().from_notebook_node(nb, resources, **kw)
        resources["output_extension"] = _output_extension(documents, ".html")
        return body, resources


class ReportkitPDFExporter(ReportkitHTMLExporter):
    """The document of an executed reportkit notebook as an A4 PDF, laid out by WeasyPrint."""

    export_from_notebook = "PDF (Nghị định 30)"
    output_mimetype = "application/pdf"
    embed_fonts = False

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".pdf"

    def from_notebook_node(self, nb, resources: dict[str, Any] | None = None, **kw):
        html, resources = super().from_notebook_node(nb, resources, **kw)
        resources["output_extension"] = _output_extension(document_outputs(nb), ".pdf")
        return render_pdf(html), resources


class ReportkitDocxExporter(Exporter):
    """The document of an executed reportkit notebook as a Word file (.docx) on A4.

    Laid out from the document's HTML by :func:`reportkit.word.write_docx`, with the PNG
    copies of its charts that the document carries.
    """

    export_from_notebook = "Word"
    output_mimetype = DOCX_MIMETYPE

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".docx"

    def from_notebook_node(self, nb, resources: dict[str, Any] | None = None, **kw):
        nb, resources = super().from_notebook_node(nb, resources, **kw)
        documents = document_outputs(nb, resources)
        articles = [
            (
                output["data"]["text/html"],
                {
                    name: base64.b64decode(png)
                    for name, png in output["data"].get(RASTERS_MIMETYPE, {}).items()
                },
            )
            for output in documents
        ]
        resources["output_extension"] = _output_extension(documents, ".docx")
        return write_docx(articles, title=_marker(documents[0]).get("title", "")), resources


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


#: Documents are built offline: images come inline as ``data:`` URLs, or from local files.
OFFLINE_PROTOCOLS = ("data", "file")


def _offline_fetcher(weasyprint):
    """A URL fetcher that refuses the network, for WeasyPrint's old and new fetcher APIs."""
    urls = weasyprint.urls
    if hasattr(urls, "URLFetcher"):  # WeasyPrint 66 and later
        return urls.URLFetcher(allowed_protocols=OFFLINE_PROTOCOLS)

    def fetch(url: str, *args, **kwargs):
        if url.split(":", 1)[0].lower() in OFFLINE_PROTOCOLS:
            return urls.default_url_fetcher(url, *args, **kwargs)
        raise ValueError(
            _("reportkit does not fetch {url}: documents are built offline").format(url=repr(url))
        )

    return fetch


#: The archival profile of every PDF reportkit writes: PDF/A-2u (PDF/A-2b plus text that
#: maps to Unicode); PDF/A-2 allows the transparency of the signature and seal images.
PDF_VARIANT = "pdf/a-2u"

#: PDF/A forbids image interpolation, which WeasyPrint asks for on ``image-rendering: auto``.
_ARCHIVAL_CSS = "img { image-rendering: crisp-edges; }"


def render_pdf(html: str) -> bytes:
    """Lay out ``html`` on A4 pages with WeasyPrint and return the bytes of a PDF/A-2u file.

    Fonts are embedded (subsets of the shipped face, :mod:`reportkit.fonts`), colours are
    sRGB under an sRGB output intent, and the XMP metadata carries the title (the document's
    ``<title>``: its summary line), the author (``<meta name="author">``: the agency), the
    language (``<html lang>``) and the ``pdfaid`` part and conformance.
    """
    from .fonts import weasyprint_stylesheet

    weasyprint = _import_weasyprint()
    fonts, font_config = weasyprint_stylesheet(weasyprint)
    document = weasyprint.HTML(string=html, url_fetcher=_offline_fetcher(weasyprint)).render(
        stylesheets=[fonts, weasyprint.CSS(string=_ARCHIVAL_CSS)], font_config=font_config
    )
    document.metadata = _with_xmp_language(document.metadata)
    document.metadata.generator = f"reportkit {__version__}"
    return document.write_pdf(pdf_variant=PDF_VARIANT) or b""


def _with_xmp_language(metadata):
    """``metadata`` that also writes ``dc:language`` into the XMP packet.

    WeasyPrint writes the language into the catalog's ``/Lang`` only; an archive reads the XMP.
    """
    from xml.etree.ElementTree import SubElement, fromstring, tostring

    rdf_ns, dc_ns = "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://purl.org/dc/elements/1.1/"

    class ArchivalMetadata(type(metadata)):
        def generate_rdf_metadata(self, *args, **kwargs):
            rdf = fromstring(super().generate_rdf_metadata(*args, **kwargs))
            if self.lang:
                description = SubElement(rdf, f"{{{rdf_ns}}}Description", {f"{{{rdf_ns}}}about": ""})
                bag = SubElement(SubElement(description, f"{{{dc_ns}}}language"), f"{{{rdf_ns}}}Bag")
                SubElement(bag, f"{{{rdf_ns}}}li").text = self.lang
            return tostring(rdf, encoding="utf-8")

    archival = ArchivalMetadata()
    archival.__dict__.update(metadata.__dict__)
    return archival


def _import_weasyprint():
    try:
        import weasyprint
    except OSError as error:  # cffi cannot find Pango's shared libraries
        raise SystemDependencyError(
            _(
                "WeasyPrint needs the Pango library to make PDFs; install it with "
                "'apt-get install libpango-1.0-0 libpangoft2-1.0-0' (Debian/Ubuntu). "
                "Import failed with: {error}"
            ).format(error=error)
        ) from None
    return weasyprint


def document_figures(nb) -> dict[str, Any]:
    """The figures every document in an executed notebook carries, merged by document kind."""
    figures: dict[str, Any] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {}).get(FIGURES_MIMETYPE)
            if data is not None:
                figures.update(json.loads(data) if isinstance(data, str) else data)
    return figures
