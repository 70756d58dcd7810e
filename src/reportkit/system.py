"""Check what PDF output needs from the system, with a message saying what to install.

The PDF needs Pango (WeasyPrint lays text out with it); the typeface is shipped inside
reportkit (:mod:`reportkit.fonts`), so a machine needs no fonts of its own. ``python -m
reportkit.system`` prints what it found; the set-up (``make run``) calls it after installing.
"""

from __future__ import annotations

import sys

from .exceptions import SystemDependencyError
from .i18n import _

__all__ = ["check_pdf_dependencies", "document_face"]


def document_face() -> str:
    """What the documents are set in, for people: the shipped face and the file it comes from."""
    from .fonts import FACES, NAME, face_file

    path = face_file(FACES[0])
    if not path.is_file():
        raise SystemDependencyError(
            _(
                "the document typeface is missing from the installed package ({path}); reinstall reportkit"
            ).format(path=path)
        )
    return NAME


def check_pdf_dependencies() -> str:
    """Raise :class:`SystemDependencyError` unless Pango and the document face are there.

    Returns the face the documents are set in.
    """
    from .export import _import_weasyprint

    _import_weasyprint()
    return document_face()


def main() -> int:
    try:
        face = check_pdf_dependencies()
    except SystemDependencyError as error:
        print(_("reportkit: {error}").format(error=error), file=sys.stderr)
        return 1
    print(
        _(
            "reportkit: PDF output ready; documents are set in {face}, shipped with reportkit "
            "(the widths of Times New Roman, so lines break as in Word)"
        ).format(face=face)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
