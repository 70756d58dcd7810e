"""A document tree (:mod:`reportkit.document.model`) written as Typst source.

The look lives in ``templates/typst/reportkit.typ`` (sizes, margins, rules, spaces); this
module writes the document as calls to its functions, one per block. Every piece of text goes
in as a Typst string literal (``"…"``, only ``\\`` and ``"`` escaped), never as markup, so no
character of a campaign's text (``#``, ``*``, ``_``, ``$``, ``<``, ``@``, ``=``, ``-`` at a line's
start …) can change the layout or run code. Images are files beside the source: the charts'
SVG (their text set in the shipped face) and the photos' JPEG, named by their order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib.resources import files

from ..fonts import FAMILY
from .model import (
    AppendixHeading,
    Block,
    Cell,
    Chart,
    Closing,
    Column,
    Document,
    Header,
    Heading,
    PageBreak,
    Paragraph,
    Photos,
    Recipient,
    Signature,
    Table,
    Text,
    Title,
    UnitNote,
    plain,
)

__all__ = ["TypstSource", "svg_for_typst", "to_typst", "typst_source"]

#: The name the shipped face has for Typst, which reads it from the font files; the charts'
#: SVG names it :data:`reportkit.fonts.FAMILY`, as the HTML page declares it.
_TYPST_FAMILY = "Liberation Serif"

#: A word with inner hyphens ("chính-Viễn", "Thể thao-Du lịch" has none): kept on one line,
#: as the HTML page keeps it.
_HYPHENATED = re.compile(r"(\w+(?:-\w+)+)")


@dataclass
class TypstSource:
    """A document as Typst: the main source and the files it reads, by name."""

    main: str
    files: dict[str, bytes] = field(default_factory=dict)


def template() -> str:
    """The look of every document: ``templates/typst/reportkit.typ``."""
    return (files("reportkit") / "templates" / "typst" / "reportkit.typ").read_text(encoding="utf-8")


def to_typst(document: Document) -> str:
    """``document`` as one Typst source: the template, then the document's blocks.

    Compile it in a folder holding the images it names (:func:`typst_source` gives both).
    """
    return typst_source(document).main


def typst_source(document: Document) -> TypstSource:
    """``document`` as Typst: the source (:func:`to_typst`) and the images it reads."""
    writer = _Writer()
    lines = [
        template(),
        "// --- the document " + "-" * 74,
        f"#show: rk-document.with(title: {_string(_title(document))}, author: {_string(document.agency)})",
    ]
    for index, part in enumerate(document.parts):
        if index:
            lines.append("#rk-part()")
        lines.extend("#" + writer.block(block) for block in part.blocks)
    return TypstSource("\n".join(lines) + "\n", writer.files)


def _title(document: Document) -> str:
    """The PDF's title, which PDF/UA requires: the document's, else its summary line, its type
    or its kind."""
    if document.title.strip():
        return document.title
    title = next((block for block in document.blocks() if isinstance(block, Title)), None)
    if title is not None:
        return plain(title.summary).strip() or title.doc_type
    return document.kind


# --- text ------------------------------------------------------------------------------------


def svg_for_typst(svg: str) -> str:
    """A chart's SVG with its text naming the shipped face as Typst knows it."""
    return svg.replace(FAMILY, _TYPST_FAMILY)


def _string(text: str) -> str:
    """``text`` as a Typst string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\n", "\\n")
    return f'"{escaped}"'


def _plain(text: str) -> str:
    """Unstyled text as a Typst expression, its hyphenated words kept whole."""
    pieces = _HYPHENATED.split(text)
    if len(pieces) == 1:
        return _string(text)
    return (
        "["
        + "".join(
            f"#rk-nobr({_string(piece)})" if index % 2 else f"#{_string(piece)}"
            for index, piece in enumerate(pieces)
            if piece
        )
        + "]"
    )


def _text(runs: Text | str) -> str:
    """Runs (or a plain string) as a Typst content expression."""
    if isinstance(runs, str):
        return _plain(runs)
    pieces = []
    for run in runs:
        if not run.text:
            continue
        expression = _plain(run.text)
        if run.italic:
            expression = f"emph({expression})"
        if run.bold:
            expression = f"strong({expression})"
        pieces.append(expression)
    if len(pieces) == 1:
        return pieces[0]
    return "[" + "".join("#" + piece for piece in pieces) + "]"


def _array(items: list[str]) -> str:
    """Typst expressions as an array (a trailing comma makes a one-item array)."""
    return "(" + "".join(f"{item}, " for item in items) + ")"


# --- blocks ----------------------------------------------------------------------------------


class _Writer:
    """Writes blocks as template calls, collecting the images they show."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def _file(self, stem: str, suffix: str, data: bytes) -> str:
        name = f"{stem}-{sum(1 for name in self.files if name.startswith(stem)) + 1}.{suffix}"
        self.files[name] = data
        return _string(name)

    def block(self, block: Block) -> str:
        method = getattr(self, "_" + type(block).__name__.lower())
        return method(block)

    def _header(self, block: Header) -> str:
        superior = [_string(line.strip()) for line in block.superior.splitlines() if line.strip()]
        agency = [_string(line.strip()) for line in block.agency.splitlines() if line.strip()]
        return (
            f"rk-header(superior: {_array(superior)}, agency: {_array(agency)}, "
            f"number: {_string(block.number)}, place-date: {_string(block.place_date)})"
        )

    def _title(self, block: Title) -> str:
        return f"rk-title({_string(block.doc_type)}, {_text(block.summary)})"

    def _recipient(self, block: Recipient) -> str:
        return f"rk-recipient({_text(block.to)})"

    def _paragraph(self, block: Paragraph) -> str:
        lead = f", lead: {_text(block.lead)}" if block.lead else ""
        return f"rk-paragraph({_text(block.text)}, style: {_string(block.style)}{lead})"

    def _heading(self, block: Heading) -> str:
        return f"rk-heading({block.level}, {_string(block.label)}, {_text(block.text)})"

    def _table(self, block: Table) -> str:
        columns = [f"{column.width:g}%" if column.width is not None else "auto" for column in block.columns]
        rows = [_array(_cells(block.columns, row)) for row in block.rows]
        total = _array(_cells(block.columns, block.total)) if block.total else "none"
        labels = [_string(column.label) for column in block.columns]
        return (
            f"rk-table(columns: {_array(columns)}, labels: {_array(labels)}, "
            f"rows: {_array(rows)}, total: {total}, style: {_string(block.style)})"
        )

    def _unitnote(self, block: UnitNote) -> str:
        return f"rk-unit-note({_string(block.unit)})"

    def _chart(self, block: Chart) -> str:
        svg = svg_for_typst(block.svg)
        return f"rk-chart({self._file('chart', 'svg', svg.encode('utf-8'))}, {_string(block.title)})"

    def _photos(self, block: Photos) -> str:
        photos = []
        for photo in block.items:
            video = f", video: {_string(photo.video)}" if photo.video else ""
            jpeg = self._file("photo", "jpg", photo.jpeg)
            photos.append(f"rk-photo({jpeg}, {_string(photo.caption)}{video})")
        return f"rk-photos({', '.join(photos)})"

    def _appendixheading(self, block: AppendixHeading) -> str:
        titles = [_text(title) for title in block.titles]
        label = _string(block.label) if block.label else "none"
        note = _string(block.note) if block.note else "none"
        return f"rk-appendix-heading(titles: {_array(titles)}, label: {label}, note: {note})"

    def _closing(self, block: Closing) -> str:
        paragraphs = "".join(", " + self._paragraph(paragraph) for paragraph in block.paragraphs)
        return f"rk-closing({self._signature(block.signature)}{paragraphs})"

    def _signature(self, block: Signature) -> str:
        title = _string(block.title) if block.title else "none"
        recipients = [_string(recipient) for recipient in block.recipients]
        return (
            f"rk-signature(recipients: {_array(recipients)}, authority: {_string(block.authority)}, "
            f"title: {title}, name: {_string(block.name)})"
        )

    def _pagebreak(self, block: PageBreak) -> str:
        return "pagebreak()"


def _cells(columns: tuple[Column, ...], cells: tuple[Cell, ...]) -> list[str]:
    """A row's cells as ``(text, how)``, each sitting as it says or as its column. A cell's
    text may break after any hyphen, as on the HTML page."""
    return [
        f"({_string(cell.text)}, {_string(cell.align or column.align)})"
        for column, cell in zip(columns, cells, strict=True)
    ]
