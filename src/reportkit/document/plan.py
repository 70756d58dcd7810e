"""The plan (Kế hoạch) of a campaign, with its budget estimate attached."""

from __future__ import annotations

import datetime as dt

from .. import blocks, vn
from ..blocks import TOTAL, Column, inline, punctuate
from ..budget import BudgetEstimate
from ..campaign import Campaign
from . import model as m
from .composition import Appendix, campaign_text, compose

__all__ = ["plan_document"]


def plan_document(
    campaign: Campaign,
    estimate: BudgetEstimate,
    *,
    number: int | None = None,
    issued_on: str | dt.date | vn.IssueDate | None = None,
) -> m.Document:
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
    text = campaign_text(config, estimate.total)
    title = text.fill(plan.summary)
    abbreviation = config.agency.abbreviation
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
        style="budget",
    )
    attached_to = (
        f"Kèm theo Kế hoạch số {vn.doc_symbol(number, 'KH', abbreviation)}"
        f" {vn.issue_date_text(issued)} của {config.agency.name}"
    )
    body = [
        blocks.header(
            config.agency,
            vn.doc_number(number, "KH", abbreviation),
            vn.place_date(config.agency.place, issued),
        ),
        m.Title("KẾ HOẠCH", (m.Run(title),)),
        tuple(m.Paragraph(inline(line), "basis") for line in punctuate(text.fill(b) for b in plan.basis)),
        text.paragraphs(plan.intro),
        blocks.sections(plan.sections, text.values),
        m.Closing(
            text.paragraphs(plan.closing),
            blocks.signature(config.signer, plan.recipients),
        ),
    ]
    appendices = [
        Appendix(
            [
                m.AppendixHeading(
                    tuple(text.inline(t) for t in (appendix.title, appendix.subtitle) if t), appendix.label
                ),
                text.paragraphs(appendix.body),
            ]
        )
        for appendix in plan.appendices
    ]
    appendices.append(
        Appendix(
            [
                m.AppendixHeading((text.inline(plan.budget.title),), None, attached_to, attachment=True),
                blocks.unit_note("Đồng"),
                budget_table,
                m.Paragraph((m.Run(f"Bằng chữ: {vn.amount_in_words(estimate.total)}."),), "in_words"),
            ],
            kind="attachment",
        )
    )
    return compose(
        "plan",
        title=title,
        body=body,
        appendices=appendices,
        figures=estimate.to_dict(),
        agency=config.agency.name,
    )
