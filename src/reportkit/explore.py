"""Review a campaign's results interactively: filter by district, channel and dates.

``notebooks/explore.ipynb`` uses this module. A :class:`Review` is computed by the same
functions as the report (:func:`reportkit.coverage.scope`, :func:`~reportkit.coverage.report_figures`,
:func:`reportkit.charts.report_charts`), so its numbers are the report's numbers for the
same filter. :func:`explorer` wraps it in ipywidgets controls for JupyterLab.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import vn
from .budget import budget_estimate
from .campaign import Campaign
from .charts import Chart, report_charts
from .coverage import ReportFigures, report_figures, scope
from .exceptions import ReportkitError
from .review import review_table
from .tables import CHANNELS

__all__ = ["Review", "build_report", "explorer", "parse_day", "review"]

#: Activities listed under a review; the report's appendix lists them all.
ACTIVITIES_SHOWN = 200
#: Said under the links when the review's filter has more than a report takes.
_NOT_IN_REPORT = "Báo cáo lập theo địa bàn và ngày kết thúc; hình thức và ngày bắt đầu chỉ lọc phần rà soát."
#: The drop-downs' first choice: no filter.
EVERYTHING = "(tất cả)"


@dataclass(frozen=True, eq=False)
class Review:
    """The figures, charts and activities of one filter of a campaign's results."""

    figures: ReportFigures
    charts: dict[str, Chart]
    activities: pd.DataFrame
    title: str

    def _repr_html_(self) -> str:
        parts = [f"<h3>{html.escape(self.title)}</h3>", review_table(self.figures).to_html()]
        for caption, table in (
            ("Theo hình thức", review_table(self.figures.by_channel, drop=["channel"])),
            ("Theo địa bàn", review_table(self.figures.by_district)),
        ):
            parts += [f"<h4>{caption}</h4>", table.to_html()]
        parts += [
            f'<figure><img src="{c.data_uri}" alt="{html.escape(c.title)}" style="max-width:720px">'
            f"<figcaption>{html.escape(c.title)}</figcaption></figure>"
            for c in self.charts.values()
        ]
        shown = min(len(self.activities), ACTIVITIES_SHOWN)
        parts += [
            f"<h4>Hoạt động ({shown}/{len(self.activities)})</h4>",
            review_table(self.activities, rows=ACTIVITIES_SHOWN).to_html(),
        ]
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
        unit_name=activities["unit_id"].map(names), channel=activities["channel"].map(CHANNELS)
    )
    words = [district or "toàn tỉnh", CHANNELS[channel] if channel else "mọi hình thức"]
    if since or until:
        words.append(f"{vn.format_date(since) if since else '…'} – {vn.format_date(until) if until else '…'}")
    return Review(
        figures,
        report_charts(figures, campaign.config.event_date),
        listed[["activity_id", "date", "unit_name", "channel", "quantity", "reach", "cost_vnd", "evidence"]],
        ", ".join(words),
    )


def parse_day(text: str) -> dt.date | None:
    """A day typed as Vietnamese write it, ``17/5/2021`` (or ``2021-05-17``); empty: None.

    Raises
    ------
    ValueError
        Not a day of the calendar.
    """
    text = text.strip()
    if not text:
        return None
    found = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if found:
        day, month, year = (int(part) for part in found.groups())
        return dt.date(year, month, day)
    return dt.date.fromisoformat(text)


def build_report(
    campaign: Campaign,
    *,
    district: str | None = None,
    as_of: dt.date | None = None,
    out: str | Path = "outputs",
):
    """The report for ``district`` up to ``as_of``, built as ``reportkit build`` builds it.

    It goes to ``<out>/<campaign id>/report-<district>-<day>/`` (a variant folder, as a batch
    run's), with its manifest, so that the province's report in ``<out>/<campaign id>/`` is
    left as it is. Returns the :class:`reportkit.execute.BuildResult`.
    """
    from .execute import build
    from .paths import slug

    parameters: dict[str, object] = {}
    if district:
        parameters["district"] = district
    if as_of:
        parameters["as_of"] = as_of
    words = [district or "toan-tinh", as_of.isoformat() if as_of else ""]
    variant = "report-" + slug("-".join(w for w in words if w))
    return build(campaign.folder, docs=["report"], parameters=parameters, out=out, variant=variant)


def _links(files: Sequence[Path]) -> str:
    """Links to built files, relative to the notebook's folder so that JupyterLab opens them;
    the Word file is downloaded (JupyterLab has no viewer for it)."""
    import os

    order = {".pdf": 0, ".docx": 1, ".html": 2}
    items = []
    for path in sorted((p for p in files if p.suffix in order), key=lambda p: order[p.suffix]):
        href = Path(os.path.relpath(path.resolve(), Path.cwd())).as_posix()
        download = " download" if path.suffix == ".docx" else ""
        label = {".pdf": "PDF", ".docx": "Word", ".html": "HTML"}[path.suffix]
        items.append(
            f'<li><a href="{html.escape(href)}"{download} target="_blank">{label}: '
            f"{html.escape(path.name)}</a></li>"
        )
    return "<ul>" + "".join(items) + "</ul>"


def explorer(
    campaign: Campaign,
    *,
    district: str | None = None,
    channel: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    out: str | Path = "outputs",
):
    """ipywidgets controls for district, channel and dates, the review they select, and a
    button that builds the report of the chosen district and dates into ``out``.

    The arguments set the first view (the notebook's parameters). Dates are typed as
    ``17/5/2021``, whatever the browser's language.
    """
    import ipywidgets as widgets
    from IPython.display import display

    districts = [d for d in campaign.units["district"].drop_duplicates() if d]
    # "" stands for no filter: a drop-down whose value is None shows nothing selected
    district_box = widgets.Dropdown(
        options=[(EVERYTHING, ""), *((d, d) for d in districts)], value=district or "", description="Địa bàn"
    )
    channel_box = widgets.Dropdown(
        options=[(EVERYTHING, ""), *((label, key) for key, label in CHANNELS.items())],
        value=channel or "",
        description="Hình thức",
    )
    since_box = widgets.Text(
        value=vn.format_date(since) if since else "", placeholder="dd/mm/yyyy", description="Từ ngày"
    )
    until_box = widgets.Text(
        value=vn.format_date(until) if until else "", placeholder="dd/mm/yyyy", description="Đến ngày"
    )
    for box in (since_box, until_box):
        box.continuous_update = False
    button = widgets.Button(
        description="Lập báo cáo", icon="file-pdf", tooltip="reportkit build --doc report"
    )
    built = widgets.HTML()
    output = widgets.Output()

    def days() -> tuple[dt.date | None, dt.date | None]:
        return parse_day(since_box.value), parse_day(until_box.value)

    def show(_change=None):
        with output:
            output.clear_output(wait=True)
            try:
                first, last = days()
            except ValueError as error:
                display(widgets.HTML(f"<b>Ngày không hợp lệ</b> (dd/mm/yyyy): {html.escape(str(error))}"))
                return
            display(
                review(
                    campaign,
                    district=district_box.value or None,
                    channel=channel_box.value or None,
                    since=first,
                    until=last,
                )
            )

    def build_clicked(_button=None):
        button.disabled = True
        built.value = "Đang lập báo cáo…"
        try:
            result = build_report(campaign, district=district_box.value or None, as_of=days()[1], out=out)
            files = [path for paths in result.files.values() for path in paths]
            note = ""
            if channel_box.value or since_box.value:
                note = f"<p><i>{html.escape(_NOT_IN_REPORT)}</i></p>"
            where = html.escape(str(result.folder))
            built.value = f"<p>Đã lập báo cáo vào <code>{where}</code>:</p>{_links(files)}{note}"
        except (ReportkitError, ValueError) as error:
            built.value = f"<p><b>Không lập được báo cáo:</b> {html.escape(str(error))}</p>"
        finally:
            button.disabled = False

    for control in (district_box, channel_box, since_box, until_box):
        control.observe(show, names="value")
    button.on_click(build_clicked)
    show()
    return widgets.VBox(
        [
            widgets.HBox([district_box, channel_box]),
            widgets.HBox([since_box, until_box]),
            widgets.HBox([button]),
            built,
            output,
        ]
    )
