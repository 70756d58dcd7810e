"""Make the sample campaign's illustrative returned forms from its own activities.csv.

    .venv/bin/python tools/make_sample_returns.py [CAMPAIGN] [--forms DIR] [--returns DIR]

Every target unit with a ``reported_on`` gets its form back, filled the way people fill
them: dates as real dates or as text (17/5/2021, 17/05/2021, 2021-05-17), numbers as 1200,
"1.200" or "1 200", channel names in other capitals or with extra spaces, an empty row
between two activities, its photos beside the form in a folder of its own (as they came by
email). One form is renamed and one is resaved by LibreOffice as .ods (``soffice``
headless). ``reportkit collect CAMPAIGN CAMPAIGN/returns`` rebuilds the activities from
them. The forms are issued first with ``reportkit forms`` (which keeps the tokens already
in the campaign's forms.csv).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from openpyxl import load_workbook  # noqa: E402

from reportkit.campaign import load_campaign  # noqa: E402
from reportkit.forms import FORM_SHEET, HEADER_ROW, OWN_FUNDS, funding_choices, issue_forms  # noqa: E402
from reportkit.tables import CHANNELS  # noqa: E402

SAMPLE = ROOT / "data" / "campaigns" / "wtisd-2021-phu-yen"
#: The unit whose form is sent back renamed, and the one resaved by LibreOffice as .ods.
RENAMED = {"dtth-tuy-an": "Bao cao ket qua WTISD 2021 - Dai TT-TH Tuy An (gui lai).xlsx"}
AS_ODS = "pvhtt-song-cau"
README = """# Returned forms (illustrative)

**Illustrative**, like the sample's units and activities: these are not forms that Phú Yên's
units returned in 2021. `tools/make_sample_returns.py` made them from the sample's own
`activities.csv`, filled the way people fill forms (dates as text or as dates, `1.200` and
`1 200`, names in other capitals, an empty row, a renamed file, one form resaved by
LibreOffice as `.ods`), one folder per unit with its photos, as the emails brought them.

```sh
cp -r data/campaigns/wtisd-2021-phu-yen /tmp/c
.venv/bin/reportkit collect /tmp/c /tmp/c/returns
```

rebuilds the sample's activities and the units' `reported_on` from them.
"""


def _number(value: int, k: int):
    if value < 1000 or k % 3 == 0:
        return value
    grouped = f"{value:,}"
    return grouped.replace(",", ".") if k % 3 == 1 else grouped.replace(",", " ")


def _date(day: dt.date, k: int):
    return [
        dt.datetime.combine(day, dt.time()),
        f"{day.day}/{day.month}/{day.year}",
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        day.isoformat(),
    ][k % 4]


def _channel(code: str, k: int) -> str:
    name = CHANNELS[code]
    return [name, name.upper(), "  " + name.lower().replace(" ", "  ")][k % 3]


def fill(form: Path, target: Path, unit_id: str, reported_on: dt.date, activities, sources, k: int) -> int:
    """Fill ``form`` with the unit's activities into ``target``; ``k`` varies the typing."""
    workbook = load_workbook(form)
    sheet = workbook[FORM_SHEET]
    sheet["B3"] = dt.datetime.combine(reported_on, dt.time()) if k % 2 else reported_on.strftime("%d/%m/%Y")
    row = HEADER_ROW + 1
    for index, a in enumerate(activities.itertuples()):
        if index == 1 and k % 5 == 0:
            row += 1  # an empty row between two activities
        source = sources.get(a.budget_line_id, "") if a.budget_line_id else (OWN_FUNDS if a.cost_vnd else "")
        if source and k % 4 == 1:
            source = source.upper()
        values = [
            _date(a.date.date(), k),
            _channel(a.channel, k),
            _number(int(a.quantity), k),
            _number(int(a.reach), k) if a.reach else None,
            _number(int(a.cost_vnd), k) if a.cost_vnd else None,
            source or None,
            Path(a.evidence).name if a.evidence else None,
            a.note or None,
        ]
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, value)
        row += 1
        k += 1
    target.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(target)
    return k


def to_ods(path: Path) -> Path:
    """Resave ``path`` with LibreOffice as .ods, as a unit using LibreOffice would."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "ods",
                "--outdir",
                str(path.parent),
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    path.unlink()
    return path.with_suffix(".ods")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("campaign", nargs="?", type=Path, default=SAMPLE)
    parser.add_argument("--returns", type=Path, help="where to write them (default: CAMPAIGN/returns)")
    args = parser.parse_args(argv)
    campaign = load_campaign(args.campaign)
    returns = args.returns or campaign.folder / "returns"
    with tempfile.TemporaryDirectory() as out:
        forms = issue_forms(campaign.folder, out).folder
        if returns.exists():
            shutil.rmtree(returns)
        returns.mkdir(parents=True)
        sources = {line: text for text, line in funding_choices(campaign.budget).items() if line}
        k = 0
        units = campaign.units[campaign.units["target"] & campaign.units["reported_on"].notna()]
        for unit in units.itertuples():
            mine = campaign.activities[campaign.activities["unit_id"] == unit.unit_id]
            folder = returns / unit.unit_id
            target = folder / RENAMED.get(unit.unit_id, f"{unit.unit_id}.xlsx")
            k = fill(
                forms / f"{unit.unit_id}.xlsx",
                target,
                unit.unit_id,
                unit.reported_on.date(),
                mine,
                sources,
                k,
            )
            for evidence in mine["evidence"]:
                if evidence and "://" not in evidence:
                    shutil.copyfile(campaign.folder / evidence, folder / Path(evidence).name)
            if unit.unit_id == AS_ODS:
                to_ods(target)
    (returns / "README.md").write_text(README, encoding="utf-8")
    print(f"{returns}: {len(units)} returned forms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
