"""Lay a document out in Word: the HTML the PDF comes from, written as a .docx by python-docx.

A document's HTML (``templates/document``) speaks a small vocabulary of ``rk-*`` classes. This
module is its style sheet for Word: each class becomes a Word paragraph style named after the
Decree-30 element it is ("Tên loại văn bản", "Nơi nhận", …), so the office can retouch every
heading or recipient at once, and each part of the document becomes a Word section on A4 with
the decree's margins and a page number at the top from its second page. The two-column
header, the signature block and the photo sheet are tables without borders; the lines under
the agency's name, the motto and the summary are paragraph borders measured on the text.

Charts come from the PNG copies the document carries (``Document.rasters``): python-docx
cannot give Word an SVG. Photos come from the HTML's ``data:`` images. Nothing is fetched.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from .exceptions import ReportkitError
from .i18n import _

__all__ = ["DOCX_MIMETYPE", "LOOKS", "Look", "write_docx"]

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

#: The page (Decree 30, Appendix I), in millimetres, as document.css sets it for print.
PAGE_MM = {"width": 210, "height": 297, "top": 20, "bottom": 20, "left": 30, "right": 15, "header": 10}
TEXT_WIDTH_PT = (PAGE_MM["width"] - PAGE_MM["left"] - PAGE_MM["right"]) / 25.4 * 72
FONT = "Times New Roman"
LANGUAGE = "vi-VN"


@dataclass(frozen=True)
class Look:
    """How one class of the document's HTML looks in Word; the values are document.css's.

    ``line`` is the line height in font sizes, like CSS ``line-height``; Word takes it as
    "at least", so an image on the line still fits.
    """

    style: str
    size: float = 14
    bold: bool = False
    italic: bool = False
    align: str = "left"
    indent_cm: float = 0
    before_pt: float = 0
    after_pt: float = 0
    keep_with_next: bool = False
    line: float = 1.25
    outline: int | None = None  # a heading's level, for Word's navigation pane


#: Word paragraph styles by HTML class. A paragraph takes the look of its last class found
#: here, so ``rk-body rk-basis`` is a legal basis and ``rk-appendix-title rk-photos-title`` the
#: photos' title.
LOOKS: dict[str, Look] = {
    "rk-superior": Look("Cơ quan chủ quản", size=13, align="center"),
    "rk-agency": Look("Cơ quan ban hành", size=13, bold=True, align="center"),
    "rk-nation": Look("Quốc hiệu", size=12, bold=True, align="center"),
    "rk-motto": Look("Tiêu ngữ", size=13, bold=True, align="center"),
    "rk-number": Look("Số, ký hiệu", size=13, align="center", before_pt=8),
    "rk-place-date": Look("Địa danh, ngày tháng", italic=True, align="center", before_pt=8),
    "rk-type": Look("Tên loại văn bản", bold=True, align="center", before_pt=12, keep_with_next=True),
    "rk-summary": Look("Trích yếu", bold=True, align="center", keep_with_next=True),
    "rk-to": Look("Kính gửi", align="center", after_pt=6),
    "rk-basis": Look("Căn cứ", italic=True, align="justify", indent_cm=1, before_pt=6),
    "rk-body": Look("Nội dung", align="justify", indent_cm=1, before_pt=6),
    "rk-heading-2": Look(
        "Đề mục cấp 1", bold=True, align="justify", indent_cm=1, before_pt=6, keep_with_next=True, outline=1
    ),
    "rk-heading-3": Look(
        "Đề mục cấp 2", bold=True, align="justify", indent_cm=1, before_pt=6, keep_with_next=True, outline=2
    ),
    "rk-unit": Look(
        "Đơn vị tính", size=13, italic=True, align="right", before_pt=6, after_pt=3, keep_with_next=True
    ),
    "rk-in-words": Look("Số tiền bằng chữ", bold=True, italic=True, before_pt=6),
    "rk-recipients-label": Look("Nơi nhận", size=12, bold=True, italic=True, keep_with_next=True),
    "rk-recipient": Look("Nơi nhận - đơn vị", size=11, line=1.2, keep_with_next=True),
    "rk-authority": Look("Chức vụ người ký", bold=True, align="center", keep_with_next=True),
    "rk-signer-name": Look("Họ tên người ký", bold=True, align="center", before_pt=28 / 25.4 * 72),
    "rk-appendix-label": Look("Phụ lục - số"),
    "rk-appendix-title": Look("Phụ lục - tên", bold=True, align="center", before_pt=6, keep_with_next=True),
    "rk-attachment-title": Look("Phụ lục - tên", bold=True, align="center", before_pt=6, keep_with_next=True),
    "rk-attachment-note": Look("Phụ lục - kèm theo", italic=True, align="center"),
    "rk-photos-title": Look("Hình ảnh - tên", bold=True, align="center", before_pt=12, keep_with_next=True),
    "figcaption": Look("Chú thích hình", size=12, italic=True, align="center", before_pt=2, after_pt=4),
    "rk-photo-caption": Look("Chú thích ảnh", size=11, italic=True, align="center", after_pt=6),
    "rk-figure": Look("Hình", align="center", before_pt=8, keep_with_next=True, line=1),
    "rk-table-text": Look("Bảng - nội dung", size=13, line=1.2),
    "rk-page-number": Look("Số trang", size=13, align="center"),
    "rk-rule": Look("Đường kẻ", size=1, before_pt=2, keep_with_next=True, line=1),
}

#: Font sizes of table cells where a table's class asks for smaller type (document.css).
TABLE_SIZES = {"rk-activities": 11}
TABLE_HEAD_SIZES = {"rk-budget": 12, "rk-activities": 11}
CELL_SIZES = {"rk-evidence": 10}
#: Lines: 0.75 pt, as Word counts them in eighths of a point.
RULE = 6
#: Cell padding of the data tables: 3 pt above and below, 4 pt at the sides.
CELL_PADDING_PT = {"top": 3, "bottom": 3, "left": 4, "right": 4}
#: The agency's and the summary's line: this share of the text above it (decree: 1/3 to 1/2).
SHORT_RULE = 0.4
PHOTO_SHARE = 0.47
SIGNATURE_GAP_PT = 12


def write_docx(articles: Iterable[tuple[str, Mapping[str, bytes]]], *, title: str = "") -> bytes:
    """The .docx of one or more documents, each given as its HTML and its PNG rasters.

    Parameters
    ----------
    articles
        ``(html, rasters)`` per document, as :class:`reportkit.document.Document` holds them:
        the HTML of one ``<article class="rk-document">`` and PNG copies of its charts by the
        ``data-raster`` names its images carry.
    title
        The file's title in its properties.
    """
    import docx

    word = docx.Document()
    _set_styles(word)
    word.core_properties.title = title
    word.core_properties.created = word.core_properties.modified = dt.datetime.now(dt.UTC).replace(
        microsecond=0
    )
    word.core_properties.author = ""
    word.core_properties.last_modified_by = ""
    word.core_properties.comments = "reportkit"
    word.core_properties.language = LANGUAGE
    writer = _Writer(word)
    for html, rasters in articles:
        writer.article(html, rasters)
    if writer.parts == 0:
        raise ReportkitError(_("no document to write to Word"))
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


# --- styles ---------------------------------------------------------------------------------


def _set_styles(word) -> None:
    from docx.enum.style import WD_STYLE_TYPE

    _set_fonts(word.styles.element.find(_qn("w:docDefaults")).find(_qn("w:rPrDefault")).find(_qn("w:rPr")))
    normal = word.styles["Normal"]
    _apply(normal, Look("Normal"))
    first_class = {}
    for name, look in LOOKS.items():
        first_class.setdefault(look.style, (name, look))
    for name, look in first_class.values():
        style = word.styles.add_style(look.style, WD_STYLE_TYPE.PARAGRAPH)
        # an ASCII id after the HTML class ("rk-place-date" is "RkPlaceDate"); Word shows the name
        style.style_id = "Rk" + "".join(part.capitalize() for part in name.removeprefix("rk-").split("-"))
        style.base_style = normal
        style.quick_style = True
        _apply(style, look)
        if look.outline:
            level = _element("w:outlineLvl", val=str(look.outline - 1))
            style.element.get_or_add_pPr().insert_element_before(
                level, *_AFTER_PBDR[_AFTER_PBDR.index("w:outlineLvl") + 1 :]
            )
    for name in ("Header", "Footer"):
        _apply(word.styles[name], Look(name, size=13))


def _apply(style, look: Look) -> None:
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Cm, Pt, RGBColor

    font = style.font
    font.size = Pt(look.size)
    font.bold = look.bold
    font.italic = look.italic
    font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(style.element.get_or_add_rPr())
    paragraph = style.paragraph_format
    paragraph.alignment = _alignment(look.align)
    paragraph.first_line_indent = Cm(look.indent_cm)
    paragraph.left_indent = Cm(0)
    paragraph.space_before = Pt(look.before_pt)
    paragraph.space_after = Pt(look.after_pt)
    paragraph.keep_with_next = look.keep_with_next
    paragraph.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
    paragraph.line_spacing = Pt(round(look.size * look.line, 1))
    paragraph.widow_control = True


def _set_fonts(rpr) -> None:
    """Times New Roman for every script, Vietnamese for proofing; no theme fonts."""
    fonts = rpr.find(_qn("w:rFonts"))
    if fonts is None:
        fonts = _element("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(_qn(theme), None)
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(_qn(script), FONT)
    lang = rpr.find(_qn("w:lang"))
    if lang is None:
        lang = _element("w:lang")
        rpr.append(lang)
    lang.set(_qn("w:val"), LANGUAGE)


# --- the document's parts -------------------------------------------------------------------


class _Writer:
    """Walks the articles' HTML and writes Word sections, paragraphs, tables and pictures."""

    def __init__(self, word):
        self.word = word
        self.parts = 0
        self.rasters: Mapping[str, bytes] = {}
        self.style_ids = {look.style: word.styles[look.style].style_id for look in LOOKS.values()}

    def article(self, html: str, rasters: Mapping[str, bytes]) -> None:
        import lxml.html

        self.rasters = rasters
        root = lxml.html.fromstring(html)
        articles = [root] if root.tag == "article" else root.findall(".//article")
        for article in articles:
            for part in article.iterchildren("section"):
                self.section(part)

    def section(self, part) -> None:
        """A part of the document (the body, an appendix) on pages of its own."""
        from docx.enum.section import WD_SECTION

        section = self.word.sections[0] if self.parts == 0 else self.word.add_section(WD_SECTION.NEW_PAGE)
        _page(section, restart=self.parts > 0)
        if self.parts == 0:
            _page_number_header(section, self.word.styles)
        self.parts += 1
        for child in part.iterchildren():
            self.block(child)

    def block(self, element, keep_with_next: bool = False) -> None:
        tag, classes = element.tag, _classes(element)
        if tag == "style" or not isinstance(tag, str):
            return
        if tag == "table" and "rk-header" in classes:
            self.header(element)
        elif tag == "table" and "rk-signature" in classes:
            self.signature(element)
        elif tag == "table" and "rk-table" in classes:
            self.table(element)
        elif tag == "figure" and "rk-chart" in classes:
            self.chart(element)
        elif tag == "div" and "rk-photos" in classes:
            self.photos(element)
        elif tag == "div":
            for child in element.iterchildren():
                self.block(child, keep_with_next=keep_with_next or "rk-closing" in classes)
        elif tag in ("p", "h1", "h2", "h3"):
            paragraph = self.paragraph(self.word, element)
            if "rk-summary" in classes:
                self.short_rule(self.word, _text(element), LOOKS["rk-summary"], TEXT_WIDTH_PT, after_pt=12)
            if keep_with_next:
                paragraph.paragraph_format.keep_with_next = True
        else:
            raise ReportkitError(
                _("the Word writer does not know <{tag} class={classes}>").format(
                    tag=tag, classes=repr(" ".join(classes))
                )
            )

    def paragraph(self, container, element, look: Look | None = None):
        """One paragraph of text with its bold, italic and line breaks."""
        paragraph = self.new_paragraph(container, look or _look(element))
        _runs(paragraph, element)
        return paragraph

    def new_paragraph(self, container, look: Look):
        """A paragraph in the body or a cell; a new cell's own empty paragraph is used first."""
        if hasattr(container, "_tc") and len(container.paragraphs) == 1:
            paragraph = container.paragraphs[0]
            if paragraph._p.pPr is not None or paragraph.runs:
                paragraph = container.add_paragraph()
        else:
            paragraph = container.add_paragraph()
        # by id: python-docx looks a style object up among all styles each time
        paragraph._p.style = self.style_ids[look.style]
        return paragraph

    def header(self, element) -> None:
        """Agency and number on the left, national title, motto, place and date on the right."""
        rows = element.findall(".//tr")
        widths = [TEXT_WIDTH_PT * 0.43, TEXT_WIDTH_PT * 0.57]
        table = _table(self.word, len(rows), 2, widths, borders=False, padding=False)
        for r, row in enumerate(rows):
            for c, td in enumerate(row.findall("td")):
                cell = _cells(table.rows[r])[c]
                blocks = [child for child in td.iterchildren() if isinstance(child.tag, str)]
                if not blocks:  # the number, or the place and date, written in the cell itself
                    self.paragraph(cell, td)
                for block in blocks:
                    paragraph = self.paragraph(cell, block)
                    classes = _classes(block)
                    if "rk-agency" in classes:
                        self.short_rule(cell, _text(block), LOOKS["rk-agency"], widths[c])
                    if "rk-motto" in classes:
                        _underline_as_long_as_text(paragraph, _text(block), LOOKS["rk-motto"], widths[c])

    def short_rule(self, container, text: str, look: Look, width_pt: float, after_pt: float = 0) -> None:
        """A short solid line under a block of text, centred, a share of its longest line."""
        from docx.shared import Pt

        longest = min(width_pt, max(_text_width(line, look) for line in text.split("\n")))
        rule = self.new_paragraph(container, LOOKS["rk-rule"])
        _border(rule, "top")
        _centre_within(rule, width_pt, longest * SHORT_RULE)
        rule.paragraph_format.space_after = Pt(after_pt)

    def signature(self, element) -> None:
        """Nơi nhận on the left and the signing authority on the right, side by side."""
        from docx.shared import Pt

        cells = element.findall(".//td")
        table = _table(self.word, 1, 2, [TEXT_WIDTH_PT / 2] * 2, borders=False, padding=False)
        _row_properties(table.rows[0], repeat=False)
        for cell, td in zip(_cells(table.rows[0]), cells, strict=True):
            for block in td.iterchildren():
                if isinstance(block.tag, str) and "rk-sign-space" not in _classes(block):
                    self.paragraph(cell, block)
            cell.paragraphs[0].paragraph_format.space_before = Pt(SIGNATURE_GAP_PT)

    def table(self, element) -> None:
        """A data table: thin rules, a repeated header row, numbers on the right."""
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
        from docx.shared import Pt

        rows = element.findall(".//tr")
        grid = [[_TableCell.of(td, element, row) for td in row.iterchildren("th", "td")] for row in rows]
        columns = max(len(cells) for cells in grid)
        table = _table(self.word, len(rows), columns, _column_widths(_column_shares(element, columns), grid))
        for r, (row, cells) in enumerate(zip(rows, grid, strict=True)):
            _row_properties(table.rows[r], repeat=row.getparent().tag == "thead")
            for cell, spec in zip(_cells(table.rows[r]), cells, strict=False):
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                paragraph = self.paragraph(cell, spec.element, LOOKS["rk-table-text"])
                paragraph.alignment = _alignment(spec.align)
                paragraph.paragraph_format.line_spacing = Pt(round(spec.size * 1.2, 1))
                for run in paragraph.runs:
                    run.font.size = Pt(spec.size)
                    if spec.bold:
                        run.font.bold = True

    def chart(self, element) -> None:
        """A chart at the width of the text, from its PNG copy, with its caption."""
        from docx.shared import Pt

        image = element.find(".//img")
        name = image.get("data-raster")
        png = self.rasters.get(name) if name else None
        if png is None:
            raise ReportkitError(
                _(
                    "the chart {chart} has no PNG copy for Word: the notebook ran in a build without "
                    "docx, or with an older reportkit; build it with --to docx, or run it again in JupyterLab"
                ).format(chart=repr(image.get("alt", "")))
            )
        figure = self.new_paragraph(self.word, LOOKS["rk-figure"])
        figure.add_run().add_picture(io.BytesIO(png), width=Pt(TEXT_WIDTH_PT))
        caption = element.find(".//figcaption")
        if caption is not None:
            self.paragraph(self.word, caption, LOOKS["figcaption"])

    def photos(self, element) -> None:
        """Photos two to a row, each with its caption, in a table without rules."""
        from docx.shared import Pt

        figures = element.findall(".//figure")
        rows = (len(figures) + 1) // 2
        table = _table(self.word, rows, 2, [TEXT_WIDTH_PT / 2] * 2, borders=False, padding=False)
        for row in table.rows:
            _row_properties(row, repeat=False)
        if len(figures) % 2:  # the last photo alone, centred as on the page
            last = _cells(table.rows[-1])
            last[0].merge(last[1])
        for i, figure in enumerate(figures):
            cell = _cells(table.rows[i // 2])[i % 2]
            picture = self.new_paragraph(cell, LOOKS["rk-figure"])
            image = figure.find(".//img")
            picture.add_run().add_picture(
                io.BytesIO(_data_url_bytes(image.get("src", ""))), width=Pt(TEXT_WIDTH_PT * PHOTO_SHARE)
            )
            caption = figure.find(".//figcaption")
            if caption is not None:
                self.paragraph(cell, caption, LOOKS["rk-photo-caption"])


def _cells(row) -> list:
    """A row's cells; python-docx's ``table.cell()`` walks the whole table for each one."""
    from docx.table import _Cell

    return [_Cell(tc, row.table) for tc in row._tr.tc_lst]


def _alignment(name: str):
    """Word's alignment for a CSS ``text-align``: left, center, right or justify."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    return getattr(WD_ALIGN_PARAGRAPH, name.upper())


def _look(element) -> Look:
    return next((LOOKS[name] for name in reversed(_classes(element)) if name in LOOKS), LOOKS["rk-body"])


# --- text -----------------------------------------------------------------------------------


def _classes(element) -> list[str]:
    return (element.get("class") or "").split()


def _runs(paragraph, element) -> None:
    """The element's text as runs, bold and italic as marked, whitespace collapsed as HTML does."""
    pieces: list[tuple[str, bool, bool]] = []

    def walk(node, bold: bool, italic: bool) -> None:
        if node.text:
            pieces.append((node.text, bold, italic))
        for child in node.iterchildren():
            if isinstance(child.tag, str):
                if child.tag == "br":
                    pieces.append(("\n", bold, italic))
                else:
                    walk(child, bold or child.tag in ("strong", "b"), italic or child.tag in ("em", "i"))
            if child.tail:
                pieces.append((child.tail, bold, italic))

    walk(element, False, False)
    text = "".join(piece for piece, _, _ in pieces)
    # HTML collapses spaces, tabs and newlines (not the non-breaking spaces of "Số:      /")
    collapsed = [re.sub(r"[ \t\r\n]+", " ", piece) if piece != "\n" else piece for piece, _, _ in pieces]
    if not text.strip():
        return
    collapsed[0] = collapsed[0].lstrip(" ")
    collapsed[-1] = collapsed[-1].rstrip(" ")
    for piece, (_piece, bold, italic) in zip(collapsed, pieces, strict=True):
        if piece == "\n":
            paragraph.add_run().add_break()
            continue
        if not piece:
            continue
        run = paragraph.add_run(piece)
        if bold:
            run.bold = True
        if italic:
            run.italic = True


def _text(element) -> str:
    """The element's text as it shows, one line per ``<br>``."""
    lines = [[]]
    for node in element.iter():
        if node.tag == "br":
            lines.append([])
        if node.text and node.tag != "br":
            lines[-1].append(node.text)
        if node.tail and node is not element:
            lines[-1].append(node.tail)
    return "\n".join(re.sub(r"[ \t\r\n]+", " ", "".join(line)).strip() for line in lines)


@cache
def _font(bold: bool, size_pt: float):
    from PIL import ImageFont

    from .fonts import faces

    return ImageFont.truetype(faces()["bold" if bold else "normal"], round(size_pt * 20))


def _text_width(text: str, look: Look) -> float:
    """The width of one line of ``text`` in points, measured on the shipped document face
    (Times New Roman's metric twin)."""
    return _font(look.bold, look.size).getlength(text) / 20


# --- Word XML that python-docx has no API for -----------------------------------------------


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _element(tag: str, **attributes: str):
    from docx.oxml import OxmlElement

    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(_qn(f"w:{name}"), value)
    return element


# Children of <w:pPr> that come after <w:pBdr>, in the schema's order.
_AFTER_PBDR = [
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
]


# ... of <w:tblPr> after <w:tblLayout>, and of <w:trPr> from <w:tblHeader> on.
_AFTER_TBLLAYOUT = ("w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
_AFTER_TBLHEADER = ("w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange")


def _border(paragraph, side: str) -> None:
    borders = _element("w:pBdr")
    borders.append(_element(f"w:{side}", val="single", sz=str(RULE), space="1", color="000000"))
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *_AFTER_PBDR)


def _centre_within(paragraph, available_pt: float, width_pt: float) -> None:
    from docx.shared import Pt

    side = max(0.0, (available_pt - width_pt) / 2)
    paragraph.paragraph_format.left_indent = Pt(side)
    paragraph.paragraph_format.right_indent = Pt(side)


def _underline_as_long_as_text(paragraph, text: str, look: Look, available_pt: float) -> None:
    """The motto's line: a bottom border exactly as wide as the motto (1 pt to spare)."""
    _border(paragraph, "bottom")
    _centre_within(paragraph, available_pt, _text_width(text, look) + 1)


def _page(section, restart: bool) -> None:
    """A4 portrait, the decree's margins, page number hidden on the first page of the part."""
    from docx.shared import Mm

    section.page_width, section.page_height = Mm(PAGE_MM["width"]), Mm(PAGE_MM["height"])
    section.top_margin, section.bottom_margin = Mm(PAGE_MM["top"]), Mm(PAGE_MM["bottom"])
    section.left_margin, section.right_margin = Mm(PAGE_MM["left"]), Mm(PAGE_MM["right"])
    section.header_distance = section.footer_distance = Mm(PAGE_MM["header"])
    section.different_first_page_header_footer = True
    if restart:  # an appendix is numbered on its own
        sect = section._sectPr
        numbering = sect.find(_qn("w:pgNumType"))
        if numbering is None:
            numbering = _element("w:pgNumType")
            sect.insert_element_before(
                numbering, "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:docGrid"
            )
        numbering.set(_qn("w:start"), "1")


def _page_number_header(section, styles) -> None:
    """The page number, centred at the top; the part's first page has an empty header."""
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    paragraph.style = styles[LOOKS["rk-page-number"].style]
    field = _element("w:fldSimple", instr="PAGE")
    run = _element("w:r")
    text = _element("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    section.first_page_header.is_linked_to_previous = False


def _table(word, rows: int, columns: int, widths_pt: Sequence[float], borders: bool = True, padding=True):
    """A table at the given column widths; with thin rules, or none (header, signature)."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Pt

    table = word.add_table(rows=rows, cols=columns)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    properties = table._tbl.tblPr
    width = properties.find(_qn("w:tblW"))
    width.set(_qn("w:w"), str(round(sum(widths_pt) * 20)))
    width.set(_qn("w:type"), "dxa")
    edges = _element("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if borders:
            edges.append(_element(f"w:{side}", val="single", sz=str(RULE), space="0", color="000000"))
        else:
            edges.append(_element(f"w:{side}", val="nil"))
    properties.insert_element_before(edges, "w:shd", "w:tblLayout", *_AFTER_TBLLAYOUT)
    margins = _element("w:tblCellMar")
    for side, pt in CELL_PADDING_PT.items():
        margins.append(_element(f"w:{side}", w=str(round(pt * 20 if padding else 0)), type="dxa"))
    properties.insert_element_before(margins, *_AFTER_TBLLAYOUT[1:])
    for c, width_pt in enumerate(widths_pt):
        table.columns[c].width = Pt(width_pt)
    for row in table.rows:
        for cell, width_pt in zip(_cells(row), widths_pt, strict=True):
            cell.width = Pt(width_pt)
    return table


def _row_properties(row, repeat: bool) -> None:
    """Rows never split across pages; the header row repeats on each page."""
    properties = row._tr.get_or_add_trPr()
    properties.insert_element_before(_element("w:cantSplit"), "w:trHeight", *_AFTER_TBLHEADER)
    if repeat:
        properties.insert_element_before(_element("w:tblHeader"), *_AFTER_TBLHEADER[1:])


@dataclass(frozen=True)
class _TableCell:
    """A cell of a data table as document.css sets it: size, weight, alignment, wrapping."""

    element: Any
    size: float
    bold: bool
    align: str
    wrap: str  # "words", "never" (numbers) or "anywhere" (file names)

    @classmethod
    def of(cls, td, table, row) -> _TableCell:
        classes, table_classes, head = _classes(td), _classes(table), td.tag == "th"
        body = next((TABLE_SIZES[c] for c in table_classes if c in TABLE_SIZES), 13)
        size = (
            next((TABLE_HEAD_SIZES[c] for c in table_classes if c in TABLE_HEAD_SIZES), body)
            if head
            else body
        )
        size = next((CELL_SIZES[c] for c in classes if c in CELL_SIZES), size)
        number = "rk-number-cell" in classes
        return cls(
            element=td,
            size=size,
            bold=head or "rk-total" in _classes(row),
            align="right" if number else "center" if head or "rk-center" in classes else "left",
            wrap="never" if number else "anywhere" if "rk-evidence" in classes else "words",
        )

    def content_widths(self) -> tuple[float, float]:
        """The narrowest and the widest this cell's text can be set in, padding included (pt)."""
        look = Look("", size=self.size, bold=self.bold)
        text = _text(self.element)
        widest = max((_text_width(line, look) for line in text.split("\n")), default=0.0)
        narrowest = {
            "never": widest,
            "anywhere": 0.0,
            "words": max((_text_width(word, look) for word in text.split()), default=0.0),
        }[self.wrap]
        padding = CELL_PADDING_PT["left"] + CELL_PADDING_PT["right"]
        return narrowest + padding, widest + padding


def _column_shares(table, columns: int) -> list[float | None]:
    """The table's ``<col style="width: N%">`` widths; ``None`` where a column has none."""
    shares: list[float | None] = [None] * columns
    for i, col in enumerate(table.findall(".//col")[:columns]):
        match = re.search(r"width:\s*([\d.]+)%", col.get("style") or "")
        shares[i] = float(match.group(1)) if match else None
    return shares


def _column_widths(shares: Sequence[float | None], grid: Sequence[Sequence[_TableCell]]) -> list[float]:
    """Column widths in points, as a browser lays out a table of the text's width.

    A column with a share of the width takes it, and the others share what is left by their
    content, as CSS's automatic table layout does: each gets at least its longest word and, if
    there is room, its longest line. No column is narrower than its longest word (a number is
    one word), which Word, unlike a browser, would break; the room comes from the others.
    """
    columns = len(shares)
    spans = [[cell.content_widths() for cell in cells] for cells in grid]
    low = [max((row[c][0] for row in spans if c < len(row)), default=0.0) for c in range(columns)]
    high = [max((row[c][1] for row in spans if c < len(row)), default=0.0) for c in range(columns)]
    widths = [
        max(TEXT_WIDTH_PT * share / 100, low[c]) if share is not None else 0.0
        for c, share in enumerate(shares)
    ]
    free = [c for c, share in enumerate(shares) if share is None]
    room = TEXT_WIDTH_PT - sum(widths)
    least, most = sum(low[c] for c in free), sum(high[c] for c in free)
    for c in free:
        if room >= most and most:  # every line fits: what is left goes where the lines are long
            widths[c] = high[c] + (room - most) * high[c] / most
        elif room > least:  # some lines wrap: each column gets a share of what it lacks
            widths[c] = low[c] + (room - least) * (high[c] - low[c]) / (most - least)
        else:
            widths[c] = low[c]
    excess = sum(widths) - TEXT_WIDTH_PT
    slack = [max(0.0, width - low[c]) for c, width in enumerate(widths)]
    if excess > 0 and sum(slack):
        widths = [width - excess * slack[c] / sum(slack) for c, width in enumerate(widths)]
    return widths


def _data_url_bytes(url: str) -> bytes:
    """The bytes of a ``data:…;base64,`` URL; documents carry their photos this way."""
    match = re.match(r"data:[\w/+.-]+;base64,(.*)", url, re.S)
    if not match:
        raise ReportkitError(
            _("the Word writer takes images inline only, not {url}").format(url=repr(url[:60]))
        )
    return base64.b64decode(match.group(1))
