"""``reportkit new`` on real files: the sample itself and campaign.yaml as people write it.

Only the values that belong to one year may change; every comment, quote, style, line end
and byte-order mark stays as it was.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from reportkit.campaign import load_campaign
from reportkit.exceptions import DataError, ParameterError
from reportkit.locking import LOCK_FILE
from reportkit.scaffold import edit_config, new_campaign

from .conftest import RESULTS, ROOT, SAMPLE, build_campaign, pdf_text

VARIANTS = Path(__file__).parent / "data" / "scaffold"
#: The keys whose lines ``new`` may change; all other lines stay byte for byte. The report's
#: text on results becomes placeholders to write.
EDITED = {"id", "year", "event_date", "theme", "number", "issued_on", "deadline", "start", "end", "window"}
EDITED |= {"direction", "assessment", "proposals"}


def reportkit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reportkit.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def campaign_with(tmp_path: Path, config: bytes, tables: Path = RESULTS) -> Path:
    """A campaign folder holding ``config`` as campaign.yaml, and the tables of ``tables``."""
    folder = tmp_path / "campaigns" / "results-2022"
    shutil.copytree(tables, folder)
    (folder / "campaign.yaml").write_bytes(config)
    return folder


def changed_lines(old: str, new: str) -> list[tuple[str, str]]:
    """The pairs of lines that differ; the files must have as many lines."""
    old_lines, new_lines = old.split("\n"), new.split("\n")
    assert len(old_lines) == len(new_lines), "new added or removed lines"
    return [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]


def without_results_text(config: str) -> str:
    """campaign.yaml without the report's direction, assessment and proposals (key and text)."""
    return re.sub(r"\n  (direction|assessment|proposals): [^\n]*(\n    [^\n]*)*", "", config)


def key_of(line: str) -> str:
    return re.match(r"\s*(?:- )?[\"']?([a-z_]+)[\"']?:", line)[1]


def comment_of(line: str) -> str:
    """The end-of-line comment (a ``#`` after a space, outside quotes: none hold one here)."""
    found = re.search(r"\s#.*$", line)
    return found[0].strip() if found else ""


def quote_of(line: str) -> str:
    value = line.split(":", 1)[1].strip()
    return value[0] if value[:1] in ("'", '"') else ""


@pytest.mark.parametrize("variant", ["comments", "quoted", "flow"])
@pytest.mark.parametrize(
    ("bom", "end"),
    [(False, "\n"), (True, "\n"), (False, "\r\n"), (True, "\r\n")],
    ids=["lf", "bom", "crlf", "bom-crlf"],
)
def test_only_the_years_values_change(tmp_path, variant, bom, end):
    text = (VARIANTS / f"{variant}.yaml").read_text(encoding="utf-8").replace("\n", end)
    source = campaign_with(tmp_path, ("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    made = new_campaign(source, "results-2023", 2023)

    data = (made.folder / "campaign.yaml").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") == bom
    new = data.decode("utf-8-sig")
    if end == "\r\n":
        assert new.count("\r\n") == new.count("\n"), "a line lost its Windows line end"
    else:
        assert "\r" not in new
    for old_line, new_line in changed_lines(text, new):
        assert key_of(old_line) == key_of(new_line) and key_of(old_line) in EDITED, (old_line, new_line)
        assert comment_of(new_line) == (comment_of(old_line) or comment_of(new_line)), (old_line, new_line)
        if key_of(old_line) not in ("direction", "assessment", "proposals"):  # "[[…]]" needs quotes
            assert quote_of(new_line) == quote_of(old_line), (old_line, new_line)

    config = yaml.safe_load(new)
    assert config["report"]["assessment"] == "[[Viết đánh giá kết quả của đợt này]]"
    assert (config["id"], str(config["year"]), str(config["event_date"])) == (
        "results-2023",
        "2023",
        "2023-05-17",
    )
    assert config["plan"]["number"] is None and config["report"].get("number") is None
    assert (config["plan"]["issued_on"], config["report"]["issued_on"]) == ("2023-01", "2023-06")
    report = config["report"]
    assert [str(report["deadline"]), str(report["window"]["start"]), str(report["window"]["end"])] == [
        "2023-06-04",
        "2023-05-01",
        "2023-05-31",
    ]
    assert load_campaign(made.folder).config.plan.summary == load_campaign(source).config.plan.summary


def test_the_comments_stay_where_they_were(tmp_path):
    text = (VARIANTS / "comments.yaml").read_text(encoding="utf-8")
    made = new_campaign(campaign_with(tmp_path, text.encode()), "results-2023", 2023)
    new = (made.folder / "campaign.yaml").read_text(encoding="utf-8")
    assert [comment_of(line) for line in new.splitlines()] == [comment_of(line) for line in text.splitlines()]
    assert "  number:   # registered on 5/1\n" in new  # the value gone, its comment in its column
    assert "  number:      # written when the report is registered\n" in new
    assert "  issued_on: 2023-01      # signed on that day\n" in new


@pytest.mark.parametrize("start", ["---\n", "# Kế hoạch năm 2022\n\n--- # the only document\n"])
def test_a_document_start_and_the_comments_above_it_stay(tmp_path, start):
    text = start + (VARIANTS / "comments.yaml").read_text(encoding="utf-8")
    made = new_campaign(campaign_with(tmp_path, text.encode()), "results-2023", 2023)
    new = (made.folder / "campaign.yaml").read_text(encoding="utf-8")
    plain = edit_config(
        (VARIANTS / "comments.yaml").read_bytes(), Path("campaign.yaml"), "results-2023", 2023, 2022
    )
    assert new == start + plain.decode("utf-8")  # the same edit as without them


def test_a_number_without_a_comment_gets_one_saying_why_it_is_empty(tmp_path):
    made = new_campaign(campaign_with(tmp_path, (VARIANTS / "flow.yaml").read_bytes()), "results-2023", 2023)
    new = (made.folder / "campaign.yaml").read_text(encoding="utf-8")
    assert re.search(r"^    number: +# written when it is registered$", new, re.M)


def test_a_new_theme_takes_the_old_ones_quoting(tmp_path):
    for variant, line in (("comments", "theme: Chủ đề: mới"), ("quoted", 'theme: "Chủ đề: mới"')):
        source = campaign_with(tmp_path / variant, (VARIANTS / f"{variant}.yaml").read_bytes())
        made = new_campaign(source, "results-2023", 2023, theme="Chủ đề: mới")
        config = (made.folder / "campaign.yaml").read_text(encoding="utf-8")
        assert yaml.safe_load(config)["theme"] == "Chủ đề: mới"
        if variant == "quoted":
            assert line in config
        else:  # plain before, so plain where YAML allows it; a ': ' needs quotes
            assert "theme: 'Chủ đề: mới'" in config


def test_the_sample_changes_on_exactly_the_years_lines(tmp_path):
    source = tmp_path / "campaigns" / SAMPLE.name
    shutil.copytree(SAMPLE, source)
    made = new_campaign(source, "wtisd-2022-phu-yen", 2022)
    old = (SAMPLE / "campaign.yaml").read_text(encoding="utf-8")
    new = (made.folder / "campaign.yaml").read_text(encoding="utf-8")
    # the report's text on last year's results is left to write, as placeholders
    report = yaml.safe_load(new)["report"]
    assert {key: report[key].strip() for key in ("direction", "assessment", "proposals")} == {
        "direction": "[[Viết công tác chỉ đạo, triển khai của đợt này]]",
        "assessment": "[[Viết đánh giá kết quả của đợt này]]",
        "proposals": "[[Viết đề xuất, kiến nghị của đợt này]]",
    }
    old, new = without_results_text(old), without_results_text(new)
    assert changed_lines(old, new) == [
        ("id: wtisd-2021-phu-yen", "id: wtisd-2022-phu-yen"),
        ("year: 2021", "year: 2022"),
        ("event_date: 2021-05-17", "event_date: 2022-05-17"),
        (
            "  issued_on: 2021-05 # the day is written when it is signed",
            "  issued_on: 2022-05 # the day is written when it is signed",
        ),
        ("  issued_on: 2021-06-02", "  issued_on: 2022-06"),
        ("  deadline: 2021-06-04", "  deadline: 2022-06-04"),
        ("    start: 2021-05-01", "    start: 2022-05-01"),
        ("    end: 2021-05-31", "    end: 2022-05-31"),
    ]
    assert "  number:            # written when the plan is registered" in new  # the bug
    basis = 1 + old.split("\n").index(next(line for line in old.split("\n") if "07/5/2021" in line))
    assert any(r.startswith(f"campaign.yaml:{basis}: ") and "07/5/2021" in r for r in made.to_review)
    assert any(r.startswith("budget.csv:2: ") and "năm 2021" in r for r in made.to_review)
    assert (made.folder / "budget.csv").read_bytes() == (SAMPLE / "budget.csv").read_bytes()
    units = load_campaign(made.folder).units
    assert len(units) == len(load_campaign(SAMPLE).units) and units["reported_on"].isna().all()
    assert load_campaign(made.folder).activities.empty


def test_semicolon_tables_with_title_lines_keep_their_shape(tmp_path):
    source = campaign_with(tmp_path, (VARIANTS / "comments.yaml").read_bytes())
    units = (source / "units.csv").read_text(encoding="utf-8").splitlines()
    units_text = "Danh sách đơn vị năm 2022;;;;;\r\n" + "".join(
        line.replace(",", ";") + "\r\n" for line in units
    )
    (source / "units.csv").write_bytes(b"\xef\xbb\xbf" + units_text.encode())
    activities = (source / "activities.csv").read_text(encoding="utf-8").splitlines()
    (source / "activities.csv").write_text(
        "Hoạt động năm 2022\n" + "".join(line.replace(",", "\t") + "\n" for line in activities),
        encoding="utf-8",
    )
    made = new_campaign(source, "results-2023", 2023)

    new_units = (made.folder / "units.csv").read_bytes().decode("utf-8-sig")
    expected = [re.sub(r";[^;]*$", ";", line) for line in units_text.split("\r\n")[2:-1]]
    assert new_units.split("\r\n")[:2] == units_text.split("\r\n")[:2]  # title and header as they were
    assert new_units.split("\r\n")[2:-1] == expected  # every report date emptied, nothing else
    new_activities = (made.folder / "activities.csv").read_text(encoding="utf-8")
    assert new_activities == "Hoạt động năm 2022\n" + activities[0].replace(",", "\t") + "\n"
    assert "units.csv:1: Danh sách đơn vị năm 2022;;;;;" in made.to_review
    assert load_campaign(made.folder).units["reported_on"].isna().all()


def test_units_as_xlsx_with_a_title_lose_only_their_report_dates(tmp_path):
    from openpyxl import Workbook, load_workbook
    from openpyxl.styles import Font

    source = campaign_with(tmp_path, (VARIANTS / "comments.yaml").read_bytes())
    rows = [line.split(",") for line in (source / "units.csv").read_text(encoding="utf-8").splitlines()]
    (source / "units.csv").unlink()
    book = Workbook()
    book.active.append(["Danh sách đơn vị tham gia năm 2022"])
    book.active["A1"].font = Font(bold=True)
    for row in rows:
        book.active.append(row)
    book.save(source / "units.xlsx")
    made = new_campaign(source, "results-2023", 2023)

    sheet = load_workbook(made.folder / "units.xlsx").active
    values = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Danh sách đơn vị tham gia năm 2022" and sheet["A1"].font.b
    assert values[1] == rows[0]  # the header
    assert [row[:-1] for row in values[2:]] == [row[:-1] for row in rows[1:]]
    assert all(row[-1] == "" for row in values[2:]) and any(row[-1] for row in rows[1:])
    assert load_campaign(made.folder).units["reported_on"].isna().all()


def test_a_failure_leaves_nothing_behind(tmp_path):
    source = campaign_with(tmp_path, (VARIANTS / "comments.yaml").read_bytes())

    def files():  # the folders' locks (reportkit.locking) are not their content
        found = (p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
        return sorted(p for p in found if ".reportkit" not in p.parts and not p.name.startswith(LOCK_FILE))

    before = files()
    with pytest.raises(ParameterError, match="exists already"):
        new_campaign(source, "results-2022", 2023, parent=source.parent)
    with pytest.raises(ParameterError, match="use lower-case letters"):
        new_campaign(source, "../x", 2023)
    (source / "units.csv").write_text("unit_id,name\n", encoding="utf-8")  # the source itself is bad
    with pytest.raises(DataError, match=r"units\.csv"):
        new_campaign(source, "results-2023", 2023)
    assert files() == before


def test_the_readme_example_on_the_sample(tmp_path):
    source = tmp_path / "data" / "campaigns" / SAMPLE.name
    shutil.copytree(SAMPLE, source)
    result = reportkit("new", str(source), "--id", "wtisd-2022-phu-yen", "--year", "2022")
    assert result.returncode == 0, result.stderr
    new = source.parent / "wtisd-2022-phu-yen"
    assert f"{new}: ready to edit" in result.stdout
    assert "budget.csv:2: 1,Tuyên truyền Ngày Viễn thông" in result.stdout
    validated = reportkit("validate", str(new))  # the report's text is left to write
    assert validated.returncode == 2 and "Traceback" not in validated.stderr
    assert validated.stderr.count("[[Viết") == 3 and "3 problems" in validated.stderr


@pytest.mark.kernel
@pytest.mark.pdf
def test_next_years_campaign_builds_its_plan(tmp_path):
    source = tmp_path / "data" / "campaigns" / SAMPLE.name
    shutil.copytree(SAMPLE, source)
    assert reportkit("new", str(source), "--id", "wtisd-2022-phu-yen", "--year", "2022").returncode == 0
    out = build_campaign(source.parent / "wtisd-2022-phu-yen", tmp_path / "out", "--doc", "plan")
    assert out.name == "wtisd-2022-phu-yen"
    assert {p.name for p in out.glob("plan.*")} == {"plan.ipynb", "plan.html", "plan.pdf", "plan.docx"}
    text = pdf_text(out / "plan.pdf")
    assert "Phú Yên, ngày tháng 5 năm 2022" in text  # the day left blank for signing
    assert "Số: /KH-STTTT" in text  # the number too
    assert "Ngày Viễn thông và Xã hội thông tin thế giới năm 2022" in text
    assert "Tổng kinh phí: 300.000đ" in text
