"""The documents are set in the shipped face on any machine, even one with DejaVu alone."""

from __future__ import annotations

import base64
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from reportkit import fonts

from .conftest import ROOT, SAMPLE, require_program


@pytest.fixture(scope="module")
def no_fonts(tmp_path_factory) -> dict[str, str]:
    """An environment whose fontconfig knows DejaVu only, as on a bare Debian machine: neither
    Times New Roman nor Liberation, and DejaVu that must not be used."""
    folder = tmp_path_factory.mktemp("fontconfig")
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{folder / 'cache'}</cachedir>"
        "</fontconfig>",
        encoding="utf-8",
    )
    return os.environ | {"FONTCONFIG_FILE": str(config)}


@pytest.fixture(scope="module")
def built(no_fonts, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    result = subprocess.run(
        [sys.executable, "-m", "reportkit.cli", "build", str(SAMPLE), "--to", "html,pdf", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=no_fonts,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return out / "wtisd-2021-phu-yen"


def pdf_fonts(path: Path) -> set[str]:
    names = set()
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor, f"{font['/BaseFont']} is not embedded"
            names.add(str(font["/BaseFont"]).split("+", 1)[1])
    return names


@pytest.mark.kernel
@pytest.mark.pdf
@pytest.mark.parametrize("doc", ["plan", "report"])
def test_pdf_is_set_in_the_shipped_face_on_a_machine_without_times_or_liberation(built, doc):
    found = pdf_fonts(built / f"{doc}.pdf")
    # Body, headings, italics, page numbers and the charts' text alike: nothing else (Typst
    # names the shipped faces by their PostScript names).
    shipped = {
        "LiberationSerif",
        "LiberationSerif-Bold",
        "LiberationSerif-Italic",
        "LiberationSerif-BoldItalic",
    }
    assert {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic"} <= found <= shipped


@pytest.mark.kernel
def test_html_page_carries_the_face_for_vietnamese_letters(built):
    page = (built / "report.html").read_text(encoding="utf-8")
    faces = re.findall(
        r"@font-face \{ font-family: \"reportkit Serif\"; font-weight: (\d+); font-style: (\w+); "
        r"src: url\(\"data:font/woff;base64,([A-Za-z0-9+/=]+)\"\)",
        page,
    )
    assert {(w, s) for w, s, _ in faces} == {
        ("400", "normal"),
        ("700", "normal"),
        ("400", "italic"),
        ("700", "italic"),
    }
    regular = TTFont(io.BytesIO(base64.b64decode(faces[0][2])))
    cmap = regular.getBestCmap()
    assert all(ord(c) in cmap for c in "Báo cáo kết quả Ngày Viễn thông 315.232")
    assert ord("Ж") not in cmap  # a web copy of the Vietnamese and Latin letters, not the whole font
    # The charts are in the page itself, so their text takes that face too.
    assert "data:image/svg+xml" not in page and page.count("<svg") == 4
    assert page.count("font-family: 'reportkit Serif', 'Times New Roman'") > 10


@pytest.mark.kernel
@pytest.mark.browser
def test_a_browser_without_times_or_liberation_shows_the_page_in_the_shipped_face(built, no_fonts):
    chromium = require_program("chromium")
    from playwright.sync_api import sync_playwright

    from .test_browser import FLAGS

    os.environ["FONTCONFIG_FILE"] = no_fonts["FONTCONFIG_FILE"]  # the browser inherits it
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
            page = browser.new_page()
            page.goto((built / "report.html").as_uri())
            page.evaluate("document.fonts.ready")
            loaded = page.evaluate(
                "() => { const r = []; document.fonts.forEach(f => r.push([f.family, f.status])); return r; }"
            )
            family = page.evaluate("getComputedStyle(document.querySelector('.rk-document p')).fontFamily")
            browser.close()
    finally:
        del os.environ["FONTCONFIG_FILE"]
    assert loaded and all(status == "loaded" for _, status in loaded)
    assert family.startswith('"reportkit Serif"')


def test_the_shipped_face_has_every_vietnamese_letter():
    letters = "ăâđêôơưáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
    for face in fonts.FACES:
        cmap = TTFont(fonts.face_file(face)).getBestCmap()
        assert all(ord(c) in cmap and ord(c.upper()) in cmap for c in letters), face.file
    # Times New Roman's widths: an em of 2048 units and the same advance for a sample of letters.
    regular = TTFont(fonts.face_file(fonts.FACES[0]))
    assert regular["head"].unitsPerEm == 2048
    assert regular["hmtx"]["a"][0] == 909 and regular["hmtx"]["M"][0] == 1821


def test_system_check_names_the_shipped_face(no_fonts):
    result = subprocess.run(
        [sys.executable, "-m", "reportkit.system"], capture_output=True, text=True, env=no_fonts
    )
    assert result.returncode == 0, result.stderr
    assert "Liberation Serif 2.1.5" in result.stdout and "DejaVu" not in result.stdout
