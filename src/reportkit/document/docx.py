"""The Word file (.docx) of a document tree, written by python-docx.

A view of :class:`reportkit.document.model.Document`, as the HTML page and the PDF are: each
block of the tree becomes Word paragraphs in the styles of :mod:`reportkit.document.docx_look`,
and each part of the document a Word section on A4 with the decree's margins and a page number
at the top from its second page; an appendix numbers its pages anew. The two-column header,
the signature block beside Nơi nhận and the photo sheet are tables without borders; the lines
under the agency's name, the motto and the summary are paragraph borders measured on the text.

Charts are PNGs drawn from their SVG by Typst as the file is written (:mod:`.raster`):
python-docx cannot give Word an SVG. A tree from an older reportkit may still carry a PNG copy
(:attr:`Chart.png`); that one is placed as it is. Photos come from their JPEGs. Nothing is
fetched. Where python-docx has no API (paragraph borders, outline levels, table borders and
cell margins, repeated header rows, page numbering), the OOXML is written here, each element in
the schema's order.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from ..exceptions import ReportkitError
from ..i18n import _
from .docx_look import (
    CELL_PADDING_PT,
    FONT,
    HEADER_SHARES,
    LANGUAGE,
    LOOKS,
    PAGE_MM,
    PHOTO_SHARE,
    RULE,
    SHORT_RULE,
    SIGNATURE_GAP_PT,
    TEXT_WIDTH_PT,
    Look,
    cell_look,
    column_widths,
    style_id,
    text_width,
)
from .model import (
    DOCX_MIMETYPE,
    MOTTO,
    NATION,
    AppendixHeading,
    Chart,
    Closing,
    Document,
    Header,
    Heading,
    PageBreak,
    Paragraph,
    Photos,
    Recipient,
    Run,
    Signature,
    Table,
    Text,
    Title,
    UnitNote,
    plain,
)
from .raster import chart_pngs

__all__ = ["DOCX_MIMETYPE", "render_docx"]


def render_docx(document: Document) -> bytes:
    """The .docx of ``document``: its parts as A4 sections, its title and agency as the
    file's title and author, proofed in Vietnamese.

    Raises
    ------
    ReportkitError
        When the document has no part.
    """
    import docx

    if not document.parts:
        raise ReportkitError(_("no document to write to Word"))
    word = docx.Document()
    _set_styles(word)
    properties = word.core_properties
    properties.title = document.title
    properties.author = " ".join(document.agency.split())
    properties.created = properties.modified = dt.datetime.now(dt.UTC).replace(microsecond=0)
    properties.last_modified_by = ""
    properties.comments = "reportkit"
    properties.language = LANGUAGE
    svgs = list(dict.fromkeys(chart.svg for chart in document.charts() if chart.png is None))
    writer = _Writer(word, dict(zip(svgs, chart_pngs(svgs), strict=True)))
    for part in document.parts:
        writer.part(part)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


# --- styles ---------------------------------------------------------------------------------


def _set_styles(word) -> None:
    from docx.enum.style import WD_STYLE_TYPE

    _set_fonts(word.styles.element.find(_qn("w:docDefaults")).find(_qn("w:rPrDefault")).find(_qn("w:rPr")))
    _apply(word.styles["Normal"], Look("Normal"))
    first_role: dict[str, tuple[str, Look]] = {}
    for role, look in LOOKS.items():
        first_role.setdefault(look.style, (role, look))
    for role, look in first_role.values():
        style = word.styles.add_style(look.style, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = style_id(role)
        style.base_style = word.styles["Normal"]
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


# --- the tree's blocks ----------------------------------------------------------------------


class _Writer:
    """Writes a document's parts as Word sections, its blocks as paragraphs, tables, pictures."""

    def __init__(self, word, pngs: dict[str, bytes]):
        self.word = word
        self.pngs = pngs  # the charts' PNGs by their SVG
        self.parts = 0
        self.page_break = False  # a PageBreak block: the next paragraph starts a page
        self.blocks = {
            Header: self.header,
            Title: self.title,
            Recipient: self.recipient,
            Paragraph: self.paragraph,
            Heading: self.heading,
            Table: self.table,
            UnitNote: self.unit_note,
            Chart: self.chart,
            Photos: self.photos,
            AppendixHeading: self.appendix_heading,
            Closing: self.closing,
            PageBreak: self.break_page,
        }

    def part(self, part) -> None:
        """A part of the document (the body, an appendix) on pages of its own."""
        from docx.enum.section import WD_SECTION

        section = self.word.sections[0] if self.parts == 0 else self.word.add_section(WD_SECTION.NEW_PAGE)
        _page(section, restart=self.parts > 0)
        if self.parts == 0:
            _page_number_header(section)
        self.parts += 1
        self.page_break = False  # a new section starts a page already
        for block in part.blocks:
            write = self.blocks.get(type(block))
            if write is None:
                raise TypeError(f"the Word renderer has no view of {type(block).__name__}")
            write(block)

    def add(self, container, role: str, text: Text = ()):
        """A paragraph of ``role`` in the body or a cell, holding ``text``; a new cell's own
        empty paragraph is used first."""
        if hasattr(container, "_tc") and len(container.paragraphs) == 1:
            paragraph = container.paragraphs[0]
            if paragraph._p.pPr is not None or paragraph.runs:
                paragraph = container.add_paragraph()
        else:
            paragraph = container.add_paragraph()
        # by id: python-docx looks a style object up among all styles each time
        paragraph._p.style = _STYLE_IDS[role]
        if self.page_break and container is self.word:
            paragraph.paragraph_format.page_break_before = True
            self.page_break = False
        _runs(paragraph, text)
        return paragraph

    def header(self, block: Header) -> None:
        """Agency and number on the left, national name, motto, place and date on the right."""
        widths = [TEXT_WIDTH_PT * share for share in HEADER_SHARES]
        table = self.new_table(2, widths, borders=False, padding=False)
        agency, nation = _cells(table.rows[0])
        if block.superior:
            self.add(agency, "superior", _lines(block.superior))
        self.add(agency, "agency", _lines(block.agency))
        self.short_rule(agency, block.agency, LOOKS["agency"], widths[0])
        self.add(nation, "nation", _lines(NATION))
        motto = self.add(nation, "motto", _lines(MOTTO))
        _border(motto, "bottom")  # the motto's line: exactly as wide as the motto, 1 pt to spare
        _centre_within(motto, widths[1], text_width(MOTTO, LOOKS["motto"]) + 1)
        number, place_date = _cells(table.rows[1])
        self.add(number, "number", _lines(block.number))
        self.add(place_date, "place_date", _lines(block.place_date))

    def short_rule(self, container, text: str, look: Look, width_pt: float, after_pt: float = 0) -> None:
        """A short solid line under a block of text, centred, a share of its longest line."""
        from docx.shared import Pt

        longest = min(width_pt, max(text_width(line, look) for line in text.split("\n")))
        rule = self.add(container, "rule")
        _border(rule, "top")
        _centre_within(rule, width_pt, longest * SHORT_RULE)
        rule.paragraph_format.space_after = Pt(after_pt)

    def title(self, block: Title) -> None:
        self.add(self.word, "type", _lines(block.doc_type))
        self.add(self.word, "summary", block.summary)
        self.short_rule(self.word, plain(block.summary), LOOKS["summary"], TEXT_WIDTH_PT, after_pt=12)

    def recipient(self, block: Recipient) -> None:
        self.add(self.word, "to", (Run("Kính gửi: "), *block.to, Run(".")))

    def paragraph(self, block: Paragraph, keep_with_next: bool = False) -> None:
        lead = tuple(Run(run.text, bold=True, italic=run.italic) for run in block.lead)
        text = (*lead, Run(" "), *block.text) if lead else block.text
        paragraph = self.add(self.word, block.style, text)
        if keep_with_next:
            paragraph.paragraph_format.keep_with_next = True

    def heading(self, block: Heading) -> None:
        self.add(self.word, f"heading_{min(max(block.level, 2), 3)}", (Run(f"{block.label} "), *block.text))

    def unit_note(self, block: UnitNote) -> None:
        self.add(self.word, "unit", _lines(f"Đơn vị tính: {block.unit}"))

    def appendix_heading(self, block: AppendixHeading) -> None:
        if block.label:
            self.add(self.word, "appendix_label", _lines(block.label))
        for line in block.titles:
            self.add(self.word, "attachment_title" if block.attachment else "appendix_title", line)
        if block.note:
            self.add(self.word, "attachment_note", _lines(f"({block.note})"))

    def closing(self, block: Closing) -> None:
        """The closing paragraphs kept with the signature block, on its page."""
        for paragraph in block.paragraphs:
            self.paragraph(paragraph, keep_with_next=True)
        self.signature(block.signature)

    def signature(self, block: Signature) -> None:
        """Nơi nhận on the left and the signing authority on the right, side by side; the room
        between the authority and the name is the signer's (``reportkit sign``)."""
        from docx.shared import Pt

        table = self.new_table(1, [TEXT_WIDTH_PT / 2] * 2, borders=False, padding=False)
        _row_properties(table.rows[0], repeat=False)
        recipients, signer = _cells(table.rows[0])
        self.add(recipients, "recipients_label", _lines("Nơi nhận:"))
        for line in block.recipients:
            self.add(recipients, "recipient", _lines(f"- {line}"))
        self.add(signer, "authority", _lines(block.authority))
        if block.title:
            self.add(signer, "authority", _lines(block.title))
        self.add(signer, "signer_name", _lines(block.name))
        for cell in (recipients, signer):
            cell.paragraphs[0].paragraph_format.space_before = Pt(SIGNATURE_GAP_PT)

    def table(self, block: Table) -> None:
        """A data table: thin rules, a repeated header row, numbers on the right, the total bold."""
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
        from docx.shared import Pt

        head = [cell_look(column.label, "center", block.style, head=True) for column in block.columns]
        grid = [head] + [self.cell_looks(block, row) for row in block.rows]
        if block.total is not None:
            grid.append(self.cell_looks(block, block.total, total=True))
        widths = column_widths([column.width for column in block.columns], grid)
        table = self.new_table(len(grid), widths)
        for r, looks in enumerate(grid):
            _row_properties(table.rows[r], repeat=r == 0)
            for cell, look in zip(_cells(table.rows[r]), looks, strict=False):
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                paragraph = self.add(cell, "table_text", _lines(look.text))
                paragraph.alignment = _alignment(look.align)
                paragraph.paragraph_format.line_spacing = Pt(round(look.size * 1.2, 1))
                for run in paragraph.runs:
                    run.font.size = Pt(look.size)
                    if look.bold:
                        run.font.bold = True

    @staticmethod
    def cell_looks(block: Table, cells, total: bool = False) -> list:
        return [
            cell_look(cell.text, cell.align or column.align, block.style, total=total)
            for cell, column in zip(cells, block.columns, strict=False)
        ]

    def chart(self, block: Chart) -> None:
        """A chart at the width of the text, as a PNG, with its caption."""
        from docx.shared import Pt

        png = block.png if block.png is not None else self.pngs[block.svg]
        figure = self.add(self.word, "figure")
        picture = figure.add_run().add_picture(io.BytesIO(png), width=Pt(TEXT_WIDTH_PT))
        _describe(picture, block.title)
        if block.title:
            self.add(self.word, "chart_caption", _lines(block.title))

    def photos(self, block: Photos) -> None:
        """Photos two to a row, each with its caption, in a table without rules."""
        from docx.shared import Pt

        rows = (len(block.items) + 1) // 2
        if not rows:
            return
        table = self.new_table(rows, [TEXT_WIDTH_PT / 2] * 2, borders=False, padding=False)
        for row in table.rows:
            _row_properties(row, repeat=False)
        if len(block.items) % 2:  # the last photo alone, centred as on the page
            last = _cells(table.rows[-1])
            last[0].merge(last[1])
        for i, photo in enumerate(block.items):
            cell = _cells(table.rows[i // 2])[i % 2]
            picture = self.add(cell, "figure")
            caption = photo.caption + (f"\nVideo {photo.video}" if photo.video else "")
            shape = picture.add_run().add_picture(
                io.BytesIO(photo.jpeg), width=Pt(TEXT_WIDTH_PT * PHOTO_SHARE)
            )
            _describe(shape, caption.replace("\n", " "))
            self.add(cell, "photo_caption", _lines(caption))

    def break_page(self, block: PageBreak) -> None:
        self.page_break = True

    def new_table(self, rows: int, widths_pt: Sequence[float], borders: bool = True, padding: bool = True):
        """A table in the body; after a page break, an empty paragraph carries the break."""
        if self.page_break:
            self.add(self.word, "rule")
        return _table(self.word, rows, len(widths_pt), widths_pt, borders=borders, padding=padding)


def _style_ids() -> dict[str, str]:
    """Each role's style id; roles sharing a style (an attached table's title is set as an
    appendix's) take the id of the first."""
    first: dict[str, str] = {}
    for role, look in LOOKS.items():
        first.setdefault(look.style, role)
    return {role: style_id(first[look.style]) for role, look in LOOKS.items()}


_STYLE_IDS = _style_ids()


def _lines(text: str) -> Text:
    return (Run(text),) if text else ()


def _runs(paragraph, text: Text) -> None:
    """``text`` as Word runs, bold and italic as marked; a newline is a line break. Neighbours
    in the same style are one run, as an office would type them."""
    merged: list[Run] = []
    for run in text:
        if merged and (merged[-1].bold, merged[-1].italic) == (run.bold, run.italic):
            merged[-1] = Run(merged[-1].text + run.text, run.bold, run.italic)
        else:
            merged.append(run)
    for run in merged:
        for i, line in enumerate(run.text.split("\n")):
            if i:
                paragraph.add_run().add_break()
            if not line:
                continue
            word_run = paragraph.add_run(line)
            if run.bold:
                word_run.bold = True
            if run.italic:
                word_run.italic = True


def _describe(picture, text: str) -> None:
    """The picture's alternative text, which a screen reader says in its place."""
    picture._inline.docPr.set("descr", text)


def _cells(row) -> list:
    """A row's cells; python-docx's ``table.cell()`` walks the whole table for each one."""
    from docx.table import _Cell

    return [_Cell(tc, row.table) for tc in row._tr.tc_lst]


def _alignment(name: str):
    """Word's alignment for a CSS ``text-align``: left, center, right or justify."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    return getattr(WD_ALIGN_PARAGRAPH, name.upper())


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


def _page_number_header(section) -> None:
    """The page number, centred at the top; the part's first page has an empty header. Later
    sections inherit this header."""
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    paragraph._p.style = style_id("page_number")
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
