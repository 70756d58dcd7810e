"""Read one returned form, safely: it comes from outside the department.

Before any spreadsheet library parses a file, :func:`check_package` looks at it as a zip
archive: its size, the number of entries, their declared unpacked sizes and compression
ratios (a zip bomb), macros (``vbaProject.bin``, a macro-enabled content type, an ODS
``Basic/`` or ``Scripts/`` folder) and encryption. Python's ``zipfile`` never inflates an
entry past its declared size, so the declared sizes bound what is read. Then the workbook
is streamed: ``.xlsx`` with openpyxl in read-only mode with ``data_only=True`` (formulas
are read as the values the user saw, never evaluated; with ``defusedxml`` installed
openpyxl refuses XML entity tricks), ``.ods`` with :mod:`reportkit.ods`. Reading stops at
:data:`MAX_ROWS` rows.

:func:`read_return` then checks the hidden identity sheet against the campaign and the
register of issued forms, and every cell of the activities table, collecting every
problem with its file, sheet, row as Excel shows it, and column header.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .exceptions import ReturnProblem, ReturnsError
from .forms import FORM_SHEET, HEADERS, META_SHEET, OWN_FUNDS, REPORTED_ON_LABEL
from .i18n import N_, _
from .media import PHOTO_SUFFIXES, VIDEO_SUFFIXES
from .text import clean

__all__ = [
    "EVIDENCE_TYPES",
    "MAX_BYTES",
    "MAX_ROWS",
    "Return",
    "ReturnedActivity",
    "check_package",
    "read_return",
]

MAX_BYTES = 20 * 1024 * 1024
MAX_ENTRIES = 500
MAX_UNPACKED = 100 * 1024 * 1024
#: Larger entries must not unpack to more than this many times their packed size.
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
MAX_ROWS = 5_000
#: Parts of an .xlsx that openpyxl reads whole into memory (shared strings, styles).
MAX_LOADED_PART = 5 * 1024 * 1024
MAX_COLUMNS = 12
#: What an activity's evidence may be when it is a file sent with the form: the photos and
#: videos the report prints (reportkit.media decides what evidence is).
EVIDENCE_TYPES = (*PHOTO_SUFFIXES, *VIDEO_SUFFIXES)
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlsb", ".xlam", ".ods#macro")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

_COUNT = re.compile(r"\d+|\d{1,3}(?:\.\d{3})+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+")
_DATE = (
    (re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"), (3, 2, 1)),
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?"), (1, 2, 3)),
)
_URL = re.compile(r"https?://\S+", re.IGNORECASE)

EXPECTED_DATE = N_("a date like 17/5/2021 or 2021-05-17")
EXPECTED_COUNT = N_("a whole number, 0 or more (like 1200, 1.200 or 1 200)")


@dataclass(frozen=True)
class ReturnedActivity:
    """One filled row of a form, checked and typed; ``row`` as Excel shows it."""

    row: int
    date: dt.date
    channel: str
    quantity: int
    reach: int
    cost_vnd: int
    budget_line_id: str
    evidence: str  # a URL, or the name of the file sent with the form
    evidence_file: Path | None
    note: str


@dataclass(frozen=True)
class Return:
    """A form as a unit sent it back, checked: who, when, and what it did."""

    file: Path
    unit_id: str
    reported_on: dt.date
    activities: tuple[ReturnedActivity, ...]


def _refuse(path: Path, expected: str, found: str | None = None) -> ReturnsError:
    return ReturnsError([ReturnProblem(path, expected, found=found)])


def check_package(path: Path) -> str:
    """Refuse a file that is not a plain workbook, before a parser touches it.

    Returns ``"xlsx"`` or ``"ods"``, told by the content, not by the file's name.

    Raises
    ------
    ReturnsError
        With one problem: too large, not a workbook, macros, a zip bomb, encrypted.
    """
    if not path.is_file():
        raise _refuse(path, _("a returned form here (.xlsx or .ods)"), _("nothing"))
    size = path.stat().st_size
    if size > MAX_BYTES:
        return_error = _("a form under {limit} MB; photos and videos are sent beside it, not inside it")
        raise _refuse(
            path, return_error.format(limit=MAX_BYTES // 2**20), _("{size} MB").format(size=size // 2**20)
        )
    if path.suffix.lower() in MACRO_SUFFIXES:
        raise _refuse(path, _("a workbook without macros: save it as .xlsx or .ods"), path.suffix)
    if not zipfile.is_zipfile(path):
        raise _refuse(
            path,
            _("an .xlsx or .ods workbook without a password (an old .xls must be saved as .xlsx first)"),
        )
    try:
        with zipfile.ZipFile(path) as archive:
            return _check_archive(path, archive)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _refuse(path, _("a readable .xlsx or .ods workbook"), str(error)) from None


def _check_archive(path: Path, archive: zipfile.ZipFile) -> str:
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise _refuse(path, _("a workbook of at most {n} parts").format(n=MAX_ENTRIES), str(len(entries)))
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > MAX_UNPACKED:
        raise _refuse(
            path,
            _("a workbook that unpacks to at most {limit} MB (this may be a zip bomb)").format(
                limit=MAX_UNPACKED // 2**20
            ),
            _("{size} MB").format(size=unpacked // 2**20),
        )
    for entry in entries:
        if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise _refuse(
                path,
                _("parts compressed at most {ratio} to 1 (this may be a zip bomb)").format(ratio=MAX_RATIO),
                _("{part}: {ratio} to 1").format(
                    part=entry.filename, ratio=entry.file_size // max(entry.compress_size, 1)
                ),
            )
        if entry.flag_bits & 0x1:
            raise _refuse(path, _("a workbook without a password"), entry.filename)
    names = {entry.filename for entry in entries}
    lowered = {name.lower() for name in names}
    macros = [n for n in lowered if n.endswith("vbaproject.bin") or n.startswith(("basic/", "scripts/"))]
    macros += [n for n in lowered if "activex" in n]
    if "[Content_Types].xml" in names:
        with archive.open("[Content_Types].xml") as part:
            types = part.read(RATIO_FLOOR).lower()
        if b"macroenabled" in types or b"vbaproject" in types:
            macros.append("[Content_Types].xml")
    if macros:
        raise _refuse(
            path,
            _("a workbook without macros: save it as .xlsx or .ods"),
            _("macros in {part}").format(part=macros[0]),
        )
    if "xl/workbook.xml" in names:
        _check_xlsx_parts(path, archive, entries)
        return "xlsx"
    if "mimetype" in names and "content.xml" in names:
        with archive.open("mimetype") as part:
            if part.read(100).strip() == ODS_MIMETYPE:
                return "ods"
    raise _refuse(path, _("an .xlsx or .ods workbook"), _("another kind of zip file"))


def _check_xlsx_parts(path: Path, archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    """Parts openpyxl would read whole, or scan whole, before the first row is streamed.

    Shared strings and styles are loaded into memory at once, so they are kept small. A
    worksheet without its ``<dimension>`` (Excel and LibreOffice always write one, near the
    top) makes openpyxl's read-only mode parse the whole sheet to size it.
    """
    for entry in entries:
        name = entry.filename
        if name in ("xl/sharedStrings.xml", "xl/styles.xml") and entry.file_size > MAX_LOADED_PART:
            raise _refuse(
                path,
                _("a form whose text and styles take at most {limit} MB").format(
                    limit=MAX_LOADED_PART // 2**20
                ),
                _("{part}: {size} MB").format(part=name, size=entry.file_size // 2**20),
            )
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            with archive.open(entry) as part:
                head = part.read(4096)
            if b"dimension" not in head:
                raise _refuse(
                    path,
                    _("a workbook as Excel or LibreOffice saves it"),
                    _("{part} does not say its size").format(part=name),
                )


def _sheets(path: Path, kind: str) -> Iterator[tuple[str, int, tuple[Any, ...]]]:
    """(sheet, row as Excel counts, values) of the identity sheet then the form, streamed."""
    if kind == "ods":
        from .ods import iter_rows

        yield from iter_rows(path, (META_SHEET, FORM_SHEET), MAX_COLUMNS, MAX_ROWS)
        return
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops (data validation)
        workbook = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        for name in (META_SHEET, FORM_SHEET):
            if name not in workbook.sheetnames:
                continue
            rows = workbook[name].iter_rows(max_col=MAX_COLUMNS, values_only=True)
            for number, values in enumerate(rows, start=1):
                yield name, number, tuple(values)
    finally:
        workbook.close()


def read_return(
    path: Path,
    campaign_id: str,
    register: Mapping[str, str],
    channels: Mapping[str, str],
    funding: Mapping[str, str],
) -> Return:
    """Read and check the form at ``path`` returned for campaign ``campaign_id``.

    ``register`` maps unit ids to the tokens issued; ``channels`` and ``funding`` map what a
    person may type (already normalised with :func:`normalise`) to channel codes and budget
    line ids.

    Raises
    ------
    ReturnsError
        One problem if the file is refused whole (not a form of this campaign, tampered
        with, unsafe), else every bad cell of the table.
    """
    kind = check_package(path)
    meta: dict[str, str] = {}
    table: list[tuple[int, tuple[Any, ...]]] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for sheet, number, values in _sheets(path, kind):
                if number > MAX_ROWS:
                    raise _refuse(
                        path,
                        _("a form of at most {n} rows").format(n=f"{MAX_ROWS:,}".replace(",", ".")),
                        _("more rows in sheet '{sheet}'").format(sheet=sheet),
                    )
                if sheet == META_SHEET and values and values[0] is not None:
                    meta[str(values[0]).strip()] = (
                        "" if len(values) < 2 or values[1] is None else str(values[1])
                    )
                elif sheet == FORM_SHEET:
                    table.append((number, values))
    except ReturnsError:
        raise
    except Exception as error:  # a damaged workbook: the parsers raise many kinds
        raise _refuse(path, _("a readable {kind} workbook").format(kind=f".{kind}"), str(error)) from None
    unit_id = _identify(path, meta, campaign_id, register)
    return _read_table(path, unit_id, table, channels, funding)


def _identify(path: Path, meta: Mapping[str, str], campaign_id: str, register: Mapping[str, str]) -> str:
    if "campaign" not in meta or "unit" not in meta:
        raise _refuse(
            path,
            _(
                "a form made by 'reportkit forms' (its hidden identity sheet is missing: fill the form "
                "sent to the unit rather than a copy of its table)"
            ),
        )
    if meta["campaign"] != campaign_id:
        raise _refuse(
            path,
            _("a form of campaign '{campaign}'").format(campaign=campaign_id),
            _("a form of campaign '{other}'").format(other=meta["campaign"]),
        )
    unit_id, token = meta["unit"], meta.get("token", "")
    issued = register.get(unit_id)
    if issued is None or not token or not _same(issued, token):
        raise _refuse(
            path,
            _(
                "a form as issued to its unit: its hidden identity does not match the forms issued for "
                "this campaign (forms.csv); it was altered, or issued from another campaign folder"
            ),
            _("unit '{unit}'").format(unit=unit_id),
        )
    return unit_id


def _same(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


def normalise(text: str) -> str:
    """What a person typed, compared without case, extra spaces or the keyboard's composition."""
    return " ".join(clean(text).casefold().split())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean(str(value))


def _read_table(
    path: Path,
    unit_id: str,
    table: list[tuple[int, tuple[Any, ...]]],
    channels: Mapping[str, str],
    funding: Mapping[str, str],
) -> Return:
    problems: list[ReturnProblem] = []
    wanted = [normalise(h) for h in HEADERS]
    header_at = next(
        (
            i
            for i, (_n, values) in enumerate(table[:20])
            if [normalise(_text(v)) for v in values[: len(HEADERS)]] == wanted
        ),
        None,
    )
    if header_at is None:
        raise ReturnsError(
            [
                ReturnProblem(
                    path,
                    _("a header row {headers}, as the form was sent").format(headers=", ".join(HEADERS)),
                    sheet=FORM_SHEET,
                )
            ]
        )
    reported_on, labelled = None, False
    for number, values in table[:header_at]:
        cells = [_text(v) for v in values]
        if cells and normalise(cells[0]) == normalise(REPORTED_ON_LABEL):
            labelled = True
            given = next((v for v in values[1:] if _text(v)), None)
            reported_on = _date(given)
            if reported_on is None:
                problems.append(
                    ReturnProblem(
                        path,
                        _("the day the unit reports: {date}").format(date=_(EXPECTED_DATE)),
                        sheet=FORM_SHEET,
                        row=number,
                        column=REPORTED_ON_LABEL,
                        found=_text(given) or None,
                    )
                )
    if not labelled:
        problems.append(
            ReturnProblem(
                path,
                _("a cell '{label}' above the table, as the form was sent").format(label=REPORTED_ON_LABEL),
                sheet=FORM_SHEET,
            )
        )
    activities = []
    for number, values in table[header_at + 1 :]:
        cells = (list(values) + [None] * len(HEADERS))[: len(HEADERS)]
        if all(_text(v) == "" for v in cells):
            continue  # empty rows between activities are fine
        activity, bad = _activity(path, number, cells, channels, funding)
        problems += bad
        if activity is not None:
            activities.append(activity)
    if problems:
        raise ReturnsError(problems)
    return Return(path, unit_id, reported_on, tuple(activities))


def _activity(
    path: Path, number: int, cells: list[Any], channels: Mapping[str, str], funding: Mapping[str, str]
) -> tuple[ReturnedActivity | None, list[ReturnProblem]]:
    day, channel, quantity, reach, cost, source, evidence, note = cells
    problems = []

    def problem(column: str, expected: str, found: Any) -> None:
        text = _text(found)
        problems.append(
            ReturnProblem(path, expected, sheet=FORM_SHEET, row=number, column=column, found=text or None)
        )

    date = _date(day)
    if date is None:
        problem(HEADERS[0], _(EXPECTED_DATE), day)
    code = channels.get(normalise(_text(channel)))
    if code is None:
        problem(
            HEADERS[1],
            _("one of the channels of the drop-down list (sheet '{sheet}')").format(sheet="Danh mục"),
            channel,
        )
    counts = []
    for column, value, required in ((2, quantity, True), (3, reach, False), (4, cost, False)):
        count = _count(value)
        if count is None or (required and _text(value) == ""):
            problem(HEADERS[column], _(EXPECTED_COUNT), value)
        counts.append(count or 0)
    line = funding.get(normalise(_text(source)), None) if _text(source) else ""
    if line is None:
        problem(
            HEADERS[5], _("a budget line of the drop-down list, or '{own}'").format(own=OWN_FUNDS), source
        )
    shown, file = _evidence(path, _text(evidence))
    if shown is None:
        problem(
            HEADERS[6],
            _("the name of a photo or video sent with the form ({types}), or a link https://…").format(
                types=", ".join(EVIDENCE_TYPES)
            ),
            evidence,
        )
    if _text(note).startswith(("=", "@")):
        problem(HEADERS[7], _("text that does not start with '=' or '@' (a spreadsheet would run it)"), note)
    if problems:
        return None, problems
    return (
        ReturnedActivity(number, date, code, *counts, line, shown, file, _text(note)),
        [],
    )


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for pattern, (y, m, d) in _DATE:
        match = pattern.fullmatch(text)
        if match:
            try:
                return dt.date(int(match[y]), int(match[m]), int(match[d]))
            except ValueError:
                return None
    return None


def _count(value: Any) -> int | None:
    """A whole number ≥ 0 as typed; ``0`` for an empty cell; ``None`` if it is not one."""
    if value is None or isinstance(value, bool):
        return None if isinstance(value, bool) else 0
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    text = _text(value)
    if text == "":
        return 0
    if not _COUNT.fullmatch(text):
        return None
    return int(re.sub(r"\D", "", text))


def _evidence(path: Path, text: str) -> tuple[str | None, Path | None]:
    """(what the activity records, the file to copy) for the ``Minh chứng`` cell."""
    if text == "":
        return "", None
    if _URL.fullmatch(text):
        return text, None
    folder = path.parent
    if "/" in text or "\\" in text or text.startswith(".") or Path(text).suffix.lower() not in EVIDENCE_TYPES:
        return None, None
    wanted = normalise(text)
    for candidate in folder.iterdir():  # names typed with other capitals, or another composition
        if candidate.is_file() and not candidate.is_symlink() and normalise(candidate.name) == wanted:
            return candidate.name, candidate
    return None, None
