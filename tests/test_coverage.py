"""The report's figures on small hand-made tables whose answers are known."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from reportkit.budget import BudgetEstimate, BudgetLine
from reportkit.coverage import percent, report_figures, scope

WINDOW = (dt.date(2021, 5, 1), dt.date(2021, 5, 31))
DEADLINE = dt.date(2021, 6, 4)


def units(*rows):
    frame = pd.DataFrame(rows, columns=["unit_id", "name", "kind", "district", "target", "reported_on"])
    return frame.assign(reported_on=pd.to_datetime(frame["reported_on"]).astype("datetime64[ns]"))


def activities(*rows):
    columns = [
        "activity_id",
        "unit_id",
        "date",
        "channel",
        "quantity",
        "reach",
        "cost_vnd",
        "budget_line_id",
        "evidence",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.assign(date=pd.to_datetime(frame["date"]).astype("datetime64[ns]"))
    return frame.astype({"quantity": "int64", "reach": "int64", "cost_vnd": "int64"})


ESTIMATE = BudgetEstimate(
    (
        BudgetLine("1", "Băng rôn", "Cái", 1, 300_000, 300_000),
        BudgetLine("2", "Pa-nô", "Cái", 2, 500_000, 1_000_000),
    )
)

UNITS = units(
    ("dept", "Phòng BCVT", "department_division", "", True, "2021-06-01"),
    ("a-office", "Phòng VH-TT A", "district_culture_office", "Huyện A", True, "2021-06-04"),
    ("a-radio", "Đài TT-TH A", "district_radio_tv", "Huyện A", True, "2021-06-05"),
    ("b-office", "Phòng VH-TT B", "district_culture_office", "Huyện B", True, None),
    ("c-office", "Phòng VH-TT C", "district_culture_office", "Huyện C", True, "2021-05-30"),
    ("vnpt", "VNPT", "enterprise", "", False, "2021-05-20"),
)
ACTIVITIES = activities(
    ("A1", "dept", "2021-05-17", "banner", 1, 0, 280_000, "1", "evidence/a1.jpg"),
    ("A2", "a-office", "2021-05-15", "loudspeaker", 10, 1_500, 0, "", ""),
    ("A3", "a-office", "2021-06-02", "banner", 2, 0, 150_000, "", "https://example.invalid/v.mp4"),
    ("A4", "c-office", "2021-04-30", "web_article", 1, 800, 0, "", "evidence/a4.png"),
    ("A5", "vnpt", "2021-05-17", "internal_message", 1, 1_200, 0, "", ""),
    ("A6", "dept", "2021-05-31", "web_article", 3, 2_000, 1_000_000, "2", ""),
)


@pytest.fixture(scope="module")
def figures():
    return report_figures(UNITS, ACTIVITIES, ESTIMATE, window=WINDOW, deadline=DEADLINE)


def test_unit_coverage(figures):
    # target: dept, a-office, a-radio, b-office, c-office; active among them: dept, a-office, c-office
    assert (figures.units_target, figures.units_active, figures.coverage_pct) == (5, 3, 60.0)


def test_district_coverage(figures):
    # districts of target units: A, B, C; with an activity: A (a-office) and C (c-office)
    assert (figures.districts_total, figures.districts_covered) == (3, 2)


def test_totals(figures):
    assert figures.activities_total == 6
    assert figures.reach_total == 1_500 + 800 + 1_200 + 2_000
    assert figures.spent_total_vnd == 280_000 + 150_000 + 1_000_000


def test_window_includes_both_ends(figures):
    # A1 17/5, A2 15/5, A5 17/5, A6 31/5 are in; A3 2/6 and A4 30/4 are out
    assert figures.in_window == 4


def test_on_time_is_on_or_before_the_deadline_and_counts_target_units_only(figures):
    # dept 1/6 and a-office 4/6 (the deadline itself) and c-office 30/5; a-radio is late,
    # b-office has not reported, vnpt is not a target unit
    assert figures.on_time_units == 3


def test_evidence_share(figures):
    assert figures.evidence_pct == 50.0  # A1, A3, A4 of six


def test_photos_and_videos_are_counted_apart(figures):
    # A1 .jpg and A4 .png are photos; A3 is a URL ending in .mp4: evidence, never fetched, no video
    assert (figures.photo_activities, figures.video_activities) == (2, 0)


@pytest.mark.parametrize(
    ("evidence", "photos", "videos", "evidence_pct"),
    [
        (["evidence/a.jpg", "evidence/b.MP4", "evidence/c.mov", ""], 1, 2, 75.0),
        (["evidence/a.JPEG", "evidence/b.webp", "evidence/c.gif", "evidence/d.png"], 4, 0, 100.0),
        (["https://x.invalid/a.jpg", "https://x.invalid/b.mp4", "evidence/c.pdf", ""], 0, 0, 75.0),
        (["", "", "", ""], 0, 0, 0.0),
    ],
)
def test_what_counts_as_a_photo_and_as_a_video(evidence, photos, videos, evidence_pct):
    rows = ACTIVITIES.head(4).assign(evidence=evidence)
    figures = report_figures(UNITS, rows, ESTIMATE, window=WINDOW, deadline=DEADLINE)
    assert (figures.photo_activities, figures.video_activities, figures.evidence_pct) == (
        photos,
        videos,
        evidence_pct,
    )


def test_by_district(figures):
    assert figures.by_district.to_dict("records") == [
        {
            "district": "Huyện A",
            "units_target": 2,
            "units_active": 1,
            "activities": 2,
            "reach": 1_500,
            "spent": 150_000,
        },
        {
            "district": "Huyện B",
            "units_target": 1,
            "units_active": 0,
            "activities": 0,
            "reach": 0,
            "spent": 0,
        },
        {
            "district": "Huyện C",
            "units_target": 1,
            "units_active": 1,
            "activities": 1,
            "reach": 800,
            "spent": 0,
        },
    ]


def test_by_channel_in_the_documented_order(figures):
    table = figures.by_channel
    assert table["channel"].tolist() == ["banner", "web_article", "loudspeaker", "internal_message"]
    banner = table.iloc[0].to_dict()
    assert banner == {
        "channel": "banner",
        "label": "Băng rôn",
        "activities": 2,
        "quantity": 3,
        "reach": 0,
        "spent": 430_000,
    }


def test_by_kind(figures):
    kinds = figures.by_kind.set_index("kind")
    assert kinds.loc["district_culture_office", ["units_target", "units_active", "activities"]].tolist() == [
        3,
        2,
        3,
    ]
    assert kinds.loc["enterprise", ["units_target", "units_active", "activities"]].tolist() == [0, 0, 1]


def test_budget_execution(figures):
    assert figures.budget_execution.to_dict("records") == [
        {
            "line_id": "1",
            "content": "Băng rôn",
            "planned": 300_000,
            "spent": 280_000,
            "variance": 20_000,
            "pct_used": 93.3,
        },
        {
            "line_id": "2",
            "content": "Pa-nô",
            "planned": 1_000_000,
            "spent": 1_000_000,
            "variance": 0,
            "pct_used": 100.0,
        },
    ]
    assert (figures.budget_planned_vnd, figures.budget_spent_vnd, figures.unbudgeted_vnd) == (
        1_300_000,
        1_280_000,
        150_000,
    )


def test_per_day_spans_the_window_and_the_days_outside_it(figures):
    days = figures.per_day
    assert days["date"].min() == pd.Timestamp("2021-04-30") and days["date"].max() == pd.Timestamp(
        "2021-06-02"
    )
    assert days.set_index("date").loc["2021-05-17", "activities"] == 2
    assert days["activities"].sum() == 6


def test_figures_json_is_plain_json(figures):
    import json

    data = json.loads(json.dumps(figures.to_dict()))
    assert data["coverage_pct"] == 60.0 and data["by_district"][0]["district"] == "Huyện A"
    assert set(data) >= {
        "units_target",
        "units_active",
        "coverage_pct",
        "districts_total",
        "districts_covered",
        "activities_total",
        "in_window",
        "reach_total",
        "spent_total_vnd",
        "on_time_units",
        "evidence_pct",
        "photo_activities",
        "video_activities",
        "by_district",
        "by_channel",
        "budget_execution",
    }


def test_a_district_report():
    u, a = scope(UNITS, ACTIVITIES, district="Huyện A")
    figures = report_figures(u, a, ESTIMATE, window=WINDOW, deadline=DEADLINE)
    assert (figures.units_target, figures.units_active, figures.activities_total) == (2, 1, 2)
    assert (figures.districts_total, figures.districts_covered) == (1, 1)


def test_an_interim_report_as_of_a_day():
    u, a = scope(UNITS, ACTIVITIES, as_of=dt.date(2021, 5, 17))
    figures = report_figures(u, a, ESTIMATE, window=WINDOW, deadline=DEADLINE)
    assert figures.activities_total == 4  # A1, A2, A4, A5
    assert figures.on_time_units == 0  # every target unit reported after 17/5, or not at all


def test_no_activities_at_all():
    figures = report_figures(UNITS, ACTIVITIES.iloc[0:0], ESTIMATE, window=WINDOW, deadline=DEADLINE)
    assert (figures.units_active, figures.coverage_pct, figures.evidence_pct, figures.reach_total) == (
        0,
        0.0,
        0.0,
        0,
    )
    assert figures.budget_execution["spent"].tolist() == [0, 0]


@pytest.mark.parametrize(
    ("part", "whole", "pct"),
    [(1, 3, 33.3), (2, 3, 66.7), (9, 9, 100.0), (0, 9, 0.0), (0, 0, 0.0), (1777, 2000, 88.9), (1, 8, 12.5)],
)
def test_percent_rounds_half_up(part, whole, pct):
    assert percent(part, whole) == pct


def test_the_sample_campaign_against_a_count_with_the_csv_module():
    """The figures of data/campaigns/wtisd-2021-phu-yen, counted again without pandas."""
    import csv

    from reportkit.budget import budget_estimate
    from reportkit.campaign import load_campaign

    from .conftest import SAMPLE

    units = list(csv.DictReader((SAMPLE / "units.csv").read_text(encoding="utf-8").splitlines()))
    rows = list(csv.DictReader((SAMPLE / "activities.csv").read_text(encoding="utf-8").splitlines()))
    target = {u["unit_id"] for u in units if u["target"] == "true"}
    acting = {a["unit_id"] for a in rows}
    district = {u["unit_id"]: u["district"] for u in units}
    target_districts = {district[u] for u in target} - {""}
    number = lambda text: int(text.replace(".", "") or 0)  # noqa: E731

    campaign = load_campaign(SAMPLE)
    settings = campaign.config.report
    figures = report_figures(
        campaign.units,
        campaign.activities,
        budget_estimate(campaign.budget),
        window=(settings.window.start, settings.window.end),
        deadline=settings.deadline,
    )
    assert figures.units_target == len(target) == 34
    assert figures.units_active == len(target & acting) == 30
    assert figures.districts_total == len(target_districts) == 9
    assert figures.districts_covered == len({district[u] for u in acting} & target_districts) == 9
    assert figures.activities_total == len(rows)
    assert figures.in_window == sum("2021-05-01" <= a["date"] <= "2021-05-31" for a in rows)
    assert figures.reach_total == sum(number(a["reach"]) for a in rows)
    assert figures.spent_total_vnd == sum(number(a["cost_vnd"]) for a in rows)
    assert figures.on_time_units == sum(
        1 for u in units if u["unit_id"] in target and u["reported_on"] and u["reported_on"] <= "2021-06-04"
    )


def test_a_review_of_one_channel_from_a_day_on():
    u, a = scope(UNITS, ACTIVITIES, channel="banner", since=dt.date(2021, 5, 17))
    assert a["activity_id"].tolist() == ["A1", "A3"]
    figures = report_figures(u, a, ESTIMATE, window=WINDOW, deadline=DEADLINE)
    assert (figures.units_target, figures.units_active, figures.spent_total_vnd) == (5, 2, 430_000)


def test_past_twenty_districts_the_largest_are_shown_and_the_rest_added_up():
    from reportkit.coverage import DISTRICTS_SHOWN, leading_districts

    rows = pd.DataFrame(
        {
            "district": [f"Huyện {i:02d}" for i in range(25)],
            "units_target": [i % 7 + 1 for i in range(25)],
            "units_active": [i % 3 for i in range(25)],
            "activities": list(range(25)),
            "reach": [100 * i for i in range(25)],
            "spent": [1000 * i for i in range(25)],
        }
    )
    shown = leading_districts(rows)
    assert len(shown) == DISTRICTS_SHOWN + 1
    assert shown["district"].iloc[-1] == "Các địa bàn khác (5 địa bàn)"
    numbers = ["units_target", "units_active", "activities", "reach", "spent"]
    assert shown[numbers].sum().to_dict() == rows[numbers].sum().to_dict()
    largest = shown["units_target"].iloc[:DISTRICTS_SHOWN]
    assert list(largest) == sorted(largest, reverse=True)
    others = rows[~rows["district"].isin(shown["district"])]
    assert len(others) == 5 and others["units_target"].max() <= largest.min()
    assert leading_districts(rows.head(DISTRICTS_SHOWN)).equals(rows.head(DISTRICTS_SHOWN))
