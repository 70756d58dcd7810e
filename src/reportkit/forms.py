"""The form each unit fills with its results: one Excel workbook per target unit.

``reportkit forms CAMPAIGN`` writes ``<out>/<campaign id>/forms/<unit_id>.xlsx``. Each
workbook, entirely in Vietnamese, has

- ``Hướng dẫn``: what to fill, by when (the report's deadline), where to send it and what
  counts as evidence;
- ``Hoạt động``: the unit's name above the table, the ``Ngày báo cáo`` cell, the header row
  :data:`HEADERS` and a few hundred formatted empty rows with drop-downs and checks;
- ``Danh mục``: the lists the drop-downs offer (channels, sources of funds);
- a very hidden, protected sheet holding the campaign id, the unit id and the unit's token.

The tokens are random, one per unit, and recorded in the campaign folder in
:data:`REGISTER` when forms are issued. ``reportkit collect`` accepts a form only if its
token is the one issued to the unit it names, so a form whose hidden unit id was edited to
another unit's is refused, whatever the file is called.
"""

from __future__ import annotations

import csv
import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import fsio, locking
from .i18n import _
from .text import csv_text, restore

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from .campaign import Campaign

__all__ = [
    "HEADERS",
    "OWN_FUNDS",
    "REGISTER",
    "FormsIssued",
    "funding_choices",
    "issue_forms",
    "read_register",
]

GUIDE_SHEET = "Hướng dẫn"
FORM_SHEET = "Hoạt động"
LISTS_SHEET = "Danh mục"
META_SHEET = "reportkit"
#: The activities table's header row, exactly, in this order.
HEADERS = (
    "Ngày",
    "Hình thức",
    "Số lượng",
    "Lượt người tiếp cận",
    "Kinh phí (đồng)",
    "Nguồn kinh phí",
    "Minh chứng",
    "Ghi chú",
)
REPORTED_ON_LABEL = "Ngày báo cáo"
#: Activities paid by the unit itself, not from a line of the plan's budget.
OWN_FUNDS = "Kinh phí của đơn vị"
#: The register of issued forms, in the campaign folder: unit_id, token, issued_on.
REGISTER = "forms.csv"
FORM_VERSION = "1"
HEADER_ROW = 5
EMPTY_ROWS = 300
#: Whole numbers with "." between thousands whatever the spreadsheet's locale (Excel and
#: LibreOffice would otherwise show "," in an English locale); up to 999.999.999 grouped.
NUMBER_FORMAT = r"[>=1000000]#\.###\.##0;[>=1000]#\.##0;0"
DATE_FORMAT = "dd/mm/yyyy"
WIDTHS = (13, 30, 10, 13, 16, 34, 26, 30)
FONT = "Times New Roman"


@dataclass(frozen=True)
class FormsIssued:
    """What :func:`issue_forms` wrote: the forms, the folder they are in and the register."""

    folder: Path
    forms: tuple[Path, ...]
    register: Path
    new_tokens: int


def funding_choices(budget) -> dict[str, str]:
    """The ``Nguồn kinh phí`` drop-down: text shown → budget ``line_id`` (``""`` for own funds).

    A line is offered by its content; two lines with the same content are told apart by
    their number (``1. Băng rôn``).
    """
    contents = list(budget["content"])
    choices = {}
    for line_id, content in zip(budget["line_id"], contents, strict=True):
        shown = content if contents.count(content) == 1 else f"{line_id}. {content}"
        choices[shown] = str(line_id)
    choices[OWN_FUNDS] = ""
    return choices


def read_register(folder: Path) -> dict[str, str]:
    """``unit_id → token`` of the forms issued for the campaign in ``folder`` (empty if none)."""
    path = folder / REGISTER
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {restore(row["unit_id"]): restore(row["token"]) for row in csv.DictReader(handle)}


def issue_forms(campaign_folder: str | Path, out: str | Path = "outputs") -> FormsIssued:
    """Write one form per target unit into ``<out>/<campaign id>/forms/``.

    Units that already have a token in the register keep it, so forms issued earlier stay
    valid; new units get a new one.

    Raises
    ------
    DataError
        The campaign does not load, or has no report section or units table.
    LockError
        Another command kept the campaign or the forms' folder for longer than the lock's timeout.
    """
    with locking.writing(campaign_folder):  # its register, forms.csv, is read and rewritten
        return _issue(campaign_folder, out)


def _issue(campaign_folder: str | Path, out: str | Path) -> FormsIssued:
    from openpyxl import Workbook  # heavy: only when forms are made

    from .campaign import load_campaign
    from .exceptions import DataError, DataProblem

    campaign = load_campaign(campaign_folder)
    if not campaign.has_results:
        raise DataError(
            DataProblem(
                campaign.folder / "campaign.yaml",
                _("a 'report' section and a units table: forms are made for the units of the report"),
            )
        )
    units = campaign.units[campaign.units["target"]]
    tokens = read_register(campaign.folder)
    new_tokens = 0
    issued = {}
    today = dt.date.today().isoformat()
    for unit_id in units["unit_id"]:
        if unit_id not in tokens:
            tokens[unit_id] = secrets.token_urlsafe(18)
            issued[unit_id] = today
            new_tokens += 1
    folder = Path(out) / campaign.id / "forms"
    written = []
    with locking.writing(folder.parent, output=True):  # the campaign's output folder, as a build's
        for unit in units.itertuples():
            workbook = Workbook()
            _fill_form(workbook, campaign, unit.unit_id, unit.name, tokens[unit.unit_id])
            written.append(_save(workbook, folder / f"{unit.unit_id}.xlsx"))
    register = _write_register(campaign.folder, tokens, issued)
    return FormsIssued(folder, tuple(written), register, new_tokens)


def _save(workbook, path: Path) -> Path:
    """Save through a temporary file beside ``path``, so a form is never half-written."""
    with fsio.atomic_path(path) as temporary:
        workbook.save(temporary)
    return path


def _write_register(folder: Path, tokens: dict[str, str], issued: dict[str, str]) -> Path:
    path = folder / REGISTER
    earlier = {}
    if path.is_file():
        with path.open(encoding="utf-8", newline="") as handle:
            earlier = {restore(row["unit_id"]): row.get("issued_on", "") for row in csv.DictReader(handle)}
    rows = [
        [unit_id, token, issued.get(unit_id) or earlier.get(unit_id, "")] for unit_id, token in tokens.items()
    ]
    text = csv_text([["unit_id", "token", "issued_on"], *rows], line_end="\n")
    return fsio.write_bytes(path, text.encode("utf-8"))


def _fill_form(workbook, campaign: Campaign, unit_id: str, unit_name: str, token: str) -> None:
    from openpyxl.workbook.protection import WorkbookProtection

    guide = workbook.active
    guide.title = GUIDE_SHEET
    form = workbook.create_sheet(FORM_SHEET)
    lists = workbook.create_sheet(LISTS_SHEET)
    meta = workbook.create_sheet(META_SHEET)
    channels, funding = _write_lists(lists, campaign)
    _write_guide(guide, campaign, unit_name)
    _write_table(form, campaign, unit_name, channels, funding)
    for key, value in (
        ("campaign", campaign.id),
        ("unit", unit_id),
        ("token", token),
        ("version", FORM_VERSION),
    ):
        meta.append([key, value])
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    # Sheets cannot be added, removed, renamed or unhidden by mistake.
    workbook.security = WorkbookProtection(lockStructure=True)
    workbook.active = workbook.index(form)
    workbook.properties.title = f"Phiếu báo cáo kết quả - {unit_name}"
    workbook.properties.creator = campaign.config.agency.name


def _write_lists(lists: Worksheet, campaign: Campaign) -> tuple[str, str]:
    """The drop-downs' choices; returns the two ranges as data validation formulas."""
    from openpyxl.styles import Font

    from .tables import CHANNELS

    funding = list(funding_choices(campaign.budget))
    lists.append(["Hình thức", "Nguồn kinh phí"])
    for row in range(max(len(CHANNELS), len(funding))):
        channel = list(CHANNELS.values())[row] if row < len(CHANNELS) else None
        lists.append([channel, funding[row] if row < len(funding) else None])
    for cell in lists[1]:
        cell.font = Font(name=FONT, bold=True)
    lists.column_dimensions["A"].width = 40
    lists.column_dimensions["B"].width = 70
    lists.protection.sheet = True
    name = f"'{LISTS_SHEET}'"
    return (
        f"{name}!$A$2:$A${len(CHANNELS) + 1}",
        f"{name}!$B$2:$B${len(funding) + 1}",
    )


def _write_guide(guide: Worksheet, campaign: Campaign, unit_name: str) -> None:
    from openpyxl.styles import Alignment, Font

    from . import vn

    config = campaign.config
    deadline = vn.format_date(config.report.deadline)
    window = f"{vn.short_date(config.report.window.start)} đến {vn.short_date(config.report.window.end)}"
    lines = [
        (f"PHIẾU BÁO CÁO KẾT QUẢ TUYÊN TRUYỀN {config.event.upper()} NĂM {config.year}", True),
        (f"Đơn vị: {unit_name}", True),
        ("", False),
        ("Cách điền", True),
        (
            f"1. Ở trang tính “{FORM_SHEET}”, ghi mỗi hoạt động của đơn vị một dòng, từ dòng "
            f"{HEADER_ROW + 1}, các hoạt động từ {window}; ghi ngày gửi phiếu vào ô “{REPORTED_ON_LABEL}”.",
            False,
        ),
        (
            f"2. Ngày: ngày thực hiện hoạt động, dạng ngày/tháng/năm, ví dụ {_example_date(config)}.",
            False,
        ),
        ("3. Hình thức: chọn trong danh sách (băng rôn, pa-nô, phát thanh, truyền hình...).", False),
        (
            "4. Số lượng: số băng rôn, tin bài, lượt phát sóng...; Lượt người tiếp cận: số người "
            "ước tính được tiếp cận, để trống nếu không rõ. Ghi số nguyên, ví dụ 1.200.",
            False,
        ),
        (
            "5. Kinh phí (đồng): số tiền đã chi, không ghi chữ “đồng”, ví dụ 1.500.000; để trống nếu "
            f"không chi. Nguồn kinh phí: chọn dòng kinh phí của Kế hoạch, hoặc “{OWN_FUNDS}” "
            "nếu đơn vị tự chi.",
            False,
        ),
        (
            "6. Minh chứng: tên tệp ảnh (.jpg, .png) hoặc video (.mp4, .mov) gửi kèm phiếu này trong "
            "cùng thư, ví dụ bang-ron.jpg; hoặc đường dẫn bài viết (https://...). Mỗi hoạt động "
            "một minh chứng.",
            False,
        ),
        ("", False),
        ("Thời hạn và nơi gửi", True),
        (
            f"Gửi phiếu chậm nhất ngày {deadline} về {config.agency.name} tỉnh {config.agency.place}, "
            "kèm ảnh, video minh chứng.",
            False,
        ),
        (
            "Lưu phiếu dạng .xlsx (Excel) hoặc .ods (LibreOffice); có thể đổi tên tệp, nhưng không "
            "xóa, đổi tên các trang tính. Tệp có macro (.xlsm) không được tiếp nhận.",
            False,
        ),
    ]
    for text, bold in lines:
        guide.append([text])
        cell = guide.cell(guide.max_row, 1)
        cell.font = Font(name=FONT, size=13 if bold else 12, bold=bold)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        # Spreadsheets do not grow a row for wrapped text they did not lay out themselves.
        guide.row_dimensions[guide.max_row].height = 17 * max(1, -(-len(text) // 85))
    guide.column_dimensions["A"].width = 95
    guide.page_setup.fitToWidth = 1
    guide.page_setup.fitToHeight = 0
    guide.sheet_properties.pageSetUpPr.fitToPage = True
    guide.sheet_view.showGridLines = False
    guide.page_setup.orientation = "landscape"
    guide.page_setup.paperSize = guide.PAPERSIZE_A4


def _write_table(form: Worksheet, campaign: Campaign, unit_name: str, channels: str, funding: str) -> None:
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
    from openpyxl.utils import get_column_letter

    config = campaign.config
    last = get_column_letter(len(HEADERS))
    form["A1"] = f"KẾT QUẢ TUYÊN TRUYỀN {config.event.upper()} NĂM {config.year}"
    form["A1"].font = Font(name=FONT, size=14, bold=True)
    form.merge_cells(f"A1:{last}1")
    form["A2"] = f"Đơn vị: {unit_name}"
    form["A2"].font = Font(name=FONT, size=13, bold=True)
    form.merge_cells(f"A2:{last}2")
    form["A3"] = REPORTED_ON_LABEL
    form["A3"].font = Font(name=FONT, size=12, bold=True)
    reported = form["B3"]
    reported.number_format = DATE_FORMAT
    reported.font = Font(name=FONT, size=12)
    reported.alignment = Alignment(horizontal="left")
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    reported.border = box
    reported.fill = PatternFill("solid", fgColor="FFF8DC")
    for column, header in enumerate(HEADERS, start=1):
        cell = form.cell(HEADER_ROW, column, header)
        cell.font = Font(name=FONT, size=12, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = box
        cell.fill = PatternFill("solid", fgColor="D9E2F3")
        form.column_dimensions[get_column_letter(column)].width = WIDTHS[column - 1]
    form.row_dimensions[HEADER_ROW].height = 34
    first, end = HEADER_ROW + 1, HEADER_ROW + EMPTY_ROWS
    # One named style per kind of column, set by name: styling cells one attribute at a time
    # takes openpyxl a second and a half per form.
    kinds = {
        "rk-ngay": (DATE_FORMAT, False),
        "rk-so": (NUMBER_FORMAT, False),
        "rk-chu": ("@", False),  # text stays text: 1/5 typed in a note is not made a date
        "rk-chu-dai": ("@", True),
    }
    for name, (number_format, wrap) in kinds.items():
        form.parent.add_named_style(
            NamedStyle(
                name=name,
                font=Font(name=FONT, size=12),
                border=box,
                number_format=number_format,
                alignment=Alignment(wrap_text=wrap, vertical="top"),
            )
        )
    styles = ("rk-ngay", "rk-chu", "rk-so", "rk-so", "rk-so", "rk-chu-dai", "rk-chu-dai", "rk-chu-dai")
    for row in form.iter_rows(min_row=first, max_row=end, max_col=len(HEADERS)):
        for cell, style in zip(row, styles, strict=True):
            cell.style = style
    _add_validation(form, config, channels, funding, first, end)
    form.freeze_panes = form.cell(first, 1)
    form.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    form.print_area = f"A1:{last}{end}"
    form.page_setup.orientation = "landscape"
    form.page_setup.paperSize = form.PAPERSIZE_A4
    form.page_setup.fitToWidth = 1
    form.page_setup.fitToHeight = 0
    form.sheet_properties.pageSetUpPr.fitToPage = True
    form.print_options.horizontalCentered = True


def _example_date(config) -> str:
    """The event's own day as a unit writes a date: ``10/10/2022``, ``17/5/2021``."""
    day = config.event_date
    return f"{day.day}/{day.month}/{day.year}"


def _add_validation(form: Worksheet, config, channels: str, funding: str, first: int, end: int) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    year = config.year

    def checked(kind: str, title: str, message: str, **options) -> DataValidation:
        rule = DataValidation(
            type=kind, allow_blank=True, showErrorMessage=True, showInputMessage=True, **options
        )
        rule.errorTitle, rule.error, rule.promptTitle, rule.prompt = title, message, title, message
        form.add_data_validation(rule)
        return rule

    date_rule = checked(
        "date",
        "Ngày",
        f"Một ngày dạng ngày/tháng/năm, ví dụ {_example_date(config)}.",
        operator="between",
        formula1=f"DATE({year - 1},1,1)",
        formula2=f"DATE({year + 1},12,31)",
    )
    date_rule.add(f"A{first}:A{end}")
    date_rule.add("B3")
    checked("list", "Hình thức", "Chọn một hình thức trong danh sách.", formula1=channels).add(
        f"B{first}:B{end}"
    )
    number = checked(
        "whole",
        "Số nguyên",
        "Một số nguyên từ 0 trở lên, ví dụ 1200 (hiện 1.200).",
        operator="greaterThanOrEqual",
        formula1="0",
    )
    number.add(f"C{first}:E{end}")
    checked(
        "list", "Nguồn kinh phí", f"Chọn dòng kinh phí của Kế hoạch, hoặc “{OWN_FUNDS}”.", formula1=funding
    ).add(f"F{first}:F{end}")
