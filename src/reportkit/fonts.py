"""The typeface the documents are set in, shipped inside reportkit.

Decree 30 documents are typed in Times New Roman. reportkit ships Liberation Serif 2.1.5
(SIL Open Font License 1.1, ``fonts/OFL.txt``), whose letters have Times New Roman's widths,
so lines break where they would in Word, with every Vietnamese letter. Shipping it rather
than relying on what a machine has installed means the same inputs give the same pages on
every machine, including one with no fonts but DejaVu.

The stylesheets name the face :data:`FAMILY` first and Times New Roman and its twins after
it. Where that name is declared the shipped face is used:

- the PDF: Typst reads the font files themselves (its name for the face is its own, Liberation
  Serif), for the body and the charts' SVG text alike (:mod:`reportkit.document.typst`);
- the HTML page: :func:`embedded_css` declares it from ``data:`` URLs of web copies holding
  the letters Vietnamese documents use (about 50 kB a face), so a browser shows the same
  face offline;
- the charts: :func:`faces` gives matplotlib the files to measure and draw with;
- Word: the .docx names Times New Roman, which Word has; LibreOffice shows Liberation Serif.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

__all__ = [
    "FAMILY",
    "NAME",
    "Face",
    "embedded_css",
    "face_file",
    "faces",
    "weight_number",
]

#: The CSS family name the shipped face is declared under (a label of reportkit's own, so it
#: never collides with an installed Liberation Serif of an older version without Vietnamese).
FAMILY = "reportkit Serif"
#: What the face is, for people.
NAME = "Liberation Serif 2.1.5"


@dataclass(frozen=True)
class Face:
    """One face of the shipped family: its CSS weight and style and its font file's name."""

    weight: int
    style: str
    file: str


FACES = (
    Face(400, "normal", "LiberationSerif-Regular.ttf"),
    Face(700, "normal", "LiberationSerif-Bold.ttf"),
    Face(400, "italic", "LiberationSerif-Italic.ttf"),
    Face(700, "italic", "LiberationSerif-BoldItalic.ttf"),
)


def face_file(face: Face) -> Path:
    """The path of ``face``'s font file inside the installed package."""
    return Path(str(files("reportkit") / "fonts" / face.file))


def faces() -> dict[str, str]:
    """The upright faces' files by weight name, ``{"normal": path, "bold": path}``.

    For drawing charts (matplotlib) and measuring text (Pillow) in the document's face.
    """
    return {"normal": str(face_file(FACES[0])), "bold": str(face_file(FACES[1]))}


def weight_number(weight: int | str) -> int:
    """A font weight as CSS numbers it: ``"bold"`` is 700, a name other than bold 400."""
    return weight if isinstance(weight, int) else {"bold": 700}.get(weight, 400)


def _font_face(face: Face, src: str) -> str:
    return (
        f'@font-face {{ font-family: "{FAMILY}"; font-weight: {face.weight}; '
        f"font-style: {face.style}; src: {src}; }}"
    )


@cache
def embedded_css() -> str:
    """``@font-face`` rules declaring :data:`FAMILY` from ``data:`` URLs, for an HTML page.

    The web copies in ``fonts/web/`` (made by ``tools/subset_fonts.py``) hold the letters
    Vietnamese documents use and common punctuation, about 50 kB a face, so a page shows in
    the document's face on any machine, offline, without cutting the font at every build.
    """
    return "\n".join(
        _font_face(face, f'url("data:font/woff;base64,{_web_copy(face)}") format("woff")') for face in FACES
    )


def _web_copy(face: Face) -> str:
    path = face_file(face).parent / "web" / Path(face.file).with_suffix(".woff").name
    return base64.b64encode(path.read_bytes()).decode("ascii")
