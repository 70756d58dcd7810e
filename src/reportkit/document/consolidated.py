"""The consolidated report (Báo cáo tổng hợp) of the agencies' reports, composed from
:mod:`reportkit.blocks` as a notebook of your own would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .. import blocks, vn
from ..blocks import TOTAL, Column, punctuate
from ..campaign import Campaign
from ..charts import Chart
from ..coverage import percent
from ..exceptions import CampaignError, DataProblem
from . import model as m
from .composition import campaign_text, compose

__all__ = ["consolidated_document"]


def consolidated_document(
    campaign: Campaign,
    figures: Any,
    charts: Mapping[str, Chart],
    *,
    number: int | None = None,
    issued_on: str | dt.date | vn.IssueDate | None = None,
) -> m.Document:
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
    text = campaign_text(config, f.spent_total_vnd)
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
        agency=config.agency.name,
    )
