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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from . import blocks, media, vn
from .blocks import TOTAL, Column, _Text, environment, inline, punctuate
from .budget import BudgetEstimate
from .campaign import Campaign
from .charts import Chart
from .coverage import ReportFigures, percent
from .exceptions import CampaignError, DataProblem
from .i18n import _
from .tables import CHANNELS

__all__ = [
    "FIGURES_MIMETYPE",
    "RASTERS_ENV",
    "RASTERS_MIMETYPE",
    "Appendix",
    "Document",
    "compose",
    "consolidated_document",
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


@dataclass(frozen=True)
class Document:
    """A composed document: its HTML (one ``<article>``), its kind, the figures it shows and
    PNG copies of its charts by raster id."""

    kind: str
    title: str
    html: str
    figures: Mapping[str, Any] = field(default_factory=dict)
    rasters: Mapping[str, bytes] = field(default_factory=dict)
    #: The issuing agency's name: the PDF's author.
    agency: str = ""

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {
            "text/html": self.html,
            "text/plain": f"<{self.kind}: {self.title}>",
            FIGURES_MIMETYPE: {self.kind: dict(self.figures)},
        }
        metadata = {"reportkit": {"document": self.kind, "title": self.title, "agency": self.agency}}
        if self.rasters:
            data[RASTERS_MIMETYPE] = {
                name: base64.b64encode(png).decode("ascii") for name, png in self.rasters.items()
            }
        return data, {"text/html": metadata, FIGURES_MIMETYPE: metadata}


@dataclass(frozen=True)
class Appendix:
    """An appendix: pieces from :mod:`reportkit.blocks`, on pages numbered on their own.

    ``kind`` ``"attachment"`` is an attached table such as the plan's budget estimate.
    """

    body: Sequence[Markup]
    kind: str = "appendix"


def compose(
    kind: str,
    title: str,
    body: Sequence[Markup],
    *,
    appendices: Sequence[Appendix] = (),
    figures: Mapping[str, Any] | None = None,
    charts: Sequence[Chart] = (),
) -> Document:
    """Put a document together from the pieces of :mod:`reportkit.blocks`.

    Parameters
    ----------
    kind
        What it is, one word (``notice``); its HTML is ``<article class="rk-document rk-<kind>">``.
    title
        Its title, for the HTML page's and the Word file's properties.
    body
        The pieces of the document, in order: header, title, recipient line, basis, text,
        sections, tables, charts, closing and signature.
    appendices
        What follows the signature, each starting a page numbered anew.
    figures
        The numbers it shows; ``reportkit build`` files them in ``figures.json`` under the
        notebook's name. Plain JSON: numbers, text, lists and mappings.
    charts
        The charts among its pieces (:func:`reportkit.blocks.chart`), whose PNG copies the
        Word file takes.

    Returns
    -------
    Document
        The notebook's last output; JupyterLab shows it as it will print.
    """
    html = (
        environment()
        .get_template("document.html.j2")
        .render(kind=kind, body=list(body), appendices=list(appendices))
    )
    return Document(kind=kind, title=title, html=html, figures=dict(figures or {}), rasters=_rasters(charts))


def _rasters(charts: Sequence[Chart]) -> dict[str, bytes]:
    """PNG copies of the charts for the Word file, unless the build writes none."""
    if os.environ.get(RASTERS_ENV) == "0":
        return {}
    return {chart.raster_id: chart.png for chart in charts if chart.png}


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
    budget_table = blocks.table(
        [
            Column("STT", "line_id", "rk-center", width=7),
            Column("Nội dung", "content", width=33, total=TOTAL),
            Column("ĐVT", "unit", "rk-center", width=10),
            Column("Số lượng", "quantity", "rk-number-cell", vn.format_quantity, width=9),
            Column("Đơn giá", "unit_price", "rk-number-cell", vn.format_vnd, width=14),
            Column(
                "Thành tiền", "amount", "rk-number-cell", vn.format_vnd, lambda _: estimate.total, width=14
            ),
            Column("Ghi chú", "note", "rk-center", width=13),
        ],
        estimate.lines,
        numbered=False,
        css_class="rk-budget",
    )
    html = (
        environment()
        .get_template("plan.html.j2")
        .render(
            config=config,
            plan=plan,
            text=text,
            title=title,
            number=vn.doc_number(number, "KH", config.agency.abbreviation),
            place_date=vn.place_date(config.agency.place, issued),
            basis=[inline(line) for line in punctuate(text.fill(b) for b in plan.basis)],
            recipients=punctuate(plan.recipients),
            budget_table=budget_table,
            total_words=vn.amount_in_words(estimate.total),
            attached_to=(
                f"Kèm theo Kế hoạch số {vn.doc_symbol(number, 'KH', config.agency.abbreviation)}"
                f" {vn.issue_date_text(issued)} của {config.agency.name}"
            ),
        )
    )
    return Document(
        kind="plan", title=title, html=html, figures=estimate.to_dict(), agency=config.agency.name
    )


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
            DataProblem(campaign.folder / "campaign.yaml", _("a 'report:' section to build the report from"))
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
        environment()
        .get_template("report.html.j2")
        .render(
            config=config,
            report=report,
            text=text,
            title=text.fill(report.summary) + (f" trên địa bàn {district}" if district else ""),
            number=vn.doc_number(number, "BC", config.agency.abbreviation),
            place_date=vn.place_date(config.agency.place, issued),
            basis=[inline(line) for line in punctuate(basis)],
            agency=agency,
            scope_words=scope_words,
            plan_sentence=(
                f"{agency} đã ban hành Kế hoạch số {plan_symbol} {plan_date} về "
                f"{_lower_first(text.fill(plan.summary))}, "
                f"với tổng kinh phí dự trù {vn.format_vnd(estimate.total)} đồng."
            ),
            results=_result_sentences(figures, report, bool(district)),
            figures=figures.to_dict(),
            tables=_report_tables(figures.to_dict()),
            charts=charts,
            spent_words=vn.amount_in_words(figures.budget_spent_vnd),
            unbudgeted_words=vn.amount_in_words(figures.unbudgeted_vnd),
            recipients=punctuate(report.recipients),
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
        agency=agency,
        html=html,
        # the day it is issued, for a consolidation to tell on time from late
        figures=figures.to_dict() | {"issued_on": str(issued)},
        rasters=_rasters(list(charts.values())),
    )


def _report_tables(figures: Mapping[str, Any]) -> dict[str, Markup]:
    """The report's tables with their totals, drawn by :func:`reportkit.blocks.table`."""
    vnd = vn.format_vnd

    def counts(*keys: str) -> list[Column]:
        labels = {
            "activities": "Số hoạt động",
            "quantity": "Số lượng",
            "reach": "Lượt người tiếp cận",
            "spent": "Kinh phí (đồng)",
        }
        return [Column(labels[k], k, "rk-number-cell", vnd, "sum") for k in keys]

    def by_area(rows, name_key: str, heading: str) -> Markup:
        units = Column(
            "Đơn vị đã triển khai",
            lambda r: f"{r['units_active']}/{r['units_target']}",
            "rk-center",
            total=lambda rows: (
                f"{sum(r['units_active'] for r in rows)}/{sum(r['units_target'] for r in rows)}"
            ),
        )
        name = Column(heading, name_key, width=35, total=TOTAL)
        return blocks.table([name, units, *counts("activities", "reach", "spent")], rows)

    planned, spent = figures["budget_planned_vnd"], figures["budget_spent_vnd"]
    return {
        "by_channel": blocks.table(
            [
                Column("Hình thức tuyên truyền", "label", width=35, total=TOTAL),
                *counts("activities", "quantity", "reach", "spent"),
            ],
            figures["by_channel"],
        ),
        "by_district": by_area(figures["by_district"], "district", "Địa bàn"),
        "by_kind": by_area(figures["by_kind"], "label", "Đơn vị thực hiện"),
        "execution": blocks.table(
            [
                Column("STT", "line_id", "rk-center", width=7),
                Column("Nội dung", "content", width=35, total=TOTAL),
                Column("Dự trù", "planned", "rk-number-cell", vnd, lambda _: planned),
                Column("Đã sử dụng", "spent", "rk-number-cell", vnd, lambda _: spent),
                Column("Còn lại", "variance", "rk-number-cell", vnd, lambda _: planned - spent),
                Column(
                    "Tỷ lệ sử dụng",
                    "pct_used",
                    "rk-number-cell",
                    vn.format_percent,
                    lambda _: percent(spent, planned) if planned else "",
                ),
            ],
            figures["budget_execution"],
            numbered=False,
        ),
    }


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


def consolidated_document(
    campaign: Campaign,
    figures: Any,
    charts: Mapping[str, Chart],
    *,
    number: int | None = None,
    issued_on: str | dt.date | vn.IssueDate | None = None,
) -> Document:
    """The consolidated report (Báo cáo tổng hợp) of the agencies' reports, composed from
    :mod:`reportkit.blocks` as a notebook of your own would.

    Parameters
    ----------
    campaign
        The asking agency's campaign (a ministry's), with a ``consolidated:`` section.
    figures, charts
        :func:`reportkit.consolidate.consolidated_figures` and
        :func:`reportkit.charts.consolidated_charts`.
    number, issued_on
        The registered number and date of issue; ``None`` takes them from campaign.yaml.
    """
    config = campaign.config
    settings = config.consolidated
    if settings is None:
        raise CampaignError(
            DataProblem(
                campaign.folder / "campaign.yaml", "a 'consolidated:' section to build the report from"
            )
        )
    f, n, pct = figures, vn.format_vnd, vn.format_percent
    number = settings.number if number is None else number
    issued = vn.IssueDate.parse(issued_on) if issued_on is not None else settings.issued_on
    text = _Text(
        {
            "year": str(config.year),
            "event": config.event,
            "theme": config.theme,
            "agency": config.agency.name,
            "place": config.agency.place,
            "event_date": vn.short_date(config.event_date),
            "budget_total": n(f.spent_total_vnd),
            "budget_total_words": vn.amount_in_words(f.spent_total_vnd),
        }
    )
    deadline = vn.short_date(dt.date.fromisoformat(f.deadline))
    share = pct(percent(f.agencies_asked_reported, f.agencies_asked))
    asked = f", trong đó {f.agencies_asked_reported}/{f.agencies_asked} đơn vị được đề nghị ({share})"
    results = [
        f"{f.agencies_reported} đơn vị đã gửi báo cáo{asked if f.agencies_asked else ''}; "
        f"{f.agencies_on_time} đơn vị gửi đúng hạn (đến {deadline}), {f.agencies_late} đơn vị gửi chậm"
        + (f", {f.agencies_undated} báo cáo chưa ghi ngày ban hành." if f.agencies_undated else "."),
        f"Các đơn vị đã tổ chức {n(f.activities_total)} hoạt động tuyên truyền; "
        f"{n(f.units_active)}/{n(f.units_target)} đơn vị trực thuộc đã triển khai "
        f"({pct(percent(f.units_active, f.units_target))}); tiếp cận khoảng {n(f.reach_total)} lượt người.",
        f"Tổng kinh phí các đơn vị đã sử dụng: {n(f.spent_total_vnd)} đồng "
        f"({vn.amount_in_words(f.spent_total_vnd)}).",
    ]
    units = Column(
        "Đơn vị đã triển khai",
        lambda r: f"{n(r['units_active'])}/{n(r['units_target'])}",
        "rk-center",
        total=lambda _: f"{n(f.units_active)}/{n(f.units_target)}",
    )
    table = blocks.table(
        [
            Column("Đơn vị báo cáo", "agency", width=32, total=TOTAL),
            units,
            Column("Số hoạt động", "activities", "rk-number-cell", n, "sum"),
            Column("Lượt người tiếp cận", "reach", "rk-number-cell", n, "sum"),
            Column("Kinh phí (đồng)", "spent", "rk-number-cell", n, "sum"),
            Column(
                "Thời hạn báo cáo",
                "standing",
                "rk-center",
                total=lambda _: f"{f.agencies_on_time} đúng hạn",
                width=13,
            ),
        ],
        f.by_agency,
    )
    missing = (
        "\n".join(f"- {name}" for name in punctuate(f.missing))
        if f.missing
        else "Tất cả các đơn vị được đề nghị đã gửi báo cáo."
    )
    body = [
        blocks.header(
            config.agency,
            vn.doc_number(number, settings.symbol, config.agency.abbreviation),
            vn.place_date(config.agency.place, issued or vn.IssueDate(config.year)),
        ),
        blocks.title("BÁO CÁO", text.fill(settings.summary)),
        blocks.recipient(text.fill(settings.recipient)),
        *([blocks.paragraphs(f"*{text.fill(settings.note)}*")] if settings.note else []),
        blocks.basis(text.fill(line) for line in settings.basis),
        blocks.paragraphs(text.fill(settings.intro)),
        blocks.section_heading(1, "KẾT QUẢ CHUNG"),
        blocks.paragraphs("\n".join(f"- {sentence}" for sentence in results)),
        blocks.section_heading(2, "KẾT QUẢ THEO ĐƠN VỊ"),
        table,
        *(blocks.chart(chart) for chart in charts.values()),
        blocks.section_heading(3, "CÁC ĐƠN VỊ CHƯA GỬI BÁO CÁO"),
        blocks.paragraphs(missing),
        blocks.section_heading(4, "ĐÁNH GIÁ"),
        blocks.paragraphs(text.fill(settings.assessment)),
        blocks.section_heading(5, "ĐỀ XUẤT, KIẾN NGHỊ"),
        blocks.paragraphs(text.fill(settings.proposals)),
        blocks.closing(text.fill(settings.closing), config.signer, settings.recipients),
    ]
    return compose(
        "consolidated",
        title=text.fill(settings.summary),
        body=body,
        figures=f.to_dict(),
        charts=list(charts.values()),
    )
