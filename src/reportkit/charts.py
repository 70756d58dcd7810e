"""Charts of the after-action report, made for print: one style, Vietnamese labels, SVG.

Each function takes a table of :class:`reportkit.coverage.ReportFigures` and returns a
:class:`Chart` holding an SVG (its text kept as text, in the document's font). A chart shows
itself in JupyterLab and goes into the HTML and PDF as a ``data:`` image: nothing is
fetched. Word's PNG is drawn from the SVG when a .docx is written
(:mod:`reportkit.document.raster`), not in the notebook's kernel.
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pandas as pd

from . import vn

__all__ = [
    "Chart",
    "activities_by_channel",
    "activities_per_day",
    "budget_planned_vs_spent",
    "by_agency",
    "consolidated_charts",
    "coverage_by_district",
    "report_charts",
    "reportkit_warm_up",
    "tick_label",
]

INK = "#1f3b5a"  # the main series
PALE = "#c9d3de"  # what is missing or planned
ACCENT = "#b5562b"  # what stands out: spent, the event's day
WIDTH_CM = 16.0
STYLE = {
    "font.family": "serif",
    # The SVG names these for its text; the PDF declares the first from the shipped files.
    "font.serif": ["reportkit Serif", "Times New Roman", "Liberation Serif", "Tinos"],
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#333333",
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "svg.fonttype": "none",  # text stays text: set by Typst in the shipped face, searchable in the PDF
    "svg.hashsalt": "reportkit",  # the same chart gives the same SVG, so outputs compare
}


@dataclass(frozen=True)
class Chart:
    """A chart: its caption, its SVG and the matplotlib figure both come from."""

    title: str
    svg: str
    figure: Any = field(default=None, repr=False, compare=False)

    def _repr_svg_(self) -> str:
        return self.svg

    @property
    def raster_id(self) -> str:
        """A name for the chart, the same for the same SVG (the HTML page's ``data-raster``)."""
        return "chart-" + hashlib.sha256(self.svg.encode("utf-8")).hexdigest()[:16]

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


def _value_label(ax, x: float, y: float, text: str) -> None:
    """A bar's value just past its end. The gap is an offset in points, not a leading space:
    the browser and Typst (the PDF, Word's PNG) drop a leading space of SVG text."""
    ax.annotate(text, (x, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=9)


@contextmanager
def _figure(height_cm: float) -> Iterator[tuple]:
    """A figure of the chart's size in the charts' style; not pyplot's, so nothing keeps it
    alive but the :class:`Chart` made from it."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(WIDTH_CM / 2.54, height_cm / 2.54), layout="constrained")
        yield fig, fig.subplots()


@cache
def _register_shipped_face() -> dict[str, str]:
    """Make matplotlib know the shipped face by the name the SVG gives it (no font search,
    no "family not found" on a machine without Times New Roman); its files by weight."""
    from matplotlib import font_manager

    from .fonts import FACES, FAMILY, face_file, faces

    for face in FACES:
        font_manager.fontManager.ttflist.append(
            font_manager.FontEntry(
                fname=str(face_file(face)), name=FAMILY, style=face.style, weight=face.weight
            )
        )
    font_manager.FontManager._findfont_cached.cache_clear()
    return faces()


def _set_font(fig) -> None:
    from matplotlib.font_manager import FontProperties
    from matplotlib.text import Text

    from .fonts import weight_number

    files = _register_shipped_face()
    for text in fig.findobj(Text):
        bold = weight_number(text.get_fontweight()) >= 600
        text.set_fontproperties(
            FontProperties(fname=files["bold" if bold else "normal"], size=text.get_fontsize())
        )


def _chart(title: str, fig) -> Chart:
    _set_font(fig)
    svg = io.StringIO()
    fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return Chart(title, svg.getvalue(), fig)


def tick_label(value: float) -> str:
    """An axis label the Vietnamese way: ``1.200.000`` for a whole number, ``0,5`` otherwise
    (thousands with ``.``, decimals after ``,``), never ``-0``."""
    from babel.numbers import format_decimal

    if float(value).is_integer():
        return vn.format_vnd(int(value) or 0)
    return format_decimal(value, locale="vi_VN", group_separator=True)


def _thousands(ax, axis: str = "x") -> None:
    """Whole-number ticks from 0 for a count or an amount. An axis with nothing on it yet
    (next year's empty report) runs from 0 to 1, not matplotlib's -0.05 to 0.05."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    target, limits, set_limits = (
        (ax.xaxis, ax.get_xlim(), ax.set_xlim) if axis == "x" else (ax.yaxis, ax.get_ylim(), ax.set_ylim)
    )
    set_limits(0, max(limits[1], 1))
    target.set_major_locator(MaxNLocator(nbins=6, integer=True))
    target.set_major_formatter(FuncFormatter(lambda value, _: tick_label(value)))


def _no_categories(ax, axis: str, count: int) -> None:
    """An axis of categories with none on it shows no ticks (matplotlib would number it)."""
    if not count:
        (ax.set_xticks if axis == "x" else ax.set_yticks)([])


def coverage_by_district(by_district: pd.DataFrame) -> Chart:
    """Units that carried out the campaign against target units, district by district; past
    :data:`reportkit.coverage.DISTRICTS_SHOWN` districts, the largest and one bar for the rest
    (:func:`reportkit.coverage.leading_districts`), so the bars stay legible."""
    from .coverage import DISTRICTS_SHOWN, leading_districts

    title = "Đơn vị đã triển khai theo địa bàn"
    if len(by_district) > DISTRICTS_SHOWN:
        title += f" ({DISTRICTS_SHOWN} địa bàn nhiều đơn vị nhất và các địa bàn khác)"
    rows = leading_districts(by_district).iloc[::-1]
    with _figure(max(4.0, 0.75 * len(rows) + 1.8)) as (fig, ax):
        ax.barh(rows["district"], rows["units_target"], color=PALE, label="Đơn vị được giao")
        ax.barh(rows["district"], rows["units_active"], color=INK, label="Đơn vị đã triển khai")
        for y, (active, total) in enumerate(zip(rows["units_active"], rows["units_target"], strict=True)):
            _value_label(ax, total, y, f"{active}/{total}")
        ax.set_xlim(0, max(1, int(rows["units_target"].max())) * 1.18)
        _thousands(ax)
        ax.set_xlabel("Số đơn vị")
        fig.legend(loc="outside upper center", ncol=2, frameon=False, fontsize=9)
        return _chart(title, fig)


def activities_by_channel(by_channel: pd.DataFrame) -> Chart:
    """How many activities each channel carried, most first."""
    title = "Số hoạt động theo hình thức tuyên truyền"
    rows = by_channel.sort_values("activities", kind="stable").reset_index(drop=True)
    with _figure(max(4.0, 0.6 * len(rows) + 1.6)) as (fig, ax):
        ax.barh(rows["label"], rows["activities"], color=INK)
        for y, count in enumerate(rows["activities"]):
            _value_label(ax, count, y, vn.format_vnd(int(count)))
        ax.set_xlim(0, max(1, int(rows["activities"].max()) if len(rows) else 1) * 1.15)
        _thousands(ax)
        _no_categories(ax, "y", len(rows))
        ax.set_xlabel("Số hoạt động")
        return _chart(title, fig)


def budget_planned_vs_spent(execution: pd.DataFrame) -> Chart:
    """Planned against spent, budget line by budget line, in đồng."""
    import numpy as np

    title = "Kinh phí dự trù và đã sử dụng theo nội dung"
    with _figure(6.5) as (fig, ax):
        x = np.arange(len(execution))
        ax.bar(x - 0.15, execution["planned"], width=0.3, color=PALE, label="Dự trù")
        ax.bar(x + 0.15, execution["spent"], width=0.3, color=ACCENT, label="Đã sử dụng")
        ax.set_xlim(-0.75, len(execution) - 0.25)
        ax.set_xticks(x, [f"Nội dung {line_id}" for line_id in execution["line_id"]])
        _thousands(ax, "y")
        ax.set_ylabel("Đồng")
        fig.legend(loc="outside upper center", ncol=2, frameon=False, fontsize=9)
        return _chart(title, fig)


def activities_per_day(per_day: pd.DataFrame, event_date=None) -> Chart:
    """Activities day by day; the campaign's window shaded, the event's day marked."""
    import matplotlib.dates as mdates

    title = "Số hoạt động theo ngày"
    with _figure(6.5) as (fig, ax):
        inside = per_day[per_day["in_window"]]
        if len(inside):
            ax.axvspan(
                inside["date"].min() - pd.Timedelta(hours=12),
                inside["date"].max() + pd.Timedelta(hours=12),
                color="#eef1f5",
                zorder=0,
                label="Thời gian triển khai",
            )
        colors = [INK if inside_window else PALE for inside_window in per_day["in_window"]]
        ax.bar(per_day["date"], per_day["activities"], width=0.8, color=colors, zorder=2)
        if event_date is not None:
            ax.axvline(
                pd.Timestamp(event_date),
                color=ACCENT,
                linestyle="--",
                linewidth=1,
                zorder=3,
                label=f"Ngày {event_date.day}/{event_date.month}",
            )
        ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, len(per_day) // 10)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d/%m"))
        _thousands(ax, "y")
        ax.set_ylabel("Số hoạt động")
        fig.legend(loc="outside upper center", ncol=2, frameon=False, fontsize=9)
        return _chart(title, fig)


def report_charts(figures, event_date=None) -> dict[str, Chart]:
    """The four charts of the after-action report, by the name the template uses."""
    return {
        "by_district": coverage_by_district(figures.by_district),
        "by_channel": activities_by_channel(figures.by_channel),
        "budget": budget_planned_vs_spent(figures.budget_execution),
        "per_day": activities_per_day(figures.per_day, event_date),
    }


def by_agency(rows: Sequence[Mapping[str, Any]], key: str, title: str, label: str, top: int = 15) -> Chart:
    """One bar per agency of ``rows[key]``, most first; past ``top`` agencies, the title says
    the chart shows the first ``top`` (the table beside it lists them all)."""
    ranked = sorted(rows, key=lambda row: -row[key])[:top]
    if len(rows) > top:
        title = f"{title} ({top} đơn vị cao nhất)"
    ranked = ranked[::-1]
    with _figure(max(4.0, 0.6 * len(ranked) + 1.6)) as (fig, ax):
        names = [row["agency"] for row in ranked]
        values = [row[key] for row in ranked]
        ax.barh(names, values, color=INK)
        for y, value in enumerate(values):
            _value_label(ax, value, y, vn.format_vnd(int(value)))
        ax.set_xlim(0, max([1, *values]) * 1.18)
        _thousands(ax)
        _no_categories(ax, "y", len(ranked))
        ax.set_xlabel(label)
        return _chart(title, fig)


def consolidated_charts(figures) -> dict[str, Chart]:
    """The consolidated report's charts: reach and activities by agency."""
    rows = list(figures.by_agency)
    return {
        "reach": by_agency(rows, "reach", "Lượt người tiếp cận theo đơn vị", "Lượt người"),
        "activities": by_agency(rows, "activities", "Số hoạt động theo đơn vị", "Số hoạt động"),
    }


def reportkit_warm_up() -> None:
    """Pay, before a run, for what its first chart would: matplotlib's figure and SVG modules
    and the shipped face made known to matplotlib, by drawing a chart that nobody keeps.
    Called by a kernel waiting for its run (:mod:`reportkit.kernels`)."""
    with _figure(2.0) as (fig, ax):
        ax.bar(["Đơn vị"], [1], color=INK)
        _thousands(ax, "y")
        _chart("", fig)
