"""The HTML view of a document: one ``<article>`` as JupyterLab shows it and a browser prints it.

The page's look is ``templates/document/document.css`` (A4, Decree-30 margins and type); this
module writes the tags that sheet styles, one function per kind of block. Text is escaped;
the page fetches nothing (charts and photos travel as ``data:`` URLs).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from functools import cache
from importlib.resources import files

from markupsafe import Markup, escape

from . import model as m

__all__ = ["render_html"]

#: The classes of the cell alignments, as document.css names them.
_CELL_CLASS = {"left": None, "number": "rk-number-cell", "center": "rk-center", "evidence": "rk-evidence"}
_TABLE_CLASS = {"report": "rk-report-table"}
_PARAGRAPH_CLASS = {
    "body": "rk-body",
    "basis": "rk-body rk-basis",
    "in_words": "rk-in-words",
    "photos_title": "rk-appendix-title rk-photos-title",
}


@cache
def _css() -> str:
    return (files("reportkit") / "templates" / "document" / "document.css").read_text(encoding="utf-8")


def render_html(document: m.Document) -> str:
    """``document`` as one self-contained ``<article class="rk-document rk-<kind>">``."""
    parts = []
    appendix = 0
    for part in document.parts:
        if part.kind == "main":
            opening = '<section class="rk-part rk-main">'
        else:
            appendix += 1
            opening = f'<section class="rk-part rk-part-{appendix} rk-{part.kind}">'
        parts.append(opening + "\n" + "\n".join(_block(b) for b in part.blocks) + "\n</section>")
    return (
        f'<article class="rk-document rk-{escape(document.kind)}" lang="vi">\n'
        f"<style>{_css()}</style>\n" + "\n".join(parts) + "\n</article>\n"
    )


def _runs(text: m.Text, *, bold: bool = True) -> str:
    out = []
    for run in text:
        html = str(escape(run.text))
        if run.italic:
            html = f"<em>{html}</em>"
        if run.bold and bold:
            html = f"<strong>{html}</strong>"
        out.append(html)
    return "".join(out)


def _lines(text: str) -> str:
    return "<br>".join(str(escape(line.strip())) for line in text.splitlines())


def _header(b: m.Header) -> str:
    superior = f'<div class="rk-superior">{_lines(b.superior)}</div>' if b.superior else ""
    return (
        '<table class="rk-header">\n<tr>\n<td class="rk-header-agency">'
        f'{superior}<div class="rk-agency"><span>{_lines(b.agency)}</span></div></td>\n'
        '<td class="rk-header-nation"><div class="rk-nation">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div>'
        '<div class="rk-motto"><span>Độc lập - Tự do - Hạnh phúc</span></div></td>\n</tr>\n<tr>\n'
        f'<td class="rk-number">{escape(b.number)}</td>\n'
        f'<td class="rk-place-date">{escape(b.place_date)}</td>\n</tr>\n</table>'
    )


def _title(b: m.Title) -> str:
    return (
        f'<h1 class="rk-type">{escape(b.doc_type)}</h1>\n'
        f'<p class="rk-summary"><span>{_runs(b.summary)}</span></p>'
    )


def _recipient(b: m.Recipient) -> str:
    return f'<p class="rk-to">Kính gửi: {_runs(b.to)}.</p>'


def _paragraph(b: m.Paragraph) -> str:
    if b.lead:
        return (
            f'<p class="rk-body rk-run-in"><strong>{_runs(b.lead, bold=False)}</strong> {_runs(b.text)}</p>'
        )
    return f'<p class="{_PARAGRAPH_CLASS[b.style]}">{_runs(b.text)}</p>'


def _heading(b: m.Heading) -> str:
    return f'<h{b.level} class="rk-heading-{b.level}">{escape(b.label)} {_runs(b.text)}</h{b.level}>'


def _cell(cell: m.Cell, column: m.Column) -> str:
    css = _CELL_CLASS[cell.align or column.align]
    opening = f'<td class="{css}">' if css else "<td>"
    return f"{opening}{escape(cell.text)}</td>"


def _width(width: float | None) -> str:
    if width is None:
        return "<col>"
    return f'<col style="width: {width:g}%">'


def _table(b: m.Table) -> str:
    css = _TABLE_CLASS.get(b.style, f"rk-{b.style}")
    rows = [
        "<tr>" + "".join(_cell(c, col) for c, col in zip(row, b.columns, strict=True)) + "</tr>"
        for row in b.rows
    ]
    if b.total is not None:
        cells = "".join(_cell(c, col) for c, col in zip(b.total, b.columns, strict=True))
        rows.append(f'<tr class="rk-total">{cells}</tr>')
    return (
        f'<table class="rk-table {css}">\n'
        f"<colgroup>{''.join(_width(c.width) for c in b.columns)}</colgroup>\n"
        f"<thead><tr>{''.join(f'<th>{escape(c.label)}</th>' for c in b.columns)}</tr></thead>\n"
        "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"
    )


def _unit_note(b: m.UnitNote) -> str:
    return f'<p class="rk-unit">Đơn vị tính: {escape(b.unit)}</p>'


def _chart(b: m.Chart) -> str:
    src = "data:image/svg+xml;base64," + base64.b64encode(b.svg.encode("utf-8")).decode("ascii")
    return (
        f'<figure class="rk-chart">\n<img src="{src}" alt="{escape(b.title)}" '
        f'data-raster="{escape(b.raster_id)}">\n<figcaption>{escape(b.title)}</figcaption>\n</figure>'
    )


def _photos(b: m.Photos) -> str:
    figures = []
    for p in b.items:
        src = "data:image/jpeg;base64," + base64.b64encode(p.jpeg).decode("ascii")
        video = f"<br>Video {escape(p.video)}" if p.video else ""
        figures.append(
            f'<figure class="rk-photo{" rk-video" if p.video else ""}"><img src="{src}" '
            f'alt="{escape(p.caption)}"><figcaption>{escape(p.caption)}{video}</figcaption></figure>'
        )
    return '<div class="rk-photos">\n' + "\n".join(figures) + "\n</div>"


def _appendix_heading(b: m.AppendixHeading) -> str:
    css = "rk-attachment-title" if b.attachment else "rk-appendix-title"
    out = [f'<p class="rk-appendix-label">{escape(b.label)}</p>'] if b.label else []
    out += [f'<p class="{css}">{_runs(line)}</p>' for line in b.titles]
    if b.note:
        out.append(f'<p class="rk-attachment-note">({escape(b.note)})</p>')
    return "\n".join(out)


def _signature(b: m.Signature) -> str:
    recipients = "\n".join(f'<p class="rk-recipient">- {escape(r)}</p>' for r in b.recipients)
    title = f'<p class="rk-authority">{escape(b.title)}</p>\n' if b.title else ""
    # The ids become anchors; the PDF carries the same names as destinations, where
    # reportkit sign places the signature and the seal.
    return (
        '<table class="rk-signature">\n<tr>\n<td class="rk-recipients">\n'
        f'<p class="rk-recipients-label">Nơi nhận:</p>\n{recipients}\n</td>\n'
        f'<td class="rk-signer">\n<p class="rk-authority">{escape(b.authority)}</p>\n{title}'
        '<div class="rk-sign-space" id="rk-sign-space"><div class="rk-sign-space-end" '
        'id="rk-sign-space-end"></div></div>\n'
        f'<p class="rk-signer-name" id="rk-signer-name">{escape(b.name)}</p>\n</td>\n</tr>\n</table>'
    )


def _closing(b: m.Closing) -> str:
    body = "\n".join(_paragraph(p) for p in b.paragraphs)
    return f'<div class="rk-closing">\n{body}\n{_signature(b.signature)}\n</div>'


def _page_break(_: m.PageBreak) -> str:
    return '<div class="rk-page-break"></div>'


_RENDERERS: dict[type, Callable[..., str]] = {
    m.Header: _header,
    m.Title: _title,
    m.Recipient: _recipient,
    m.Paragraph: _paragraph,
    m.Heading: _heading,
    m.Table: _table,
    m.UnitNote: _unit_note,
    m.Chart: _chart,
    m.Photos: _photos,
    m.AppendixHeading: _appendix_heading,
    m.Signature: _signature,
    m.Closing: _closing,
    m.PageBreak: _page_break,
}


def _block(block: m.Block) -> str:
    return _RENDERERS[type(block)](block)


def blocks_html(blocks: Iterable[m.Block]) -> Markup:
    """Blocks as HTML, outside a document (for a notebook cell that shows a piece)."""
    return Markup("\n".join(_block(b) for b in blocks))
