"""Load and check a campaign folder: ``campaign.yaml`` and its tables.

A campaign folder holds everything that changes from one campaign to the next::

    data/campaigns/wtisd-2021-phu-yen/
        campaign.yaml   # who issues the documents, their text, numbers and dates
        budget.csv      # the budget estimate (or budget.xlsx)

Next year's plan needs new values in these files, never new code. The keys of
``campaign.yaml`` are documented in ``data/README.md`` and checked here: a typo in a key
is an error, not a silently ignored setting.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WrapValidator,
    field_validator,
    model_validator,
)

from . import media, tables
from .budget import line_amounts
from .exceptions import CampaignError, DataError, DataProblem, MediaError
from .i18n import N_, _
from .metadata import check_organ_id
from .paths import ID_PATTERN
from .placeholders import Unwritten, find_unwritten
from .text import plain
from .vn import IssueDate, parse_vnd

__all__ = ["Campaign", "CampaignConfig", "load_campaign"]

CONFIG_FILE = "campaign.yaml"

#: Names that text in campaign.yaml may use in braces; reportkit fills them in.
PLACEHOLDERS = (
    "year",
    "event",
    "theme",
    "agency",
    "place",
    "event_date",
    "budget_total",
    "budget_total_words",
)


def _issue_date(value: Any) -> IssueDate | None:
    if value is None or value == "":
        return None
    return IssueDate.parse(value if isinstance(value, dt.date) else str(value))


DocDate = Annotated[IssueDate | None, BeforeValidator(_issue_date)]
Text = Annotated[str, Field(min_length=1)]
OrganId = Annotated[str, AfterValidator(check_organ_id)]


class Addressee(str):
    """A recipient's line (Nơi nhận, Kính gửi) that may carry the agency's code: written in
    campaign.yaml as text, or as ``{name: …, organ_id: 000.00.31.H49}``. It is the text."""

    organ_id: str | None = None


def _addressee(value: Any, handler) -> str:
    if not isinstance(value, dict) or set(value) - {"name", "organ_id"}:
        return handler(value)
    line = Addressee(handler(value.get("name")))
    line.organ_id = check_organ_id(value.get("organ_id"))
    return line


Recipient = Annotated[Text, WrapValidator(_addressee)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Agency(_Model):
    """The issuing agency, as its header and its text name it."""

    superior: str = Field(
        "", description="Superior agency, upper case: 'UBND TỈNH PHÚ YÊN'; empty for none (a ministry)."
    )
    name: Text = Field(
        description="Issuing agency as it reads in running text: 'Sở Thông tin và Truyền thông'."
    )
    abbreviation: Text = Field(description="Its symbol in document numbers: 'STTTT'.")
    place: Text = Field(description="Place written before the date: 'Phú Yên'.")
    header_name: str | None = Field(
        None, description="Name in the header if not the upper-cased name; a line break where it wraps."
    )
    organ_id: OrganId | None = Field(None, description="Mã định danh (QCVN 102:2016): '000.00.31.H49'.")
    address: str = Field("", description="Postal address, for the edXML header (OrganAdd).")
    email: str = ""
    telephone: str = ""
    website: str = ""

    @property
    def header(self) -> str:
        return self.header_name or self.name.upper()


class Signer(_Model):
    """Who signs: ``authority`` is 'GIÁM ĐỐC' or 'KT. GIÁM ĐỐC' with ``title`` 'PHÓ GIÁM ĐỐC'."""

    authority: Text
    title: str | None = None
    name: Text


class Part(_Model):
    """A numbered part of a section (``1. Mục đích``): a heading and paragraphs."""

    heading: Text
    body: str = ""
    run_in: bool = Field(False, description="Start the body on the heading's line.")


class Section(Part):
    """A section with a Roman number (``I. MỤC ĐÍCH, YÊU CẦU``), its own body and parts."""

    parts: tuple[Part, ...] = ()


class Appendix(_Model):
    """An appendix printed after the document, numbered on its own pages."""

    label: str = "Phụ lục"
    title: Text
    subtitle: str | None = None
    body: Text


class BudgetSettings(_Model):
    """The budget estimate attached to the plan."""

    file: str = "budget"
    title: Text


class Plan(_Model):
    """The plan (Kế hoạch): its number, date, summary and text."""

    number: int | None = Field(None, ge=1, description="Registered number; empty leaves a blank.")
    issued_on: DocDate = Field(None, description="2021-05-07, or 2021-05 to leave the day blank.")
    summary: Text = Field(description="The summary line (trích yếu) under KẾ HOẠCH.")
    basis: tuple[Text, ...] = Field((), description="Legal basis lines (Căn cứ…, Thực hiện…).")
    intro: str = ""
    sections: tuple[Section, ...] = Field(min_length=1)
    closing: str = ""
    recipients: tuple[Recipient, ...] = Field(min_length=1)
    appendices: tuple[Appendix, ...] = ()
    budget: BudgetSettings


class Window(_Model):
    """The campaign's window, both days included."""

    start: dt.date
    end: dt.date

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, value: dt.date, info: Any) -> dt.date:
        start = info.data.get("start")
        if start is not None and value < start:
            raise ValueError(
                _("the window ends ({end}) before it starts ({start})").format(end=value, start=start)
            )
        return value


class Report(_Model):
    """The after-action report (Báo cáo kết quả) to the ministry."""

    number: int | None = Field(None, ge=1, description="Registered number; empty leaves a blank.")
    issued_on: DocDate = Field(None, description="Date of issue: 2021-06-02, or 2021-06.")
    summary: Text = Field(description="The summary line under BÁO CÁO.")
    recipient: Recipient = Field(description="Kính gửi: 'Bộ Thông tin và Truyền thông (Vụ Hợp tác quốc tế)'.")
    deadline: dt.date = Field(description="The date the ministry wants the report by.")
    window: Window
    basis: tuple[Text, ...] = Field((), description="What the report answers: the ministry's letter.")
    direction: str = Field("", description="I. Công tác chỉ đạo, triển khai: what a person writes.")
    assessment: Text = Field(description="IV. Đánh giá: what a person writes.")
    proposals: Text = Field(description="V. Đề xuất, kiến nghị: what a person writes.")
    closing: str = ""
    recipients: tuple[Recipient, ...] = Field(min_length=1)
    units: str = Field("units", description="The units table's name without extension.")
    activities: str = Field("activities", description="The activities table's name without extension.")


class AskedAgency(_Model):
    """An agency asked for a report, named as its own campaign.yaml names it (``agency:``)."""

    superior: str = Field("", description="Its superior agency: 'UBND TỈNH PHÚ YÊN'.")
    name: Text = Field(description="Its name: 'Sở Thông tin và Truyền thông'.")
    label: str | None = Field(None, description="Its name in the tables: 'Sở TTTT Phú Yên'.")


class Consolidated(_Model):
    """The consolidated report (Báo cáo tổng hợp) of the agencies' reports, by the agency that
    asked for them (a ministry); its figures come from the agencies' output folders."""

    number: int | None = Field(None, ge=1, description="Registered number; empty leaves a blank.")
    issued_on: DocDate = Field(None, description="Date of issue: 2021-06-15, or 2021-06.")
    symbol: Text = Field("BC", description="The document's kind in its number: BC (Số: 05/BC-BTTTT).")
    summary: Text = Field(description="The summary line under BÁO CÁO.")
    recipient: Text = Field(description="Kính gửi: who the report goes to.")
    deadline: dt.date = Field(description="The date the agencies were asked to report by.")
    basis: tuple[Text, ...] = Field((), description="What the report answers.")
    intro: str = ""
    assessment: Text = Field(description="Đánh giá: what a person writes.")
    proposals: Text = Field(description="Đề xuất, kiến nghị: what a person writes.")
    closing: str = ""
    recipients: tuple[Recipient, ...] = Field(min_length=1)
    asked: tuple[AskedAgency, ...] = Field(
        (), description="The agencies asked to report; those that did not are listed."
    )
    note: str = Field("", description="A note printed under the header, e.g. that the text is illustrative.")


class CampaignConfig(_Model):
    """Everything ``campaign.yaml`` holds."""

    id: Annotated[str, Field(pattern=f"^{ID_PATTERN.pattern}$")] = Field(
        description="Folder name of the outputs: lower-case letters, digits, '-', '_' and '.'."
    )
    year: int = Field(ge=2000, le=2100)
    event: Text = Field(description="'Ngày Viễn thông và Xã hội thông tin thế giới'")
    event_date: dt.date
    theme: Text
    agency: Agency
    signer: Signer
    plan: Plan | None = None
    report: Report | None = None
    consolidated: Consolidated | None = None

    @field_validator("event_date")
    @classmethod
    def _event_in_year(cls, value: dt.date, info: Any) -> dt.date:
        year = info.data.get("year")
        if year is not None and value.year != year:
            raise ValueError(
                _("event_date {date} is not in the campaign's year {year}").format(date=value, year=year)
            )
        return value

    @model_validator(mode="after")
    def _event_in_window(self) -> CampaignConfig:
        window = self.report.window if self.report is not None else None
        if window is not None and not window.start <= self.event_date <= window.end:
            raise ValueError(
                _(
                    "event_date {date} is outside the report's window ({start} to {end}); "
                    "move report.window or correct event_date"
                ).format(date=self.event_date, start=window.start, end=window.end)
            )
        return self


@dataclass(frozen=True)
class Campaign:
    """A loaded and checked campaign: its settings and its tables.

    ``units`` and ``activities`` are ``None`` for a campaign that has only a plan so far;
    ``budget`` is ``None`` for one without a plan (a ministry's consolidation).
    """

    folder: Path
    config: CampaignConfig
    budget: pd.DataFrame | None
    files: tuple[Path, ...]
    units: pd.DataFrame | None = None
    activities: pd.DataFrame | None = None
    #: Placeholders (``[[…]]``) still to write in its files (:mod:`reportkit.placeholders`).
    unwritten: tuple[Unwritten, ...] = ()

    @property
    def has_results(self) -> bool:
        return self.config.report is not None and self.units is not None and self.activities is not None

    @property
    def id(self) -> str:
        return self.config.id


def load_campaign(folder: str | Path) -> Campaign:
    """Load ``folder`` and check everything in it.

    Raises
    ------
    CampaignError
        ``campaign.yaml`` is missing, is not YAML, or has a missing, unknown or bad key.
    DataError
        A table is missing or has a bad cell; every problem is listed with file, row, column.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CampaignError(
            DataProblem(folder, _("a campaign folder holding campaign.yaml"), found=_("no folder"))
        )
    config_path = folder / CONFIG_FILE
    config = _load_config(config_path)
    problems: list[DataProblem] = []  # of every table, so one run names them all

    def load(stem: str, what: str, schema: tables.Schema, check=None):
        path = tables.find_table(folder, stem)
        if path is None:
            names = _(" or ").join(f"{stem}{s}" for s in tables.SUFFIXES)
            expected = _("a table of {what}: {names}").format(what=what, names=names)
            problems.append(DataProblem(folder / f"{stem}.csv", expected))
            return None, None
        try:
            table = tables.read_table(path, schema)
            return path, (check(path, table) if check else table)
        except DataError as error:
            problems.extend(error.problems)
            return path, None

    files = [config_path]
    budget = None
    if config.plan is not None:
        budget_path, budget = load(
            config.plan.budget.file, _("the budget estimate"), tables.BUDGET, _check_budget
        )
        files.append(budget_path)
    units = activities = None
    snapshot = _snapshot(folder) if config.report is not None else None
    if snapshot is not None:  # the checked tables of these very files, from the build
        units, activities = snapshot
        files += [
            tables.find_table(folder, config.report.units),
            tables.find_table(folder, config.report.activities),
        ]
    elif config.report is not None:
        units_path, units = load(
            config.report.units, _("the units that carry out the campaign"), tables.UNITS
        )
        activities_path, activities = load(
            config.report.activities, _("the activities carried out"), tables.ACTIVITIES
        )
        if units is not None and activities is not None and budget is not None:
            try:
                _check_activities(folder, activities_path, activities, units, budget)
            except DataError as error:
                problems.extend(error.problems)
        files += [units_path, activities_path]
    if problems:
        raise DataError(problems)
    return Campaign(folder, config, budget, tuple(files), units, activities, _unwritten(files))


def _unwritten(files: list[Path]) -> tuple[Unwritten, ...]:
    """The placeholders in campaign.yaml (by section) and in the text tables (the budget's
    belong to the plan, the units' and activities' to the report)."""
    found: list[Unwritten] = []
    for index, path in enumerate(files):
        if path is None or path.suffix != (".yaml" if index == 0 else ".csv"):
            continue
        data = path.read_bytes()
        if b"[" not in data or b"[[" not in data:  # one byte is found by memchr, fast
            continue
        section = None if index == 0 else "plan" if index == 1 else "report"
        found += find_unwritten(path, data.decode("utf-8", errors="replace"), section)
    return tuple(found)


def _snapshot(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The units and activities a build checked and left for its kernel (reportkit.snapshot)."""
    named = os.environ.get("REPORTKIT_SNAPSHOT")
    if not named:
        return None
    from .snapshot import read_snapshot

    return read_snapshot(Path(named), folder)


def _inside(folder: Path, relative: str) -> bool:
    """``relative`` names a file inside ``folder``: evidence never reaches outside the campaign."""
    path = (folder / relative).resolve()
    return path.is_relative_to(folder.resolve()) and path.is_file()


def _check_activities(
    folder: Path, path: Path, activities: pd.DataFrame, units: pd.DataFrame, budget: pd.DataFrame
) -> None:
    """Every activity names a known unit and budget line, and its local evidence exists."""
    unknown_unit = ~_among(activities["unit_id"], units["unit_id"])
    line = activities["budget_line_id"]
    unknown_line = (line != "") & ~_among(line, budget["line_id"])
    evidence = activities["evidence"]
    given = evidence[evidence != ""]
    local = given[~given.str.contains(r"^[a-z][a-z0-9+.-]*://", regex=True)]
    absent = {p for p in local.unique() if not _inside(folder, p)}  # each file looked at once
    missing = evidence.isin(absent)
    unusable = _unusable_evidence(folder, path, evidence, set(local.unique()) - absent)
    problems = [
        *tables.problems_where(
            path, unknown_unit, "unit_id", _("a unit_id listed in the units table"), activities["unit_id"]
        ),
        *tables.problems_where(
            path, unknown_line, "budget_line_id", _("empty, or a line_id of the budget table"), line
        ),
        *tables.problems_where(
            path, missing, "evidence", _("a file inside the campaign folder, or a URL"), evidence
        ),
        *unusable,
    ]
    if problems:
        raise DataError(problems)


def _among(cells: pd.Series, known: pd.Series) -> pd.Series:
    """Which of ``cells`` are among ``known``: Arrow's ``is_in`` on the text as it is stored
    (a million activities' units in a hundredth of a second; pandas' ``isin`` takes four)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.is_in(pa.array(cells, pa.large_string()), value_set=pa.array(known, pa.large_string()))
    return pd.Series(found.to_numpy(zero_copy_only=False), index=cells.index)


def _unusable_evidence(folder: Path, path: Path, evidence: pd.Series, files: set[str]) -> list[DataProblem]:
    """A problem at each row naming a photo or video the report could not show (not what its
    name says, or too large); see :func:`reportkit.media.check_evidence`."""
    problems = []
    for name in sorted(files):
        try:
            media.check_evidence(folder / name)
        except MediaError as error:
            found = f"{name}: {error.found}" if error.found else name
            rows = evidence.index[evidence == name][: tables.MAX_PROBLEMS_PER_COLUMN]
            problems += [DataProblem(path, error.expected, int(row), "evidence", found) for row in rows]
    return problems


def _load_config(path: Path) -> CampaignConfig:
    if not path.is_file():
        raise CampaignError(DataProblem(path, _("a campaign.yaml file"), found=_("nothing")))
    try:
        data = yaml.safe_load(plain(path.read_text(encoding="utf-8")))  # its text NFC, as tables'
    except UnicodeDecodeError:
        raise CampaignError(DataProblem(path, _("a YAML file in UTF-8"))) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        row = mark.line + 1 if mark else None
        problem = getattr(error, "problem", None) or str(error)
        raise CampaignError(
            DataProblem(path, _("valid YAML ({problem})").format(problem=problem), row=row)
        ) from None
    if not isinstance(data, dict):
        raise CampaignError(DataProblem(path, _("a YAML mapping of keys (id:, year:, agency:, …)")))
    try:
        config = CampaignConfig.model_validate(data)
    except ValidationError as error:
        raise CampaignError([_config_problem(path, e) for e in error.errors()]) from None
    if config.plan is None and (config.report is not None or config.consolidated is None):
        raise CampaignError(
            DataProblem(
                path,
                "a 'plan:' section (the report refers to the plan), or only a 'consolidated:' section",
            )
        )
    unknown = list(_unknown_placeholders(data))
    if unknown:
        known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        raise CampaignError(
            [
                DataProblem(
                    path,
                    _("key '{key}': only known placeholders ({known})").format(key=key, known=known),
                    found=f"{{{name}}}",
                )
                for key, name in unknown
            ]
        )
    return config


def _unknown_placeholders(data: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """(key, name) of every ``{name}`` in the text of ``data`` that reportkit does not fill."""
    if isinstance(data, str):
        for name in re.findall(r"\{(\w+)\}", data):
            if name not in PLACEHOLDERS:
                yield key, name
    elif isinstance(data, dict):
        for name, value in data.items():
            yield from _unknown_placeholders(value, f"{key}.{name}" if key else str(name))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _unknown_placeholders(value, f"{key}.{index}")


def _config_problem(path: Path, error: dict) -> DataProblem:
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "missing":
        expected = _("a key '{key}'").format(key=key)
    elif error["type"] == "extra_forbidden":
        expected = _(
            "no key '{key}' (it is not a campaign setting; check its spelling in data/README.md)"
        ).format(key=key)
    else:
        words = _PYDANTIC_MESSAGES.get(error["type"])
        if words is not None:  # what was expected, in our words
            context = error.get("ctx") or {}
            expected = _("key '{key}': {expected}").format(key=key, expected=_(words).format(**context))
        else:  # a sentence of our own validators, or pydantic's
            message = re.sub(r"^Value error, ", "", error["msg"])
            # a rule across keys (a model's own validator) has no key of its own
            expected = _("key '{key}': {message}").format(key=key, message=message) if key else message
    found = error.get("input") if error["type"] not in ("missing",) else None
    return DataProblem(path, expected, found=None if isinstance(found, dict | list) else found)


#: What pydantic's commonest complaints expect, in words a translator can reach; others keep
#: pydantic's own English text. Placeholders are filled from the error's ``ctx``.
_PYDANTIC_MESSAGES = {
    "int_parsing": N_("a whole number"),
    "int_type": N_("a whole number"),
    "int_from_float": N_("a whole number"),
    "greater_than_equal": N_("a number of {ge} or more"),
    "less_than_equal": N_("a number of {le} or less"),
    "string_type": N_("text"),
    "string_too_short": N_("text, not empty"),
    "string_pattern_mismatch": N_("text matching {pattern}"),
    "date_type": N_("a date like 2021-05-07"),
    "date_parsing": N_("a date like 2021-05-07"),
    "date_from_datetime_parsing": N_("a date like 2021-05-07"),
    "date_from_datetime_inexact": N_("a date like 2021-05-07"),
    "bool_parsing": N_("true or false"),
    "bool_type": N_("true or false"),
    "too_short": N_("a list of at least {min_length}"),
    "tuple_type": N_("a list"),
    "model_type": N_("a mapping of keys"),
    "model_attributes_type": N_("a mapping of keys"),
}


def _check_budget(path: Path, budget: pd.DataFrame) -> pd.DataFrame:
    """Check each line's Thành tiền, and a pasted 'Tổng cộng' row, against quantity × unit price."""
    computed = line_amounts(budget)
    stated = budget["amount"]
    mismatch = (stated != 0) & (stated != computed)
    problems = tables.problems_where(
        path,
        mismatch,
        "amount",
        _("Thành tiền equal to quantity × unit price"),
        found=stated.astype(str) + " ≠ " + computed.astype(str),
    )
    total = int(computed.sum())
    for row, cells in budget.attrs.get("totals", {}).items():
        stated_total = cells.get("amount", "")
        if stated_total and _as_amount(stated_total) != total:
            problems.append(
                DataProblem(
                    path,
                    _("a total of {total} (the sum of the lines)").format(total=total),
                    row=row,
                    column="amount",
                    found=stated_total,
                )
            )
    if budget.empty:
        problems.append(DataProblem(path, _("at least one budget line")))
    if problems:
        raise DataError(problems)
    return budget.assign(amount=computed)


def _as_amount(text: str) -> int | None:
    try:
        return parse_vnd(text)
    except ValueError:
        return None
