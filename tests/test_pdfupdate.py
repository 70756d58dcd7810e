"""Incremental updates (reportkit.pdfupdate): what Typst set stays byte for byte, readers see
the new objects, and the trailer keeps the document information and the file identifier."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject, TextStringObject

from reportkit.pdfupdate import append_update, startxref


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": "Kế hoạch"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_an_update_keeps_the_bytes_before_it_and_replaces_what_it_names():
    pdf = _pdf()
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer.raw_get("/Root")
    catalog = root.get_object()
    catalog[NameObject("/Lang")] = TextStringObject("vi")
    size = int(reader.trailer["/Size"])
    updated = append_update(pdf, reader, {root.idnum: catalog, size: NumberObject(7)})

    assert updated.startswith(pdf)
    again = PdfReader(io.BytesIO(updated))
    assert again.trailer["/Root"]["/Lang"] == "vi"
    assert again.get_object(size) == 7
    assert int(again.trailer["/Size"]) == size + 1
    assert again.trailer["/Prev"] == startxref(pdf)
    assert again.metadata.title == "Kế hoạch"  # /Info repeated in the new trailer
    assert len(again.pages) == 1


def test_two_updates_chain_and_the_same_input_gives_the_same_bytes():
    pdf = _pdf()
    reader = PdfReader(io.BytesIO(pdf))
    size = int(reader.trailer["/Size"])
    first = append_update(pdf, reader, {size: NumberObject(1)})
    assert first == append_update(pdf, PdfReader(io.BytesIO(pdf)), {size: NumberObject(1)})
    second = append_update(
        first, PdfReader(io.BytesIO(first)), {size: NumberObject(2), size + 1: NumberObject(3)}
    )
    final = PdfReader(io.BytesIO(second))
    assert (final.get_object(size), final.get_object(size + 1)) == (2, 3)
    assert final.trailer["/Prev"] == startxref(first)
