"""The PDF of a document tree, set by Typst (PyPI ``typst``: a Rust engine in a wheel).

No system library is loaded: Typst lays the text out itself, in the face reportkit ships
(:mod:`reportkit.fonts`) and in no other, since system fonts and Typst's own are both left
out. The PDF is PDF/A-2a and PDF/UA-1 at once: tagged (headings as headings, tables with
their header cells, charts and photos with their captions as alternative text), ``/Lang vi``,
the document's title and the agency as author, in the document information and the XMP
alike.

The same tree gives the same bytes: the creation date comes from the document's own date of
issue (the header's place and date), not from the clock, and nothing random goes in.

``reportkit sign`` finds the empty space of the signature block through three named
destinations (:data:`reportkit.signing.SPACE_TOP` …). Typst writes named destinations for
labelled headings only, so the template marks the space's corners and the name's top with
labelled metadata; their positions are read back from the compiled document and written as
``/XYZ`` destinations in an incremental update, which keeps Typst's bytes, its document
information and its XMP as they are.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import tempfile
from functools import cache
from pathlib import Path

from ..exceptions import ReportkitError
from ..i18n import _
from ..pdfupdate import append_update
from .model import Document, Header
from .typst_markup import to_typst, typst_source

__all__ = [
    "PDF_STANDARDS",
    "SIGNATURE_MARKS",
    "MissingGlyphError",
    "render_pdf",
    "shipped_fonts",
    "signature_marks",
    "to_typst",
]

#: The archival and accessible profiles every PDF claims (and Typst checks while writing).
PDF_STANDARDS = ["a-2a", "ua-1"]

#: The labels the template puts in the signature block, also the names of the PDF's named
#: destinations (:mod:`reportkit.signing` reads them).
SIGNATURE_MARKS = ("rk-sign-space", "rk-sign-space-end", "rk-signer-name")

#: A document without a date of its own (no header) is dated here, as reproducible builds
#: date what has no date.
_UNDATED = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)


class MissingGlyphError(ReportkitError):
    """The document's text has a character the shipped face lacks (``text``: Typst's piece of
    text holding it). PDF/A forbids showing a missing glyph, and no other face is used."""

    def __init__(self, text: str):
        from ..fonts import NAME

        self.text = text
        super().__init__(
            _(
                "the document's text holds characters its typeface ({face}) does not have, in "
                '"{text}"; replace them in the campaign\'s files or the data'
            ).format(face=NAME, text=text)
        )


_MISSING_GLYPH = re.compile(r"the text `\"(.*)\"` could not be displayed with font")


@cache
def shipped_fonts():
    """The shipped face and nothing else, for Typst: neither the system's fonts nor Typst's own
    (the PDF's and the Word charts' one face)."""
    import typst

    from ..fonts import FACES, face_file

    # Typst takes folders (it reads the .ttf files there, not the web copies' .woff).
    return typst.Fonts(
        include_system_fonts=False,
        include_embedded_fonts=False,
        font_paths=[str(face_file(FACES[0]).parent)],
    )


def render_pdf(document: Document) -> bytes:
    """``document`` as the bytes of an A4 PDF/A-2a and PDF/UA-1 file.

    Raises :class:`MissingGlyphError` for a character the shipped face lacks, and
    ``typst.TypstError`` for anything else Typst cannot set (a bug of reportkit's, not of a
    campaign: every text reaches Typst as a string).
    """
    import typst

    source = typst_source(document)
    # Windows cannot delete a file another handle still holds: a leftover temporary folder is
    # no reason to fail a build.
    with tempfile.TemporaryDirectory(prefix="reportkit-typst-", ignore_cleanup_errors=True) as folder:
        root = Path(folder)
        (root / "main.typ").write_text(source.main, encoding="utf-8")
        for name, data in source.files.items():
            (root / name).write_bytes(data)
        compiler = typst.Compiler(str(root / "main.typ"), root=str(root), font_paths=shipped_fonts())
        try:
            pdf = compiler.compile(format="pdf", pdf_standards=PDF_STANDARDS, timestamp=issue_time(document))
        except typst.TypstError as error:
            missing = _MISSING_GLYPH.search(str(error))
            if missing:
                raise MissingGlyphError(missing.group(1)) from None
            raise
        marks = _positions(compiler)
        del compiler  # its files are read: let it go before the folder is removed
    return _with_destinations(pdf, marks) if marks else pdf


def issue_time(document: Document) -> dt.datetime:
    """When ``document`` was issued, as far as its header says: ``Phú Yên, ngày 07 tháng 5 năm
    2021`` is 7 May 2021 (midnight UTC, so the date reads the same wherever the PDF is opened);
    a blank day or month is the 1st; no header, 1 January 1980."""
    header = next((block for block in document.blocks() if isinstance(block, Header)), None)
    found = re.search(r"năm\s+(\d{4})", header.place_date) if header else None
    if found is None:
        return _UNDATED
    day = re.search(r"ngày\s+(\d{1,2})\b", header.place_date)
    month = re.search(r"tháng\s+(\d{1,2})\b", header.place_date)
    try:
        return dt.datetime(
            int(found.group(1)),
            int(month.group(1)) if month else 1,
            int(day.group(1)) if day else 1,
            tzinfo=dt.UTC,
        )
    except ValueError:  # a date that does not exist, as typed
        return dt.datetime(int(found.group(1)), 1, 1, tzinfo=dt.UTC)


def _positions(compiler) -> dict[str, tuple[int, float, float]]:
    """Where the signature block's marks fell: ``{label: (page from 1, x, y from the top)}``
    in points; empty for a document without a signature block."""
    labels = ", ".join(f'"{name}"' for name in SIGNATURE_MARKS)
    found = json.loads(
        compiler.eval(f"({labels},).map(name => query(label(name)).map(it => it.location().position()))")
    )
    if not all(found):
        return {}
    return {
        name: (int(first[0]["page"]), _points(first[0]["x"]), _points(first[0]["y"]))
        for name, first in zip(SIGNATURE_MARKS, found, strict=True)
    }


def _points(length: str) -> float:
    return float(length.removesuffix("pt"))


def signature_marks(pdf: bytes) -> dict[str, tuple[int, float, float]]:
    """The named destinations of the signature block in ``pdf``: ``{name: (page from 0, left,
    top)}`` in PDF points (origin at the bottom left)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    destinations = reader.named_destinations
    return {
        name: (
            reader.get_destination_page_number(destinations[name]),
            float(destinations[name].left),
            float(destinations[name].top),
        )
        for name in SIGNATURE_MARKS
        if name in destinations
    }


def _with_destinations(pdf: bytes, marks: dict[str, tuple[int, float, float]]) -> bytes:
    """``pdf`` with a ``/XYZ`` named destination at each mark, in an incremental update.

    Typst's bytes stay as they were, followed by a new catalog pointing to the destinations
    (:func:`reportkit.pdfupdate.append_update`).
    """
    from pypdf import PdfReader
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        IndirectObject,
        NameObject,
        NullObject,
        TextStringObject,
    )

    reader = PdfReader(io.BytesIO(pdf))
    trailer = reader.trailer
    size = int(trailer["/Size"])
    root = trailer.raw_get("/Root")
    catalog = DictionaryObject(root.get_object())
    names = DictionaryObject(catalog.get("/Names", DictionaryObject()).get_object())
    destinations = {}
    if "/Dests" in names:  # a leaf of Typst's own (labelled headings): kept
        old = names["/Dests"].get_object().get("/Names", ArrayObject())
        destinations = {str(old[index]): old[index + 1] for index in range(0, len(old), 2)}
    for name, (page_number, x, y) in marks.items():
        page = reader.pages[page_number - 1]
        top = float(page.mediabox.top) - y
        left, top = FloatObject(round(x, 3)), FloatObject(round(top, 3))
        at = [page.indirect_reference, NameObject("/XYZ"), left, top, NullObject()]
        destinations[name] = ArrayObject(at)
    dests = DictionaryObject(
        {
            NameObject("/Names"): ArrayObject(
                item for name in sorted(destinations) for item in (TextStringObject(name), destinations[name])
            )
        }
    )
    names[NameObject("/Dests")] = IndirectObject(size, 0, reader)
    catalog[NameObject("/Names")] = IndirectObject(size + 1, 0, reader)
    return append_update(pdf, reader, {root.idnum: catalog, size: dests, size + 1: names})
