"""The after-action report (Báo cáo kết quả) of a campaign, from its figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .. import blocks, media, vn
from ..blocks import TOTAL, Column, inline, punctuate
from ..budget import BudgetEstimate
from ..campaign import Campaign
from ..charts import Chart
from ..coverage import DISTRICTS_SHOWN, ReportFigures, leading_districts, percent
from ..exceptions import CampaignError, DataProblem
from ..i18n import _
from ..tables import CHANNELS
from . import model as m
from .composition import Appendix, campaign_text, compose

__all__ = ["APPENDIX_ROWS", "report_document"]

#: Rows of the activity list in the report's appendix; a larger campaign lists the earliest.
APPENDIX_ROWS = 300


def _p(text: str, style: str = "body") -> m.Paragraph:
    """A paragraph of text written by reportkit itself (figures, names): no ``*`` markup."""
    return m.Paragraph((m.Run(text),), style)


def _h(level: int, label: str, text: str) -> m.Heading:
    return m.Heading(level, label, (m.Run(text),))


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
) -> m.Document:
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
    text = campaign_text(config, estimate.total)
    plan = config.plan
    abbreviation = config.agency.abbreviation
    plan_symbol = vn.doc_symbol(plan.number, "KH", abbreviation)
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
    title = text.fill(report.summary) + (f" trên địa bàn {district}" if district else "")
    f = figures.to_dict()
    tables = _report_tables(f)
    planned, spent = f["budget_planned_vnd"], f["budget_spent_vnd"]
    used = f", đạt {vn.format_percent(percent(spent, planned))} dự trù" if planned else ""
    results = _result_sentences(figures, report, bool(district))
    by_district = f["by_district"]
    many = len(by_district) > DISTRICTS_SHOWN  # the body shows the largest; Phụ lục II all
    body = [
        blocks.header(
            config.agency,
            vn.doc_number(number, "BC", abbreviation),
            vn.place_date(config.agency.place, issued),
        ),
        m.Title("BÁO CÁO", (m.Run(title),)),
        m.Recipient(inline(report.recipient.rstrip(" ."))),
        tuple(m.Paragraph(inline(line), "basis") for line in punctuate(basis)),
        _p(f"{agency} báo cáo {scope_words} như sau:"),
        _h(2, "I.", "CÔNG TÁC CHỈ ĐẠO, TRIỂN KHAI"),
        _p(
            f"{agency} đã ban hành Kế hoạch số {plan_symbol} {plan_date} về "
            f"{_lower_first(text.fill(plan.summary))}, "
            f"với tổng kinh phí dự trù {vn.format_vnd(estimate.total)} đồng."
        ),
        text.paragraphs(report.direction),
        _h(2, "II.", "KẾT QUẢ THỰC HIỆN"),
        _h(3, "1.", "Phạm vi và kết quả chung"),
        tuple(_p(f"- {sentence}") for sentence in results),
        _h(3, "2.", "Kết quả theo hình thức tuyên truyền"),
        tables["by_channel"],
        blocks.chart(charts["by_channel"]),
        (
            _h(3, "3.", "Kết quả theo địa bàn"),
            tables["by_district"],
            _p(
                f"Bảng trên nêu {DISTRICTS_SHOWN} địa bàn có nhiều đơn vị được giao nhất; kết quả "
                f"của từng địa bàn trong {vn.format_vnd(len(by_district))} địa bàn tại Phụ lục II."
            )
            if many
            else (),
            blocks.chart(charts["by_district"]),
        )
        if by_district
        else (),
        _h(3, f"{4 if by_district else 3}.", "Kết quả theo đơn vị thực hiện"),
        tables["by_kind"],
        blocks.chart(charts["per_day"]),
        _h(2, "III.", "KINH PHÍ THỰC HIỆN"),
        _p(
            f"Kinh phí dự trù theo Kế hoạch: {vn.format_vnd(planned)} đồng; đã sử dụng "
            f"{vn.format_vnd(spent)} đồng ({vn.amount_in_words(spent)}){used}."
        ),
        blocks.unit_note("Đồng"),
        tables["execution"],
        _p(
            f"Ngoài ra, các đơn vị đã sử dụng {vn.format_vnd(f['unbudgeted_vnd'])} đồng từ nguồn "
            f"kinh phí của đơn vị mình ({vn.amount_in_words(f['unbudgeted_vnd'])})."
        )
        if f["unbudgeted_vnd"]
        else (),
        blocks.chart(charts["budget"]),
        _h(2, "IV.", "ĐÁNH GIÁ"),
        text.paragraphs(report.assessment),
        _h(2, "V.", "ĐỀ XUẤT, KIẾN NGHỊ"),
        text.paragraphs(report.proposals),
        m.Closing(text.paragraphs(report.closing), blocks.signature(config.signer, report.recipients)),
    ]
    rows = _appendix_rows(campaign, activities, appendix_rows)
    symbol = vn.doc_symbol(number, "BC", abbreviation)
    photos = _photos(campaign, rows)
    attached = f"Kèm theo Báo cáo số {symbol} {vn.issue_date_text(issued)} của {agency}"
    appendix = [
        m.AppendixHeading(
            ((m.Run("Phụ lục I" if many else "Phụ lục"),), (m.Run("DANH SÁCH HOẠT ĐỘNG TUYÊN TRUYỀN"),)),
            None,
            attached,
        ),
        _p(
            f"Danh sách dưới đây gồm {vn.format_vnd(len(rows))} trên tổng số "
            f"{vn.format_vnd(f['activities_total'])} hoạt động (các hoạt động sớm nhất theo ngày); "
            "danh sách đầy đủ trong tệp activities.xlsx kèm theo Báo cáo."
        )
        if len(rows) < f["activities_total"]
        else (),
        _activities_table(rows),
        (
            _p(
                "HÌNH ẢNH, VIDEO MINH CHỨNG" if any(p["video"] for p in photos) else "HÌNH ẢNH MINH CHỨNG",
                "photos_title",
            ),
            blocks.photos(photos),
        )
        if photos
        else (),
    ]
    appendices = [Appendix(appendix)]
    if many:
        heading = ((m.Run("Phụ lục II"),), (m.Run("KẾT QUẢ THEO ĐỊA BÀN"),))
        appendices.append(Appendix([m.AppendixHeading(heading, None, attached), tables["all_districts"]]))
    return compose(
        "report",
        title=text.fill(report.summary),
        body=body,
        appendices=appendices,
        # the day it is issued, for a consolidation to tell on time from late
        figures=f | {"issued_on": str(issued)},
        agency=agency,
    )


def _activities_table(rows: list[dict[str, Any]]) -> m.Table:
    def number(value: int) -> str:
        return vn.format_vnd(value) if value else ""

    columns = (
        m.Column("STT", 6, "center"),
        m.Column("Ngày", 12, "center"),
        m.Column("Đơn vị", 26),
        m.Column("Hình thức", 16),
        m.Column("Số lượng", 8, "number"),
        m.Column("Lượt người", 9, "number"),
        m.Column("Kinh phí (đồng)", 11, "number"),
        m.Column("Minh chứng", 12, "evidence"),
    )
    body = tuple(
        tuple(
            m.Cell(text, column.align)
            for text, column in zip(
                (
                    str(index),
                    a["date"],
                    a["unit"],
                    a["channel"],
                    vn.format_vnd(a["quantity"]),
                    number(a["reach"]),
                    number(a["cost"]),
                    a["evidence"],
                ),
                columns,
                strict=True,
            )
        )
        for index, a in enumerate(rows, start=1)
    )
    return m.Table(columns, body, None, "activities")


def _report_tables(figures: Mapping[str, Any]) -> dict[str, m.Table]:
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

    def by_area(rows, name_key: str, heading: str) -> m.Table:
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
        "by_district": by_area(_leading(figures["by_district"]), "district", "Địa bàn"),
        "all_districts": by_area(figures["by_district"], "district", "Địa bàn"),
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


def _leading(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(rows) <= DISTRICTS_SHOWN:
        return rows
    return leading_districts(pd.DataFrame(rows)).to_dict("records")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _result_sentences(figures: ReportFigures, report, one_district: bool) -> list[str]:
    f, pct, n = figures, vn.format_percent, vn.format_vnd
    window = f"từ {vn.short_date(report.window.start)} đến {vn.short_date(report.window.end)}"
    area = "huyện, thị xã, thành phố"
    return [
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


def _photos(campaign: Campaign, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Local photos and videos of the listed activities as JPEGs scaled to print size (a video
    as a still frame), captioned with who and when; a video also with its file name and
    duration."""
    shown = [
        (row, campaign.folder / row["evidence_path"])
        for row in rows
        if media.evidence_kind(row["evidence_path"]) in ("photo", "video")
        and (campaign.folder / row["evidence_path"]).is_file()
    ]
    pictures = media.pictures_for_print([path for _, path in shown])
    return [
        {
            "jpeg": jpeg,
            "caption": f"{row['unit']}, {row['date']} ({row['channel'].lower()})",
            "video": f"{path.name}, thời lượng {media.duration_words(video.duration)}" if video else "",
        }
        for (row, path), (jpeg, video) in zip(shown, pictures, strict=True)
    ]
