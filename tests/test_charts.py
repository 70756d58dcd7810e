"""Charts: axes labelled the Vietnamese way, whole-number ticks for counts and amounts.

The labels are what matplotlib's formatter writes on the drawn axes, read back from the figure.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from reportkit.budget import budget_estimate
from reportkit.campaign import load_campaign
from reportkit.charts import consolidated_charts, report_charts, tick_label
from reportkit.coverage import report_figures

from .conftest import SAMPLE

# A label of a count or an amount: digits grouped by "." (300.000), no decimal point, no sign.
WHOLE = re.compile(r"^(0|[1-9]\d{0,2}(\.\d{3})*)$")


def _figures(activities: pd.DataFrame):
    campaign = load_campaign(SAMPLE)
    window = campaign.config.report.window
    return report_figures(
        campaign.units,
        activities,
        budget_estimate(campaign.budget),
        window=(window.start, window.end),
        deadline=campaign.config.report.deadline,
    ), campaign


def _value_axis_labels(chart) -> list[str]:
    """The tick labels of the axis that carries the numbers (x for bars lying down)."""
    ax = chart.figure.axes[0]
    ax.figure.canvas.draw()  # the formatter runs when the figure is drawn, as in savefig
    horizontal = ax.get_yticklabels() and not any(
        any(c.isdigit() for c in t.get_text()) for t in ax.get_yticklabels()
    )
    labels = ax.get_xticklabels() if horizontal else ax.get_yticklabels()
    return [t.get_text() for t in labels]


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (5.0, "5"),
        (1200.0, "1.200"),
        (25_000_000.0, "25.000.000"),
        (0.5, "0,5"),
        (1234.5, "1.234,5"),
    ],
)
def test_tick_label_groups_thousands_with_dots_and_decimals_with_a_comma(value, label):
    assert tick_label(value) == label


def test_the_sample_reports_axes_are_whole_numbers_grouped_with_dots():
    campaign = load_campaign(SAMPLE)
    figures, campaign = _figures(campaign.activities)
    charts = report_charts(figures, campaign.config.event_date)
    budget = _value_axis_labels(charts["budget"])
    assert all(WHOLE.match(label) for label in budget), budget
    assert any("." in label for label in budget), budget  # amounts in millions of đồng
    for name in ("by_district", "by_channel", "per_day"):
        labels = _value_axis_labels(charts[name])
        assert labels and all(WHOLE.match(label) for label in labels), (name, labels)


def test_an_empty_report_has_axes_from_0_with_whole_ticks_and_no_decimal_points():
    """Next year's report before any activity: no 0.05 / 0.00 / −0.05 on any axis."""
    campaign = load_campaign(SAMPLE)
    figures, campaign = _figures(campaign.activities.iloc[0:0])
    charts = report_charts(figures, campaign.config.event_date)
    for name in ("by_district", "per_day"):  # counts of nothing yet: 0 and 1
        labels = _value_axis_labels(charts[name])
        assert labels[:2] == ["0", "1"], (name, labels)
        assert all(WHOLE.match(label) for label in labels), (name, labels)
    budget = _value_axis_labels(charts["budget"])  # the planned amounts are there already
    assert budget[0] == "0" and all(WHOLE.match(label) for label in budget), budget
    channel = charts["by_channel"].figure.axes[0]
    channel.figure.canvas.draw()
    assert [t.get_text() for t in channel.get_yticklabels()] == []  # no channel, no made-up ticks
    assert all(WHOLE.match(t.get_text()) for t in channel.get_xticklabels())


def test_consolidated_charts_of_agencies_with_nothing_yet_have_whole_ticks():
    class Figures:
        by_agency = ({"agency": "Sở TTTT Phú Yên", "reach": 0, "activities": 0},)

    for chart in consolidated_charts(Figures()).values():
        labels = _value_axis_labels(chart)
        assert labels[:2] == ["0", "1"] and all(WHOLE.match(label) for label in labels), labels


def test_no_text_of_a_chart_leans_on_a_leading_or_trailing_space():
    """The browser and Typst (the PDF, Word's picture) drop the spaces around an SVG text: a
    gap made of a space would vanish and a bar's value touch its bar."""
    figures, campaign = _figures(load_campaign(SAMPLE).activities)
    for chart in report_charts(figures, campaign.config.event_date).values():
        texts = re.findall(r"<text\b[^>]*>([^<]*)</text>", chart.svg)
        assert texts and [t for t in texts if t != t.strip()] == [], chart.title
