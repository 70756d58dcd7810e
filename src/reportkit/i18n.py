"""The language reportkit speaks to a person in: English, or Vietnamese from gettext catalogs.

Messages are written in English inside ``_()`` (``_("row {row}").format(row=2)``: named
placeholders, so a translation may reorder them) and translated where they are made. The
catalogs live in ``reportkit/locale/<lang>/LC_MESSAGES/reportkit.po`` (compiled beside it to
``.mo`` by ``make i18n``, which uses Babel). Strings made at import time are marked with
``N_()`` and translated with ``_()`` where they are used.

The language, first found wins: :func:`set_language` (the CLI's ``--lang``), then the
environment variables ``REPORTKIT_LANG``, ``LC_ALL``, ``LC_MESSAGES`` and ``LANG``
(``vi_VN.UTF-8`` and ``vi`` mean Vietnamese). :func:`set_language` also sets
``REPORTKIT_LANG`` so that kernels and worker processes speak the same language.
"""

from __future__ import annotations

import gettext
import os
from functools import cache
from pathlib import Path

__all__ = ["LANGUAGES", "N_", "_", "language", "ngettext", "set_language", "translate_argparse"]

DOMAIN = "reportkit"
LOCALE_DIR = Path(__file__).with_name("locale")
#: The languages reportkit speaks; the first is the one its messages are written in.
LANGUAGES = ("en", "vi")

_chosen: str | None = None


def _normalise(value: str | None) -> str | None:
    """``vi_VN.UTF-8`` → ``vi``; ``C``, ``POSIX`` and unknown languages → ``en``; empty → ``None``."""
    if not value:
        return None
    code = value.split(":")[0].split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()
    return code if code in LANGUAGES else "en"


def language() -> str:
    """The language messages are given in now: ``"en"`` or ``"vi"``."""
    if _chosen is not None:
        return _chosen
    for name in ("REPORTKIT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        found = _normalise(os.environ.get(name))
        if found:
            return found
    return "en"


def set_language(lang: str | None) -> str:
    """Speak ``lang`` (``"vi"``, ``"en"``, or a locale such as ``vi_VN.UTF-8``) from now on.

    ``None`` goes back to the environment's choice. Returns the language now in use.
    """
    global _chosen
    _chosen = _normalise(lang)
    if _chosen is not None:
        os.environ["REPORTKIT_LANG"] = _chosen
    return language()


@cache
def _translations(lang: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    """``message`` in the current language (itself when there is no translation)."""
    return _translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language."""
    return _translations(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - gettext's own name for "mark, translate later"
    """Mark ``message`` for the catalog without translating it now (for module-level text)."""
    return message


def translate_argparse() -> None:
    """Give argparse's own words ("usage:", "options:", "invalid choice: …") in our language.

    argparse looks up the module-level ``_`` and ``ngettext`` it imported from gettext each
    time it writes a message; pointed at ours, it finds its msgids in reportkit's catalog
    (``make i18n`` extracts them from the running Python's argparse). English is unchanged.
    """
    import argparse

    argparse._ = _
    argparse.ngettext = ngettext
