"""Check the system libraries and fonts that PDF output needs, with a message saying what to install.

``python -m reportkit.system`` prints what it found; ``make run`` calls it after installing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from functools import cache

from .exceptions import SystemDependencyError
from .i18n import _

__all__ = [
    "DOCUMENT_FONTS",
    "check_pdf_dependencies",
    "document_font",
    "document_font_files",
    "weight_number",
]

#: The faces the documents ask for, best first (decree-30-layout.md): Times New Roman, its
#: metric-compatible twins (same line breaks), and DejaVu Serif as a last resort.
DOCUMENT_FONTS = ("Times New Roman", "Liberation Serif", "Tinos", "DejaVu Serif")


@cache
def document_font() -> str | None:
    """The first of :data:`DOCUMENT_FONTS` that fontconfig knows, or ``None``."""
    if shutil.which("fc-list") is None:
        return None
    listing = subprocess.run(
        ["fc-list", ":", "family"], capture_output=True, text=True, check=False, timeout=30
    ).stdout
    families = {name.strip().lower() for line in listing.splitlines() for name in line.split(",")}
    return next((font for font in DOCUMENT_FONTS if font.lower() in families), None)


@cache
def document_font_files() -> dict[str, str]:
    """Files of the first document font whose faces hold Vietnamese letters, by weight.

    For drawing charts and measuring text. Matplotlib picks a face by family name only, and a
    machine may have two fonts of the same name: Debian's fonts-liberation (no Vietnamese)
    beside fonts-liberation2. Empty when no document font has both a regular and a bold face.
    """
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    def vietnamese(path: str) -> bool:
        try:
            return all(ord(c) in FT2Font(path).get_charmap() for c in "ệắữ")
        except (OSError, RuntimeError):
            return False

    for family in DOCUMENT_FONTS:
        faces = [f for f in font_manager.fontManager.ttflist if f.name == family and f.style == "normal"]
        files = {}
        for weight, wanted in (("normal", 400), ("bold", 700)):
            for face in sorted(faces, key=lambda f: abs(weight_number(f.weight) - wanted)):
                if weight_number(face.weight) // 300 == wanted // 300 and vietnamese(face.fname):
                    files[weight] = face.fname
                    break
        if len(files) == 2:
            return files
    return {}


def weight_number(weight: int | str) -> int:
    """A font weight as CSS numbers it: ``"bold"`` is 700, a name other than bold 400."""
    return weight if isinstance(weight, int) else {"bold": 700}.get(weight, 400)


def check_pdf_dependencies() -> str:
    """Raise :class:`SystemDependencyError` unless Pango and a document font are there.

    Returns the font the documents will be set in.
    """
    from .export import _import_weasyprint

    _import_weasyprint()
    font = document_font()
    if font is None:
        raise SystemDependencyError(
            _(
                "no document font found: install Times New Roman, or on Debian/Ubuntu "
                "'apt-get install fonts-liberation2' (Liberation Serif, same metrics) and fontconfig"
            )
        )
    return font


def main() -> int:
    try:
        font = check_pdf_dependencies()
    except SystemDependencyError as error:
        print(_("reportkit: {error}").format(error=error), file=sys.stderr)
        return 1
    if font in DOCUMENT_FONTS[:3]:
        message = _("reportkit: PDF output ready; documents are set in {font}")
    else:
        message = _(
            "reportkit: PDF output ready; documents are set in {font} "
            "(a last resort: line breaks differ from Word's)"
        )
    print(message.format(font=font))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
