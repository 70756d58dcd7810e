"""reportkit builds its documents with no text-layout library of the system: with Pango,
Cairo, HarfBuzz, fontconfig and GDK-Pixbuf hidden (a private mount namespace, /dev/null
bound over each of their shared objects), the real ``reportkit build`` writes the sample's
plan and report in HTML, PDF and Word, and the PDFs are PDF/A-2a and PDF/UA-1 in the
shipped face only.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from .conftest import ROOT, SAMPLE, require_program

#: The libraries WeasyPrint loaded, and their own.
HIDDEN = ("libpango", "libcairo", "libharfbuzz", "libfontconfig", "libgdk_pixbuf")
_LIBRARY_FOLDERS = ("/lib", "/usr/lib", "/usr/local/lib", "/lib64", "/usr/lib64")


def hidden_libraries() -> list[str]:
    """Every shared object of :data:`HIDDEN` on this system, the files their links point to."""
    found = set()
    for folder in map(Path, _LIBRARY_FOLDERS):
        for pattern in ("{}*.so*", "*/{}*.so*"):
            for name in HIDDEN:
                found |= {os.path.realpath(path) for path in folder.glob(pattern.format(name))}
    return sorted(path for path in found if Path(path).is_file())


#: Run in the new namespace: bind /dev/null over each library given before ``--`` (mount(2)
#: through libc, no mount program), then become the command after it.
_HIDE = """
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
split = sys.argv.index("--")
for path in sys.argv[1:split]:
    if libc.mount(b"/dev/null", path.encode(), None, 4096, None) != 0:  # MS_BIND
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), path)
os.execv(sys.argv[split + 1], sys.argv[split + 1 :])
"""


def without_libraries(command: list[str], libraries: list[str]) -> subprocess.CompletedProcess:
    """``command`` run in a private mount namespace where each of ``libraries`` is /dev/null."""
    require_program("unshare")
    namespace = ["unshare", "-m"] if os.getuid() == 0 else ["unshare", "-r", "-m"]
    return subprocess.run(
        [*namespace, sys.executable, "-c", _HIDE, *libraries, "--", *command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
    )


@pytest.fixture(scope="module")
def libraries() -> list[str]:
    found = hidden_libraries()
    # This machine has them (Chromium and LibreOffice bring them for the tests): hiding them
    # is what the test is about.
    assert any("libpango-1.0" in path for path in found) and any("libharfbuzz" in path for path in found)
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory, libraries: list[str]) -> Path:
    out = tmp_path_factory.mktemp("no-system-libraries")
    build = [sys.executable, "-m", "reportkit.cli", "build", str(SAMPLE), "--out", str(out)]
    result = without_libraries([*build, "--to", "html,pdf,docx"], libraries)
    assert result.returncode == 0, result.stderr
    return out / SAMPLE.name


def test_the_libraries_are_really_hidden(libraries: list[str]):
    check = "import ctypes, sys\ntry:\n    ctypes.CDLL('libpango-1.0.so.0')\nexcept OSError:\n    sys.exit(3)"
    assert without_libraries([sys.executable, "-c", check], libraries).returncode == 3
    loads = subprocess.run([sys.executable, "-c", check], capture_output=True)
    assert loads.returncode == 0  # outside the namespace it loads: the hiding is what stops it


@pytest.mark.kernel
@pytest.mark.pdf
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("plan", ["KẾ HOẠCH", "Ba trăm nghìn đồng chẵn", "GIÁM ĐỐC", "Độc lập - Tự do - Hạnh phúc"]),
        ("report", ["BÁO CÁO", "Kính gửi: Bộ Thông tin và Truyền thông", "DANH SÁCH HOẠT ĐỘNG TUYÊN TRUYỀN"]),
    ],
)
def test_the_sample_builds_into_pdfa_2a_and_ua_1_in_the_shipped_face(built: Path, name: str, expected):
    require_program("pdffonts")
    require_program("pdftotext")
    pdf, html = built / f"{name}.pdf", built / f"{name}.html"
    assert expected[0] in html.read_text(encoding="utf-8")
    import docx

    word = "\n".join(p.text for p in docx.Document(built / f"{name}.docx").paragraphs)
    assert expected[0] in word
    xmp = PdfReader(pdf).trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>A</pdfaid:conformance>" in xmp
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    fonts = [line.split() for line in listing.splitlines()[2:]]
    face = re.compile(r"[A-Z]{6}\+LiberationSerif(-Bold|-Italic|-BoldItalic)?")
    assert fonts and all(face.fullmatch(font[0]) and font[-5:-2] == ["yes"] * 3 for font in fonts)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(text.split())
    assert text == unicodedata.normalize("NFC", text)
    for string in expected:
        assert string in text
