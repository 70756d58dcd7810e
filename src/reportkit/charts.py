"""Charts of the after-action report, made for print: one style, Vietnamese labels, SVG.

Each function takes a table of :class:`reportkit.coverage.ReportFigures` and returns a
:class:`Chart` holding an SVG (text drawn as outlines, so the page looks the same
wherever it is opened). A chart shows itself in JupyterLab and goes into the HTML and PDF
as a ``data:`` image: nothing is fetched.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import pandas as pd

from . import vn

__all__ = [
    "Chart",
    "activities_by_channel",
    "activities_per_day",
    "budget_planned_vs_spent",
    "coverage_by_district",
    "report_charts",
]

INK = "#1f3b5a"  # the main series
PALE = "#c9d3de"  # what is missing or planned
ACCENT = "#b5562b"  # what stands out: spent, the event's day
WIDTH_CM = 16.0


@dataclass(frozen=True)
class Chart:
    """A chart: its caption and its SVG."""

    title: str
    svg: str

    def _repr_svg_(self) -> str:
        return self.svg

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


@contextmanager
def _figure(height_cm: float) -> Iterator[tuple]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    style = {
        "font.family": "serif",
        "font.serif": ["Times New Roman", "Liberation Serif", "Tinos", "DejaVu Serif"],
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#333333",
        "axes.titlesize": 11,
        "axes.titleweight": "bold",
        "svg.fonttype": "none",  # text stays text: lighter for WeasyPrint, searchable in the PDF
        "svg.hashsalt": "reportkit",  # the same chart gives the same SVG, so outputs compare
    }
    with plt.rc_context(style):
        fig, ax = plt.subplots(figsize=(WIDTH_CM / 2.54, height_cm / 2.54), layout="constrained")
        try:
            yield fig, ax
        finally:
            plt.close(fig)


@cache
def _font_files() -> dict[str, str]:
    """Files of the first document font whose faces hold Vietnamese letters, by weight.

    Matplotlib picks a face by family name only, and a machine may have two fonts of the
    same name: Debian's fonts-liberation (no Vietnamese) beside fonts-liberation2.
    """
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    from .system import DOCUMENT_FONTS

    def vietnamese(path: str) -> bool:
        try:
            return all(ord(c) in FT2Font(path).get_charmap() for c in "ệắữ")
        except (OSError, RuntimeError):
            return False

    for family in DOCUMENT_FONTS:
        faces = [f for f in font_manager.fontManager.ttflist if f.name == family and f.style == "normal"]
        files = {}
        for weight, wanted in (("normal", 400), ("bold", 700)):
            for face in sorted(faces, key=lambda f: abs(_weight(f.weight) - wanted)):
                if _weight(face.weight) // 300 == wanted // 300 and vietnamese(face.fname):
                    files[weight] = face.fname
                    break
        if len(files) == 2:
            return files
    return {}


def _weight(weight: int | str) -> int:
    return weight if isinstance(weight, int) else {"bold": 700}.get(weight, 400)


def _set_font(fig) -> None:
    from matplotlib.font_manager import FontProperties
    from matplotlib.text import Text

    files = _font_files()
    if not files:
        return  # matplotlib's own choice, with its own fallback
    for text in fig.findobj(Text):
        bold = _weight(text.get_fontweight()) >= 600
        text.set_fontproperties(
            FontProperties(fname=files["bold" if bold else "normal"], size=text.get_fontsize())
        )


def _svg(fig) -> str:
    _set_font(fig)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def _thousands(ax, axis: str = "x") -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(MaxNLocator(nbins=6, integer=True))
    target.set_major_formatter(FuncFormatter(lambda value, _: vn.format_vnd(round(value))))


def coverage_by_district(by_district: pd.DataFrame) -> Chart:
    """Units that carried out the campaign against target units, district by district."""
    title = "Đơn vị đã triển khai theo địa bàn"
    rows = by_district.iloc[::-1]
    with _figure(max(4.0, 0.75 * len(rows) + 1.8)) as (fig, ax):
        ax.barh(rows["district"], rows["units_target"], color=PALE, label="Đơn vị được giao")
        ax.barh(rows["district"], rows["units_active"], color=INK, label="Đơn vị đã triển khai")
        for y, (active, total) in enumerate(zip(rows["units_active"], rows["units_target"], strict=True)):
            ax.text(total + 0.05, y, f" {active}/{total}", va="center", fontsize=9)
        ax.set_xlim(0, max(1, int(rows["units_target"].max())) * 1.18)
        _thousands(ax)
        ax.set_xlabel("Số đơn vị")
        fig.legend(loc="outside upper center", ncol=2, frameon=False, fontsize=9)
        return Chart(title, _svg(fig))


def activities_by_channel(by_channel: pd.DataFrame) -> Chart:
    """How many activities each channel carried, most first."""
    title = "Số hoạt động theo hình thức tuyên truyền"
    rows = by_channel.sort_values("activities", kind="stable").reset_index(drop=True)
    with _figure(max(4.0, 0.6 * len(rows) + 1.6)) as (fig, ax):
        ax.barh(rows["label"], rows["activities"], color=INK)
        for y, count in enumerate(rows["activities"]):
            ax.text(count, y, f" {vn.format_vnd(int(count))}", va="center", fontsize=9)
        ax.set_xlim(0, max(1, int(rows["activities"].max()) if len(rows) else 1) * 1.15)
        _thousands(ax)
        ax.set_xlabel("Số hoạt động")
        return Chart(title, _svg(fig))


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
        return Chart(title, _svg(fig))


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
        return Chart(title, _svg(fig))


def report_charts(figures, event_date=None) -> dict[str, Chart]:
    """The four charts of the after-action report, by the name the template uses."""
    return {
        "by_district": coverage_by_district(figures.by_district),
        "by_channel": activities_by_channel(figures.by_channel),
        "budget": budget_planned_vs_spent(figures.budget_execution),
        "per_day": activities_per_day(figures.per_day, event_date),
    }
