"""The PDF through Typst (reportkit.document.typst): a document tree made here, set in the
shipped face only, PDF/A-2a and PDF/UA-1, the same bytes from the same tree, the Decree-30
page (numbers, appendices, tables, charts, photos, the signature block) and the named
destinations ``reportkit sign`` reads."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
import typst
from PIL import Image
from pypdf import PdfReader

from reportkit.document import model as m
from reportkit.document.typst import (
    SIGNATURE_MARKS,
    MissingGlyphError,
    issue_time,
    render_pdf,
    shipped_fonts,
    signature_marks,
    to_typst,
)
from reportkit.document.typst_markup import typst_source
from reportkit.signing import signature_space

from .conftest import require_program

#: Every character Typst's markup gives a meaning to, at a line's start and inside it.
SPECIAL = (
    "= Đề mục? - gạch + cộng / thuật: ngữ 1. số # $x$ *đậm* _nghiêng_ @nhãn <nhãn> [a] \\ ~ ` \"nháy\" 'đơn'"
)

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200pt" height="60pt" viewBox="0 0 200 60">'
    '<text x="10" y="30" font-family="\'reportkit Serif\', \'Times New Roman\', serif" font-size="12">'
    "Nhãn của biểu đồ</text></svg>"
)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def _table(rows: int) -> m.Table:
    return m.Table(
        (m.Column("STT", 7, "center"), m.Column("Hình thức"), m.Column("Kinh phí (đồng)", None, "number")),
        tuple(
            (m.Cell(str(i)), m.Cell(f"Hình thức thứ {i}"), m.Cell("1.300.000")) for i in range(1, rows + 1)
        ),
        (m.Cell(""), m.Cell("Tổng cộng", "center"), m.Cell("123.456.789.000")),
    )


def _document(rows: int = 60, header: bool = True) -> m.Document:
    closing = m.Closing(
        (m.Paragraph(m.inline("Trên đây là Kế hoạch của *Sở*.")),),
        m.Signature("KT. GIÁM ĐỐC", "Trần Thanh Hưng", ("Như trên;", "Lưu: VT, BCVT."), "PHÓ GIÁM ĐỐC"),
    )
    place_date = "Phú Yên, ngày 07 tháng 5 năm 2021"
    main = (
        *(
            [m.Header("UBND TỈNH PHÚ YÊN", "SỞ THÔNG TIN VÀ\nTRUYỀN THÔNG", "Số: 05/KH-STTTT", place_date)]
            if header
            else []
        ),
        m.Title("KẾ HOẠCH", m.inline("Tổ chức tuyên truyền năm 2021")),
        m.Paragraph(m.inline(SPECIAL)),
        m.Heading(2, "I.", m.inline("MỤC ĐÍCH, YÊU CẦU")),
        m.Heading(3, "1.", m.inline("Mục đích")),
        m.UnitNote(),
        _table(rows),
        m.Chart("Biểu đồ thử", SVG),
        closing,
    )
    appendix = (
        m.AppendixHeading(
            (m.inline("Phụ lục"), m.inline("HÌNH ẢNH MINH CHỨNG")), None, "Kèm theo Kế hoạch 05"
        ),
        m.Photos((m.Photo(_jpeg(), "Ảnh một"), m.Photo(_jpeg(), "Khung hình", "clip.mp4, thời lượng 0:12"))),
        m.PageBreak(),
        m.Paragraph(m.inline("Trang hai của phụ lục.")),
    )
    return m.Document(
        "plan",
        "Tổ chức tuyên truyền năm 2021",
        (m.Part(main), m.Part(appendix, "appendix")),
        agency="Sở Thông tin và Truyền thông",
    )


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("typst") / "plan.pdf"
    path.write_bytes(render_pdf(_document()))
    return path


def _pages(path: Path) -> list[str]:
    """Each page's text, its runs of spaces made one."""
    require_program("pdftotext")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


def test_every_special_character_reaches_the_page_as_text(pdf: Path):
    text = " ".join(_pages(pdf))
    assert unicodedata.normalize("NFC", m.plain(m.inline(SPECIAL))) in text  # *đậm* is bold
    assert "Nhãn của biểu đồ" in text  # the chart's text is text, in the shipped face


def test_only_the_shipped_face_is_embedded(pdf: Path):
    require_program("pdffonts")
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    fonts = [line.split()[0] for line in listing.splitlines()[2:]]
    face = re.compile(r"[A-Z]{6}\+LiberationSerif(-Bold|-Italic|-BoldItalic)?")
    assert fonts and all(face.fullmatch(font) for font in fonts)
    assert all(" yes yes yes " in line for line in listing.splitlines()[2:])  # embedded, subset, Unicode
    assert shipped_fonts().families() == ["Liberation Serif"]


def test_a_letter_the_face_lacks_is_one_message_naming_it():
    document = _document(rows=2)
    blocks = (*document.parts[0].blocks, m.Paragraph(m.inline("Chữ Hán 漢")))
    with pytest.raises(MissingGlyphError) as error:
        render_pdf(m.Document("plan", "t", (m.Part(blocks),), agency="a"))
    assert "漢" in str(error.value) and "Liberation Serif" in str(error.value)


def test_the_source_compiles_without_a_warning(tmp_path: Path):
    source = typst_source(_document())
    for name, data in source.files.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "main.typ").write_text(source.main, encoding="utf-8")
    compiler = typst.Compiler(str(tmp_path / "main.typ"), root=str(tmp_path), font_paths=shipped_fonts())
    _pdf, found = compiler.compile_with_warnings(format="pdf")
    assert found == []
    assert source.main == to_typst(_document())


def test_the_same_tree_gives_the_same_bytes_dated_from_its_header():
    assert render_pdf(_document(rows=5)) == render_pdf(_document(rows=5))
    assert issue_time(_document()).isoformat() == "2021-05-07T00:00:00+00:00"
    assert issue_time(_document(header=False)).year == 1980
    reader = PdfReader(io.BytesIO(render_pdf(_document(rows=5))))
    assert reader.metadata["/CreationDate"] == "D:20210507000000Z"


def test_pdfa_2a_and_pdfua_1_with_title_author_language(pdf: Path):
    reader = PdfReader(pdf)
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>A</pdfaid:conformance>" in xmp
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
    assert "<dc:language><rdf:Bag><rdf:li>vi</rdf:li></rdf:Bag></dc:language>" in xmp
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "vi" and root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title == "Tổ chức tuyên truyền năm 2021" and "Tổ chức tuyên truyền năm 2021" in xmp
    assert reader.metadata.author == "Sở Thông tin và Truyền thông" and "Sở Thông tin và Truyền thông" in xmp
    assert "/Producer" not in reader.metadata  # no pypdf left in /Info: it and the XMP agree


def _structure(reader: PdfReader) -> list:
    found = []

    def walk(node) -> None:
        node = node.get_object()
        if not hasattr(node, "get"):
            return
        if "/S" in node:
            found.append(node)
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_headings_tables_and_figures_are_tagged_with_alternative_text(pdf: Path):
    nodes = _structure(PdfReader(pdf))
    kinds = [str(node["/S"]) for node in nodes]
    assert kinds.count("/H1") == 2  # the document's type and the appendix's heading
    assert {"/H2", "/H3", "/Table", "/THead", "/TH", "/TD"} <= set(kinds)
    assert kinds.count("/TH") == 3  # the header row once, though it repeats on every page
    alts = [str(node.get("/Alt")) for node in nodes if node["/S"] == "/Figure"]
    assert alts == ["Biểu đồ thử", "Ảnh một", "Khung hình. Video clip.mp4, thời lượng 0:12"]


def test_page_numbers_from_page_2_and_each_appendix_numbered_anew(pdf: Path):
    pages = _pages(pdf)
    appendix = next(i for i, page in enumerate(pages) if page.startswith("Phụ lục"))
    assert appendix >= 2  # the table takes the body onto a second page
    assert not pages[0].startswith("1 ") and pages[0].startswith("UBND TỈNH PHÚ YÊN")
    assert [page.split()[0] for page in pages[1:appendix]] == [str(n) for n in range(2, appendix + 1)]
    assert pages[appendix + 1].startswith("2 Trang hai của phụ lục.")


def test_the_table_header_repeats_the_numbers_stay_whole_and_the_total_is_bold(pdf: Path):
    pages = _pages(pdf)
    with_rows = [page for page in pages if "Hình thức thứ" in page]
    assert len(with_rows) >= 2 and all("STT Hình thức Kinh phí (đồng)" in page for page in with_rows)
    assert "Tổng cộng 123.456.789.000" in " ".join(pages)
    reader = PdfReader(pdf)
    bold = [n for n in _structure(reader) if n["/S"] == "/Strong"]
    assert bold  # the total row and the run-in bold text


def test_the_closing_stays_with_the_signature_and_the_space_is_marked(pdf: Path):
    pages = _pages(pdf)
    page = next(i for i, text in enumerate(pages) if "KT. GIÁM ĐỐC" in text)
    assert "Trên đây là Kế hoạch của Sở." in pages[page] and "Trần Thanh Hưng" in pages[page]
    marks = signature_marks(pdf.read_bytes())
    assert set(marks) == set(SIGNATURE_MARKS) and {p for p, _, _ in marks.values()} == {page}
    space = signature_space(pdf)
    assert space.page == page
    assert 75 <= space.height <= 85  # 28 mm between the authority's lines and the name
    assert 230 <= space.width <= 240  # the signer's column: half of the 165 mm text width
    assert space.left == pytest.approx(85.04 + space.width, abs=1)  # the right column


def test_photos_two_to_a_row_with_their_captions(pdf: Path):
    text = " ".join(_pages(pdf))
    assert "Ảnh một Khung hình Video clip.mp4, thời lượng 0:12" in text


def test_a_document_without_a_title_takes_its_summary_line_as_the_pdf_title():
    document = _document(rows=2)
    untitled = m.Document("notice", "", document.parts, agency="")
    assert PdfReader(io.BytesIO(render_pdf(untitled))).metadata.title == "Tổ chức tuyên truyền năm 2021"
    bare = m.Document("notice", "", (m.Part((m.Paragraph(m.inline("Xin chào")),)),))
    assert PdfReader(io.BytesIO(render_pdf(bare))).metadata.title == "notice"


def test_evidence_wider_than_its_cell_breaks_after_hyphens_then_anywhere(tmp_path: Path):
    require_program("pdftotext")
    names = ("IMG_20210517_093012_anh_chup.jpg", "trang-tin-so.png", "https://example.org/tin-tuc/bai-viet")
    columns = (m.Column("STT", 10, "center"), m.Column("Minh chứng", 15, "evidence"), m.Column("Ghi chú"))
    rows = tuple((m.Cell(str(i)), m.Cell(name), m.Cell("x")) for i, name in enumerate(names, start=1))
    path = tmp_path / "evidence.pdf"
    table = m.Table(columns, rows, style="activities")
    path.write_bytes(render_pdf(m.Document("x", "t", (m.Part((table,)),))))
    boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True)
    words = re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)<', boxes.stdout)
    left, right = 85.04 + 0.10 * 467.72, 85.04 + 0.25 * 467.72  # the column, within the margins
    pieces = [(float(x0), float(x1), word) for x0, x1, word in words if left < float(x0) < right]
    assert pieces and all(x1 <= right for _x0, x1, _word in pieces)
    words = [word for _x0, _x1, word in pieces if word not in ("Minh", "chứng")]
    assert words[words.index("trang-tin-") + 1] == "so.png"  # after its hyphen, not anywhere
    assert "".join(words) == "".join(names)
