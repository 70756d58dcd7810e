"""Compose a document from blocks: the pieces of :mod:`reportkit.blocks` become one tree.

A :class:`~reportkit.document.model.Document` is what a notebook shows as its last output.
In JupyterLab it renders as the page will print; the ``reportkit_html``, ``reportkit_pdf``
and ``reportkit_docx`` exporters pick it out of the executed notebook and render it.
Its figures travel with it, so ``figures.json`` holds exactly the numbers the document shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from . import model as m
from .html import render_html

__all__ = ["Appendix", "Composed", "campaign_text", "compose", "flatten"]

#: A block, or several (what :func:`reportkit.blocks.paragraphs` and its kin return).
Piece = m.Block | Sequence[m.Block]


class Composed(m.Document):
    """A composed document as a notebook shows it: the tree (:class:`~.model.Document`) with
    its HTML view, for JupyterLab and the HTML page, and the tree itself and its figures as
    the output's other data, for the PDF and Word exporters and ``figures.json``."""

    @cached_property
    def html(self) -> str:
        """The HTML view (:func:`reportkit.document.html.render_html`)."""
        return render_html(self)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """How a notebook shows it (the HTML view) and files it: the tree under
        :data:`m.DOCUMENT_MIMETYPE`, for the PDF and Word exporters, and the figures under
        :data:`m.FIGURES_MIMETYPE`, for ``figures.json``."""
        data = {
            "text/html": self.html,
            "text/plain": f"<{self.kind}: {self.title}>",
            m.FIGURES_MIMETYPE: {self.kind: dict(self.figures)},
            m.DOCUMENT_MIMETYPE: m.to_data(self),
        }
        marker = {
            "reportkit": {"document": self.kind, "title": self.title, "agency": self.agency, **self.about}
        }
        return data, {"text/html": marker, m.FIGURES_MIMETYPE: marker, m.DOCUMENT_MIMETYPE: marker}


@dataclass(frozen=True)
class Appendix:
    """An appendix: pieces from :mod:`reportkit.blocks`, on pages numbered on their own.

    ``kind`` ``"attachment"`` is an attached table such as the plan's budget estimate.
    """

    body: Sequence[Piece]
    kind: str = "appendix"


def flatten(pieces: Iterable[Piece]) -> tuple[m.Block, ...]:
    """Blocks and tuples of blocks as one tuple of blocks."""
    out: list[m.Block] = []
    for piece in pieces:
        if isinstance(piece, tuple | list):
            out.extend(flatten(piece))
        else:
            out.append(piece)
    return tuple(out)


def compose(
    kind: str,
    title: str,
    body: Sequence[Piece],
    *,
    appendices: Sequence[Appendix] = (),
    figures: Mapping[str, Any] | None = None,
    charts: Sequence[Any] = (),
    agency: str = "",
    info: Mapping[str, Any] | None = None,
    about: Mapping[str, str] | None = None,
) -> Composed:
    """Put a document together from the pieces of :mod:`reportkit.blocks`.

    Parameters
    ----------
    kind
        What it is, one word (``notice``); its HTML is ``<article class="rk-document rk-<kind>">``.
    title
        Its title (the summary line), for the PDF's and the Word file's properties.
    body
        The pieces of the document, in order: header, title, recipient line, basis, text,
        sections, tables, charts, closing and signature.
    appendices
        What follows the signature, each starting a page numbered anew.
    figures
        The numbers it shows; ``reportkit build`` files them in ``figures.json`` under the
        notebook's name. Plain JSON: numbers, text, lists and mappings.
    charts
        Unused: a chart's PNG copy travels in its block (:func:`reportkit.blocks.chart`).
        Kept so that notebooks written before the document model still run.
    agency
        The issuing agency: the PDF's and Word file's author.
    info
        The Decree-30 metadata of the document (:mod:`reportkit.metadata`), when known.
    about
        What it is about (``campaign``, ``district``), for the names of exported files.

    Returns
    -------
    Document
        The notebook's last output; JupyterLab shows it as it will print.
    """
    del charts
    parts = [m.Part(flatten(body), "main")]
    parts += [m.Part(flatten(a.body), a.kind) for a in appendices]
    return Composed(
        kind=kind,
        title=title,
        parts=tuple(parts),
        agency=agency,
        figures=dict(figures or {}),
        info=dict(info or {}),
        about=dict(about or {}),
    )


def campaign_text(config: Any, budget_total: int):
    """The campaign's text filler with every placeholder of ``campaign.PLACEHOLDERS`` filled."""
    from .. import vn
    from ..blocks import _Text

    return _Text(
        {
            "year": str(config.year),
            "event": config.event,
            "theme": config.theme,
            "agency": config.agency.name,
            "place": config.agency.place,
            "event_date": vn.short_date(config.event_date),
            "budget_total": vn.format_vnd(budget_total),
            "budget_total_words": vn.amount_in_words(budget_total),
        }
    )
