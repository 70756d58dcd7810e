"""The building blocks of a Decree-30 document, for notebooks to compose their own.

Each function returns nodes of the document model (:mod:`reportkit.document.model`): the
same tree the plan and the report are made of, so a document of your own looks like them on
the page, in the PDF and in Word. :func:`reportkit.document.compose` puts the pieces together
into a :class:`~reportkit.document.model.Document`, the notebook's last output::

    from reportkit import blocks as b
    from reportkit.document import compose

    compose(
        "notice",
        title="Về việc treo băng rôn",
        body=[
            b.header(config.agency, b.number(3, "TB", "STTTT"), b.place_date("Phú Yên", "2021-05-10")),
            b.title("THÔNG BÁO", "Về việc treo băng rôn"),
            b.recipient("Các phòng, đơn vị thuộc Sở"),
            b.paragraphs("Sở Thông tin và Truyền thông thông báo ..."),
            b.closing("", config.signer, ["Như trên", "Lưu: VT"]),
        ],
    )

Text given to a block is text: the only markup it may carry is ``*italic*`` and ``**bold**``,
and in :func:`paragraphs` one line is one paragraph. A function that makes several blocks
(:func:`paragraphs`, :func:`basis`, :func:`sections`) returns a tuple of them; ``compose``
takes blocks and tuples of blocks alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import vn
from .document import model as m
from .document.model import inline

__all__ = [
    "TOTAL",
    "Column",
    "appendix_heading",
    "basis",
    "chart",
    "closing",
    "header",
    "inline",
    "number",
    "page_break",
    "paragraphs",
    "part_heading",
    "photos",
    "place_date",
    "punctuate",
    "recipient",
    "section_heading",
    "sections",
    "signature",
    "table",
    "title",
    "unit_note",
]

#: The label of a table's total row.
TOTAL = "Tổng cộng"

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")

#: The cell classes :class:`Column` takes (as the HTML names them) and the model's alignments.
_ALIGN = {None: "left", "rk-number-cell": "number", "rk-center": "center", "rk-evidence": "evidence"}


class _Text:
    """Fills ``{placeholders}`` from ``values`` (if any), then makes runs (:func:`inline`).

    The campaign's loader has already refused unknown placeholders in campaign.yaml, so every
    name there is in ``values``.
    """

    def __init__(self, values: Mapping[str, str] | None = None):
        self.values = values

    def fill(self, text: str) -> str:
        if self.values is None:
            return text
        return re.sub(r"\{(\w+)\}", lambda match: self.values[match.group(1)], text)

    def inline(self, text: str) -> m.Text:
        return inline(self.fill(text))

    def paragraphs(self, text: str) -> tuple[m.Paragraph, ...]:
        return tuple(m.Paragraph(self.inline(line)) for line in text.splitlines() if line.strip())


def _plain(text: str) -> m.Text:
    """Text shown as written (no ``*`` markup), such as a figure's sentence or a name."""
    return (m.Run(str(text)),)


def punctuate(items: Iterable[str], between: str = ";", last: str = ".") -> list[str]:
    """Recipients and legal bases end with ';' and the last with '.' (Decree 30)."""
    stripped = [item.rstrip(" ;.") for item in items]
    return [item + (last if i == len(stripped) - 1 else between) for i, item in enumerate(stripped)]


def paragraphs(text: str) -> tuple[m.Paragraph, ...]:
    """Body paragraphs, one per line of ``text``: justified, first line indented 1 cm."""
    return _Text().paragraphs(text)


# --- the header and the title ---------------------------------------------------------------


def number(value: int | None, kind: str, abbreviation: str) -> str:
    """``Số: 05/KH-STTTT`` (:func:`reportkit.vn.doc_number`); ``None`` leaves a blank."""
    return vn.doc_number(value, kind, abbreviation)


def place_date(place: str, issued_on: str | Any | None, year: int | None = None) -> str:
    """``Phú Yên, ngày 07 tháng 5 năm 2021``; ``2021-05`` leaves the day blank, ``None`` the
    day and month of ``year``."""
    issued = vn.IssueDate.parse(issued_on) if issued_on is not None else vn.IssueDate(year)
    return vn.place_date(place, issued)


def header(agency: Any, number: str, place_date: str) -> m.Header:
    """The two-column header: the superior agency and the issuing agency (with its short
    line), the national name and motto; then the number and the place and date.

    Parameters
    ----------
    agency
        An object with ``superior`` (empty for an agency with none above it, such as a
        ministry) and ``header`` (the issuing agency in upper case; a line break where it
        wraps), like ``campaign.config.agency``.
    number, place_date
        :func:`number` and :func:`place_date`.
    """
    return m.Header(agency.superior or "", agency.header, number, place_date)


def title(doc_type: str, summary: str) -> m.Title:
    """The document's type in capitals (``KẾ HOẠCH``, ``BÁO CÁO``, ``THÔNG BÁO``) and its summary
    line (trích yếu) with the short line under it."""
    return m.Title(doc_type, inline(summary))


def recipient(to: str) -> m.Recipient:
    """``Kính gửi: …`` centred under the title (the full stop is added)."""
    return m.Recipient(inline(to.rstrip(" .")))


def basis(lines: Iterable[str]) -> tuple[m.Paragraph, ...]:
    """The legal basis (Căn cứ…, Thực hiện…) in italics, one paragraph each, ';' between."""
    return tuple(m.Paragraph(inline(line), "basis") for line in punctuate(lines))


# --- sections and parts ---------------------------------------------------------------------


def section_heading(number: int, heading: str) -> m.Heading:
    """A section heading with its Roman number: ``section_heading(2, "KẾT QUẢ")`` is ``II. KẾT QUẢ``."""
    return m.Heading(2, f"{_ROMAN[number - 1]}.", inline(heading))


def part_heading(number: int, heading: str) -> m.Heading:
    """A part heading within a section: ``1. Mục đích``."""
    return m.Heading(3, f"{number}.", inline(heading))


def _headed(level: int, label: str, part: Any, text: _Text) -> tuple:
    body = text.paragraphs(part.body)
    heading = text.inline(part.heading)
    if part.run_in and body:
        lead = (m.Run(f"{label} ", bold=True), *(_bold(run) for run in heading))
        return (m.Paragraph(body[0].text, "body", lead), *body[1:])
    return (m.Heading(level, label, heading), *body)


def _bold(run: m.Run) -> m.Run:
    return m.Run(run.text, bold=True, italic=run.italic)


def sections(items: Sequence[Any], values: Mapping[str, str] | None = None) -> tuple:
    """Sections I, II, … each with its body and parts 1., 2., …

    ``items`` are :class:`reportkit.campaign.Section` models (or objects with ``heading``,
    ``body``, ``run_in`` and ``parts`` of the same shape), as ``campaign.yaml`` gives them;
    ``values`` fills ``{placeholders}`` in their text.
    """
    text = _Text(values)
    out: list = []
    for index, section in enumerate(items):
        out.extend(_headed(2, f"{_ROMAN[index]}.", section, text))
        for number, part in enumerate(section.parts, start=1):
            out.extend(_headed(3, f"{number}.", part, text))
    return tuple(out)


# --- tables and charts ----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A table column.

    Parameters
    ----------
    label
        Its heading.
    value
        The key of a row (a mapping, or an object's attribute), or a function of the row.
    css_class
        ``rk-number-cell`` (right-aligned, never broken), ``rk-center``, ``rk-evidence`` (a file
        name, broken anywhere), or None (left).
    format
        Turns a value that is not text into text, e.g. :func:`reportkit.vn.format_vnd`;
        an empty value (None) is an empty cell.
    total
        The column's cell in the total row: ``"sum"`` adds the values up, a function of the
        rows gives it, text is written centred (``TOTAL`` for the label), None leaves it empty.
    width
        Percent of the text width; columns without one share what is left.
    """

    label: str
    value: str | Callable[[Any], Any]
    css_class: str | None = None
    format: Callable[[Any], str] | None = None
    total: str | Callable[[Sequence[Any]], Any] | None = None
    width: float | None = None

    def of(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        return row[self.value] if isinstance(row, Mapping) else getattr(row, self.value)

    def text(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, str) or self.format is None:
            return str(value)
        return self.format(value)

    @property
    def align(self) -> str:
        return _ALIGN[self.css_class]


def table(
    columns: Sequence[Column],
    rows: Sequence[Any],
    *,
    numbered: bool = True,
    total: bool = True,
    style: str = "report",
) -> m.Table:
    """A table with thin rules, its header repeated on each page, and a total row.

    Parameters
    ----------
    columns
        The columns (:class:`Column`), after the row number.
    rows
        Mappings or objects, one per row.
    numbered
        Start with an ``STT`` column numbering the rows (7% wide).
    total
        End with a bold total row (each column's ``total``).
    style
        ``report`` (11 pt), ``budget`` (the plan's estimate) or ``activities`` (10 pt).
    """
    own = [(c, False) for c in columns]
    plan = [(Column("STT", "", "rk-center", width=7), True), *own] if numbered else own
    body = tuple(
        tuple(m.Cell(str(index) if is_index else c.text(c.of(row)), c.align) for c, is_index in plan)
        for index, row in enumerate(rows, start=1)
    )
    last = None
    if total:
        cells = []
        for c, is_index in plan:
            if is_index or c.total is None:
                cells.append(m.Cell("", "left"))
            elif c.total == "sum":
                cells.append(m.Cell(c.text(sum(c.of(row) or 0 for row in rows)), c.align))
            elif isinstance(c.total, str):
                cells.append(m.Cell(c.total, "center"))
            else:
                cells.append(m.Cell(c.text(c.total(rows)), c.align))
        last = tuple(cells)
    return m.Table(tuple(m.Column(c.label, c.width, c.align) for c, _ in plan), body, last, style)


def unit_note(unit: str = "Đồng") -> m.UnitNote:
    """``Đơn vị tính: Đồng`` above a table, on the right."""
    return m.UnitNote(unit)


def chart(c: Any) -> m.Chart:
    """A chart (:class:`reportkit.charts.Chart`) as a vector figure with its caption; Word's
    PNG is drawn from it when a .docx is written, not here."""
    return m.Chart(c.title, c.svg, raster_id=c.raster_id)


def photos(items: Sequence[Mapping[str, Any]]) -> m.Photos:
    """Photos two to a row, each ``{"jpeg": bytes, "caption": …}`` (or ``"src"``, a ``data:``
    URL); an item with
    ``"video": "<file name>, thời lượng …"`` is a video's still frame, captioned so."""
    return m.Photos(tuple(m.Photo(_jpeg(item), item["caption"], item.get("video", "")) for item in items))


def _jpeg(item: Mapping[str, Any]) -> bytes:
    """An item's JPEG: ``jpeg`` bytes, or a ``src`` data URL as blocks took before the model."""
    if "jpeg" in item:
        return item["jpeg"]
    import base64

    return base64.b64decode(item["src"].split(",", 1)[1])


def page_break() -> m.PageBreak:
    """The next block starts a new page."""
    return m.PageBreak()


# --- appendices and the end -----------------------------------------------------------------


def appendix_heading(
    *titles: str, label: str | None = None, note: str | None = None, attachment: bool = False
) -> m.AppendixHeading:
    """The head of an appendix: its label (``Phụ lục I``), its title lines in bold, centred,
    and what it is attached to, in brackets (``Kèm theo Kế hoạch số …``).

    ``attachment=True`` styles the title as an attached table's (the plan's budget estimate).
    """
    return m.AppendixHeading(tuple(inline(t) for t in titles), label, note, attachment)


def signature(signer: Any, recipients: Iterable[str]) -> m.Signature:
    """Nơi nhận (``;`` between, ``.`` at the end) beside the signature block.

    ``signer`` has ``authority`` (``GIÁM ĐỐC``, ``KT. GIÁM ĐỐC``), ``title`` (or None) and
    ``name``, like ``campaign.config.signer``.
    """
    return m.Signature(signer.authority, signer.name, tuple(punctuate(recipients)), signer.title or None)


def closing(text: str, signer: Any, recipients: Iterable[str]) -> m.Closing:
    """The closing paragraphs kept on the page of the signature, then :func:`signature`."""
    return m.Closing(_Text().paragraphs(text), signature(signer, recipients))
