"""Start a campaign from an earlier one: ``reportkit new SOURCE --id ID --year YEAR``, or for
another event, ``--event NAME --event-date DATE``.

The new folder keeps everything that carries over (agency, signer, text, budget lines as a
starting point) and clears what belongs to one campaign: every date moves with the event (by
the years, or by the days between the two events' dates), numbers and days of issue are
blanked, the activities are emptied, the units' report dates cleared, and the report's text
that states the earlier results becomes placeholders to write (:mod:`reportkit.placeholders`).
Every line that still names the earlier event, its date, its year or its theme is listed
whole, with its line number.

``campaign.yaml`` is edited with ruamel.yaml's round trip, never as lines of text: comments,
key order, quoting, block and flow styles, indentation, Windows line endings and a
byte-order mark stay as the user wrote them, and only the edited values change. The tables
keep their separator, title lines and line endings.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import locking, tables
from .campaign import CONFIG_FILE, load_campaign
from .exceptions import CampaignError, DataProblem, ParameterError
from .i18n import _
from .paths import ID_PATTERN
from .placeholders import placeholder

__all__ = ["NewCampaign", "edit_config", "new_campaign"]

#: Keys whose value is a date even when it is quoted, so that it moves with the year.
_DATED_KEYS = ("event_date", "deadline", "start", "end", "issued_on")
#: The comment put after a number that had none, so the blank reads as intended.
_NUMBER_COMMENT = "written when it is registered"
#: The report's parts that state the earlier campaign's results: cleared, to be written anew.
_RESULTS_TEXT = {
    "direction": "Viết công tác chỉ đạo, triển khai của đợt này",
    "assessment": "Viết đánh giá kết quả của đợt này",
    "proposals": "Viết đề xuất, kiến nghị của đợt này",
}


@dataclass(frozen=True)
class NewCampaign:
    """The folder made, and the lines of its files that still name the earlier campaign
    (``file:line: text``, whole), or its placeholders to write."""

    folder: Path
    to_review: tuple[str, ...]


def check_id(campaign_id: str, parent: Path) -> Path:
    """The new campaign's folder, ``parent / campaign_id``, once the id is a folder name and
    the folder is not there yet."""
    if not ID_PATTERN.fullmatch(campaign_id):
        raise ParameterError(
            "--id",
            _("{value}: use lower-case letters, digits, '-', '_' and '.'").format(value=repr(campaign_id)),
        )
    folder = parent / campaign_id
    if folder.exists():
        raise ParameterError(
            "--id", _("{folder} exists already; choose another id or remove it").format(folder=folder)
        )
    return folder


def new_campaign(
    source: Path,
    campaign_id: str,
    year: int | None = None,
    *,
    theme: str | None = None,
    parent: Path | None = None,
    event: str | None = None,
    event_date: dt.date | None = None,
) -> NewCampaign:
    """Make ``<parent>/<campaign_id>/`` from the campaign in ``source``, for ``year`` or for
    another event on ``event_date``.

    With ``event_date`` every date moves by the days between the two events' dates (the
    window, the deadline, the days of issue), and the year is the event's; without it, by
    the years between the campaigns. The folder is written beside its final place and renamed
    into it only once it loads and checks, so a failure leaves nothing half-made (and never
    touches ``source``).

    Raises
    ------
    ParameterError
        The id is not a folder name, the folder already exists, neither a year nor an event
        date is given, or they disagree.
    DataError
        The source campaign does not load, or (a bug) the new one does not.
    """
    parent = parent or source.parent
    check_id(campaign_id, parent)  # a folder name, before it names a lock
    # the source is read as one state; two commands making the same folder take turns
    with locking.reading(source), locking.writing(parent / campaign_id, output=True):
        return _new(source, campaign_id, year, theme, parent, event, event_date)


def _new(source, campaign_id, year, theme, parent, event, event_date) -> NewCampaign:
    old = load_campaign(source)
    folder = check_id(campaign_id, parent)
    if event_date is not None and year is not None and year != event_date.year:
        raise ParameterError(
            "--year",
            _("{year} is not the year of --event-date {date}; give one of them").format(
                year=year, date=event_date.isoformat()
            ),
        )
    if event_date is None and year is None:
        raise ParameterError("--year", _("give the new campaign's --year, or --event-date"))
    # another event's date moves every date by the days between; a year alone, by the years
    days = None if event_date is None else (event_date - old.config.event_date).days
    if event_date is None:
        event_date = _moved_date(old.config.event_date, year - old.config.year)
    parent.mkdir(parents=True, exist_ok=True)
    staging = parent / f".{campaign_id}.{uuid.uuid4().hex[:8]}.new"  # beside it: the rename is atomic
    staging.mkdir()
    try:
        config = source / CONFIG_FILE
        (staging / CONFIG_FILE).write_bytes(
            edit_config(
                config.read_bytes(),
                config,
                campaign_id,
                event_date.year,
                old.config.year,
                theme,
                event=event,
                days=days,
            )
        )
        budget = old.files[1]
        shutil.copyfile(budget, staging / budget.name)
        written = {CONFIG_FILE: None, budget.name: tables.BUDGET}  # to review, with their schemas
        if old.config.report is not None:
            units, activities = old.files[2], old.files[3]
            # next year nobody has reported yet
            if units.suffix == ".csv":
                _rewrite_csv(
                    units, staging / units.name, tables.UNITS, records=True, blank=frozenset({"reported_on"})
                )
            else:
                _blank_xlsx_column(units, staging / units.name, tables.UNITS, "reported_on")
            if activities.suffix == ".csv":
                _rewrite_csv(activities, staging / activities.name, tables.ACTIVITIES, records=False)
            else:
                _empty_activities_csv(staging / f"{activities.stem}.csv")
            written |= {units.name: tables.UNITS, f"{activities.stem}.csv": tables.ACTIVITIES}
        load_campaign(staging)  # what was written must load
        os.rename(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    naming = _earlier_names(old.config, event, theme, event_date)
    review = tuple(
        f"{name}:{number}: {line.strip()}"
        for name, schema in written.items()
        if not name.endswith(".xlsx")
        for number, line in enumerate(_text(folder / name, schema).splitlines(), 1)
        if not line.lstrip().startswith("#") and naming.search(line)
    )
    return NewCampaign(folder, review)


def _earlier_names(old: Any, event: str | None, theme: str | None, event_date: dt.date) -> re.Pattern:
    """What a line of the new campaign must not name any more: the earlier year, and the
    earlier event, its date and its theme when they changed (or, for another event, the
    theme kept from the earlier one)."""
    names = [rf"(?<!\d){old.year}(?!\d)"]
    if event is not None and event.casefold() != old.event.casefold():
        names.append(re.escape(old.event))
        if theme is None:
            names.append(re.escape(old.theme))
    if theme is not None and theme.casefold() != old.theme.casefold():
        names.append(re.escape(old.theme))
    day, month = old.event_date.day, old.event_date.month
    if (event_date.day, event_date.month) != (day, month):  # 17/5, 17-5, 17/05, 17 tháng 5
        names.append(rf"(?<![\d/])0?{day}\s*(?:/|-|\.|\s+tháng\s+)0?{month}(?!\d)")
        names.append(re.escape(old.event_date.isoformat()))
    return re.compile("|".join(names), re.IGNORECASE)


def edit_config(
    data: bytes,
    path: Path,
    campaign_id: str,
    year: int,
    old_year: int,
    theme: str | None = None,
    *,
    event: str | None = None,
    days: int | None = None,
) -> bytes:
    """``campaign.yaml`` (its bytes) for the new campaign, edited by round trip.

    Dates move by ``days`` when given (another event), else by the years from ``old_year``
    to ``year``; the report's text that states results becomes placeholders.

    Raises
    ------
    CampaignError
        The file is not UTF-8 or not YAML that ruamel.yaml can read back.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CampaignError(DataProblem(path, _("a YAML file in UTF-8"))) from None
    yaml = YAML()  # round trip
    yaml.preserve_quotes = True
    yaml.width = 1 << 16  # never fold a long line the user kept on one line
    crlf = "\r\n" in text  # written back as it came; ruamel.yaml itself would keep the "\r"s in comments
    text = text.replace("\r\n", "\n")
    # ruamel.yaml drops a "---" line and the comments above it: they are kept aside as they are.
    start = re.match(r"(?:[ \t]*(?:#[^\n]*)?\n)*---(?:[ \t][^\n]*)?\n", text)
    prefix = start[0] if start else ""
    try:
        config = yaml.load(text[len(prefix) :])
    except YAMLError as error:
        raise CampaignError(DataProblem(path, _("valid YAML ({problem})").format(problem=error))) from None
    yaml.indent(**_indentation(config))
    config["id"] = _like(config.get("id"), campaign_id)
    config["year"] = _like(config.get("year"), year)
    if theme is not None:
        config["theme"] = _like(config.get("theme"), theme)
    if event is not None:
        config["event"] = _like(config.get("event"), event)
    _move_dates(config, _Mover(year - old_year, days))
    report = config.get("report")
    if hasattr(report, "ca"):
        for key, what in _RESULTS_TEXT.items():
            if report.get(key):
                report[key] = placeholder(what)
    for document in ("plan", "report"):
        section = config.get(document)
        if not hasattr(section, "ca"):
            continue
        if "number" in section:
            _blank_number(section)
        issued = section.get("issued_on")
        if issued not in (None, ""):  # the day is written when it is signed
            section["issued_on"] = _like(issued, str(issued)[:7])
    out = io.StringIO()
    yaml.dump(config, out)
    edited = prefix + out.getvalue()
    edited = edited.replace("\n", "\r\n") if crlf else edited
    return ("\ufeff" if bom else "").encode() + edited.encode("utf-8")


def _like(old: Any, new: Any) -> Any:
    """``new`` in the style of ``old``: quoted if it was quoted, text if it was text."""
    from ruamel.yaml.scalarstring import ScalarString

    if isinstance(old, ScalarString):
        return type(old)(str(new))
    if isinstance(old, str) and not isinstance(new, str):
        return str(new)
    return new


@dataclass(frozen=True)
class _Mover:
    """Moves a date by ``days`` when given, else by ``years`` (29 February → 28)."""

    years: int
    days: int | None = None

    def date(self, date: dt.date) -> dt.date:
        if self.days is not None:
            return date + dt.timedelta(days=self.days)
        return _moved_date(date, self.years)

    def text(self, text: str) -> str:
        """Every ISO date or year-month in ``text`` moved; a month moves with its first day."""

        def move(match: re.Match) -> str:
            year, month, day = int(match["y"]), int(match["m"]), match["d"]
            if day is None:
                if self.days is None:
                    return f"{year + self.years:04d}-{month:02d}"
                return self.date(dt.date(year, month, 1)).strftime("%Y-%m")
            return self.date(dt.date(year, month, int(day))).isoformat()

        return re.sub(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})(?:-(?P<d>\d{2}))?(?!\d)", move, text)


def _move_dates(node: Any, mover: _Mover) -> None:
    """Move every date under ``node``: dates YAML typed, and the dated keys' text."""
    items = node.items() if hasattr(node, "items") else enumerate(node) if isinstance(node, list) else ()
    for key, value in list(items):
        if isinstance(value, dt.date):
            node[key] = mover.date(value)
        elif isinstance(value, str) and key in _DATED_KEYS:
            node[key] = _like(value, mover.text(str(value)))
        elif isinstance(value, dict | list):
            _move_dates(value, mover)


def _moved_date(date: dt.date, years: int) -> dt.date:
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28)


def _blank_number(section: Any) -> None:
    """Empty ``number``, keeping its comment, or giving it one that says why it is empty."""
    had_comment = section.ca.items.get("number") is not None
    section["number"] = None
    if not had_comment:
        section.yaml_add_eol_comment(_NUMBER_COMMENT, "number")


def _indentation(config: Any) -> dict[str, int]:
    """The indentation the file uses, read from where the parser found its first nested nodes.

    Returns ruamel.yaml's ``mapping``, ``sequence`` and ``offset`` (of the dash).
    """
    found: dict[str, int] = {}

    def walk(node: Any) -> None:
        if not hasattr(node, "lc") or len(found) == 3:
            return
        pairs = node.items() if hasattr(node, "items") else enumerate(node)
        for key, value in pairs:
            if not hasattr(value, "lc") or value.fa.flow_style() or not value:
                continue
            key_column = node.lc.key(key)[1] if hasattr(node, "items") else node.lc.item(key)[1]
            if hasattr(value, "items") and "mapping" not in found and hasattr(node, "items"):
                found["mapping"] = value.lc.key(next(iter(value)))[1] - key_column
            elif isinstance(value, list) and "sequence" not in found and hasattr(node, "items"):
                dash, item = value.lc.col, value.lc.item(0)[1]
                found["offset"] = max(dash - key_column, 0)
                found["sequence"] = item - key_column
            walk(value)

    walk(config)
    mapping = found.get("mapping", 2)
    return {"mapping": mapping, "sequence": found.get("sequence", mapping), "offset": found.get("offset", 0)}


def _rewrite_csv(
    source: Path, target: Path, schema: tables.Schema, *, records: bool, blank: frozenset[str] = frozenset()
) -> None:
    """Write ``target`` as ``source`` was saved: its separator, title lines and line ends.

    ``records`` keeps the rows below the header (with the columns in ``blank`` emptied);
    without it only the title lines and the header are kept. The text is UTF-8, with Excel's
    byte-order mark if the source had one or was in Windows-1258 (which Excel then reads).
    """
    text = tables.read_csv_text(source, schema)
    rows = text.rows()
    header = tables.find_header(source, rows, schema)
    names = [schema.column_of(cell) for cell in rows[header]]
    kept = [
        [("" if index < len(names) and names[index] in blank else cell) for index, cell in enumerate(row)]
        for row in (rows[header + 1 :] if records else [])
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=text.delimiter, lineterminator=text.line_end)
    writer.writerows([*rows[: header + 1], *kept])
    target.write_bytes(buffer.getvalue().encode("utf-8" if text.encoding == "utf-8" else "utf-8-sig"))


def _blank_xlsx_column(source: Path, target: Path, schema: tables.Schema, column: str) -> None:
    """Copy a workbook with ``column`` emptied below the header of its first sheet (the one
    reportkit reads); titles, formatting and other sheets stay."""
    from openpyxl import load_workbook

    book = load_workbook(source)
    sheet = book.worksheets[0]
    rows = [
        ["" if v is None else str(v) for v in row]
        for row in sheet.iter_rows(max_row=tables.HEADER_ROWS, values_only=True)
    ]
    header = tables.find_header(source, rows, schema)
    for index, cell in enumerate(rows[header]):
        if schema.column_of(cell) == column:
            for (row,) in sheet.iter_rows(min_row=header + 2, min_col=index + 1, max_col=index + 1):
                row.value = None
    book.save(target)


def _empty_activities_csv(path: Path) -> None:
    columns = ",".join(c.name for c in tables.ACTIVITIES.columns)
    path.write_text(columns + "\n", encoding="utf-8", newline="")  # "\n" on Windows too


def _text(path: Path, schema: tables.Schema | None) -> str:
    if schema is None:
        return path.read_text(encoding="utf-8-sig")
    return tables.read_csv_text(path, schema).text
