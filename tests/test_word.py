"""The Word copy (.docx): a view of the document tree, checked as Word will read it.

The first tests read the file back with python-docx; those marked ``office`` open the built
files in LibreOffice (``soffice --headless --convert-to pdf``), read the text back and compare
the pages, rendered to PNG, with the PDF's.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import lxml.html
import numpy as np
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from PIL import Image

from reportkit.budget import budget_estimate
from reportkit.campaign import load_campaign
from reportkit.charts import report_charts
from reportkit.coverage import report_figures
from reportkit.document import plan_document, report_document
from reportkit.document.docx import render_docx
from reportkit.document.docx_look import TEXT_WIDTH_PT, cell_look, column_widths
from reportkit.document.model import (
    DOCUMENT_MIMETYPE,
    AppendixHeading,
    Cell,
    Chart,
    Column,
    Document,
    Header,
    PageBreak,
    Paragraph,
    Part,
    Photo,
    Photos,
    Table,
    from_data,
    inline,
    to_data,
)
from reportkit.document.raster import PPI, chart_pngs
from reportkit.exceptions import ReportkitError
from reportkit.fonts import FAMILY

from .conftest import RESULTS, SAMPLE, build_campaign, build_sample, pdf_text, require_program


def sample_report() -> Document:
    """The sample's report, composed as its notebook composes it."""
    campaign = load_campaign(SAMPLE)
    estimate = budget_estimate(campaign.budget)
    settings = campaign.config.report
    window = (settings.window.start, settings.window.end)
    figures = report_figures(
        campaign.units, campaign.activities, estimate, window=window, deadline=settings.deadline
    )
    charts = report_charts(figures, campaign.config.event_date)
    return report_document(campaign, estimate, figures, charts, campaign.activities)


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    campaign = load_campaign(SAMPLE)
    return {"plan": plan_document(campaign, budget_estimate(campaign.budget)), "report": sample_report()}


@pytest.fixture(scope="module")
def word(documents) -> dict[str, docx.document.Document]:
    return {kind: read(render_docx(document)) for kind, document in documents.items()}


def read(docx_bytes: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(docx_bytes))


def squeezed(text: str) -> str:
    """Text with every kind of space taken out: what is left must match character for character."""
    return re.sub(r"\s+", "", text.replace("\u00a0", " "))


def html_text(document: Document) -> str:
    """The text of the tree's HTML view: the Word view must carry the same."""
    root = lxml.html.fromstring(document.html)
    for style in root.findall(".//style"):
        style.drop_tree()
    return root.text_content()


def word_text(document) -> str:
    """Every paragraph of the body, tables included, in document order."""
    return "\n".join(
        "".join(node.text or "" for node in p.iter(qn("w:t"))) for p in document.element.body.iter(qn("w:p"))
    )


def paragraphs(document):
    """Body paragraphs, those in table cells included, in document order."""
    return [docx.text.paragraph.Paragraph(p, document._body) for p in document.element.body.iter(qn("w:p"))]


def paragraph_with(document, text: str):
    return next(p for p in paragraphs(document) if text in p.text)


@pytest.mark.parametrize("kind", ["plan", "report"])
def test_every_letter_of_the_document_is_in_the_word_file_in_order(documents, word, kind):
    assert squeezed(word_text(word[kind])) == squeezed(html_text(documents[kind]))


@pytest.mark.parametrize(("kind", "parts"), [("plan", 3), ("report", 2)])
def test_each_part_is_an_a4_section_with_the_decree_margins(word, kind, parts):
    sections = word[kind].sections
    assert len(sections) == parts  # body, then each appendix on pages of its own
    for section in sections:
        page = [section.page_width, section.page_height]
        margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
        assert [length.mm for length in page] == pytest.approx([210, 297], abs=0.05)
        assert [length.mm for length in margins] == pytest.approx([20, 20, 30, 15], abs=0.05)


@pytest.mark.parametrize("kind", ["plan", "report"])
def test_page_numbers_at_the_top_from_page_two_and_each_appendix_counts_anew(word, kind):
    sections = word[kind].sections
    header = sections[0].header._element
    fields = header.findall(".//" + qn("w:fldSimple"))
    assert [f.get(qn("w:instr")).strip() for f in fields] == ["PAGE"]
    assert sections[0].header.paragraphs[0].style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    for section in sections:
        assert section.different_first_page_header_footer  # no number on a part's first page
        assert not section.first_page_header._element.findall(".//" + qn("w:fldSimple"))
    starts = [s._sectPr.find(qn("w:pgNumType")) for s in sections]
    assert starts[0] is None
    assert all(start is not None and start.get(qn("w:start")) == "1" for start in starts[1:])


@pytest.mark.parametrize("kind", ["plan", "report"])
def test_times_new_roman_everywhere_and_vietnamese_proofing(word, kind):
    document = word[kind]
    used = {p.style.name: p.style for p in paragraphs(document)} | {"Normal": document.styles["Normal"]}
    defaults = document.styles.element.find(qn("w:docDefaults"))
    elements = [defaults, document.element, *(style.element for style in used.values())]
    fonts = [f for element in elements for f in element.iter(qn("w:rFonts"))]
    assert {value for f in fonts for value in f.attrib.values()} == {"Times New Roman"}  # no theme font
    languages = {lang.get(qn("w:val")) for element in elements for lang in element.iter(qn("w:lang"))}
    assert languages == {"vi-VN"}
    body = word[kind].styles["Nội dung"]
    assert body.font.size == Pt(14)
    assert body.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert body.paragraph_format.first_line_indent.cm == pytest.approx(1, abs=0.01)
    assert body.paragraph_format.space_before == Pt(6)


def test_header_is_two_columns_with_the_lines_under_agency_and_motto(word):
    header = word["plan"].tables[0]
    left, right = header.rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == [
        "UBND TỈNH PHÚ YÊN",
        "SỞ THÔNG TIN VÀ\nTRUYỀN THÔNG",
    ]
    assert [p.text for p in right.paragraphs if p.text] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    assert header.rows[1].cells[0].text.replace("\u00a0", " ").split() == ["Số:", "/KH-STTTT"]
    assert header.rows[1].cells[1].paragraphs[0].style.font.italic
    assert header._tbl.tblPr.find(qn("w:tblBorders")).find(qn("w:top")).get(qn("w:val")) == "nil"

    def rule_width(paragraph, cell_width):
        fmt = paragraph.paragraph_format
        return cell_width - fmt.left_indent.pt - fmt.right_indent.pt

    motto = right.paragraphs[1]
    assert motto._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")) is not None
    motto_rule = rule_width(motto, TEXT_WIDTH_PT * 0.57)
    # as long as the motto: 13 pt bold, about 0.55 em a letter in Times New Roman
    assert 0.45 * 13 * len(motto.text) < motto_rule < 0.65 * 13 * len(motto.text)
    agency_rule = next(p for p in left.paragraphs if p._p.pPr.find(qn("w:pBdr")) is not None)
    longest = max(len(line) for line in left.paragraphs[1].text.splitlines())
    assert (
        0.3 * 0.55 * 13 * longest < rule_width(agency_rule, TEXT_WIDTH_PT * 0.43) < 0.5 * 0.65 * 13 * longest
    )


def test_budget_table_numbers_right_total_bold_header_repeats(word):
    table = word["plan"].tables[-1]
    head, line, total = table.rows
    assert [c.text for c in head.cells] == [
        "STT",
        "Nội dung",
        "ĐVT",
        "Số lượng",
        "Đơn giá",
        "Thành tiền",
        "Ghi chú",
    ]
    assert head._tr.trPr.find(qn("w:tblHeader")) is not None
    for cell in line.cells[3:6]:
        assert cell.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert [c.text for c in line.cells[3:6]] == ["01", "300.000", "300.000"]
    assert total.cells[1].text == "Tổng cộng" and total.cells[5].text == "300.000"
    assert all(run.bold for cell in total.cells for p in cell.paragraphs for run in p.runs)
    widths = [c.width.pt for c in line.cells]
    assert sum(widths) == pytest.approx(TEXT_WIDTH_PT, abs=1)


def test_amount_in_words_under_the_budget(word):
    words = paragraph_with(word["plan"], "Bằng chữ:")
    assert words.text == "Bằng chữ: Ba trăm nghìn đồng chẵn."
    assert words.style.font.bold and words.style.font.italic


@pytest.mark.parametrize("kind", ["plan", "report"])
def test_recipients_and_signature_side_by_side(word, kind):
    document = word[kind]
    signature = next(t for t in document.tables if t.rows[0].cells[0].text.startswith("Nơi nhận:"))
    recipients, signer = signature.rows[0].cells
    label, *names = recipients.paragraphs
    assert label.style.font.size == Pt(12) and label.style.font.bold and label.style.font.italic
    assert names and all(p.text.startswith("- ") and p.style.font.size == Pt(11) for p in names)
    assert names[-1].text.endswith(".")
    assert [p.text for p in signer.paragraphs] == ["GIÁM ĐỐC", "Trần Thanh Hưng"]
    assert signer.paragraphs[1].style.paragraph_format.space_before > Mm(20)  # room to sign and seal


def test_report_charts_drawn_by_typst_at_the_text_width_and_photos(documents, word):
    document = word["report"]
    shapes = document.inline_shapes
    charts = [s for s in shapes if abs(s.width.pt - TEXT_WIDTH_PT) < 1]
    assert len(charts) == 4
    assert len(shapes) == 4 + 5  # and the five local photos of the sample
    media = _media(document).values()
    svgs = [chart.svg for chart in documents["report"].charts()]
    pngs = chart_pngs(svgs)
    assert len(set(pngs)) == 4 and all(png in media for png in pngs)
    for png in pngs:  # the text's width at PPI pixels an inch
        assert Image.open(io.BytesIO(png)).width == round(TEXT_WIDTH_PT / 72 * PPI)
    photos = [
        photo.jpeg
        for block in documents["report"].blocks()
        if isinstance(block, Photos)
        for photo in block.items
    ]
    assert len(photos) == 5 and all(jpeg in media for jpeg in photos)
    assert paragraph_with(document, "Số hoạt động theo ngày").style.name == "Chú thích hình"


@pytest.mark.parametrize(("letter", "drawn"), [*((letter, True) for letter in "ĐđệồữắẫỹơưẤ"), ("漢", False)])
def test_a_charts_letters_are_drawn_in_the_shipped_face_only(letter, drawn):
    """Every Vietnamese letter of a chart reaches Word's picture; a letter the shipped face lacks
    is not drawn in another face (none is looked for), as the PDF sets none."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="40pt" height="40pt" viewBox="0 0 40 40">'
        f'<text x="8" y="30" style="font-size: 24px; font-family: \'{FAMILY}\', serif">{letter}</text></svg>'
    )
    ink = 255 - np.asarray(Image.open(io.BytesIO(chart_pngs([svg])[0])).convert("L"))
    assert bool(ink.max() > 128) == drawn


def test_a_tree_from_an_older_reportkit_keeps_its_png_copy(documents):
    report = documents["report"]
    old = io.BytesIO()
    Image.new("RGB", (400, 200), "white").save(old, format="PNG")
    parts = tuple(
        dataclasses.replace(
            part,
            blocks=tuple(
                dataclasses.replace(block, png=old.getvalue()) if isinstance(block, Chart) else block
                for block in part.blocks
            ),
        )
        for part in report.parts
    )
    media = _media(read(render_docx(dataclasses.replace(report, parts=parts))))
    assert old.getvalue() in media.values()
    assert not set(chart_pngs([chart.svg for chart in report.charts()])) & set(media.values())


def test_charts_and_photos_carry_their_captions_as_alternative_text(documents, word):
    report = documents["report"]
    said = [shape._inline.docPr.get("descr") for shape in word["report"].inline_shapes]
    captions = [
        photo.caption for block in report.blocks() if isinstance(block, Photos) for photo in block.items
    ]
    assert said == [chart.title for chart in report.charts()] + captions
    assert all(said)


def test_headings_are_outline_levels_for_the_navigation_pane(word):
    outline = {
        name: word["report"].styles[name].element.pPr.find(qn("w:outlineLvl")).get(qn("w:val"))
        for name in ("Đề mục cấp 1", "Đề mục cấp 2")
    }
    assert outline == {"Đề mục cấp 1": "0", "Đề mục cấp 2": "1"}
    assert paragraph_with(word["report"], "II. KẾT QUẢ THỰC HIỆN").style.name == "Đề mục cấp 1"


def test_the_kernel_draws_no_png_for_word(documents):
    report = sample_report()
    assert [chart.png for chart in report.charts()] == [None] * 4
    assert [chart.svg for chart in report.charts()] == [chart.svg for chart in documents["report"].charts()]


def test_the_file_is_titled_and_signed_by_the_document(documents, word):
    properties = word["report"].core_properties
    assert properties.title == documents["report"].title
    assert properties.author == " ".join(documents["report"].agency.split())
    assert properties.author == "Sở Thông tin và Truyền thông"  # the sample's agency
    assert properties.language == "vi-VN"


# --- trees made here: what the sample does not show -----------------------------------------


def tiny(*blocks, appendix: tuple = ()) -> Document:
    """A document of ``blocks``, and an appendix of ``appendix`` if any."""
    parts = (Part(tuple(blocks)),) + ((Part(tuple(appendix), kind="appendix"),) if appendix else ())
    return Document(kind="note", title="Thử", parts=parts, agency="SỞ A")


def jpeg(colour: str = "gray") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_page_break_starts_the_next_paragraph_on_a_new_page():
    document = read(render_docx(tiny(Paragraph(inline("một")), PageBreak(), Paragraph(inline("hai")))))
    first, second = (paragraph_with(document, text) for text in ("một", "hai"))
    assert not first.paragraph_format.page_break_before
    assert second.paragraph_format.page_break_before


def test_a_run_in_heading_is_bold_before_its_paragraph():
    block = Paragraph(inline("Nâng cao *nhận thức*."), lead=inline("1. Mục đích"))
    paragraph = paragraph_with(read(render_docx(tiny(block))), "Mục đích")
    assert paragraph.text == "1. Mục đích Nâng cao nhận thức."
    assert [(run.text, bool(run.bold), bool(run.italic)) for run in paragraph.runs] == [
        ("1. Mục đích", True, False),
        (" Nâng cao ", False, False),
        ("nhận thức", False, True),
        (".", False, False),
    ]


def test_a_lone_photo_is_centred_and_a_video_frame_names_its_video():
    photos = Photos(
        (Photo(jpeg(), "Ảnh một"), Photo(jpeg("red"), "Khung hình", video="clip.mp4, thời lượng 1 phút"))
    )
    document = read(render_docx(tiny(Photos((Photo(jpeg(), "Ảnh lẻ"),)), photos)))
    alone, pair = document.tables
    assert len(alone.rows[0]._tr.tc_lst) == 1  # one cell across the row
    frame = pair.rows[0].cells[1]
    assert [p.text for p in frame.paragraphs if p.text] == ["Khung hình\nVideo clip.mp4, thời lượng 1 phút"]


def test_an_attached_tables_heading_in_brackets_on_its_own_numbered_pages():
    heading = AppendixHeading(
        (inline("DỰ TOÁN"),), label="Phụ lục I", note="Kèm theo Kế hoạch số 05", attachment=True
    )
    document = read(render_docx(tiny(Paragraph(inline("thân")), appendix=(heading,))))
    assert [p.text for p in document.paragraphs[-3:]] == ["Phụ lục I", "DỰ TOÁN", "(Kèm theo Kế hoạch số 05)"]
    assert document.sections[1]._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"


def test_a_document_without_parts_is_an_error():
    with pytest.raises(ReportkitError, match="no document to write to Word"):
        render_docx(Document(kind="note", title="", parts=()))


def test_a_block_the_renderer_has_no_view_of_is_an_error_not_a_silent_loss():
    with pytest.raises(TypeError, match="no view of str"):
        render_docx(tiny("a stray string"))


def test_a_tree_read_back_from_json_gives_the_same_word_text(documents):
    again = from_data(json.loads(json.dumps(to_data(documents["plan"]))))
    assert word_text(read(render_docx(again))) == word_text(read(render_docx(documents["plan"])))


def cells(*texts: str, number: bool = False) -> list:
    return [[cell_look(text, "number" if number else "left", "report") for text in texts]]


@pytest.mark.parametrize(
    ("shares", "grid", "check"),
    [
        # shares that the content fits are kept
        ([50, 50], cells("a", "b"), lambda w: w == pytest.approx([TEXT_WIDTH_PT / 2] * 2)),
        # columns without a share split the rest by the length of their lines
        ([20, None, None], cells("a", "x", "a long line of text here"), lambda w: w[2] > 3 * w[1]),
        # a number never wraps: its column grows, taken from the others
        ([2, 98], cells("11.900.000", "b", number=True), lambda w: w[0] > 10 * 13 * 0.45),
    ],
)
def test_column_widths_fill_the_text_width_like_a_browser(shares, grid, check):
    widths = column_widths(shares, grid)
    assert sum(widths) == pytest.approx(TEXT_WIDTH_PT)
    assert check(widths)


def test_a_table_in_a_tree_keeps_its_shares_header_and_total():
    table = Table(
        columns=(Column("STT", 10, "center"), Column("Nội dung"), Column("Thành tiền", 25, "number")),
        rows=((Cell("1"), Cell("In tờ rơi"), Cell("300.000")),),
        total=(Cell(""), Cell("Tổng cộng"), Cell("300.000")),
    )
    (rendered,) = read(render_docx(tiny(table))).tables
    head, line, total = rendered.rows
    assert head._tr.trPr.find(qn("w:tblHeader")) is not None
    assert line._tr.trPr.find(qn("w:tblHeader")) is None
    assert [c.width.pt for c in line.cells] == pytest.approx(
        [TEXT_WIDTH_PT * 0.10, TEXT_WIDTH_PT * 0.65, TEXT_WIDTH_PT * 0.25], abs=0.1
    )
    assert [c.paragraphs[0].alignment for c in line.cells] == [
        WD_ALIGN_PARAGRAPH.CENTER,
        WD_ALIGN_PARAGRAPH.LEFT,
        WD_ALIGN_PARAGRAPH.RIGHT,
    ]
    assert all(run.bold for cell in total.cells for run in cell.paragraphs[0].runs)


def test_the_header_has_no_superior_line_when_there_is_none():
    header = Header(
        superior="", agency="SỞ A", number="Số: 1/KH", place_date="Phú Yên, ngày 1 tháng 1 năm 2021"
    )
    (table,) = read(render_docx(tiny(header))).tables
    assert [p.text for p in table.rows[0].cells[0].paragraphs if p.text] == ["SỞ A"]


def _media(document) -> dict[str, bytes]:
    blob = io.BytesIO()
    document.save(blob)
    with zipfile.ZipFile(blob) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.startswith("word/media/")}


# --- built through the CLI and nbconvert, opened in LibreOffice ------------------------------


def nbconvert_to_docx(notebook: Path, out: Path, *options: str, env=None) -> subprocess.CompletedProcess:
    """``jupyter nbconvert --to reportkit_docx``, as a user would type it."""
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "nbconvert",
        "--to",
        "reportkit_docx",
        "--output-dir",
        str(out),
        *options,
    ]
    return subprocess.run([*command, str(notebook)], capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_sample(tmp_path_factory.mktemp("outputs"), "--to", "docx")


@pytest.fixture(scope="module")
def built_pdf(tmp_path_factory) -> Path:
    """The sample's PDFs, as ``reportkit build`` writes them, to hold the Word pages against."""
    return build_sample(tmp_path_factory.mktemp("pdf"), "--to", "pdf")


@pytest.mark.kernel
def test_build_to_docx_writes_plan_and_report_docx(built):
    names = sorted(p.name for p in built.iterdir() if p.is_file())
    assert {"plan.docx", "report.docx"} <= set(names)
    assert not [n for n in names if n.endswith((".html", ".pdf"))]  # only the formats asked for
    for doc in ("plan", "report"):
        assert docx.Document(built / f"{doc}.docx").sections[0].page_width.mm == pytest.approx(210, abs=0.05)


@pytest.mark.kernel
def test_a_notebook_built_without_docx_or_run_as_in_jupyterlab_exports_to_word_with_its_charts(tmp_path):
    folder = build_campaign(RESULTS, tmp_path / "out", "--doc", "report", "--to", "html")
    notebook = json.loads((folder / "report.ipynb").read_text(encoding="utf-8"))
    outputs = [o for cell in notebook["cells"] for o in cell.get("outputs", [])]
    trees = [
        from_data(o["data"][DOCUMENT_MIMETYPE]) for o in outputs if DOCUMENT_MIMETYPE in o.get("data", {})
    ]
    assert len(trees) == 1 and trees[0].charts()
    assert all(chart.png is None for chart in trees[0].charts())  # the kernel draws no PNG
    charts = len(trees[0].charts())
    # as built, then run again in a kernel of nbconvert's own (as JupyterLab runs it)
    lab = dict(os.environ)
    for out, options in ((tmp_path / "built", ()), (tmp_path / "lab", ("--execute",))):
        result = nbconvert_to_docx(folder / "report.ipynb", out, *options, env=lab)
        assert result.returncode == 0, result.stderr
        (exported,) = out.glob("report*.docx")
        pictures = [s for s in docx.Document(exported).inline_shapes if abs(s.width.pt - TEXT_WIDTH_PT) < 1]
        assert len(pictures) == charts


@pytest.mark.kernel
def test_jupyter_nbconvert_to_reportkit_docx(built, tmp_path):
    result = nbconvert_to_docx(built / "report.ipynb", tmp_path)
    assert result.returncode == 0, result.stderr
    # an export says its campaign in its name (a district report its district too)
    exported = tmp_path / f"report_{built.name}.docx"
    again, first = docx.Document(exported), docx.Document(built / "report.docx")
    assert word_text(again) == word_text(first)


@pytest.fixture(scope="module")
def office_pdfs(built, tmp_path_factory) -> Path:
    """The built .docx files converted to PDF by LibreOffice, as the office would open them."""
    soffice = require_program("soffice")
    folder = tmp_path_factory.mktemp("office")
    profile = folder / "profile"
    convert = [
        "--convert-to",
        "pdf",
        "--outdir",
        str(folder),
        str(built / "plan.docx"),
        str(built / "report.docx"),
    ]
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", *convert],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for doc in ("plan", "report"):
        assert (folder / f"{doc}.pdf").is_file(), f"LibreOffice did not open {doc}.docx: {result.stdout}"
    return folder


@pytest.mark.office
@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (
            "plan",
            [
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Độc lập - Tự do - Hạnh phúc",
                "Số: /KH-STTTT",
                "KẾ HOẠCH",
                "I. MỤC ĐÍCH, YÊU CẦU",
                "Tổng kinh phí: 300.000đ",
                "Tổng cộng 300.000",
                "Bằng chữ: Ba trăm nghìn đồng chẵn.",
                "GIÁM ĐỐC",
                "Trần Thanh Hưng",
            ],
        ),
        (
            "report",
            [
                "Số: /BC-STTTT",
                "BÁO CÁO",
                "Kính gửi: Bộ Thông tin và Truyền thông",
                "30/34 đơn vị (88,2%) đã triển khai hoạt động tuyên truyền",
                "9/9 huyện, thị xã, thành phố (100%)",
                "tiếp cận khoảng 315.232 lượt người",
                "đã sử dụng 300.000 đồng (Ba trăm nghìn đồng chẵn)",
                "11.600.000 đồng từ nguồn kinh phí của đơn vị mình (Mười một triệu sáu trăm nghìn đồng chẵn)",
                "Tổng cộng 52 294 315.232 11.900.000",
                "Nơi nhận:",
                "Trần Thanh Hưng",
            ],
        ),
    ],
)
def test_libreoffice_opens_the_word_file_with_the_key_figures(office_pdfs, doc, expected):
    text = pdf_text(office_pdfs / f"{doc}.pdf")
    for phrase in expected:
        assert phrase in text, phrase


@pytest.mark.office
@pytest.mark.parametrize("doc", ["plan", "report"])
def test_page_numbers_in_libreoffice_start_on_page_two(office_pdfs, doc):
    pages = _pages(office_pdfs / f"{doc}.pdf")
    assert not pages[0].startswith("1 ")
    assert pages[1].startswith("2 ")


@pytest.mark.office
@pytest.mark.parametrize("doc", ["plan", "report"])
def test_word_pages_look_like_the_pdf(built_pdf, office_pdfs, doc, tmp_path):
    word_pdf, pdf = office_pdfs / f"{doc}.pdf", built_pdf / f"{doc}.pdf"
    word_pages, pdf_pages = len(_pages(word_pdf)), len(_pages(pdf))
    assert abs(word_pages - pdf_pages) <= 1, (word_pages, pdf_pages)
    # the first page, and the plan's last (the budget estimate): ink where the PDF has ink
    for word_page, pdf_page in [(1, 1)] + ([(word_pages, pdf_pages)] if doc == "plan" else []):
        a = _ink(_render(word_pdf, word_page, tmp_path / f"word-{doc}-{word_page}"))
        b = _ink(_render(pdf, pdf_page, tmp_path / f"pdf-{doc}-{pdf_page}"))
        rows, columns = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
        likeness = np.corrcoef(a[:rows, :columns].ravel(), b[:rows, :columns].ravel())[0, 1]
        assert likeness > 0.8, f"page {word_page} of {doc}.docx in LibreOffice: {likeness:.2f}"


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return [" ".join(page.split()) for page in text.stdout.split("\f") if page.strip()]


def _render(pdf: Path, page: int, stem: Path) -> Path:
    """Page ``page`` as a grey PNG at 30 dpi (kept in the test's folder to look at)."""
    pages = ["-f", str(page), "-l", str(page), "-singlefile"]
    subprocess.run(["pdftoppm", "-png", "-gray", "-r", "30", *pages, str(pdf), str(stem)], check=True)
    return stem.with_suffix(".png")


def _ink(png: Path, block: int = 12) -> np.ndarray:
    """How much ink each square of about a centimetre holds."""
    pixels = 255 - np.asarray(Image.open(png).convert("L"), dtype=float)
    rows, columns = pixels.shape[0] // block * block, pixels.shape[1] // block * block
    return pixels[:rows, :columns].reshape(rows // block, block, columns // block, block).mean(axis=(1, 3))
