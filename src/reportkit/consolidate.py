"""Consolidate many agencies' reports: load and check their output folders, add them up.

The ministry that asked every agency for a report (a province's department, an agency under
the ministry) gets their output folders, each as ``reportkit build`` wrote it: a
``figures.json`` and a ``manifest.json`` (their layout is a versioned contract, documented in
data/README.md, "Outputs"). Every folder holding a report counts as an agency that reported.
The folders are checked like data before any kernel starts: a folder of another year or
event, the same agency twice, another schema version, a folder without a report or a damaged
file is one message naming the folder and what was expected.

:func:`consolidated_figures` is pure: sources in, frozen figures out.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .documents import Inputs
from .exceptions import DataError, DataProblem, ParameterError
from .i18n import _
from .outputs import FIGURES_FILE as FIGURES
from .outputs import FIGURES_SCHEMA, MANIFEST_SCHEMA, RESERVED, SCHEMA_KEY
from .outputs import MANIFEST_FILE as MANIFEST
from .vn import IssueDate

__all__ = [
    "ConsolidatedFigures",
    "Source",
    "agency_key",
    "check_sources",
    "consolidated_figures",
    "load_sources",
]

#: The versions of figures.json and manifest.json this module reads (reportkit.outputs).
_SCHEMAS = {FIGURES: FIGURES_SCHEMA, MANIFEST: MANIFEST_SCHEMA}
#: What each source's report must give, all whole numbers.
REPORT_NUMBERS = ("units_active", "units_target", "activities_total", "reach_total", "spent_total_vnd")
#: How an agency's report stands against the deadline, as the consolidated report writes it.
ON_TIME, LATE, UNDATED = "Đúng hạn", "Chậm", "Chưa ghi ngày"


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def agency_key(superior: str, name: str) -> str:
    """One agency, however its name is typed: NFC, case and spaces folded."""
    return f"{_fold(superior)} / {_fold(name)}"


@dataclass(frozen=True)
class Source:
    """One agency's output folder, checked: who it is and what its report says."""

    folder: Path
    campaign_id: str
    superior: str
    name: str
    place: str
    issued_on: IssueDate | None
    report: Mapping[str, Any]

    @property
    def key(self) -> str:
        return agency_key(self.superior, self.name)


def _problem(folder: Path, expected: str, found: str | None = None) -> DataError:
    return DataError(DataProblem(folder, expected, found=found))


def _read(folder: Path, name: str) -> dict[str, Any]:
    path = folder / name
    if not path.is_file():
        raise _problem(
            folder,
            _("an agency's output folder with {name} (reportkit build CAMPAIGN --doc report)").format(
                name=name
            ),
            found=_("no {name}").format(name=name),
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise _problem(path, _("a JSON file as reportkit writes it"), found=str(error)) from None
    if not isinstance(data, dict):
        raise _problem(path, _("a JSON object as reportkit writes it"), found=type(data).__name__)
    version, known = data.get(SCHEMA_KEY), _SCHEMAS[name]
    if version != known:
        raise _problem(
            path,
            _("schema_version {version}; rebuild the folder with this reportkit").format(version=known),
            found=str(version) if version is not None else _("no schema_version"),
        )
    return data


def _source(folder: Path) -> tuple[Source, int, str]:
    """The source in ``folder``, with the year and event of its campaign."""
    figures, manifest = _read(folder, FIGURES), _read(folder, MANIFEST)
    report = figures.get("report")
    if not isinstance(report, dict) or "report" not in manifest:
        raise _problem(
            folder,
            _(
                "an agency's report: figures.json and manifest.json with 'report' "
                "(build it with --doc report)"
            ),
            found=_("documents: {docs}").format(
                docs=", ".join(k for k in figures if k not in RESERVED) or _("none")
            ),
        )
    bad = [k for k in REPORT_NUMBERS if not isinstance(report.get(k), int) or report[k] < 0]
    if bad:
        raise _problem(
            folder / FIGURES,
            _("whole numbers, 0 or more, for report.{key}").format(key=bad[0]),
            found=repr(report.get(bad[0])),
        )
    campaign = figures.get("campaign")
    try:
        agency = campaign["agency"]
        issued = report.get("issued_on")
        source = Source(
            folder=folder,
            campaign_id=str(campaign["id"]),
            superior=str(agency.get("superior") or ""),
            name=str(agency["name"]),
            place=str(agency.get("place") or ""),
            issued_on=IssueDate.parse(issued) if issued else None,
            report=report,
        )
        return source, int(campaign["year"]), str(campaign["event"])
    except (KeyError, TypeError, ValueError) as error:
        raise _problem(
            folder / FIGURES, _("a 'campaign' with id, year, event and agency"), found=repr(error)
        ) from None


def load_sources(directory: str | Path, *, year: int, event: str) -> tuple[Source, ...]:
    """Every agency's output folder in ``directory``, checked, in order of folder name.

    Raises
    ------
    DataError
        One problem, naming the folder: not a folder; no folders in it; a folder without a
        report, or whose figures.json or manifest.json is missing, damaged or of another
        schema version; a report of another year or event; an agency found twice.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise _problem(directory, _("a folder of the agencies' output folders"), found=_("no folder"))
    folders = sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    if not folders:
        raise _problem(directory, _("one output folder per agency that reported"), found=_("none"))
    sources: dict[str, Source] = {}
    for folder in folders:
        source, its_year, its_event = _source(folder)
        if its_year != year or _fold(its_event) != _fold(event):
            raise _problem(
                folder,
                _("a report of {event} {year}").format(event=event, year=year),
                found=f"{its_event} {its_year}",
            )
        if source.key in sources:
            raise _problem(
                folder,
                _("one folder per agency; {agency} ({place}) already reported in {other}").format(
                    agency=source.name, place=source.place, other=sources[source.key].folder
                ),
            )
        sources[source.key] = source
    return tuple(sources.values())


def check_sources(notebook: Path, campaign_dir: Path, parameters: Mapping[str, Any]) -> Inputs:
    """The ``check`` of ``notebooks/consolidated.ipynb``: load the ministry's campaign and its
    ``sources`` folder before any kernel starts (see :mod:`reportkit.documents`).

    ``sources`` is taken from ``parameters``, relative to the working folder, or else from the
    notebook's default, relative to the notebook; it is passed on absolute.
    """
    from .campaign import load_campaign
    from .parameters import notebook_parameters

    if parameters.get("sources"):
        sources = Path(str(parameters["sources"])).resolve()
    else:
        default = notebook_parameters(notebook).get("sources")
        value = ast.literal_eval(default.default) if default else None
        if not value:
            raise ParameterError("sources", _("give the folder of the agencies' outputs: -p sources=DIR"))
        sources = (notebook.parent / value).resolve()
    config = load_campaign(campaign_dir).config
    found = load_sources(sources, year=config.year, event=config.event)
    files = tuple(s.folder / name for s in found for name in (FIGURES, MANIFEST))
    return Inputs(files=files, parameters={"sources": str(sources)})


@dataclass(frozen=True)
class ConsolidatedFigures:
    """The national figures and the table by agency. ``by_agency`` rows are in the order of
    the asked list (then the others by place and name); ``missing`` names the agencies asked
    that did not report, and ``agencies_asked_reported`` counts those that did (an agency
    that reported without being asked counts in ``agencies_reported`` only)."""

    agencies_asked: int
    agencies_reported: int
    agencies_asked_reported: int
    agencies_on_time: int
    agencies_late: int
    agencies_undated: int
    units_active: int
    units_target: int
    activities_total: int
    reach_total: int
    spent_total_vnd: int
    deadline: str
    by_agency: tuple[Mapping[str, Any], ...]
    missing: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON for figures.json."""
        data = asdict(self)
        data["by_agency"] = [dict(row) for row in self.by_agency]
        data["missing"] = list(self.missing)
        return data


def _standing(issued: IssueDate | None, deadline: dt.date) -> str:
    day = issued.to_date() if issued else None
    if day is None:
        return UNDATED
    return ON_TIME if day <= deadline else LATE


def consolidated_figures(
    sources: Sequence[Source], asked: Sequence[Any], *, deadline: dt.date
) -> ConsolidatedFigures:
    """Add up the agencies' reports.

    Parameters
    ----------
    sources
        The checked output folders (:func:`load_sources`), one per agency.
    asked
        The agencies asked to report (``consolidated.asked`` of campaign.yaml: ``superior``,
        ``name``, ``label``); an agency that reported without being asked still counts.
    deadline
        The day the reports were due: a report issued on or before it is on time.
    """
    labels = {agency_key(a.superior, a.name): a.label or a.name for a in asked}
    order = {key: index for index, key in enumerate(labels)}
    ranked = sorted(sources, key=lambda s: (order.get(s.key, len(order)), s.place, s.name))
    rows = []
    for s in ranked:
        r = s.report
        rows.append(
            {
                "agency": labels.get(s.key) or f"{s.name} {s.place}".strip(),
                "campaign_id": s.campaign_id,
                "units_active": r["units_active"],
                "units_target": r["units_target"],
                "activities": r["activities_total"],
                "reach": r["reach_total"],
                "spent": r["spent_total_vnd"],
                "issued_on": str(s.issued_on) if s.issued_on else None,
                "standing": _standing(s.issued_on, deadline),
            }
        )
    reported = {s.key for s in sources}
    standings = [row["standing"] for row in rows]
    return ConsolidatedFigures(
        agencies_asked=len(labels),
        agencies_reported=len(rows),
        agencies_asked_reported=sum(key in reported for key in labels),
        agencies_on_time=standings.count(ON_TIME),
        agencies_late=standings.count(LATE),
        agencies_undated=standings.count(UNDATED),
        units_active=sum(row["units_active"] for row in rows),
        units_target=sum(row["units_target"] for row in rows),
        activities_total=sum(row["activities"] for row in rows),
        reach_total=sum(row["reach"] for row in rows),
        spent_total_vnd=sum(row["spent"] for row in rows),
        deadline=deadline.isoformat(),
        by_agency=tuple(rows),
        missing=tuple(label for key, label in labels.items() if key not in reported),
    )
