"""Coverage and budget-execution figures of the after-action report.

Plain functions over the checked units and activities tables (see :mod:`reportkit.tables`);
no I/O, no printing. The definitions below are the contract the report and
``figures.json`` rely on:

- ``units_target``: units with ``target`` true; ``units_active``: those with an activity;
  ``coverage_pct``: 100 × active / target, one decimal.
- ``districts_total``: distinct non-empty districts of target units; ``districts_covered``:
  those with an activity by a unit of that district.
- ``activities_total``, ``reach_total``, ``spent_total_vnd``: rows, sum of reach, sum of cost.
- ``in_window``: activities dated inside the campaign window, both ends included.
- ``on_time_units``: target units whose ``reported_on`` is on or before the deadline.
- ``evidence_pct``: 100 × activities with evidence / activities, one decimal.
- ``photo_activities``, ``video_activities``: activities whose evidence is a photo, or a
  video, in the campaign folder (by its name: :data:`reportkit.media.PHOTO_SUFFIXES` and
  :data:`~reportkit.media.VIDEO_SUFFIXES`); a URL is evidence but neither, as it is never fetched.

Percentages are rounded half up (88.85 → 88.9), as a person rounds, not to even.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from .budget import BudgetEstimate
from .media import evidence_kinds
from .tables import CHANNELS, UNIT_KINDS

__all__ = ["DISTRICTS_SHOWN", "ReportFigures", "leading_districts", "percent", "report_figures", "scope"]

#: Districts a report's body and its chart show one by one; past that many, the rest are
#: summed in one row and the appendix lists them all (a province has 9-30; a generated
#: campaign hundreds).
DISTRICTS_SHOWN = 20


def percent(part: int, whole: int) -> float:
    """100 × part / whole, one decimal, rounded half up; 0.0 when ``whole`` is 0."""
    if whole == 0:
        return 0.0
    return float((Decimal(100 * int(part)) / Decimal(int(whole))).quantize(Decimal("0.1"), ROUND_HALF_UP))


def leading_districts(by_district: pd.DataFrame, shown: int = DISTRICTS_SHOWN) -> pd.DataFrame:
    """``by_district`` as a reader takes it in: whole up to ``shown`` rows; past that, the
    ``shown`` districts with the most target units (then activities), then one row adding up
    the others, named ``Các địa bàn khác (N địa bàn)``. The totals are unchanged."""
    if len(by_district) <= shown:
        return by_district
    ranked = by_district.sort_values(["units_target", "activities"], ascending=False, kind="stable")
    rest = ranked.iloc[shown:]
    others = rest.drop(columns="district").sum().astype("int64").to_frame().T
    others.insert(0, "district", f"Các địa bàn khác ({len(rest)} địa bàn)")
    return pd.concat([ranked.head(shown), others], ignore_index=True)


def scope(
    units: pd.DataFrame,
    activities: pd.DataFrame,
    *,
    as_of: dt.date | None = None,
    district: str | None = None,
    channel: str | None = None,
    since: dt.date | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The units and activities a report, or a review, covers.

    ``district`` keeps that district's units and their activities; ``as_of`` keeps the
    activities up to that day and forgets reports received after it (an interim report);
    ``channel`` and ``since`` keep the activities of one channel, or from that day on (a
    review in ``notebooks/explore.ipynb``). Units are kept whatever they did, so coverage
    still counts those with no activity left.
    """
    if district is not None:
        units = units[units["district"] == district]
        activities = activities[activities["unit_id"].isin(units["unit_id"])]
    if as_of is not None:
        cutoff = pd.Timestamp(as_of)
        activities = activities[activities["date"] <= cutoff]
        units = units.assign(reported_on=units["reported_on"].where(units["reported_on"] <= cutoff))
    if channel is not None:
        activities = activities[activities["channel"] == channel]
    if since is not None:
        activities = activities[activities["date"] >= pd.Timestamp(since)]
    return units, activities


@dataclass(frozen=True, eq=False)
class ReportFigures:
    """Every figure of the after-action report; tables are DataFrames in display order."""

    units_target: int
    units_active: int
    coverage_pct: float
    districts_total: int
    districts_covered: int
    activities_total: int
    in_window: int
    reach_total: int
    spent_total_vnd: int
    on_time_units: int
    evidence_pct: float
    photo_activities: int
    video_activities: int
    budget_planned_vnd: int
    budget_spent_vnd: int
    unbudgeted_vnd: int
    by_district: pd.DataFrame
    by_channel: pd.DataFrame
    by_kind: pd.DataFrame
    budget_execution: pd.DataFrame
    per_day: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """The figures as ``figures.json`` holds them under ``report``: plain ints and floats."""
        scalars = {
            name: getattr(self, name)
            for name in self.__dataclass_fields__
            if not isinstance(getattr(self, name), pd.DataFrame)
        }
        tables = {
            name: _records(getattr(self, name))
            for name in ("by_district", "by_channel", "by_kind", "budget_execution")
        }
        return scalars | tables


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    def plain(value: Any) -> Any:
        if hasattr(value, "item"):  # NumPy scalars
            value = value.item()
        return None if isinstance(value, float) and value != value else value

    return [{k: plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def report_figures(
    units: pd.DataFrame,
    activities: pd.DataFrame,
    estimate: BudgetEstimate,
    *,
    window: tuple[dt.date, dt.date],
    deadline: dt.date,
) -> ReportFigures:
    """Compute the report's figures from checked (and possibly scoped) tables."""
    target = units[units["target"]]
    acting_units = activities["unit_id"].unique()
    active = target[target["unit_id"].isin(acting_units)]

    district_of = units.set_index("unit_id")["district"]
    activity_district = activities["unit_id"].map(district_of)
    districts = [d for d in target["district"].drop_duplicates() if d]
    covered = set(activity_district[activity_district != ""].unique())  # not a million Python strings

    start, end = pd.Timestamp(window[0]), pd.Timestamp(window[1])
    reported = target["reported_on"]
    has_evidence = activities["evidence"] != ""
    kinds = evidence_kinds(activities["evidence"])

    execution = _budget_execution(activities, estimate)
    budgeted = activities["budget_line_id"] != ""
    return ReportFigures(
        units_target=len(target),
        units_active=len(active),
        coverage_pct=percent(len(active), len(target)),
        districts_total=len(districts),
        districts_covered=sum(1 for d in districts if d in covered),
        activities_total=len(activities),
        in_window=int(activities["date"].between(start, end).sum()),
        reach_total=int(activities["reach"].sum()),
        spent_total_vnd=int(activities["cost_vnd"].sum()),
        on_time_units=int((reported.notna() & (reported <= pd.Timestamp(deadline))).sum()),
        evidence_pct=percent(int(has_evidence.sum()), len(activities)),
        photo_activities=int((kinds == "photo").sum()),
        video_activities=int((kinds == "video").sum()),
        budget_planned_vnd=estimate.total,
        budget_spent_vnd=int(activities.loc[budgeted, "cost_vnd"].sum()),
        unbudgeted_vnd=int(activities.loc[~budgeted, "cost_vnd"].sum()),
        by_district=_by_district(target, units, activities, activity_district, districts, acting_units),
        by_channel=_by_channel(activities),
        by_kind=_by_kind(target, units, activities, acting_units),
        budget_execution=execution,
        per_day=_per_day(activities, start, end),
    )


def _sums(activities: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    return activities.groupby(key, sort=False).agg(
        activities=("activity_id", "size"), reach=("reach", "sum"), spent=("cost_vnd", "sum")
    )


def _breakdown(
    target: pd.DataFrame, acting_units: set, sums: pd.DataFrame, key: str, keys: list
) -> pd.DataFrame:
    """Per value of ``key`` (in the order of ``keys``): target and active units, activity sums."""
    units = (
        target.assign(active=target["unit_id"].isin(acting_units))
        .groupby(key, sort=False)
        .agg(units_target=("unit_id", "size"), units_active=("active", "sum"))
    )
    table = pd.DataFrame(index=pd.Index(keys, name=key)).join(units).join(sums).fillna(0)
    columns = ["units_target", "units_active", "activities", "reach", "spent"]
    return table[columns].astype("int64").reset_index()


def _by_district(target, units, activities, activity_district, districts, acting_units) -> pd.DataFrame:
    sums = _sums(activities, activity_district.rename("district"))
    return _breakdown(target, acting_units, sums, "district", districts)


def _by_channel(activities: pd.DataFrame) -> pd.DataFrame:
    sums = activities.groupby("channel", sort=False).agg(
        activities=("activity_id", "size"),
        quantity=("quantity", "sum"),
        reach=("reach", "sum"),
        spent=("cost_vnd", "sum"),
    )
    order = [c for c in CHANNELS if c in sums.index]
    table = sums.loc[order].reset_index()
    table.insert(1, "label", table["channel"].map(CHANNELS))
    return table.astype({c: "int64" for c in ("activities", "quantity", "reach", "spent")})


def _by_kind(target, units, activities, acting_units) -> pd.DataFrame:
    kind_of = units.set_index("unit_id")["kind"]
    sums = _sums(activities, activities["unit_id"].map(kind_of).rename("kind"))
    present = set(target["kind"]) | set(sums.index)
    kinds = [kind for kind in UNIT_KINDS if kind in present]
    table = _breakdown(target, acting_units, sums, "kind", kinds)
    table.insert(1, "label", table["kind"].map(UNIT_KINDS))
    return table


def _budget_execution(activities: pd.DataFrame, estimate: BudgetEstimate) -> pd.DataFrame:
    spent = activities.groupby("budget_line_id")["cost_vnd"].sum()
    rows = []
    for line in estimate.lines:
        used = int(spent.get(line.line_id, 0))
        rows.append(
            {
                "line_id": line.line_id,
                "content": line.content,
                "planned": line.amount,
                "spent": used,
                "variance": line.amount - used,
                "pct_used": percent(used, line.amount) if line.amount else None,
            }
        )
    return pd.DataFrame(rows, columns=["line_id", "content", "planned", "spent", "variance", "pct_used"])


def _per_day(activities: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    counts = activities.groupby("date").size()
    first = min(start, counts.index.min()) if len(counts) else start
    last = max(end, counts.index.max()) if len(counts) else end
    days = pd.date_range(first, last, freq="D")
    table = counts.reindex(days, fill_value=0).rename("activities").rename_axis("date").reset_index()
    table["in_window"] = table["date"].between(start, end)
    return table
