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
from .pki import (
    PASSPHRASE,
    PIN,
    SIGNER_NAME,
    SOFTHSM_LIB,
    PkiServices,
    TimestampServer,
    make_images,
    make_pki,
    make_token,
)

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
        stdin=subprocess.DEVNULL,  # no terminal, as in a script or a scheduled job
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
    assert lines[0].startswith(
        f"Signer (signer): {SIGNER_NAME}, certificate issued by reportkit test root; signed "
    )
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
    assert _algorithms(out) == [("rsassa_pss", "sha256", "sha256")]  # PSS through the token too
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


# --- the 2025 rules: RSASSA-PSS, long-term signatures -----------------------------------------


def _algorithms(path: Path) -> list[tuple[str, str, str]]:
    """Each signature's CMS signature algorithm, its PSS hash (or ``-``) and its digest."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    found = []
    with open(path, "rb") as stream:
        for sig in PdfFileReader(stream).embedded_regular_signatures:
            algorithm = sig.signer_info["signature_algorithm"]
            oid = {"1.2.840.113549.1.1.10": "rsassa_pss", "1.2.840.113549.1.1.11": "sha256_rsa"}[
                algorithm["algorithm"].dotted
            ]
            pss_hash = (
                algorithm["parameters"]["hash_algorithm"]["algorithm"].native if oid == "rsassa_pss" else "-"
            )
            found.append((oid, pss_hash, sig.signer_info["digest_algorithm"]["algorithm"].native))
    return found


@pytest.mark.kernel
@pytest.mark.pdf
def test_rsa_signatures_are_rsassa_pss_with_sha256_and_pkcs1v15_is_still_available(
    signed: Path, plan: Path, pki, tmp_path: Path
):
    assert _algorithms(signed) == [("rsassa_pss", "sha256", "sha256")] * 2
    old = tmp_path / "v15.pdf"
    result = reportkit(
        "sign", plan, "--role", "signer", "--p12", pki.signer_p12, "--pass-env", "RK_PASS",
        "--scheme", "pkcs1v15", "--output", old,
    )  # fmt: skip
    assert result.returncode == 0 and "PKCS#1 v1.5" in result.stdout, result.stderr
    assert _algorithms(old) == [("sha256_rsa", "-", "sha256")]
    helped = reportkit("sign", "--help").stdout
    assert "--scheme {pss,pkcs1v15}" in helped and "RSASSA-PSS" in helped


@pytest.fixture(scope="module")
def long_term(work: Path, plan: Path) -> dict[str, Path]:
    """The plan signed at B-T and, by signer then agency, at B-LTA, with a CA whose CRL, OCSP
    responder and timestamp authority answer on 127.0.0.1; the signers' certificates are valid
    for 30 days. The services are stopped before anything is verified."""
    with PkiServices(work / "lt-pki", signer_days=30) as services:
        pki = services.pki
        common = ("--pass-env", "RK_PASS", "--tsa", services.tsa_url)
        files = {"b-t": work / "lt-bt.pdf", "b-lta": work / "lt-bt.signed.pdf"}
        bt = reportkit(
            "sign", plan, "--role", "signer", "--p12", pki.signer_p12, *common, "--output", files["b-t"]
        )
        assert bt.returncode == 0, bt.stderr
        for role, p12, source in (
            ("signer", pki.signer_p12, plan),
            ("agency", pki.agency_p12, files["b-lta"]),
        ):
            result = reportkit(
                "sign",
                source,
                "--role",
                role,
                "--p12",
                p12,
                *common,
                "--level",
                "b-lta",
                "--output",
                files["b-lta"],
            )
            assert result.returncode == 0, result.stderr
            assert "PAdES B-LTA, RSASSA-PSS" in result.stdout
        assert services.requests["ocsp"] >= 2 and services.requests["tsa"] >= 4
    return {**files, "root": pki.root_pem, "expires": pki.root_cert.not_valid_after_utc}


def _days_after_expiry(days: int) -> str:
    import datetime as dt

    return (dt.date.today() + dt.timedelta(days=30 + days)).isoformat()


@pytest.mark.kernel
@pytest.mark.pdf
def test_b_lta_holds_the_chain_and_revocation_data_in_the_dss_and_a_document_timestamp(long_term):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    with open(long_term["b-lta"], "rb") as stream:
        reader = PdfFileReader(stream)
        dss = DocumentSecurityStore.read_dss(reader)
        assert len(list(dss.ocsps)) >= 2 and len(list(dss.load_certs())) >= 3
        assert len(reader.embedded_timestamp_signatures) >= 2  # one after each signature
        assert [s.field_name for s in reader.embedded_regular_signatures] == ["Signer", "Agency"]


@pytest.mark.kernel
@pytest.mark.pdf
def test_b_lta_validates_offline_after_the_signers_certificate_expired_and_b_t_does_not(long_term):
    later = _days_after_expiry(30)  # the signer's and agency's certificates expired 30 days before
    lta = reportkit("verify", long_term["b-lta"], "--trust", long_term["root"], "--at", later)
    assert lta.returncode == 0, lta.stdout + lta.stderr
    lines = lta.stdout.splitlines()
    assert len(lines) == 4 and lines[2].startswith("Decree 30 metadata: OrganId=000.00.31.H49; ")
    for line in lines[:2]:
        assert "PAdES B-LTA" in line and f"validates offline: yes (as of {later})" in line
    assert lines[-1].endswith("all signatures hold")
    bt = reportkit("verify", long_term["b-t"], "--trust", long_term["root"], "--at", later)
    assert bt.returncode == 1
    assert "PAdES B-T;" in bt.stdout and f"validates offline: NO (as of {later})" in bt.stdout
    assert bt.stdout.endswith("NOT valid\n")


@pytest.mark.kernel
@pytest.mark.pdf
def test_b_lt_needs_a_timestamp_authority_and_reachable_revocation_data(
    plan: Path, work: Path, tmp_path: Path
):
    with PkiServices(work / "gone-pki") as services:
        pki, tsa = services.pki, services.tsa_url
    out = tmp_path / "none.pdf"
    no_tsa = reportkit(
        "sign", plan, "--role", "signer", "--p12", pki.signer_p12, "--pass-env", "RK_PASS", "--level", "b-lt",
        "--output", out,
    )  # fmt: skip
    assert no_tsa.returncode == 2 and "PAdES B-LT needs a timestamp authority (--tsa URL)" in no_tsa.stderr
    gone = reportkit(
        "sign", plan, "--role", "signer", "--p12", pki.signer_p12, "--pass-env", "RK_PASS", "--level", "b-lt",
        "--tsa", tsa, "--output", out,
    )  # fmt: skip
    assert gone.returncode == 2 and "signing failed" in gone.stderr and gone.stderr.count("\n") == 1
    assert not out.exists()


# --- honest verification -------------------------------------------------------------------------


@pytest.mark.kernel
@pytest.mark.pdf
def test_without_trust_verify_says_trust_was_not_checked_names_the_issuers_and_exits_3(signed: Path):
    result = reportkit("verify", signed)
    assert result.returncode == 3, result.stdout
    lines = result.stdout.splitlines()
    assert "certificate issued by reportkit test root" in lines[0] and "certificate issued by" in lines[1]
    assert all("trust NOT checked (no --trust)" in line for line in lines[:2])
    assert "trust was NOT checked" in lines[-1] and "--trust ROOT.pem" in lines[-1]
    assert "all signatures hold" not in result.stdout


@pytest.mark.kernel
@pytest.mark.pdf
def test_a_self_signed_certificate_named_after_the_director_is_not_trusted(
    plan: Path, work: Path, tmp_path: Path
):
    impostor = make_pki(work / "impostor")  # same names, another root
    out = tmp_path / "fake.pdf"
    assert (
        reportkit(
            "sign",
            plan,
            "--role",
            "signer",
            "--p12",
            impostor.signer_p12,
            "--pass-env",
            "RK_PASS",
            "--output",
            out,
        ).returncode
        == 0
    )
    alone = reportkit("verify", out)
    assert alone.returncode == 3 and "all signatures hold" not in alone.stdout


@pytest.mark.kernel
@pytest.mark.pdf
def test_a_drawing_added_to_a_page_after_signing_is_named_with_its_page(signed: Path, tmp_path: Path):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    tampered = tmp_path / "drawn.pdf"
    with open(signed, "rb") as stream:
        writer = IncrementalPdfFileWriter(stream, strict=False)
        pages = len(PdfReader(signed).pages)
        box = writer.add_object(generic.StreamObject(stream_data=b"q 1 0 0 rg 100 100 50 50 re f Q"))
        writer.add_stream_to_page(pages - 1, box)
        with open(tampered, "wb") as out:
            writer.write(out)
    result = reportkit("verify", tampered)
    assert result.returncode == 1
    assert f"changes to the content on page {pages} (NOT allowed)" in result.stdout
    assert result.stdout.endswith("NOT valid\n")


# --- refusals --------------------------------------------------------------------------------------


def test_a_pdf_given_as_image_is_one_message_exit_2(pki, tmp_path: Path):
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%%EOF\n")
    fake = tmp_path / "seal.png"
    fake.write_bytes(b"%PDF-1.7 this is not a picture")
    result = reportkit(
        "sign", pdf, "--role", "signer", "--p12", pki.signer_p12, "--pass-env", "RK_PASS", "--image", fake
    )
    assert result.returncode == 2
    reason = "not a PNG or JPEG image; give the signature or the seal as a transparent PNG"
    assert result.stderr == f"reportkit: error: {fake}: {reason}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.pdf", "seal.png"]


@pytest.mark.kernel
@pytest.mark.pdf
def test_no_terminal_and_no_pass_env_is_one_message_exit_2(plan: Path, pki, tmp_path: Path):
    out = tmp_path / "x.pdf"
    result = reportkit("sign", plan, "--role", "signer", "--p12", pki.signer_p12, "--output", out)
    assert result.returncode == 2, result.stderr
    assert (
        "no terminal to ask for the passphrase or PIN" in result.stderr and "--pass-env NAME" in result.stderr
    )
    assert result.stderr.count("\n") == 1 and not out.exists()


# --- Decree 30 metadata (Appendix VI) --------------------------------------------------------------


@pytest.mark.kernel
@pytest.mark.pdf
def test_the_plan_carries_decree_30_metadata_in_its_xmp_its_manifest_and_after_signing(
    plan: Path, signed: Path
):
    import json

    from reportkit.metadata import read_metadata

    built = read_metadata(plan.read_bytes())
    assert built is not None
    fields = built.as_dict()
    assert fields["OrganId"] == "000.00.31.H49"  # the sample's illustrative code
    assert (fields["CodeNumber"], fields["CodeNotation"], fields["IssuedDate"]) == (
        "05",
        "KH-STTTT",
        "2021-05-07",
    )
    assert fields["TypeName"] == "Kế hoạch" and fields["PageAmount"] == len(PdfReader(plan).pages)
    assert fields["Subject"] == PdfReader(plan).metadata["/Title"]
    assert fields["SignerInfo"]["FullName"] == SIGNER_NAME
    manifest = json.loads((plan.parent / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["plan"]["metadata"] == {**fields, "PageAmount": None}  # counted in the PDF only
    assert read_metadata(signed.read_bytes()) == built  # pyHanko rewrites the XMP when it signs
    packet = PdfReader(signed).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "xmlns:rkd30=" in packet and "xmlns:pdfaType=" in packet  # the declared prefixes
    shown = reportkit("verify", signed).stdout.splitlines()
    assert (
        shown[-2].startswith("Decree 30 metadata: OrganId=000.00.31.H49; ") and "CodeNumber=05" in shown[-2]
    )


def test_an_ecdsa_key_signs_as_ecdsa_with_sha256(tmp_path: Path):
    """A P-256 key (self-certified: only the algorithm is looked at): ECDSA with SHA-256."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pypdf import PdfWriter

    key, now = ec.generate_private_key(ec.SECP256R1()), dt.datetime.now(dt.UTC)
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, SIGNER_NAME)])
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(2).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256())
    )  # fmt: skip
    p12 = tmp_path / "ec.p12"
    encryption = serialization.BestAvailableEncryption(PASSPHRASE.encode())
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"ec", key, cert, None, encryption))
    blank, out = tmp_path / "blank.pdf", tmp_path / "ec.pdf"
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.write(blank)
    result = reportkit(
        "sign", blank, "--role", "signer", "--p12", p12, "--pass-env", "RK_PASS", "--output", out
    )
    assert result.returncode == 0, result.stderr
    with open(out, "rb") as stream:
        [sig] = PdfFileReader(stream).embedded_regular_signatures
        assert sig.signer_info["signature_algorithm"]["algorithm"].native == "sha256_ecdsa"
        assert sig.signer_info["digest_algorithm"]["algorithm"].native == "sha256"
