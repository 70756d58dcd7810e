"""How a document looks in Word: the page, the paragraph styles, the tables' type and widths.

The values are those of the HTML page (``templates/document/document.css``), so that Word,
the browser and the PDF show the same page: the Word renderer (:mod:`reportkit.document.docx`)
reads them from here and nowhere else. Each role a piece of text plays in the document tree
(the agency's name, a heading, a recipient in Nơi nhận …) is a Word paragraph style named
after the Decree-30 element it is ("Tên loại văn bản", "Nơi nhận", …), so the office can
retouch every heading or recipient at once.

Text is measured on the shipped document face, Times New Roman's metric twin: the short
rules under the agency and the summary, and the columns of a table, are sized as a browser
sizes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from .model import Align, TableStyle

__all__ = [
    "CELL_PADDING_PT",
    "FONT",
    "HEADER_SHARES",
    "LANGUAGE",
    "LOOKS",
    "PAGE_MM",
    "PHOTO_SHARE",
    "RULE",
    "SHORT_RULE",
    "SIGNATURE_GAP_PT",
    "TEXT_WIDTH_PT",
    "CellLook",
    "Look",
    "cell_look",
    "column_widths",
    "style_id",
    "text_width",
]

#: The page (Decree 30, Appendix I), in millimetres, as document.css sets it for print.
PAGE_MM = {"width": 210, "height": 297, "top": 20, "bottom": 20, "left": 30, "right": 15, "header": 10}
TEXT_WIDTH_PT = (PAGE_MM["width"] - PAGE_MM["left"] - PAGE_MM["right"]) / 25.4 * 72
FONT = "Times New Roman"
LANGUAGE = "vi-VN"


@dataclass(frozen=True)
class Look:
    """How one role of text looks in Word; the values are document.css's.

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


#: Word paragraph styles by the role the text plays in the tree. Two roles may share a style
#: (an appendix's title and an attached table's); the first role names the style's id.
LOOKS: dict[str, Look] = {
    "superior": Look("Cơ quan chủ quản", size=13, align="center"),
    "agency": Look("Cơ quan ban hành", size=13, bold=True, align="center"),
    "nation": Look("Quốc hiệu", size=12, bold=True, align="center"),
    "motto": Look("Tiêu ngữ", size=13, bold=True, align="center"),
    "number": Look("Số, ký hiệu", size=13, align="center", before_pt=8),
    "place_date": Look("Địa danh, ngày tháng", italic=True, align="center", before_pt=8),
    "type": Look("Tên loại văn bản", bold=True, align="center", before_pt=12, keep_with_next=True),
    "summary": Look("Trích yếu", bold=True, align="center", keep_with_next=True),
    "to": Look("Kính gửi", align="center", after_pt=6),
    "basis": Look("Căn cứ", italic=True, align="justify", indent_cm=1, before_pt=6),
    "body": Look("Nội dung", align="justify", indent_cm=1, before_pt=6),
    "heading_2": Look(
        "Đề mục cấp 1", bold=True, align="justify", indent_cm=1, before_pt=6, keep_with_next=True, outline=1
    ),
    "heading_3": Look(
        "Đề mục cấp 2", bold=True, align="justify", indent_cm=1, before_pt=6, keep_with_next=True, outline=2
    ),
    "unit": Look(
        "Đơn vị tính", size=13, italic=True, align="right", before_pt=6, after_pt=3, keep_with_next=True
    ),
    "in_words": Look("Số tiền bằng chữ", bold=True, italic=True, before_pt=6),
    "recipients_label": Look("Nơi nhận", size=12, bold=True, italic=True, keep_with_next=True),
    "recipient": Look("Nơi nhận - đơn vị", size=11, line=1.2, keep_with_next=True),
    "authority": Look("Chức vụ người ký", bold=True, align="center", keep_with_next=True),
    "signer_name": Look("Họ tên người ký", bold=True, align="center", before_pt=28 / 25.4 * 72),
    "appendix_label": Look("Phụ lục - số"),
    "appendix_title": Look("Phụ lục - tên", bold=True, align="center", before_pt=6, keep_with_next=True),
    "attachment_title": Look("Phụ lục - tên", bold=True, align="center", before_pt=6, keep_with_next=True),
    "attachment_note": Look("Phụ lục - kèm theo", italic=True, align="center"),
    "photos_title": Look("Hình ảnh - tên", bold=True, align="center", before_pt=12, keep_with_next=True),
    "chart_caption": Look("Chú thích hình", size=12, italic=True, align="center", before_pt=2, after_pt=4),
    "photo_caption": Look("Chú thích ảnh", size=11, italic=True, align="center", after_pt=6),
    "figure": Look("Hình", align="center", before_pt=8, keep_with_next=True, line=1),
    "table_text": Look("Bảng - nội dung", size=13, line=1.2),
    "page_number": Look("Số trang", size=13, align="center"),
    "rule": Look("Đường kẻ", size=1, before_pt=2, keep_with_next=True, line=1),
}


def style_id(role: str) -> str:
    """The ASCII id of a role's Word style (``place_date`` is ``RkPlaceDate``); Word shows
    the style's Vietnamese name, the id only names it inside the file."""
    return "Rk" + "".join(part.capitalize() for part in role.split("_"))


#: Lines: 0.75 pt, as Word counts them in eighths of a point.
RULE = 6
#: Cell padding of the data tables: 3 pt above and below, 4 pt at the sides.
CELL_PADDING_PT = {"top": 3, "bottom": 3, "left": 4, "right": 4}
#: The agency's and the summary's line: this share of the text above it (decree: 1/3 to 1/2).
SHORT_RULE = 0.4
#: The header's columns: the agency's, then the nation's, as shares of the text width.
HEADER_SHARES = (0.43, 0.57)
#: A photo's width, a share of the text's: two to a row with a margin between.
PHOTO_SHARE = 0.47
#: Space above Nơi nhận and the signer's authority.
SIGNATURE_GAP_PT = 12

#: Font sizes of a table's cells and of its heading row, by the table's style (document.css).
_TABLE_SIZES: dict[str, float] = {"report": 13, "budget": 13, "activities": 11}
_TABLE_HEAD_SIZES: dict[str, float] = {"report": 13, "budget": 12, "activities": 11}
#: A file name proving an activity: smaller, and broken anywhere.
_EVIDENCE_SIZE = 10


@dataclass(frozen=True)
class CellLook:
    """A table cell as document.css sets it: its text, size, weight, alignment, wrapping."""

    text: str
    size: float
    bold: bool
    align: str  # Word's: left, center, right
    wrap: str  # "words", "never" (numbers) or "anywhere" (file names)

    def content_widths(self) -> tuple[float, float]:
        """The narrowest and the widest this cell's text can be set in, padding included (pt)."""
        look = Look("", size=self.size, bold=self.bold)
        widest = max((text_width(line, look) for line in self.text.split("\n")), default=0.0)
        narrowest = {
            "never": widest,
            "anywhere": 0.0,
            "words": max((text_width(word, look) for word in self.text.split()), default=0.0),
        }[self.wrap]
        padding = CELL_PADDING_PT["left"] + CELL_PADDING_PT["right"]
        return narrowest + padding, widest + padding


def cell_look(
    text: str, align: Align, table: TableStyle, *, head: bool = False, total: bool = False
) -> CellLook:
    """How a cell of a table of style ``table`` looks: a heading cell is bold and centred, a
    total row bold, a number on the right and never broken, evidence small and broken anywhere.
    """
    if head:
        return CellLook(text, _TABLE_HEAD_SIZES[table], bold=True, align="center", wrap="words")
    size = _EVIDENCE_SIZE if align == "evidence" else _TABLE_SIZES[table]
    return CellLook(
        text,
        size,
        bold=total,
        align={"number": "right", "center": "center"}.get(align, "left"),
        wrap={"number": "never", "evidence": "anywhere"}.get(align, "words"),
    )


def column_widths(shares: Sequence[float | None], grid: Sequence[Sequence[CellLook]]) -> list[float]:
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


@cache
def _font(bold: bool, size_pt: float):
    from PIL import ImageFont

    from ..fonts import faces

    return ImageFont.truetype(faces()["bold" if bold else "normal"], round(size_pt * 20))


def text_width(text: str, look: Look) -> float:
    """The width of one line of ``text`` in points, measured on the shipped document face
    (Times New Roman's metric twin)."""
    return _font(look.bold, look.size).getlength(text) / 20
