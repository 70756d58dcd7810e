"""Review a campaign's results interactively: filter by district, channel and dates.

``notebooks/explore.ipynb`` uses this module. A :class:`Review` is computed by the same
functions as the report (:func:`reportkit.coverage.scope`, :func:`~reportkit.coverage.report_figures`,
:func:`reportkit.charts.report_charts`), so its numbers are the report's numbers for the
same filter. :func:`explorer` wraps it in ipywidgets controls for JupyterLab.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

import pandas as pd

from . import vn
from .budget import budget_estimate
from .campaign import Campaign
from .charts import Chart, report_charts
from .coverage import ReportFigures, report_figures, scope
from .tables import CHANNELS

__all__ = ["Review", "explorer", "review"]

HEADLINE = {
    "units_active": "Đơn vị đã triển khai",
    "units_target": "Đơn vị được giao",
    "coverage_pct": "Tỷ lệ đơn vị triển khai",
    "districts_covered": "Huyện, thị xã, thành phố có hoạt động",
    "activities_total": "Số hoạt động",
    "in_window": "Trong thời gian triển khai",
    "reach_total": "Lượt người tiếp cận",
    "spent_total_vnd": "Kinh phí (đồng)",
    "evidence_pct": "Hoạt động có minh chứng",
    "photo_activities": "Hoạt động có hình ảnh",
    "video_activities": "Hoạt động có video",
}


@dataclass(frozen=True, eq=False)
class Review:
    """The figures, charts and activities of one filter of a campaign's results."""

    figures: ReportFigures
    charts: dict[str, Chart]
    activities: pd.DataFrame
    title: str

    def headline(self) -> pd.DataFrame:
        """The headline figures as the report writes them: 315.232, 88,2%."""
        data = self.figures.to_dict()
        shown = [
            vn.format_percent(data[k]) if k.endswith("_pct") else vn.format_vnd(data[k]) for k in HEADLINE
        ]
        return pd.DataFrame({"Chỉ số": list(HEADLINE.values()), "Giá trị": shown})

    def _repr_html_(self) -> str:
        parts = [f"<h3>{html.escape(self.title)}</h3>", self.headline().to_html(index=False)]
        for caption, table in (
            ("Theo hình thức", self.figures.by_channel.drop(columns="channel")),
            ("Theo địa bàn", self.figures.by_district),
        ):
            parts += [f"<h4>{caption}</h4>", table.to_html(index=False)]
        parts += [
            f'<figure><img src="{c.data_uri}" alt="{html.escape(c.title)}" style="max-width:720px">'
            f"<figcaption>{html.escape(c.title)}</figcaption></figure>"
            for c in self.charts.values()
        ]
        parts += ["<h4>Hoạt động</h4>", self.activities.head(200).to_html(index=False)]
        return "\n".join(parts)


def review(
    campaign: Campaign,
    *,
    district: str | None = None,
    channel: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Review:
    """The report's figures for the activities that pass the filter."""
    settings = campaign.config.report
    units, activities = scope(
        campaign.units, campaign.activities, district=district, channel=channel, since=since, as_of=until
    )
    figures = report_figures(
        units,
        activities,
        budget_estimate(campaign.budget),
        window=(settings.window.start, settings.window.end),
        deadline=settings.deadline,
    )
    names = campaign.units.set_index("unit_id")["name"]
    listed = activities.assign(
        unit=activities["unit_id"].map(names), channel=activities["channel"].map(CHANNELS)
    )
    words = [district or "toàn tỉnh", CHANNELS[channel] if channel else "mọi hình thức"]
    if since or until:
        words.append(f"{vn.format_date(since) if since else '…'} – {vn.format_date(until) if until else '…'}")
    return Review(
        figures,
        report_charts(figures, campaign.config.event_date),
        listed[["activity_id", "date", "unit", "channel", "quantity", "reach", "cost_vnd", "evidence"]],
        ", ".join(words),
    )


def explorer(campaign: Campaign):
    """ipywidgets controls for district, channel and dates, and the review they select."""
    import ipywidgets as widgets
    from IPython.display import display

    everything = "(tất cả)"
    districts = [d for d in campaign.units["district"].drop_duplicates() if d]
    district = widgets.Dropdown(options=[everything, *districts], description="Địa bàn")
    channel = widgets.Dropdown(
        options=[(everything, None), *((label, key) for key, label in CHANNELS.items())],
        description="Hình thức",
    )
    since = widgets.DatePicker(description="Từ ngày")
    until = widgets.DatePicker(description="Đến ngày")
    output = widgets.Output()

    def show(_=None):
        with output:
            output.clear_output(wait=True)
            display(
                review(
                    campaign,
                    district=None if district.value == everything else district.value,
                    channel=channel.value,
                    since=since.value,
                    until=until.value,
                )
            )

    for control in (district, channel, since, until):
        control.observe(show, names="value")
    show()
    return widgets.VBox([widgets.HBox([district, channel]), widgets.HBox([since, until]), output])
