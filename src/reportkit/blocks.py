"""The building blocks of a Decree-30 document, for notebooks to compose their own.

Each function returns a piece of safe HTML (:class:`markupsafe.Markup`) drawn by the same
Jinja macros (``templates/document/_macros.html.j2``) that lay out the plan and the report,
so a document of your own looks like them on the page, in the PDF and in Word.
:func:`reportkit.document.compose` puts the pieces together into a
:class:`~reportkit.document.Document`, the notebook's last output::

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

Text given to a block is escaped; the only markup it may carry is ``*italic*`` and
``**bold**``, and in :func:`paragraphs` one line is one paragraph. A block's pieces that are
:class:`~markupsafe.Markup` already are kept as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import jinja2
from markupsafe import Markup, escape

from . import vn

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


def _percent(part: float, whole: float) -> float:
    from .coverage import percent  # pandas, only when a template needs it

    return percent(part, whole)


@cache
def environment() -> jinja2.Environment:
    """The Jinja environment of the document templates: autoescaped, strict, with
    reportkit's filters (``vnd``, ``quantity``, ``percent``, ``roman``, ``lines``)."""
    templates = files("reportkit") / "templates" / "document"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["percent_of"] = _percent
    env.globals["css"] = Markup((templates / "document.css").read_text(encoding="utf-8"))
    env.filters.update(
        vnd=vn.format_vnd,
        quantity=vn.format_quantity,
        roman=lambda i: _ROMAN[i],
        percent=vn.format_percent,
        lines=lambda text: Markup("<br>").join(escape(line.strip()) for line in text.splitlines()),
    )
    return env


def _macro(name: str) -> Callable[..., Markup]:
    return getattr(environment().get_template("_macros.html.j2").module, name)


def _render(name: str, *args: Any) -> Markup:
    return Markup(str(_macro(name)(*args)))


# --- text ------------------------------------------------------------------------------------


def inline(text: str) -> Markup:
    """``text`` as safe HTML: escaped, with ``*italic*`` and ``**bold**``."""
    if isinstance(text, Markup):
        return text
    html = str(escape(text))
    # WeasyPrint can break a justified line right after a leading "- " when a word with an
    # inner hyphen ("chính-Viễn") is followed by an inline element; keep such words whole.
    html = re.sub(r"(\w+(?:-\w+)+)", r'<span class="rk-nobr">\1</span>', html)
    html = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html)
    html = re.sub(r"\*(.+?)\*", r"<em>\1</em>", html)
    return Markup(html)


class _Text:
    """Fills ``{placeholders}`` from ``values`` (if any), then makes safe HTML (:func:`inline`).

    The macros take one of these for the text of sections; the campaign's loader has already
    refused unknown placeholders in campaign.yaml, so every name there is in ``values``.
    """

    def __init__(self, values: Mapping[str, str] | None = None):
        self.values = values

    def fill(self, text: str) -> str:
        if self.values is None:
            return text
        return re.sub(r"\{(\w+)\}", lambda match: self.values[match.group(1)], text)

    def inline(self, text: str) -> Markup:
        return inline(self.fill(text))

    def paragraphs(self, text: str) -> list[Markup]:
        return [self.inline(line) for line in text.splitlines() if line.strip()]


def punctuate(items: Iterable[str], between: str = ";", last: str = ".") -> list[str]:
    """Recipients and legal bases end with ';' and the last with '.' (Decree 30)."""
    stripped = [item.rstrip(" ;.") for item in items]
    return [item + (last if i == len(stripped) - 1 else between) for i, item in enumerate(stripped)]


def paragraphs(text: str) -> Markup:
    """Body paragraphs, one per line of ``text``: justified, first line indented 1 cm."""
    return _render("body", _Text().paragraphs(text))


# --- the header and the title ---------------------------------------------------------------


def number(value: int | None, kind: str, abbreviation: str) -> str:
    """``Số: 05/KH-STTTT`` (:func:`reportkit.vn.doc_number`); ``None`` leaves a blank."""
    return vn.doc_number(value, kind, abbreviation)


def place_date(place: str, issued_on: str | Any | None, year: int | None = None) -> str:
    """``Phú Yên, ngày 07 tháng 5 năm 2021``; ``2021-05`` leaves the day blank, ``None`` the
    day and month of ``year``."""
    issued = vn.IssueDate.parse(issued_on) if issued_on is not None else vn.IssueDate(year)
    return vn.place_date(place, issued)


def header(agency: Any, number: str, place_date: str) -> Markup:
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
    return _render("header", agency, number, place_date)


def title(doc_type: str, summary: str) -> Markup:
    """The document's type in capitals (``KẾ HOẠCH``, ``BÁO CÁO``, ``THÔNG BÁO``) and its summary
    line (trích yếu) with the short line under it."""
    return _render("title", doc_type, summary)


def recipient(to: str) -> Markup:
    """``Kính gửi: …`` centred under the title (the full stop is added)."""
    return _render("recipient", inline(to.rstrip(" .")))


def basis(lines: Iterable[str]) -> Markup:
    """The legal basis (Căn cứ…, Thực hiện…) in italics, one paragraph each, ';' between."""
    return _render("basis", [inline(line) for line in punctuate(lines)])


# --- sections and parts ---------------------------------------------------------------------


def section_heading(number: int, heading: str) -> Markup:
    """A section heading with its Roman number: ``section_heading(2, "KẾT QUẢ")`` is ``II. KẾT QUẢ``."""
    return _render("heading", 2, f"{_ROMAN[number - 1]}.", inline(heading))


def part_heading(number: int, heading: str) -> Markup:
    """A part heading within a section: ``1. Mục đích``."""
    return _render("heading", 3, f"{number}.", inline(heading))


def sections(items: Sequence[Any], values: Mapping[str, str] | None = None) -> Markup:
    """Sections I, II, … each with its body and parts 1., 2., …

    ``items`` are :class:`reportkit.campaign.Section` models (or objects with ``heading``,
    ``body``, ``run_in`` and ``parts`` of the same shape), as ``campaign.yaml`` gives them;
    ``values`` fills ``{placeholders}`` in their text.
    """
    return _render("sections", items, _Text(values))


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
        ``rk-number-cell`` (right-aligned, never broken), ``rk-center``, or None (left).
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

    def text(self, value: Any) -> Any:
        if value is None or isinstance(value, str) or self.format is None:
            return "" if value is None else value
        return self.format(value)


def _numbered(index_column: bool, columns: Sequence[Column]) -> list[tuple[Column, bool]]:
    """The columns, after an STT column when ``index_column``; True marks that one."""
    own = [(c, False) for c in columns]
    return [(Column("STT", "", "rk-center", width=7), True), *own] if index_column else own


def table(
    columns: Sequence[Column],
    rows: Sequence[Any],
    *,
    numbered: bool = True,
    total: bool = True,
    css_class: str = "rk-report-table",
) -> Markup:
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
    css_class
        The table's class besides ``rk-table``: ``rk-report-table`` (11 pt), ``rk-budget``…
    """
    plan = _numbered(numbered, columns)
    body = [
        [(c.css_class, str(index) if is_index else c.text(c.of(row))) for c, is_index in plan]
        for index, row in enumerate(rows, start=1)
    ]
    last = None
    if total:
        last = []
        for c, is_index in plan:
            if is_index or c.total is None:
                last.append((None, ""))
            elif c.total == "sum":
                last.append((c.css_class, c.text(sum(c.of(row) or 0 for row in rows))))
            elif isinstance(c.total, str):
                last.append(("rk-center", c.total))
            else:
                last.append((c.css_class, c.text(c.total(rows))))
    widths = [c.width for c, _ in plan]
    return _render("table", f"rk-table {css_class}", widths, [c.label for c, _ in plan], body, last)


def unit_note(unit: str = "Đồng") -> Markup:
    """``Đơn vị tính: Đồng`` above a table, on the right."""
    return _render("unit_note", unit)


def chart(c: Any) -> Markup:
    """A chart (:class:`reportkit.charts.Chart`) as an SVG figure with its caption; the Word
    copy takes its PNG twin."""
    return _render("chart", c)


def photos(items: Sequence[Mapping[str, str]]) -> Markup:
    """Photos two to a row, each ``{"src": "data:image/jpeg;base64,…", "caption": …}``; an item
    with ``"video": "<file name>, thời lượng …"`` is a video's still frame, captioned so."""
    return _render("photos", items)


# --- appendices and the end -----------------------------------------------------------------


def appendix_heading(
    *titles: str, label: str | None = None, note: str | None = None, attachment: bool = False
) -> Markup:
    """The head of an appendix: its label (``Phụ lục I``), its title lines in bold, centred,
    and what it is attached to, in brackets (``Kèm theo Kế hoạch số …``).

    ``attachment=True`` styles the title as an attached table's (the plan's budget estimate).
    """
    css = "rk-attachment-title" if attachment else "rk-appendix-title"
    return _render("appendix_heading", [inline(t) for t in titles], label, note, css)


# --- the end --------------------------------------------------------------------------------


def signature(signer: Any, recipients: Iterable[str]) -> Markup:
    """Nơi nhận (``;`` between, ``.`` at the end) beside the signature block.

    ``signer`` has ``authority`` (``GIÁM ĐỐC``, ``KT. GIÁM ĐỐC``), ``title`` (or None) and
    ``name``, like ``campaign.config.signer``.
    """
    return _render("signature", signer, punctuate(recipients))


def closing(text: str, signer: Any, recipients: Iterable[str]) -> Markup:
    """The closing paragraphs kept on the page of the signature, then :func:`signature`."""
    return _render("closing", _Text().paragraphs(text), signer, punctuate(recipients))
