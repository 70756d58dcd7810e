"""PDF/A output, ``reportkit sign`` and ``reportkit verify``, with real parts: the plan built by
the real command, certificates made here, a timestamp server on 127.0.0.1, a SoftHSM2 token,
pyHanko's validator, and the signed page rendered by pdftoppm."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportkit.signing import Box, seal_box, signer_box

from .conftest import ROOT, SAMPLE, build_campaign
from .pki import PASSPHRASE, PIN, SIGNER_NAME, SOFTHSM_LIB, TimestampServer, make_images, make_pki, make_token

NUMBERED = ("--doc", "plan", "--to", "pdf", "-p", "number=5", "-p", "issued_on=2021-05-07")


def reportkit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "reportkit.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, "RK_PASS": PASSPHRASE, **(env or {})},
    )


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("signing")


@pytest.fixture(scope="module")
def plan(work: Path) -> Path:
    """The sample plan with number 5 of 7 May 2021, as ``reportkit build`` writes it."""
    return build_campaign(SAMPLE, work / "out", *NUMBERED) / "plan.pdf"


@pytest.fixture(scope="module")
def pki(work: Path):
    return make_pki(work / "pki")


@pytest.fixture(scope="module")
def images(work: Path) -> tuple[Path, Path]:
    return make_images(work)


@pytest.fixture(scope="module")
def signed(work: Path, plan: Path, pki, images) -> Path:
    """The plan signed by the signer, then by the agency, through the real command."""
    signature, seal = images
    first = reportkit(
        "sign",
        plan,
        "--role",
        "signer",
        "--p12",
        pki.signer_p12,
        "--pass-env",
        "RK_PASS",
        "--image",
        signature,
    )
    assert first.returncode == 0, first.stderr
    output = plan.with_name("plan.signed.pdf")
    assert f"{output}: signed as signer" in first.stdout
    second = reportkit(
        "sign", output, "--role", "agency", "--p12", pki.agency_p12, "--pass-env", "RK_PASS", "--image", seal
    )
    assert second.returncode == 0, second.stderr
    return output


def _validate(path: Path, root_pem: Path) -> list:
    """pyHanko's own validator, against the test root, for every signature of ``path``."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    root = load_cert_from_pemder(str(root_pem))
    with open(path, "rb") as stream:
        reader = PdfFileReader(stream)
        return [
            (
                sig.field_name,
                validate_pdf_signature(
                    sig,
                    ValidationContext(trust_roots=[root], allow_fetching=False),
                    ts_validation_context=ValidationContext(trust_roots=[root], allow_fetching=False),
                ),
            )
            for sig in reader.embedded_signatures
        ]


# --- PDF/A ---------------------------------------------------------------------------------------


def _fonts(resources, seen: set) -> list:
    """Every font dictionary reachable from a page's resources, through forms and Type0 fonts."""
    found = []
    if resources is None:
        return found
    resources = resources.get_object()
    for font in (resources.get("/Font") or {}).values():
        font = font.get_object()
        found.append(font)
        for descendant in font.get("/DescendantFonts") or []:
            found.append(descendant.get_object())
    for xobject in (resources.get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if id(xobject) not in seen and xobject.get("/Subtype") == "/Form":
            seen.add(id(xobject))
            found += _fonts(xobject.get("/Resources"), seen)
    return found


def _images(resources) -> list:
    resources = resources.get_object() if resources is not None else {}
    return [x.get_object() for x in (resources.get("/XObject") or {}).values()]


_XMP_NS = {
    "http://www.aiim.org/pdfa/ns/id/": "pdfaid",
    "http://www.aiim.org/pdfua/ns/id/": "pdfuaid",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://ns.adobe.com/pdf/1.3/": "pdf",
    "http://ns.adobe.com/xap/1.0/": "xmp",
}


def _xmp(packet: bytes) -> dict[str, list[str]]:
    """The XMP properties of known schemas, whether written as attributes or as elements
    (Typst and pyHanko write them differently): ``{"dc:title": ["…"], …}``."""
    from xml.etree.ElementTree import fromstring

    def short(tag: str) -> str | None:
        ns, _sep, local = tag[1:].partition("}")
        return f"{_XMP_NS[ns]}:{local}" if ns in _XMP_NS else None

    found: dict[str, list[str]] = {}
    for element in fromstring(packet.decode("utf-8").split("?>", 1)[1].rsplit("<?xpacket", 1)[0]).iter():
        for name, value in element.attrib.items():
            if short(name):
                found.setdefault(short(name), []).append(value)
        if short(element.tag):
            texts = [t.strip() for t in element.itertext() if t.strip()]
            found.setdefault(short(element.tag), []).extend(texts)
    return found


def _appearances(reader: PdfReader) -> list:
    """The normal appearance streams of every annotation: what a signature field draws."""
    return [
        annot.get_object()["/AP"]["/N"].get_object()
        for page in reader.pages
        for annot in page.get("/Annots") or []
        if "/AP" in annot.get_object()
    ]


@pytest.mark.kernel
@pytest.mark.pdf
@pytest.mark.parametrize("which", ["plan", "signed"])
def test_the_pdf_is_pdfa_2a_and_ua_1_with_its_title_author_language_fonts_and_intent(which: str, request):
    reader = PdfReader(request.getfixturevalue(which))
    assert not reader.is_encrypted
    assert reader.pdf_header == "%PDF-1.7"
    xmp = _xmp(reader.trailer["/Root"]["/Metadata"].get_object().get_data())
    assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"], xmp["pdfuaid:part"]) == (["2"], ["A"], ["1"])
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject): tagged
    assert xmp["dc:title"] == ["Tổ chức tuyên truyền Ngày Viễn thông và Xã hội thông tin thế giới năm 2021"]
    assert xmp["dc:creator"] == ["Sở Thông tin và Truyền thông"]
    assert xmp["dc:language"] == ["vi"]
    assert reader.trailer["/Root"]["/Lang"] == "vi"
    # PDF/A: what /Info says, the XMP says the same (pyHanko rewrites both when it signs).
    info = reader.metadata
    assert [info["/Title"]] == xmp["dc:title"] and [info["/Author"]] == xmp["dc:creator"]
    assert [info["/Creator"]] == xmp["xmp:CreatorTool"]
    # Typst writes no producer; pyHanko writes itself into both.
    assert ([info["/Producer"]] if "/Producer" in info else []) == xmp.get("pdf:Producer", [])
    intents = reader.trailer["/Root"]["/OutputIntents"]
    assert [i.get_object()["/S"] for i in intents] == ["/GTS_PDFA1"]
    assert intents[0].get_object()["/DestOutputProfile"].get_object().get_data()[36:40] == b"acsp"
    fonts = [f for page in reader.pages for f in _fonts(page.get("/Resources"), set())]
    fonts += [f for form in _appearances(reader) for f in _fonts(form.get("/Resources"), set())]
    assert fonts
    for font in fonts:
        if font["/Subtype"] == "/Type0":
            continue  # its glyphs are in its descendant, checked in this loop too
        descriptor = font["/FontDescriptor"].get_object()
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]
    images = [i for page in reader.pages for i in _images(page.get("/Resources"))]
    for form in _appearances(reader):  # the signature's and the seal's pictures, a form deep
        for inner in _images(form.get("/Resources")):
            images += [inner, *_images(inner.get("/Resources"))]
    for image in images:
        assert image.get("/Interpolate") in (None, False)
    pictures = [i for i in images if i.get("/Subtype") == "/Image"]
    if which == "signed":  # both transparent PNGs keep their alpha as a soft mask (PDF/A-2)
        assert sum("/SMask" in i for i in pictures) >= 2


# --- where the fields go -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((100, 40), Box(0, 50, 20, 150, 60)),  # fits: centred at its own size
        ((400, 40), Box(0, 0, 30, 200, 50)),  # too wide: shrunk to the space's width
        ((100, 160), Box(0, 75, 0, 125, 80)),  # too tall: shrunk to the space's height
    ],
)
def test_the_signer_box_is_centred_in_the_space_and_fits_it(size, expected):
    assert signer_box(Box(0, 0, 0, 200, 80), size) == expected


def test_the_seal_covers_the_left_third_of_the_signature():
    seal = seal_box(Box(1, 90, 20, 150, 50), (40, 40))
    assert seal == Box(1, 70, 15, 110, 55)  # right edge at 90 + 60 / 3, centred on 35


# --- signing and verifying -----------------------------------------------------------------------


def _widgets(path: Path) -> dict[str, tuple[int, list[float]]]:
    found = {}
    for index, page in enumerate(PdfReader(path).pages):
        for ref in page.get("/Annots") or []:
            widget = ref.get_object()
            if widget.get("/FT") == "/Sig":
                found[widget["/T"]] = (index, [float(v) for v in widget["/Rect"]])
    return found


@pytest.mark.kernel
@pytest.mark.pdf
def test_two_signatures_validate_intact_valid_trusted_and_the_first_still_holds(signed: Path, pki):
    statuses = dict(_validate(signed, pki.root_pem))
    assert set(statuses) == {"Signer", "Agency"}
    for status in statuses.values():
        assert status.intact and status.valid and status.trusted
        assert status.docmdp_ok is not False
    assert statuses["Signer"].signing_cert.subject.native["common_name"] == SIGNER_NAME
    assert statuses["Signer"].modification_level.name == "FORM_FILLING"  # the agency's signature
    assert statuses["Agency"].coverage.name == "ENTIRE_FILE"


@pytest.mark.kernel
@pytest.mark.pdf
def test_verify_lists_both_signatures_and_exits_0_trusted_against_the_root(signed: Path, pki):
    result = reportkit("verify", signed, "--trust", pki.root_pem)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Signer (signer): {SIGNER_NAME}; signed ")
    assert "intact: yes, valid: yes, trusted: yes" in lines[0]
    assert lines[1].startswith("Agency (agency): Sở Thông tin và Truyền thông tỉnh Phú Yên")
    assert re.search(r"signed \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", lines[1])
    assert lines[-1] == f"{signed}: all signatures hold"
    assert result.stderr == ""


@pytest.mark.kernel
@pytest.mark.pdf
def test_verify_fails_on_a_root_that_did_not_issue_the_certificates(signed: Path, work: Path):
    other = make_pki(work / "other-pki")
    result = reportkit("verify", signed, "--trust", other.root_pem)
    assert result.returncode == 1
    assert "trusted: NO" in result.stdout and result.stdout.endswith("NOT valid\n")


@pytest.mark.kernel
@pytest.mark.pdf
@pytest.mark.parametrize("where", ["middle", "end"])
def test_a_one_byte_change_fails_verification(signed: Path, tmp_path: Path, where: str):
    data = bytearray(signed.read_bytes())
    if where == "middle":
        data[len(data) // 3] ^= 0x01
    else:
        data += b"\n"
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    result = reportkit("verify", tampered)
    assert result.returncode == 1, result.stdout
    assert result.stdout.endswith(f"{tampered}: NOT valid\n")
    if where == "middle":
        assert "intact: NO" in result.stdout
    else:
        assert "the file was altered" in result.stdout


@pytest.mark.kernel
@pytest.mark.pdf
def test_verify_an_unsigned_pdf_exits_1(plan: Path):
    result = reportkit("verify", plan)
    assert result.returncode == 1
    assert result.stdout == f"{plan}: no signatures\n"


@pytest.mark.kernel
@pytest.mark.pdf
def test_the_fields_sit_between_the_title_and_the_name_and_the_seal_on_its_left_third(signed: Path):
    reader = PdfReader(signed)
    dests = reader.named_destinations
    page = reader.get_destination_page_number(dests["rk-sign-space"])
    top, right, name = (dests[n] for n in ("rk-sign-space", "rk-sign-space-end", "rk-signer-name"))
    widgets = _widgets(signed)
    (signer_page, (x1, y1, x2, y2)), (seal_page, (s1, t1, s2, t2)) = widgets["Signer"], widgets["Agency"]
    assert signer_page == seal_page == page
    assert float(name.top) <= y1 < y2 <= float(top.top)
    assert abs((x1 + x2) / 2 - (float(top.left) + float(right.left)) / 2) < 1
    assert abs(s2 - (x1 + (x2 - x1) / 3)) < 1  # the seal ends a third of the way in
    assert s1 < x1 and abs((t1 + t2) / 2 - (y1 + y2) / 2) < 1


def _words(pdf: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """The words of a page with their boxes (points, origin top left), as pdftotext reads them."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [(w, float(a), float(b), float(c), float(d)) for a, b, c, d, w in re.findall(pattern, html)]


@pytest.mark.kernel
@pytest.mark.pdf
def test_the_rendered_page_shows_blue_ink_between_giam_doc_and_the_name_and_red_on_its_left(
    signed: Path, tmp_path: Path
):
    _assert_ink_placed(signed, tmp_path)


@pytest.mark.kernel
@pytest.mark.pdf
def test_the_fields_follow_the_block_when_the_text_above_grows(
    signed: Path, make_campaign, pki, images, tmp_path: Path
):
    def longer_closing(text: str) -> str:  # fourteen paragraphs before the plan's closing one
        line = next(li for li in text.splitlines() if li.startswith("  closing: Trên đây là Kế hoạch"))
        more = "Đoạn văn thêm để khối chữ ký dời xuống dưới.\\n\\n" * 14
        return text.replace(line, f'  closing: "{more}{line.removeprefix("  closing: ")}"', 1)

    campaign = make_campaign(SAMPLE, **{"campaign.yaml": longer_closing})
    longer = build_campaign(campaign, tmp_path / "out", *NUMBERED) / "plan.pdf"
    first = reportkit(
        "sign",
        longer,
        "--role",
        "signer",
        "--p12",
        pki.signer_p12,
        "--pass-env",
        "RK_PASS",
        "--image",
        images[0],
    )
    assert first.returncode == 0, first.stderr
    out = longer.with_name("plan.signed.pdf")
    second = reportkit(
        "sign",
        out,
        "--role",
        "agency",
        "--p12",
        pki.agency_p12,
        "--pass-env",
        "RK_PASS",
        "--image",
        images[1],
    )
    assert second.returncode == 0, second.stderr
    moved, before = _widgets(out)["Signer"], _widgets(signed)["Signer"]
    assert moved[0] != before[0] or abs(moved[1][1] - before[1][1]) > 100  # another page, or far lower
    _assert_ink_placed(out, tmp_path)


def _assert_ink_placed(signed: Path, tmp_path: Path) -> None:
    """On the rendered page, the signature's blue ink lies between the line GIÁM ĐỐC and the
    signer's name, and the seal's red ink starts left of it and covers about its left third."""
    from PIL import Image

    reader = PdfReader(signed)
    page = reader.get_destination_page_number(reader.named_destinations["rk-sign-space"]) + 1
    words = _words(signed, page)
    title_bottom = next(y2 for w, _x1, _y1, _x2, y2 in words if w == "ĐỐC")
    name_top = next(y1 for w, _x1, y1, _x2, _y2 in words if w == "Hưng")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "72", "-f", str(page), "-l", str(page), str(signed), str(tmp_path / "p")],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    blue, red = [], []
    for y in range(image.height):
        for x in range(image.width):
            r, g, b = image.getpixel((x, y))
            if b > 150 and r < 90 and g < 110:
                blue.append((x, y))
            elif r > 170 and g < 90 and b < 90:
                red.append((x, y))
    assert len(blue) > 100 and len(red) > 100
    blue_ys = [y for _x, y in blue]
    assert title_bottom <= min(blue_ys) and max(blue_ys) <= name_top  # 72 dpi: a pixel is a point
    blue_left, blue_right = min(x for x, _y in blue), max(x for x, _y in blue)
    red_right = max(x for x, _y in red)
    # The seal starts left of the signature and covers about its left third (ink, not boxes).
    assert min(x for x, _y in red) < blue_left
    assert (
        blue_left + 0.2 * (blue_right - blue_left) < red_right < blue_left + 0.45 * (blue_right - blue_left)
    )


@pytest.mark.kernel
@pytest.mark.pdf
def test_the_agency_refuses_a_document_without_a_number(work: Path, pki, images):
    unnumbered = build_campaign(SAMPLE, work / "unnumbered", "--doc", "plan", "--to", "pdf") / "plan.pdf"
    result = reportkit(
        "sign", unnumbered, "--role", "agency", "--p12", pki.agency_p12, "--pass-env", "RK_PASS"
    )
    assert result.returncode == 2
    assert "the document has no number yet (Số: /…)" in result.stderr
    assert "-p number=… -p issued_on=…" in result.stderr
    assert "Traceback" not in result.stderr
    assert not unnumbered.with_name("plan.signed.pdf").exists()


@pytest.mark.kernel
@pytest.mark.pdf
def test_a_wrong_or_missing_passphrase_is_one_message_and_writes_nothing(plan: Path, pki, tmp_path: Path):
    out = tmp_path / "x.pdf"
    wrong = reportkit(
        "sign", plan, "--role", "signer", "--p12", pki.signer_p12, "--pass-env", "RK_WRONG", "--output", out,
        env={"RK_WRONG": "not it"},
    )  # fmt: skip
    assert wrong.returncode == 2 and "wrong passphrase" in wrong.stderr and "Traceback" not in wrong.stderr
    unset = reportkit(
        "sign", plan, "--role", "signer", "--p12", pki.signer_p12, "--pass-env", "RK_UNSET", "--output", out
    )
    assert unset.returncode == 2 and "RK_UNSET is not set" in unset.stderr
    assert not out.exists() and not list(tmp_path.glob(".x.pdf*"))


def test_there_is_no_option_that_takes_a_passphrase_on_the_command_line():
    result = reportkit("sign", "--help")
    assert result.returncode == 0
    assert "--pass-env" in result.stdout
    assert not re.search(r"--(pass|passphrase|pin|password)[ =]", result.stdout)


@pytest.mark.kernel
@pytest.mark.pdf
def test_b_t_with_a_timestamp_authority_on_localhost(plan: Path, pki, tmp_path: Path):
    out = tmp_path / "stamped.pdf"
    with TimestampServer(pki) as tsa:
        result = reportkit(
            "sign", plan, "--role", "signer", "--p12", pki.signer_p12, "--pass-env", "RK_PASS",
            "--tsa", tsa.url, "--output", out,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "PAdES B-T" in result.stdout
        assert tsa.requests >= 1  # pyHanko asks once more to size the signature
    gone = reportkit(  # the server has stopped: one message, nothing written
        "sign", plan, "--role", "signer", "--p12", pki.signer_p12, "--pass-env", "RK_PASS",
        "--tsa", tsa.url, "--output", tmp_path / "none.pdf",
    )  # fmt: skip
    assert gone.returncode == 2 and "Error while contacting timestamp service" in gone.stderr
    assert not (tmp_path / "none.pdf").exists()
    [(_field, status)] = _validate(out, pki.root_pem)
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    verified = reportkit("verify", out, "--trust", pki.root_pem)
    assert verified.returncode == 0 and "(timestamped)" in verified.stdout


@pytest.mark.kernel
@pytest.mark.pdf
@pytest.mark.token
def test_signing_through_a_pkcs11_token_softhsm2(plan: Path, pki, images, tmp_path: Path):
    assert SOFTHSM_LIB.exists(), "Debian's softhsm2 package is needed"
    env = make_token(tmp_path, pki)
    out = tmp_path / "token.pdf"
    result = reportkit(
        "sign", plan, "--role", "signer", "--pkcs11-lib", SOFTHSM_LIB, "--token", "rk-token",
        "--key", "signer", "--pass-env", "RK_PIN", "--image", images[0], "--output", out,
        env={**env, "RK_PIN": PIN},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [(field, status)] = _validate(out, pki.root_pem)
    assert field == "Signer" and status.intact and status.valid and status.trusted
    assert status.signing_cert.subject.native["common_name"] == SIGNER_NAME
    wrong = reportkit(
        "sign", plan, "--role", "signer", "--pkcs11-lib", SOFTHSM_LIB, "--token", "rk-token",
        "--key", "signer", "--pass-env", "RK_PIN", "--output", tmp_path / "no.pdf",
        env={**env, "RK_PIN": "000000"},
    )  # fmt: skip
    assert wrong.returncode == 2 and "cannot use key signer on token rk-token" in wrong.stderr
    no_key = reportkit(
        "sign", plan, "--role", "signer", "--pkcs11-lib", SOFTHSM_LIB, "--token", "rk-token",
        "--key", "nokey", "--pass-env", "RK_PIN", "--output", tmp_path / "no.pdf",
        env={**env, "RK_PIN": PIN},
    )  # fmt: skip
    assert no_key.returncode == 2, no_key.stderr
    assert (
        "cannot use key nokey on token rk-token: Could not find certificate with label 'nokey'"
        in no_key.stderr
    )
    assert not (tmp_path / "no.pdf").exists()
    assert shutil.which("softhsm2-util")


def test_a_file_that_is_not_a_pdf_is_one_message(pki, tmp_path: Path):
    text = tmp_path / "notes.pdf"
    text.write_text("hello")
    signed = reportkit("sign", text, "--role", "signer", "--p12", pki.signer_p12, "--pass-env", "RK_PASS")
    checked = reportkit("verify", text)
    for result in (signed, checked):
        assert result.returncode == 2
        assert result.stderr.startswith(f"reportkit: error: {text}: cannot read it as a PDF")
        assert result.stderr.count("\n") == 1  # one line: no library's log records, no traceback
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.pdf"]
