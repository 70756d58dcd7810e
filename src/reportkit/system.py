"""Check what PDF output needs, with a message saying what to do when something is missing.

The PDF is set by Typst (the ``typst`` wheel: its engine is compiled in, no system library)
in the typeface shipped inside reportkit (:mod:`reportkit.fonts`), so a machine needs neither
system libraries nor fonts of its own. ``python -m reportkit.system`` prints what it found;
the set-up (``make run``) calls it after installing.
"""

from __future__ import annotations

import sys

from .exceptions import SystemDependencyError
from .i18n import _

__all__ = ["check_pdf_dependencies", "document_face", "pdf_engine"]


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


def pdf_engine() -> str:
    """The engine that sets the PDF and its version (``Typst 0.15.2``)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        import typst  # noqa: F401 (its compiled engine must load)

        return f"Typst {version('typst')}"
    except (ImportError, PackageNotFoundError) as error:
        raise SystemDependencyError(
            _(
                "the PDF engine Typst is missing or broken ({error}); reinstall reportkit "
                "(pip install --force-reinstall typst)"
            ).format(error=error)
        ) from None


def check_pdf_dependencies() -> str:
    """Raise :class:`SystemDependencyError` unless the PDF engine and the document face are
    there. Returns the face the documents are set in."""
    pdf_engine()
    return document_face()


def main() -> int:
    try:
        engine = pdf_engine()
        face = document_face()
    except SystemDependencyError as error:
        print(_("reportkit: {error}").format(error=error), file=sys.stderr)
        return 1
    print(
        _(
            "reportkit: PDF output ready ({engine}, no system library); documents are set in "
            "{face}, shipped with reportkit (the widths of Times New Roman, so lines break as in Word)"
        ).format(engine=engine, face=face)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
