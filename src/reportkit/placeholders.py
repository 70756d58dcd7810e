"""Text still to write: ``[[…]]`` in a campaign's files.

``reportkit new --blank`` writes a campaign whose every part a person must write is a
placeholder in double square brackets (``[[Tên cơ quan ban hành]]``), and ``reportkit new``
replaces the copied report text that states last year's results with one. A placeholder is
not text reportkit fills in (those are ``{year}``, ``{event}`` …): it marks what a person has
not written yet. ``reportkit validate`` lists every one, and a document is not built while
its sections hold one (:func:`check_written`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .exceptions import CampaignError, DataProblem
from .i18n import _

__all__ = ["MARK", "Unwritten", "check_written", "find_unwritten", "placeholder"]

#: A placeholder: text between ``[[`` and ``]]`` on one line.
MARK = re.compile(r"\[\[(.+?)\]\]")
#: campaign.yaml's top-level keys that hold a document's own settings; every other key (the
#: agency, the signer, the event) is shared by all documents.
_SECTIONS = ("plan", "report", "consolidated")


def placeholder(what: str) -> str:
    """``[[what]]``: what a person has to write there."""
    return f"[[{what}]]"


@dataclass(frozen=True)
class Unwritten:
    """A placeholder still in a file: its line, its text and the section it belongs to."""

    file: Path
    row: int
    found: str
    section: str | None

    def problem(self, expected: str | None = None) -> DataProblem:
        """As a problem of the campaign's data, for a message."""
        expected = expected or _("text written in place of this placeholder")
        return DataProblem(self.file, expected, row=self.row, found=self.found)


def find_unwritten(path: Path, text: str, section: str | None = None) -> tuple[Unwritten, ...]:
    """Every placeholder in ``text`` (the content of ``path``), with its line.

    In campaign.yaml (``section`` None) a placeholder belongs to the top-level key above it;
    in a table, to ``section``.
    """
    found = []
    current = section
    for number, line in enumerate(text.splitlines(), start=1):
        if section is None and line.lstrip().startswith("#"):
            continue  # a comment may name the placeholders it explains
        if section is None:
            key = re.match(r"([A-Za-z_]\w*):", line)
            if key:
                current = key.group(1)
        found += [Unwritten(path, number, match.group(0), current) for match in MARK.finditer(line)]
    return tuple(found)


def check_written(
    unwritten: Iterable[Unwritten], needs: Sequence[str] | None = None, document: str | None = None
) -> None:
    """Refuse to build ``document`` while the campaign's shared keys or the sections it
    ``needs`` hold a placeholder (with ``needs`` None: any placeholder at all, as ``validate``
    asks); the message lists every one with its file and line.

    Raises
    ------
    CampaignError
        Listing the placeholders still to write.
    """
    blocking = [u for u in unwritten if needs is None or u.section not in _SECTIONS or u.section in needs]
    if blocking:
        expected = None
        if document is not None:
            expected = _("the {doc} document needs text written in place of this placeholder").format(
                doc=document
            )
        raise CampaignError([u.problem(expected) for u in blocking])
