"""Compose a document: the campaign's settings and figures become Decree-30 HTML.

A :class:`Document` is what a notebook shows as its last output. In JupyterLab it renders as
the page will print; the ``reportkit_html`` and ``reportkit_pdf`` exporters pick it out of
the executed notebook (by the ``reportkit`` key of its output metadata) and lay it on A4.
Its figures travel with it under :data:`FIGURES_MIMETYPE`, so ``figures.json`` holds exactly
the numbers the document shows, and PNG copies of its charts under :data:`RASTERS_MIMETYPE`,
for the ``reportkit_docx`` exporter (Word takes no SVG from python-docx).

Text from ``campaign.yaml`` and from the data is escaped; the only markup it may carry is
``*italic*`` and ``**bold**``, and one line is one paragraph.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup, escape

from . import media, vn
from .budget import BudgetEstimate
from .campaign import Campaign
from .charts import Chart
from .coverage import ReportFigures, percent
from .exceptions import CampaignError, DataProblem
from .tables import CHANNELS

__all__ = [
    "FIGURES_MIMETYPE",
    "RASTERS_ENV",
    "RASTERS_MIMETYPE",
    "Document",
    "plan_document",
    "report_document",
]

#: MIME type of the figures a document carries, read back into ``figures.json``.
FIGURES_MIMETYPE = "application/vnd.reportkit.figures+json"
#: MIME type of the PNG copies of a document's charts: ``{raster id: base64}``; an ``<img>``
#: of the HTML names its copy in ``data-raster``.
RASTERS_MIMETYPE = "application/vnd.reportkit.rasters+json"
#: ``0`` in this environment variable leaves the PNG copies out: ``reportkit build`` sets it
#: for the kernels of a build that writes no Word file. Unset (JupyterLab), they are made.
RASTERS_ENV = "REPORTKIT_RASTERS"

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")


@dataclass(frozen=True)
class Document:
    """A composed document: its HTML (one ``<article>``), its kind, the figures it shows and
    PNG copies of its charts by raster id."""

    kind: str
    title: str
    html: str
    figures: Mapping[str, Any] = field(default_factory=dict)
    rasters: Mapping[str, bytes] = field(default_factory=dict)

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {
            "text/html": self.html,
            "text/plain": f"<{self.kind}: {self.title}>",
            FIGURES_MIMETYPE: {self.kind: dict(self.figures)},
        }
        metadata = {"reportkit": {"document": self.kind, "title": self.title}}
        if self.rasters:
            data[RASTERS_MIMETYPE] = {
                name: base64.b64encode(png).decode("ascii") for name, png in self.rasters.items()
            }
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
    env.globals["percent_of"] = percent
    env.globals["css"] = Markup((templates / "document.css").read_text(encoding="utf-8"))
    env.filters.update(
        vnd=vn.format_vnd,
        quantity=vn.format_quantity,
        roman=lambda i: _ROMAN[i],
        percent=vn.format_percent,
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


def _campaign_text(campaign: Campaign, estimate: BudgetEstimate) -> _Text:
    """The campaign's text with every placeholder of ``campaign.PLACEHOLDERS`` filled."""
    config = campaign.config
    return _Text(
        {
            "year": str(config.year),
            "event": config.event,
            "theme": config.theme,
            "agency": config.agency.name,
            "place": config.agency.place,
            "event_date": vn.short_date(config.event_date),
            "budget_total": vn.format_vnd(estimate.total),
            "budget_total_words": vn.amount_in_words(estimate.total),
        }
    )


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
    text = _campaign_text(campaign, estimate)
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


#: Rows of the activity list in the report's appendix; a larger campaign lists the earliest.
APPENDIX_ROWS = 300


def report_document(
    campaign: Campaign,
    estimate: BudgetEstimate,
    figures: ReportFigures,
    charts: Mapping[str, Chart],
    activities: pd.DataFrame,
    *,
    number: int | None = None,
    issued_on: str | dt.date | vn.IssueDate | None = None,
    district: str | None = None,
    as_of: dt.date | None = None,
    appendix_rows: int = APPENDIX_ROWS,
) -> Document:
    """The after-action report (Báo cáo kết quả) of ``campaign`` from its ``figures``.

    Parameters
    ----------
    campaign, estimate
        The loaded campaign and its budget estimate; ``campaign.config.report`` holds the
        report's settings and the parts a person writes.
    figures, charts
        :func:`reportkit.coverage.report_figures` and :func:`reportkit.charts.report_charts`.
    activities
        The activities the report covers (scoped like ``figures``), for the appendix.
    number, issued_on
        The registered number and date of issue; ``None`` takes them from campaign.yaml.
    district, as_of
        Say in the text that the report covers one district, or the results up to a day.
    appendix_rows
        At most this many activities are listed in the appendix; the text says so.
    """
    config = campaign.config
    report = config.report
    if report is None:
        raise CampaignError(
            DataProblem(campaign.folder / "campaign.yaml", "a 'report:' section to build the report from")
        )
    number = report.number if number is None else number
    issued = vn.IssueDate.parse(issued_on) if issued_on is not None else report.issued_on
    issued = issued or vn.IssueDate(config.year)
    text = _campaign_text(campaign, estimate)
    plan = config.plan
    plan_symbol = vn.doc_symbol(plan.number, "KH", config.agency.abbreviation)
    plan_date = vn.issue_date_text(plan.issued_on or vn.IssueDate(config.year))
    agency = config.agency.name
    basis = [
        *(text.fill(b) for b in report.basis),
        f"Thực hiện Kế hoạch số {plan_symbol} {plan_date} của {agency}",
    ]
    scope_words = _lower_first(text.fill(report.summary))
    if district:
        scope_words += f" trên địa bàn {district}"
    if as_of:
        scope_words += f" (số liệu đến {vn.short_date(as_of)})"
    rows = _appendix_rows(campaign, activities, appendix_rows)
    html = (
        _environment()
        .get_template("report.html.j2")
        .render(
            config=config,
            report=report,
            text=text,
            title=text.fill(report.summary) + (f" trên địa bàn {district}" if district else ""),
            number=vn.doc_number(number, "BC", config.agency.abbreviation),
            place_date=vn.place_date(config.agency.place, issued),
            basis=_punctuate(basis, ";", "."),
            agency=agency,
            scope_words=scope_words,
            plan_sentence=(
                f"{agency} đã ban hành Kế hoạch số {plan_symbol} {plan_date} về "
                f"{_lower_first(text.fill(plan.summary))}, "
                f"với tổng kinh phí dự trù {vn.format_vnd(estimate.total)} đồng."
            ),
            results=_result_sentences(figures, report, bool(district)),
            figures=figures.to_dict(),
            charts=charts,
            spent_words=vn.amount_in_words(figures.budget_spent_vnd),
            unbudgeted_words=vn.amount_in_words(figures.unbudgeted_vnd),
            recipients=_punctuate(list(report.recipients), ";", "."),
            symbol=vn.doc_symbol(number, "BC", config.agency.abbreviation),
            issue_date=vn.issue_date_text(issued),
            activities=rows,
            listed=len(rows),
            photos=_photos(campaign, rows),
        )
    )
    return Document(
        kind="report",
        title=text.fill(report.summary),
        html=html,
        figures=figures.to_dict(),
        rasters=(
            {chart.raster_id: chart.png for chart in charts.values() if chart.png}
            if os.environ.get(RASTERS_ENV) != "0"
            else {}
        ),
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _result_sentences(figures: ReportFigures, report, one_district: bool) -> list[str]:
    f, pct, n = figures, vn.format_percent, vn.format_vnd
    window = f"từ {vn.short_date(report.window.start)} đến {vn.short_date(report.window.end)}"
    area = "huyện, thị xã, thành phố"
    sentences = [
        f"{f.units_active}/{f.units_target} đơn vị ({pct(f.coverage_pct)}) đã triển khai "
        "hoạt động tuyên truyền"
        + (
            f"; {f.districts_covered}/{f.districts_total} {area} "
            f"({pct(percent(f.districts_covered, f.districts_total))}) có hoạt động trên địa bàn."
            if f.districts_total and not one_district
            else "."
        ),
        f"Tổng số {n(f.activities_total)} hoạt động, trong đó {n(f.in_window)} hoạt động "
        f"trong thời gian triển khai {window}; tiếp cận khoảng {n(f.reach_total)} lượt người.",
        f"{pct(f.evidence_pct)} hoạt động có hình ảnh, video minh chứng{_media_counts(f)} "
        "(Phụ lục kèm theo).",
        f"{f.on_time_units}/{f.units_target} đơn vị gửi báo cáo kết quả đúng thời hạn "
        f"(đến {vn.short_date(report.deadline)}).",
    ]
    return sentences


def _media_counts(f: ReportFigures) -> str:
    """``, trong đó 12 hoạt động có hình ảnh, 2 hoạt động có video``: the kinds there are."""
    kinds = [(f.photo_activities, "hình ảnh"), (f.video_activities, "video")]
    parts = [f"{vn.format_vnd(count)} hoạt động có {kind}" for count, kind in kinds if count]
    return ", trong đó " + ", ".join(parts) if parts else ""


def _appendix_rows(campaign: Campaign, activities: pd.DataFrame, limit: int) -> list[dict[str, Any]]:
    names = campaign.units.set_index("unit_id")["name"]
    listed = activities.sort_values(["date", "activity_id"], kind="stable").head(limit)
    return [
        {
            "id": row.activity_id,
            "date": vn.format_date(row.date.date()),
            "unit": names.get(row.unit_id, row.unit_id),
            "channel": CHANNELS[row.channel],
            "quantity": int(row.quantity),
            "reach": int(row.reach),
            "cost": int(row.cost_vnd),
            "evidence": Path(row.evidence).name
            if row.evidence and "://" not in row.evidence
            else row.evidence,
            "evidence_path": row.evidence,
        }
        for row in listed.itertuples()
    ]


def _photos(campaign: Campaign, rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Local photos and videos of the listed activities as ``data:`` JPEGs scaled to print
    size (a video as a still frame), captioned with who and when; a video also with its
    file name and duration."""
    shown = [
        (row, campaign.folder / row["evidence_path"])
        for row in rows
        if media.evidence_kind(row["evidence_path"]) in ("photo", "video")
        and (campaign.folder / row["evidence_path"]).is_file()
    ]
    pictures = media.pictures_for_print([path for _, path in shown])
    return [
        {
            "src": media.data_url(jpeg),
            "caption": f"{row['unit']}, {row['date']} ({row['channel'].lower()})",
            "video": f"{path.name}, thời lượng {media.duration_words(video.duration)}" if video else "",
        }
        for (row, path), (jpeg, video) in zip(shown, pictures, strict=True)
    ]
