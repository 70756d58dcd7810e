"""The document model: one typed tree that every medium renders.

A Decree-30 document is a :class:`Document` of :class:`Part` s (the body, then each appendix
on pages numbered anew), each a sequence of blocks: :class:`Header`, :class:`Title`,
:class:`Recipient`, :class:`Paragraph`, :class:`Heading`, :class:`Table`,
:class:`UnitNote`, :class:`Chart`, :class:`Photos`, :class:`AppendixHeading`,
:class:`Closing` (paragraphs kept with the :class:`Signature` and Nơi nhận) and
:class:`PageBreak`. Text is a tuple of :class:`Run` s (plain, bold, italic).

The nodes are frozen dataclasses, so a tree can be compared and hashed, and travel from the
notebook's kernel to the exporters as JSON (:func:`to_data`, :func:`from_data`): the HTML page
(:mod:`reportkit.document.html`), the PDF (:mod:`reportkit.document.typst`) and the Word file
(:mod:`reportkit.document.docx`) are views of the same tree; none reads another's output.
"""

from __future__ import annotations

import base64
import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Union

__all__ = [
    "DOCUMENT_MIMETYPE",
    "DOCX_MIMETYPE",
    "FIGURES_MIMETYPE",
    "MOTTO",
    "NATION",
    "AppendixHeading",
    "Block",
    "Cell",
    "Chart",
    "Closing",
    "Column",
    "Document",
    "Header",
    "Heading",
    "PageBreak",
    "Paragraph",
    "Part",
    "Photo",
    "Photos",
    "Recipient",
    "Run",
    "Signature",
    "Table",
    "Text",
    "Title",
    "UnitNote",
    "from_data",
    "inline",
    "plain",
    "to_data",
]

#: MIME type of a document's tree in a notebook's output (:func:`to_data`).
DOCUMENT_MIMETYPE = "application/vnd.reportkit.document+json"

#: The national name and motto every header carries (Decree 30, Appendix I).
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
#: MIME type of a Word file (the ``reportkit_docx`` exporter's output).
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: MIME type of the figures a document carries, read back into ``figures.json``.
FIGURES_MIMETYPE = "application/vnd.reportkit.figures+json"

#: How a cell's text sits: left (text), ``center``, or ``number`` (right, never broken).
Align = Literal["left", "center", "number", "evidence"]


@dataclass(frozen=True)
class Run:
    """A piece of text in one style."""

    text: str
    bold: bool = False
    italic: bool = False


#: Inline text: runs in order.
Text = tuple[Run, ...]

_MARKUP = re.compile(r"\*\*(.+?)\*\*|\*(.+?)\*")


def inline(text: str | Text) -> Text:
    """``text`` as runs: ``**bold**`` and ``*italic*`` become styled runs, the rest plain.

    Text is NFC, so the PDF's text layer and a search for "Phú Yên" agree. Runs pass through.
    """
    if isinstance(text, tuple):
        return text
    text = unicodedata.normalize("NFC", text)
    runs: list[Run] = []
    position = 0
    for match in _MARKUP.finditer(text):
        if match.start() > position:
            runs.append(Run(text[position : match.start()]))
        if match.group(1) is not None:
            runs.append(Run(match.group(1), bold=True))
        else:
            runs.append(Run(match.group(2), italic=True))
        position = match.end()
    if position < len(text) or not runs:
        runs.append(Run(text[position:]))
    return tuple(runs)


def plain(text: Text) -> str:
    """The characters of ``text``, without styles."""
    return "".join(run.text for run in text)


# --- blocks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """The two-column header: the superior agency (empty for none) and the issuing agency
    (upper case; ``\\n`` where its lines break), the national name and motto; then the number
    (``Số: 05/KH-STTTT``) and the place and date."""

    superior: str
    agency: str
    number: str
    place_date: str


@dataclass(frozen=True)
class Title:
    """The document's type in capitals (``KẾ HOẠCH``) and its summary line (trích yếu)."""

    doc_type: str
    summary: Text


@dataclass(frozen=True)
class Recipient:
    """``Kính gửi: …`` centred under the title; ``to`` without the full stop."""

    to: Text


#: A paragraph's role: ``body`` (justified, first line indented), ``basis`` (italic legal
#: basis), ``in_words`` (an amount in words under a table), ``photos_title`` (a centred bold
#: title inside an appendix).
ParagraphStyle = Literal["body", "basis", "in_words", "photos_title"]


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; ``lead`` is a run-in heading in bold before the text (``1. Mục đích``)."""

    text: Text
    style: ParagraphStyle = "body"
    lead: Text = ()


@dataclass(frozen=True)
class Heading:
    """A section heading (level 2: ``I. KẾT QUẢ``) or a part heading (level 3: ``1. …``)."""

    level: int
    label: str
    text: Text


@dataclass(frozen=True)
class Column:
    """A table column: its heading, width in percent of the text width (None shares what is
    left) and how its cells sit."""

    label: str
    width: float | None = None
    align: Align = "left"


@dataclass(frozen=True)
class Cell:
    """A table cell's text and how it sits (None: as its column)."""

    text: str
    align: Align | None = None


#: A table's look: ``report`` (11 pt), ``budget`` (the plan's estimate), ``activities`` (the
#: report's appendix list, 10 pt).
TableStyle = Literal["report", "budget", "activities"]


@dataclass(frozen=True)
class Table:
    """A table with thin rules, its header repeated on each page and an optional bold total
    row."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total: tuple[Cell, ...] | None = None
    style: TableStyle = "report"


@dataclass(frozen=True)
class UnitNote:
    """``Đơn vị tính: Đồng`` above a table, on the right."""

    unit: str = "Đồng"


@dataclass(frozen=True)
class Chart:
    """A chart: its caption (also its alternative text) and its SVG. Word gets a PNG drawn from
    the SVG (:mod:`reportkit.document.raster`); ``png`` is the copy an older reportkit's
    notebook carries, placed as it is when present."""

    title: str
    svg: str
    png: bytes | None = None
    raster_id: str = ""


@dataclass(frozen=True)
class Photo:
    """A photo or a video's still frame as a JPEG scaled for print, with its caption; ``video``
    is ``"<file name>, thời lượng …"`` for a video."""

    jpeg: bytes
    caption: str
    video: str = ""


@dataclass(frozen=True)
class Photos:
    """Photos two to a row."""

    items: tuple[Photo, ...]


@dataclass(frozen=True)
class AppendixHeading:
    """The head of an appendix: its label (``Phụ lục I``), its title lines, what it is
    attached to (``Kèm theo Kế hoạch số …``, shown in brackets); ``attachment`` styles the title
    as an attached table's (the plan's budget estimate)."""

    titles: tuple[Text, ...]
    label: str | None = None
    note: str | None = None
    attachment: bool = False


@dataclass(frozen=True)
class Signature:
    """Nơi nhận (punctuated lines) beside the signer's block: the authority (``GIÁM ĐỐC``,
    ``KT. GIÁM ĐỐC``), an optional title under it, the space for the signature and the name.
    ``reportkit sign`` places the signature and the seal in that space."""

    authority: str
    name: str
    recipients: tuple[str, ...]
    title: str | None = None


@dataclass(frozen=True)
class Closing:
    """The closing paragraphs, kept on the page of the signature."""

    paragraphs: tuple[Paragraph, ...]
    signature: Signature


@dataclass(frozen=True)
class PageBreak:
    """The next block starts a new page."""


Block = Union[  # noqa: UP007 (a runtime alias for the serialiser)
    Header,
    Title,
    Recipient,
    Paragraph,
    Heading,
    Table,
    UnitNote,
    Chart,
    Photos,
    AppendixHeading,
    Closing,
    PageBreak,
]


@dataclass(frozen=True)
class Part:
    """The body (``main``) or an appendix (``appendix``, or ``attachment`` for an attached
    table such as the budget estimate); an appendix starts a page and numbers its pages anew."""

    blocks: tuple[Block, ...]
    kind: Literal["main", "appendix", "attachment"] = "main"


@dataclass(frozen=True)
class Document:
    """A composed document: its kind (``plan``, ``report``, a notebook's own), its title (the
    summary line: the PDF's and Word file's title), the issuing agency (their author), its
    parts, the figures it shows, and ``info``: the Decree-30 metadata of an outgoing document
    (:mod:`reportkit.metadata`), when known."""

    kind: str
    title: str
    parts: tuple[Part, ...]
    agency: str = ""
    figures: Mapping[str, Any] = field(default_factory=dict, compare=False)
    info: Mapping[str, Any] = field(default_factory=dict, compare=False)
    #: What the document is about, for the names of files exported from JupyterLab:
    #: ``{"campaign": id, "district": name}``.
    about: Mapping[str, str] = field(default_factory=dict, compare=False)

    def blocks(self) -> Iterable[Block]:
        """Every block of every part, in order."""
        for part in self.parts:
            yield from part.blocks

    def charts(self) -> list[Chart]:
        """The charts, in order."""
        return [block for block in self.blocks() if isinstance(block, Chart)]


# --- JSON ------------------------------------------------------------------------------------

_NODES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Run,
        Header,
        Title,
        Recipient,
        Paragraph,
        Heading,
        Column,
        Cell,
        Table,
        UnitNote,
        Chart,
        Photo,
        Photos,
        AppendixHeading,
        Signature,
        Closing,
        PageBreak,
        Part,
        Document,
    )
}


def to_data(node: Any) -> Any:
    """``node`` as plain JSON: a node is ``{"type": name, field: …}``, bytes ``{"base64": …}``."""
    if dataclasses.is_dataclass(node):
        # a view's subclass (reportkit.document.composition.Composed) travels as its node
        data = {"type": next(c.__name__ for c in type(node).__mro__ if c.__name__ in _NODES)}
        for f in dataclasses.fields(node):
            data[f.name] = to_data(getattr(node, f.name))
        return data
    if isinstance(node, bytes):
        return {"base64": base64.b64encode(node).decode("ascii")}
    if isinstance(node, tuple | list):
        return [to_data(item) for item in node]
    if isinstance(node, Mapping):
        return {key: to_data(value) for key, value in node.items()}
    return node


def from_data(data: Any) -> Any:
    """The node :func:`to_data` made; lists come back as tuples."""
    if isinstance(data, list):
        return tuple(from_data(item) for item in data)
    if isinstance(data, Mapping):
        if "type" in data and data["type"] in _NODES:
            cls = _NODES[data["type"]]
            values = {key: value for key, value in data.items() if key != "type"}
            kept = {"figures", "info", "about"} if cls is Document else set()
            return cls(
                **{key: (_plain(value) if key in kept else from_data(value)) for key, value in values.items()}
            )
        if set(data) == {"base64"}:
            return base64.b64decode(data["base64"])
        return {key: from_data(value) for key, value in data.items()}
    return data


def _plain(value: Any) -> Any:
    """Figures and metadata come back as the JSON they were (lists stay lists)."""
    return value
