"""Start next year's campaign from this year's: ``reportkit new SOURCE --id ID --year YEAR``.

The new folder keeps everything that carries over (agency, signer, text, budget lines as a
starting point) and clears what belongs to one year: dates move to the new year, numbers
and days of issue are blanked, the activities are emptied and the units' report dates
cleared. ``campaign.yaml`` is edited line by line, so its comments stay.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from .campaign import load_campaign
from .exceptions import ParameterError, ReportkitError
from .paths import ID_PATTERN

__all__ = ["NewCampaign", "new_campaign"]


@dataclass(frozen=True)
class NewCampaign:
    """The folder made, and the lines of campaign.yaml that still name the old year."""

    folder: Path
    to_review: tuple[str, ...]


def _move_year(text: str, years: int) -> str:
    """Every ISO date or year-month in ``text`` moved by ``years`` (29 February → 28)."""

    def move(match: re.Match) -> str:
        year, month, day = int(match["y"]) + years, match["m"], match["d"]
        if day is None:
            return f"{year}-{month}"
        try:
            return dt.date(year, int(month), int(day)).isoformat()
        except ValueError:
            return dt.date(year, int(month), 28).isoformat()

    return re.sub(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})(?:-(?P<d>\d{2}))?(?!\d)", move, text)


_DATED_KEYS = ("event_date", "deadline", "start", "end")


def _edit_config(text: str, campaign_id: str, year: int, old_year: int, theme: str | None) -> str:
    lines = []
    for line in text.splitlines():
        key = re.match(r"^(\s*)([a-z_]+):(\s*)(.*)$", line)
        if key:
            indent, name, value = key[1], key[2], key[4]
            comment = re.search(r"(^|\s+)#.*$", value)
            tail = comment.group(0) if comment else ""
            if name == "id" and not indent:
                line = f"id: {campaign_id}{tail}"
            elif name == "year" and not indent:
                line = f"year: {year}{tail}"
            elif name == "theme" and not indent and theme is not None:
                line = f"theme: {_yaml_text(theme)}"
            elif name == "number" and indent:
                line = f"{indent}number:{tail or '            # written when it is registered'}"
            elif name == "issued_on" and indent:
                moved = _move_year(value[: len(value) - len(tail)].strip(), year - old_year)
                line = f"{indent}issued_on: {moved[:7]}{tail}"  # the day is written at signing
            elif name in _DATED_KEYS:
                line = _move_year(line, year - old_year)
        elif re.search(r"\bwindow: \{", line):
            line = _move_year(line, year - old_year)
        lines.append(line)
    return "\n".join(lines) + "\n"


def _yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _header_only(path: Path) -> str:
    first = path.read_text(encoding="utf-8-sig").splitlines()[:1]
    return (first[0] + "\n") if first else ""


def _units_without_report_dates(path: Path) -> str:
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({**row, "reported_on": ""} for row in rows)
    return buffer.getvalue() or _header_only(path)


def new_campaign(
    source: Path, campaign_id: str, year: int, *, theme: str | None = None, parent: Path | None = None
) -> NewCampaign:
    """Make ``<parent>/<campaign_id>/`` from the campaign in ``source`` for ``year``.

    Raises
    ------
    ParameterError
        The id is not a folder name, or the folder already exists.
    """
    if not ID_PATTERN.fullmatch(campaign_id):
        raise ParameterError("--id", f"{campaign_id!r}: use lower-case letters, digits, '-', '_' and '.'")
    old = load_campaign(source)
    folder = (parent or source.parent) / campaign_id
    if folder.exists():
        raise ParameterError("--id", f"{folder} exists already; choose another id or remove it")
    old_year = old.config.year
    folder.mkdir(parents=True)
    try:
        config = _edit_config(
            (source / "campaign.yaml").read_text(encoding="utf-8"), campaign_id, year, old_year, theme
        )
        (folder / "campaign.yaml").write_text(config, encoding="utf-8")
        budget = old.files[1]
        shutil.copyfile(budget, folder / budget.name)
        if old.config.report is not None:
            units, activities = old.files[2], old.files[3]
            if units.suffix == ".csv":
                (folder / units.name).write_text(_units_without_report_dates(units), encoding="utf-8")
            else:
                shutil.copyfile(units, folder / units.name)
            (folder / "activities.csv").write_text(
                _header_only(activities)
                if activities.suffix == ".csv"
                else "activity_id,unit_id,date,channel,quantity,reach,cost_vnd,"
                "budget_line_id,evidence,note\n",
                encoding="utf-8",
            )
        load_campaign(folder)  # what was written must load
    except ReportkitError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    review = tuple(
        f"{path.name}:{n}: {line.strip()}"
        for path in (folder / "campaign.yaml", folder / budget.name)
        if path.suffix != ".xlsx"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if str(old_year) in line and not line.lstrip().startswith("#")
    )
    return NewCampaign(folder, review)
