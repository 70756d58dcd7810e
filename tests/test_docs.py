"""The user guide (docs/) and the README: translated whole, built offline, short where it must be.

The guide's Vietnamese comes from docs/locale/vi/LC_MESSAGES/*.po, as the messages' does from
the CLI's catalog (tests/test_i18n.py): an entry without a translation, or marked fuzzy, fails.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from .conftest import ROOT, require_program

DOCS = ROOT / "docs"
CATALOGS = DOCS / "locale" / "vi" / "LC_MESSAGES"
BIN = Path(sys.executable).parent


def _read_po(path: Path):
    with path.open("rb") as file:
        return read_po(file)


def _catalogs() -> dict[str, object]:
    return {
        str(path.relative_to(CATALOGS).with_suffix("")): _read_po(path)
        for path in sorted(CATALOGS.rglob("*.po"))
    }


def _commands() -> list[str]:
    """Every subcommand of ``reportkit``, from its parser."""
    from reportkit import cli_parser

    for action in cli_parser.build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    raise AssertionError("reportkit has no subcommands")


def test_every_entry_of_the_guides_catalogs_is_translated_and_not_fuzzy():
    catalogs = _catalogs()
    assert catalogs, "docs/locale/vi/LC_MESSAGES holds no catalog"
    problems = [
        f"{page}: {'fuzzy' if message.fuzzy else 'untranslated'}: {message.id!r}"
        for page, catalog in catalogs.items()
        for message in catalog
        if message.id and (message.fuzzy or not message.string)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.docs
def test_the_catalogs_hold_every_paragraph_of_the_english_pages(tmp_path):
    """A page edited without `make docs-po` would show English paragraphs in the Vietnamese guide."""
    subprocess.run(
        [BIN / "sphinx-build", "-q", "-b", "gettext", DOCS, tmp_path], check=True, capture_output=True
    )
    catalogs = _catalogs()
    missing = []
    for template in sorted(tmp_path.rglob("*.pot")):
        page = str(template.relative_to(tmp_path).with_suffix(""))
        translated = {m.id for m in catalogs.get(page, ()) if m.id and m.string and not m.fuzzy}
        missing += [f"{page}: {m.id!r}" for m in _read_po(template) if m.id and m.id not in translated]
    assert not missing, "run `make docs-po` and translate:\n" + "\n".join(missing)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """``make docs`` into a temporary folder: both languages, HTML and PDF, warnings as errors."""
    out = tmp_path_factory.mktemp("guide")
    make = require_program("make")
    result = subprocess.run(
        [make, "--no-print-directory", "docs", f"DOCS_OUT={out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.mark.docs
def test_the_vietnamese_guide_shows_every_command_with_its_vietnamese_help(built):
    page = (built / "vi" / "html" / "reference" / "commands.html").read_text(encoding="utf-8")
    for command in _commands():
        assert f'id="command-{command}"' in page, command
        assert f"cách dùng: reportkit {command}" in page, command  # argparse's "usage:" translated
    english = (built / "en" / "html" / "reference" / "commands.html").read_text(encoding="utf-8")
    assert all(f"usage: reportkit {command}" in english for command in _commands())


@pytest.mark.docs
def test_the_vietnamese_pages_carry_the_catalogs_translations(built):
    from html import unescape

    for page, catalog in _catalogs().items():
        html = unescape(re.sub(r"<[^>]+>", "", (built / "vi" / "html" / f"{page}.html").read_text("utf-8")))
        html = " ".join(html.split())
        # the longest entry of each page: a paragraph, whose markup is plain text once tags are gone
        longest = max((m for m in catalog if m.id and "`" not in m.string), key=lambda m: len(m.string))
        words = " ".join(re.sub(r"[*{}\[\]()]|\]\([^)]*\)", " ", longest.string).split())
        assert words.split()[0] in html and words.split()[-1].rstrip(".:") in html, (page, longest.string)
        assert longest.string.split()[1] in html, page


@pytest.mark.docs
def test_the_pdfs_are_set_in_the_shipped_face_and_hold_the_guide(built):
    pdftotext = require_program("pdftotext")
    pdffonts = require_program("pdffonts")
    for lang, contents in (("en", "Table of Contents"), ("vi", "Mục lục")):
        pdf = built / lang / "pdf" / "reportkit-guide.pdf"
        text = subprocess.run([pdftotext, pdf, "-"], capture_output=True, text=True, check=True).stdout
        assert contents in text
        assert "reportkit collect" in text and "reportkit new" in text
        fonts = subprocess.run([pdffonts, pdf], capture_output=True, text=True, check=True).stdout
        assert "LiberationSerif" in fonts
    vietnamese = subprocess.run(
        [pdftotext, built / "vi" / "pdf" / "reportkit-guide.pdf", "-"], capture_output=True, text=True
    ).stdout
    assert "Chuẩn bị thư mục chiến dịch" in " ".join(vietnamese.split())


@pytest.mark.docs
def test_the_html_guide_needs_no_network(built):
    for page in built.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?(https?:)?//""", html), page


def test_the_guides_pictures_are_small_pngs():
    pictures = sorted((DOCS / "_static").glob("*.png"))
    assert len(pictures) >= 4
    for picture in pictures:
        assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", picture
        assert picture.stat().st_size < 150_000, picture


def test_the_readme_is_for_the_first_hour():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode("utf-8")) < 8 * 1024
    assert "make run" in readme and "make test" in readme
    assert r".venv\Scripts\python -m pip install ." in readme and r".venv\Scripts\reportkit build" in readme
    for link in re.findall(r"\]\(([^)#]+)\)", readme) + re.findall(r'src="([^"]+)"', readme):
        assert (ROOT / link).exists(), link
