"""Take the returned forms into the campaign: ``activities.csv``, ``reported_on``, evidence.

``reportkit collect CAMPAIGN RETURNS...`` reads every form it is given (files, or folders
as they came from email), checks each with :mod:`reportkit.returns`, and then

- replaces the rows of each unit that returned a form by the rows of its form, reusing the
  unit's earlier activity ids in order (new rows get new ids), so sending a form again never
  adds rows; rows of units that sent nothing are kept;
- sets the ``reported_on`` of those units to the form's ``Ngày báo cáo``;
- copies the photos and videos a form names in ``Minh chứng``, found beside the form, to
  ``evidence/<unit_id>/`` and points the activity at the copy.

By default nothing is written if any form has a problem; every problem of every file is
listed at once. With ``partial`` the good forms are taken in and the others listed. The
new files are staged in the campaign folder and moved into place with ``fsio.replace``, the
tables last, so an interrupted collect never leaves a half-written table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import fsio, locking, tables
from .exceptions import DataError, DataProblem, MediaError, ReturnProblem, ReturnsError
from .i18n import _, ngettext
from .text import csv_text, restore
from .vn import format_date, format_vnd

__all__ = ["Collected", "UnitReturn", "collect_returns", "find_returns", "summary_lines"]

#: Files a folder of returns may hold that are read as forms; others are evidence.
WORKBOOK_SUFFIXES = (".xlsx", ".ods", ".xlsm", ".xltx", ".xltm", ".xlsb", ".xls")
#: The columns written, in the order the tables' schemas give them (reportkit.tables).
ACTIVITY_COLUMNS = tuple(tables.ACTIVITIES.column_names)
UNIT_COLUMNS = tuple(tables.UNITS.column_names)


@dataclass(frozen=True)
class UnitReturn:
    """A unit's form that was taken in."""

    unit_id: str
    name: str
    file: Path
    reported_on: dt.date
    activities: int
    late: bool
    evidence: int
    superseded: tuple[Path, ...] = ()  # other copies it sent, older ones, not used


@dataclass(frozen=True)
class Collected:
    """What :func:`collect_returns` found and did."""

    campaign: Path
    deadline: dt.date
    returned: tuple[UnitReturn, ...]
    not_returned: tuple[tuple[str, str], ...]  # (unit_id, name) of target units with no report yet
    refused: tuple[ReturnProblem, ...]
    activities_total: int
    activities_kept: int
    written: bool = field(default=False)

    @property
    def refused_files(self) -> list[Path]:
        return list(dict.fromkeys(p.file for p in self.refused))


def find_returns(paths: Iterable[str | Path]) -> list[Path]:
    """The workbooks among ``paths`` and inside the folders of ``paths``, in a stable order.

    Office's lock files (``~$x.xlsx``, ``.~lock.x.ods#``) and hidden files are left out.
    """
    found = []
    for given in map(Path, paths):
        if given.is_dir():
            for path in sorted(given.rglob("*")):
                if path.is_file() and path.suffix.lower() in WORKBOOK_SUFFIXES and not _hidden(path):
                    found.append(path)
        else:
            found.append(given)
    return list(dict.fromkeys(found))


def _hidden(path: Path) -> bool:
    return path.name.startswith((".", "~$"))


def collect_returns(
    campaign_folder: str | Path, returns: Sequence[str | Path], partial: bool = False
) -> Collected:
    """Merge the returned forms ``returns`` into the campaign in ``campaign_folder``.

    Raises
    ------
    DataError
        The campaign itself does not load, or no forms were issued for it.
    ReturnsError
        A form has a problem and ``partial`` is false (nothing is written), or no form at all
        could be taken in.
    LockError
        Another command kept the campaign folder for longer than the lock's timeout.
    """
    with locking.writing(campaign_folder):  # read and rewritten as one step: another collect waits
        return _collect(campaign_folder, returns, partial)


def _collect(campaign_folder: str | Path, returns: Sequence[str | Path], partial: bool) -> Collected:
    import pandas as pd

    from . import returns as reading
    from .campaign import load_campaign
    from .forms import funding_choices, read_register
    from .tables import CHANNELS

    campaign = load_campaign(campaign_folder)
    folder = campaign.folder
    if not campaign.has_results:
        raise DataError(
            DataProblem(folder / "campaign.yaml", _("a 'report' section, with units and activities"))
        )
    units_path, activities_path = campaign.files[-2], campaign.files[-1]
    for path in (units_path, activities_path):
        if path.suffix.lower() != ".csv":
            raise DataError(
                DataProblem(
                    path, _("a CSV table: collect writes the tables as CSV (save this one as CSV UTF-8)")
                )
            )
    register = read_register(folder)
    if not register:
        raise DataError(
            DataProblem(folder / "forms.csv", _("the register of issued forms: run 'reportkit forms' first"))
        )
    files = find_returns(returns)
    if not files:
        raise ReturnsError(
            [
                ReturnProblem(Path(str(r)), _("a returned form (.xlsx or .ods), or a folder holding some"))
                for r in returns
            ]
        )
    channels = {reading.normalise(name): code for code, name in CHANNELS.items()}
    channels |= {reading.normalise(code): code for code in CHANNELS}
    shown = funding_choices(campaign.budget)
    funding = {reading.normalise(text): line for text, line in shown.items()}
    for line_id, content in zip(campaign.budget["line_id"], campaign.budget["content"], strict=True):
        funding.setdefault(reading.normalise(str(line_id)), str(line_id))
        funding.setdefault(reading.normalise(content), str(line_id))
    units = campaign.units.set_index("unit_id", drop=False)

    good: dict[str, list] = {}
    problems: list[ReturnProblem] = []
    for path in files:
        try:
            form = reading.read_return(path, campaign.id, register, channels, funding)
        except ReturnsError as error:
            problems += error.problems
            continue
        if form.unit_id not in units.index:
            problems.append(
                ReturnProblem(path, _("a form of a unit listed in units.csv"), found=form.unit_id)
            )
            continue
        entering = _entering(form, campaign.config.report)
        if entering:
            problems += entering
            continue
        good.setdefault(form.unit_id, []).append(form)
    deadline = campaign.config.report.deadline
    if problems and not partial:
        bad = len({p.file for p in problems})
        heading = ngettext(
            "{bad} of {total} returned form has problems; nothing was written "
            "(correct it, or use --partial to take in the others):",
            "{bad} of {total} returned forms have problems; nothing was written "
            "(correct them, or use --partial to take in the others):",
            bad,
        ).format(bad=bad, total=len(files))
        raise ReturnsError(problems, heading=heading)
    if not good:
        raise ReturnsError(problems, heading=_("no returned form could be taken in:"))
    chosen = {unit_id: _latest(forms) for unit_id, forms in good.items()}
    raw_activities = _raw(activities_path, "activity_id")
    rows, kept = _merge(campaign.activities, chosen, list(units.index), raw_activities and raw_activities[1])
    header = _header(raw_activities, ACTIVITY_COLUMNS)
    unit_rows = _units(campaign.units, chosen)
    raw_units = _raw(units_path, "unit_id")
    unit_table = [_header(raw_units, UNIT_COLUMNS)]
    for u in unit_rows.itertuples():
        typed = dict(zip(UNIT_COLUMNS, _unit_cells(u), strict=True))
        row = dict(raw_units[1][u.unit_id]) if raw_units and u.unit_id in raw_units[1] else typed
        row["reported_on"] = typed["reported_on"] if u.unit_id in chosen else row.get("reported_on", "")
        unit_table.append([row.get(c, "") for c in unit_table[0]])
    activity_table = [header, *([r.get(c, "") for c in header] for r in rows)]
    evidence = _publish(folder, chosen, activity_table, unit_table, units_path, activities_path)
    returned = tuple(
        UnitReturn(
            unit_id,
            units.at[unit_id, "name"],
            form.file,
            form.reported_on,
            len(form.activities),
            form.reported_on > deadline,
            evidence.get(unit_id, 0),
            tuple(f.file for f in good[unit_id] if f is not form),
        )
        for unit_id, form in sorted(chosen.items(), key=lambda item: list(units.index).index(item[0]))
    )
    reported = {
        unit_id: on for unit_id, on in zip(unit_rows["unit_id"], unit_rows["reported_on"], strict=True)
    }
    targets = campaign.units[campaign.units["target"]]
    not_returned = tuple(
        (u, n) for u, n in zip(targets["unit_id"], targets["name"], strict=True) if pd.isna(reported[u])
    )
    return Collected(folder, deadline, returned, not_returned, tuple(problems), len(rows), kept, written=True)


def _entering(form, report) -> list[ReturnProblem]:
    """What a build would meet later in ``form``, refused where it enters: an activity dated
    before the campaign's window opens or after the report is due (activities after the
    window are counted apart by the report), evidence that is not the photo or video its
    name says (decoded as the report will; see :func:`reportkit.media.check_evidence`)."""
    from .forms import FORM_SHEET, HEADERS
    from .media import check_evidence

    problems = []
    window, due = report.window, max(report.deadline, report.window.end)
    span = _(
        "a date from {start} to {due}, when the report is due (the campaign's window is {start} to {end})"
    )
    expected = span.format(start=format_date(window.start), end=format_date(window.end), due=format_date(due))
    for a in form.activities:
        if not window.start <= a.date <= due:
            problems.append(
                ReturnProblem(form.file, expected, a.row, HEADERS[0], format_date(a.date), sheet=FORM_SHEET)
            )
    for a in {a.evidence_file: a for a in reversed(form.activities) if a.evidence_file}.values():
        try:
            check_evidence(a.evidence_file, decode=True)
        except MediaError as error:
            found = f"{a.evidence_file.name}: {error.found}" if error.found else a.evidence_file.name
            problems.append(
                ReturnProblem(form.file, error.expected, a.row, HEADERS[6], found, sheet=FORM_SHEET)
            )
    return problems


def _latest(forms: list):
    """Of the forms one unit sent, the one it reported last (then the newest file)."""
    return max(forms, key=lambda f: (f.reported_on, f.file.stat().st_mtime, str(f.file)))


def _ids(existing: Iterable[str]) -> tuple[str, int, int]:
    """(prefix, digits, next number) for new activity ids, following the existing ones (HD053)."""
    parsed = [m for m in (re.fullmatch(r"(.*?)(\d+)", i) for i in existing) if m]
    if not parsed:
        return "HD", 3, 1
    prefix = Counter(m[1] for m in parsed).most_common(1)[0][0]
    same = [m for m in parsed if m[1] == prefix]
    return prefix, max(len(m[2]) for m in same), max(int(m[2]) for m in same) + 1


def _raw(path: Path, key: str) -> tuple[list[str], dict[str, dict[str, str]]] | None:
    """The header and the rows (by ``key``) of a CSV as its cells are written, if plain UTF-8.

    Rows that are not replaced are written back as they were; a table in another encoding
    or shape is written from its checked values instead.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    # The cells' text, as reportkit reads it: written again, each is neutralised again.
    rows = [{name: _restored(cell) for name, cell in row.items()} for row in reader]
    header = list(reader.fieldnames or [])
    if key not in header or any(None in row or None in row.values() for row in rows):
        return None
    return header, {row[key].strip(): row for row in rows}


def _restored(cell):
    return restore(cell) if isinstance(cell, str) else cell  # None or a list: a malformed row


def _merge(
    activities, chosen: dict, unit_order: list[str], raw: dict[str, dict[str, str]] | None
) -> tuple[list[dict[str, str]], int]:
    """The new activities table as text rows, and how many rows were kept unchanged."""
    prefix, digits, number = _ids(activities["activity_id"])
    earlier = activities.groupby("unit_id", sort=False)["activity_id"].agg(list).to_dict()
    taken = set(activities["activity_id"])

    def new_id() -> str:
        nonlocal number
        while f"{prefix}{number:0{digits}d}" in taken:
            number += 1
        taken.add(f"{prefix}{number:0{digits}d}")
        return f"{prefix}{number:0{digits}d}"

    def returned(unit_id: str) -> list[dict[str, str]]:
        ids = earlier.get(unit_id, [])
        rows = []
        for index, a in enumerate(chosen[unit_id].activities):
            evidence = f"evidence/{unit_id}/{a.evidence_file.name}" if a.evidence_file else a.evidence
            rows.append(
                _row(
                    ids[index] if index < len(ids) else new_id(),
                    unit_id,
                    a.date,
                    a.channel,
                    a.quantity,
                    a.reach,
                    a.cost_vnd,
                    a.budget_line_id,
                    evidence,
                    a.note,
                )
            )
        return rows

    rows: list[dict[str, str]] = []
    done: set[str] = set()
    kept = 0
    for a in activities.itertuples():
        if a.unit_id in chosen:
            if a.unit_id not in done:
                rows += returned(a.unit_id)
                done.add(a.unit_id)
            continue
        if raw is not None and a.activity_id in raw:
            rows.append(raw[a.activity_id])  # as it was, cell for cell
        else:
            rows.append(
                _row(
                    a.activity_id,
                    a.unit_id,
                    a.date.date(),
                    a.channel,
                    a.quantity,
                    a.reach,
                    a.cost_vnd,
                    a.budget_line_id,
                    a.evidence,
                    a.note,
                )
            )
        kept += 1
    for unit_id in unit_order:
        if unit_id in chosen and unit_id not in done:
            rows += returned(unit_id)
    return rows, kept


def _row(activity_id, unit_id, date, channel, quantity, reach, cost, line, evidence, note) -> dict[str, str]:
    # Empty reach and cost mean 0 (data/README.md); they stay empty, as a person leaves them.
    return dict(
        zip(
            ACTIVITY_COLUMNS,
            (
                activity_id,
                unit_id,
                date.isoformat(),
                channel,
                format_vnd(int(quantity)),  # 1.200, as the sample and data/README.md write it
                format_vnd(int(reach)) if reach else "",
                format_vnd(int(cost)) if cost else "",
                line,
                evidence,
                note,
            ),
            strict=True,
        )
    )


def _header(raw, columns: Sequence[str]) -> list[str]:
    """The table's own header (its order, its extra columns), with any documented column it lacks."""
    header = list(raw[0]) if raw else []
    return header + [c for c in columns if c not in header]


def _unit_cells(u) -> tuple[str, ...]:
    import pandas as pd

    reported = "" if pd.isna(u.reported_on) else u.reported_on.date().isoformat()
    return (u.unit_id, u.name, u.kind, u.district, "true" if u.target else "false", reported)


def _units(units, chosen: dict):
    updated = units.copy()
    for unit_id, form in chosen.items():
        updated.loc[updated["unit_id"] == unit_id, "reported_on"] = dt.datetime.combine(
            form.reported_on, dt.time()
        )
    return updated


def _csv(rows: Sequence[Sequence[str]], schema: tables.Schema) -> bytes:
    """A table for people to open in Excel: CRLF, as Excel writes CSV and as the sample is,
    and no text cell that Excel would run as a formula (:func:`reportkit.text.neutralise`)."""
    kinds = {c.name: c.kind for c in schema.columns}
    numbers = [index for index, name in enumerate(rows[0]) if kinds.get(name) in ("count", "money")]
    return csv_text(rows, numbers=numbers).encode("utf-8")


def _publish(
    folder: Path, chosen: dict, activity_table, unit_table, units_path: Path, activities_path: Path
) -> dict[str, int]:
    """Stage the tables and evidence in the campaign folder, then move them into place."""
    staging = Path(tempfile.mkdtemp(dir=folder, prefix=".collect-"))
    try:
        moves: list[tuple[Path, Path]] = []
        copied: dict[str, int] = {}
        for unit_id, form in chosen.items():
            for name, source in {
                a.evidence_file.name: a.evidence_file for a in form.activities if a.evidence_file
            }.items():
                staged = staging / "evidence" / unit_id / name
                staged.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, staged)
                moves.append((staged, folder / "evidence" / unit_id / name))
                copied[unit_id] = copied.get(unit_id, 0) + 1
        (staging / "units.csv").write_bytes(_csv(unit_table, tables.UNITS))
        (staging / "activities.csv").write_bytes(_csv(activity_table, tables.ACTIVITIES))
        for staged, target in moves:
            target.parent.mkdir(parents=True, exist_ok=True)
            fsio.replace(staged, target)
        fsio.replace(staging / "units.csv", units_path)
        fsio.replace(staging / "activities.csv", activities_path)
        return copied
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def summary_lines(result: Collected) -> list[str]:
    """What a person reads after a collect: who returned, who is late, who has not, problems."""
    from . import vn

    lines = []
    late = [r for r in result.returned if r.late]
    lines.append(
        ngettext(
            "{n} form taken in ({late} late: after {deadline}):",
            "{n} forms taken in ({late} late: after {deadline}):",
            len(result.returned),
        ).format(n=len(result.returned), late=len(late), deadline=vn.format_date(result.deadline))
    )
    for r in result.returned:
        state = _("late") if r.late else _("on time")
        lines.append(
            "  "
            + _(
                "{unit} ({unit_id}): reported {date}, {state}; activities: {n}, evidence files: "
                "{evidence}; from {file}"
            ).format(
                unit=r.name,
                unit_id=r.unit_id,
                date=vn.format_date(r.reported_on),
                state=state,
                n=r.activities,
                evidence=r.evidence,
                file=r.file,
            )
        )
        for other in r.superseded:
            lines.append(
                "    " + _("another copy, not used (reported earlier or older): {file}").format(file=other)
            )
    lines.append(
        ngettext(
            "{n} target unit has not reported yet:",
            "{n} target units have not reported yet:",
            len(result.not_returned),
        ).format(n=len(result.not_returned))
    )
    lines += [f"  {name} ({unit_id})" for unit_id, name in result.not_returned]
    if result.refused:
        lines.append(
            ngettext(
                "{n} form was refused and not taken in; correct it and collect it again:",
                "{n} forms were refused and not taken in; correct them and collect them again:",
                len(result.refused_files),
            ).format(n=len(result.refused_files))
        )
        lines += [f"  {problem}" for problem in result.refused]
    lines.append(
        _("{file}: activities: {total}, of which {kept} kept from units that sent no form now").format(
            file=result.campaign / "activities.csv",
            total=result.activities_total,
            kept=result.activities_kept,
        )
    )
    return lines
