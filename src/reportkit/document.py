"""Compose a document: the campaign's settings and figures become Decree-30 HTML.

A :class:`Document` is what a notebook shows as its last output. In JupyterLab it renders as
the page will print; the ``reportkit_html`` and ``reportkit_pdf`` exporters pick it out of
the executed notebook (by the ``reportkit`` key of its output metadata) and lay it on A4.
Its figures travel with it under :data:`FIGURES_MIMETYPE`, so ``figures.json`` holds exactly
the numbers the document shows.

Text from ``campaign.yaml`` and from the data is escaped; the only markup it may carry is
``*italic*`` and ``**bold**``, and one line is one paragraph.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

import jinja2
from markupsafe import Markup, escape

from . import vn
from .budget import BudgetEstimate
from .campaign import Campaign

__all__ = ["FIGURES_MIMETYPE", "Document", "plan_document"]

#: MIME type of the figures a document carries, read back into ``figures.json``.
FIGURES_MIMETYPE = "application/vnd.reportkit.figures+json"

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")


@dataclass(frozen=True)
class Document:
    """A composed document: its HTML (one ``<article>``), its kind and the figures it shows."""

    kind: str
    title: str
    html: str
    figures: Mapping[str, Any] = field(default_factory=dict)

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {
            "text/html": self.html,
            "text/plain": f"<{self.kind}: {self.title}>",
            FIGURES_MIMETYPE: {self.kind: dict(self.figures)},
        }
        metadata = {"reportkit": {"document": self.kind, "title": self.title}}
        return data, {"text/html": metadata, FIGURES_MIMETYPE: metadata}


@cache
def _environment() -> jinja2.Environment:
    templates = files("reportkit") / "templates" / "document"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["css"] = Markup((templates / "document.css").read_text(encoding="utf-8"))
    env.filters.update(
        vnd=vn.format_vnd,
        quantity=vn.format_quantity,
        roman=lambda i: _ROMAN[i],
        lines=lambda text: Markup("<br>").join(escape(line.strip()) for line in text.splitlines()),
    )
    return env


class _Text:
    """Fills ``{placeholders}`` in the campaign's text and turns it into safe HTML.

    The campaign's loader has already refused unknown placeholders, so every name is here.
    """

    def __init__(self, values: Mapping[str, str]):
        self.values = values

    def fill(self, text: str) -> str:
        return re.sub(r"\{(\w+)\}", lambda match: self.values[match.group(1)], text)

    def inline(self, text: str) -> Markup:
        html = str(escape(self.fill(text)))
        # WeasyPrint can break a justified line right after a leading "- " when a word with an
        # inner hyphen ("chính-Viễn") is followed by an inline element; keep such words whole.
        html = re.sub(r"(\w+(?:-\w+)+)", r'<span class="rk-nobr">\1</span>', html)
        html = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html)
        html = re.sub(r"\*(.+?)\*", r"<em>\1</em>", html)
        return Markup(html)

    def paragraphs(self, text: str) -> list[Markup]:
        return [self.inline(line) for line in text.splitlines() if line.strip()]


def _punctuate(items: list[str], between: str, last: str) -> list[str]:
    """Recipients and legal bases end with ';' and the last with '.' (Decree 30)."""
    stripped = [item.rstrip(" ;.") for item in items]
    return [item + (last if i == len(stripped) - 1 else between) for i, item in enumerate(stripped)]


def _common_values(campaign: Campaign) -> dict[str, str]:
    config = campaign.config
    return {
        "year": str(config.year),
        "event": config.event,
        "theme": config.theme,
        "agency": config.agency.name,
        "place": config.agency.place,
        "event_date": vn.short_date(config.event_date),
    }


def plan_document(
    campaign: Campaign,
    estimate: BudgetEstimate,
    *,
    number: int | None = None,
    issued_on: str | dt.date | vn.IssueDate | None = None,
) -> Document:
    """The plan (Kế hoạch) of ``campaign`` with its budget ``estimate`` attached.

    Parameters
    ----------
    campaign
        A loaded campaign (:func:`reportkit.campaign.load_campaign`).
    estimate
        Its budget estimate (:func:`reportkit.budget.budget_estimate`).
    number, issued_on
        The registered number and the date of issue; ``None`` takes them from
        ``campaign.yaml``, where an empty number and a date known to the month leave blanks.
    """
    config = campaign.config
    plan = config.plan
    number = plan.number if number is None else number
    issued = vn.IssueDate.parse(issued_on) if issued_on is not None else plan.issued_on
    issued = issued or vn.IssueDate(config.year)
    text = _Text(
        _common_values(campaign)
        | {
            "budget_total": vn.format_vnd(estimate.total),
            "budget_total_words": vn.amount_in_words(estimate.total),
        }
    )
    title = text.fill(plan.summary)
    html = (
        _environment()
        .get_template("plan.html.j2")
        .render(
            config=config,
            plan=plan,
            text=text,
            title=title,
            number=vn.doc_number(number, "KH", config.agency.abbreviation),
            place_date=vn.place_date(config.agency.place, issued),
            basis=_punctuate([text.fill(b) for b in plan.basis], ";", "."),
            recipients=_punctuate(list(plan.recipients), ";", "."),
            estimate=estimate,
            total_words=vn.amount_in_words(estimate.total),
            attached_to=(
                f"Kèm theo Kế hoạch số {vn.doc_symbol(number, 'KH', config.agency.abbreviation)}"
                f" {vn.issue_date_text(issued)} của {config.agency.name}"
            ),
        )
    )
    return Document(kind="plan", title=title, html=html, figures=estimate.to_dict())
