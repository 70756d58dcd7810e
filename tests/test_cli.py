"""The ``reportkit`` command, run as a user runs it: in a subprocess, on real campaigns."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import RESULTS, ROOT, SAMPLE, pdf_text

REPORTKIT = [sys.executable, "-m", "reportkit.cli"]


def reportkit(*args: str, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([*REPORTKIT, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory):
    """The sample campaign built once into a temporary output folder."""
    out = tmp_path_factory.mktemp("outputs")
    result = reportkit("build", str(SAMPLE), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out / "wtisd-2021-phu-yen", result


@pytest.mark.kernel
@pytest.mark.pdf
def test_build_writes_notebook_html_pdf_docx_and_figures(sample_build):
    folder, result = sample_build
    assert {p.name for p in folder.iterdir()} == {
        "plan.ipynb",
        "plan.html",
        "plan.pdf",
        "plan.docx",
        "report.ipynb",
        "report.html",
        "report.pdf",
        "report.docx",
        "activities.xlsx",
        "figures.json",
        "manifest.json",
    }
    assert "plan.pdf" in result.stdout
    figures = json.loads((folder / "figures.json").read_text(encoding="utf-8"))
    assert figures["plan"]["budget_total_vnd"] == 300_000
    assert figures["plan"]["budget_lines"] == [
        {
            "line_id": "1",
            "content": "Tuyên truyền Ngày Viễn thông và Xã hội thông tin thế giới (17/5) năm 2021",
            "unit": "Băng rôn",
            "quantity": 1,
            "unit_price": 300_000,
            "amount": 300_000,
            "note": "Tạm tính",
        }
    ]


@pytest.mark.kernel
@pytest.mark.pdf
def test_the_pdf_holds_the_seed_plan(sample_build):
    folder, _ = sample_build
    text = pdf_text(folder / "plan.pdf")
    for expected in [
        "UBND TỈNH PHÚ YÊN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số: /KH-STTTT",
        "Phú Yên, ngày tháng 5 năm 2021",
        "KẾ HOẠCH",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "VI. Tổ chức thực hiện:",
        "Tổng kinh phí: 300.000đ",
        "Nơi nhận:",
        "Trần Thanh Hưng",
        "THÔNG ĐIỆP CỦA TỔNG THƯ KÝ ITU",
        "Chúc quý vị luôn an toàn, mạnh khỏe và mạnh mẽ!",
        "Bằng chữ: Ba trăm nghìn đồng chẵn.",
    ]:
        assert expected in text, expected
    assert text.count("300.000") >= 4  # in the text, the unit price, the amount and the total
    for header in ["STT", "Nội dung", "ĐVT", "Số", "lượng", "Đơn giá", "Thành", "tiền", "Ghi chú"]:
        assert header in text, header  # a narrow column may wrap its header


@pytest.mark.kernel
@pytest.mark.pdf
def test_pdf_pages_are_a4_with_numbers_from_page_two(sample_build):
    from pypdf import PdfReader

    folder, _ = sample_build
    reader = PdfReader(folder / "plan.pdf")
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    first_lines = [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(folder / "plan.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[0]
        .strip()
        for n in range(1, len(reader.pages) + 1)
    ]
    assert first_lines[0].startswith("UBND TỈNH PHÚ YÊN")  # page 1 has no number
    assert first_lines[1] == "2"
    # The appendix (ITU message) and the budget estimate are numbered on their own.
    appendix = next(i for i, page in enumerate(reader.pages) if "THÔNG ĐIỆP" in page.extract_text())
    assert first_lines[appendix].startswith("Phụ lục")
    fonts = {str(font["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    # The shipped face (Liberation Serif, which Typst names by its PostScript names), and
    # nothing else.
    assert fonts and all(f.split("+", 1)[1].startswith("LiberationSerif") for f in fonts), fonts


@pytest.mark.kernel
def test_the_html_has_no_code_no_prompt_and_nothing_from_the_web(sample_build):
    folder, _ = sample_build
    html = (folder / "plan.html").read_text(encoding="utf-8")
    assert "KẾ HOẠCH" in html and "Ba trăm nghìn đồng chẵn" in html
    assert "load_campaign" not in html and "In&nbsp;[" not in html and "jp-InputPrompt" not in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    assert "@media" in html and "@page" in html


@pytest.mark.kernel
def test_the_executed_notebook_records_its_parameters(sample_build):
    folder, _ = sample_build
    nb = json.loads((folder / "plan.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["papermill"]["parameters"]["campaign"] == str(SAMPLE)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["plan"]["inputs"]) == {"campaign.yaml", "budget.csv", "notebooks/plan.ipynb"}
    assert sorted(manifest["plan"]["outputs"]) == ["plan.docx", "plan.html", "plan.ipynb", "plan.pdf"]


@pytest.mark.kernel
@pytest.mark.pdf
def test_number_and_date_as_parameters(tmp_path):
    result = reportkit(
        "build",
        str(SAMPLE),
        "--doc",  # a number and a day are one document's: for both, the build refuses them
        "plan",
        "--out",
        str(tmp_path),
        "--to",
        "pdf",
        "-p",
        "number=5",
        "-p",
        "issued_on=2021-05-07",
    )
    assert result.returncode == 0, result.stderr
    assert "unknown parameter" not in result.stderr  # papermill's guess; reportkit checked them
    text = pdf_text(tmp_path / "wtisd-2021-phu-yen" / "plan.pdf")
    assert "Số: 05/KH-STTTT" in text and "Phú Yên, ngày 07 tháng 5 năm 2021" in text
    assert not (tmp_path / "wtisd-2021-phu-yen" / "plan.html").exists()


def broken_copy(tmp_path: Path, name: str, content: str | None) -> Path:
    folder = tmp_path / "wtisd-2021-phu-yen"
    shutil.copytree(SAMPLE, folder)
    if content is None:
        (folder / name).unlink()
    else:
        (folder / name).write_text(content, encoding="utf-8")
    return folder


BAD_INPUTS = {
    "missing-budget": ("budget.csv", None, "budget.csv: a table of the budget estimate"),
    "missing-column": ("budget.csv", "line_id,content,unit,quantity\n1,A,Cái,1\n", "a column 'unit_price'"),
    "text-quantity": (
        "budget.csv",
        "line_id,content,unit,quantity,unit_price\n1,A,Cái,một,300.000\n",
        "budget.csv, row 2, column 'quantity': a whole number",
    ),
    "negative-price": (
        "budget.csv",
        "line_id,content,unit,quantity,unit_price\n1,A,Cái,1,-300.000\n",
        "budget.csv, row 2, column 'unit_price'",
    ),
    "duplicate-id": (
        "budget.csv",
        "line_id,content,unit,quantity,unit_price\n1,A,Cái,1,1\n1,B,Cái,1,1\n",
        "budget.csv, row 3, column 'line_id': a unique line_id",
    ),
    "malformed-yaml": ("campaign.yaml", "id: [wtisd\n", "campaign.yaml"),
    "missing-key": ("campaign.yaml", "id: wtisd-2021-phu-yen\n", "campaign.yaml: a key 'year'"),
}


@pytest.mark.kernel
@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_one_message_exit_2_and_the_last_good_outputs_stay(sample_build, tmp_path, case):
    folder, _ = sample_build
    before = snapshot(folder)
    name, content, expected = BAD_INPUTS[case]
    campaign = broken_copy(tmp_path, name, content)
    result = reportkit("build", str(campaign), "--out", str(folder.parent))
    assert result.returncode == 2
    assert expected in result.stderr
    assert result.stderr.startswith("reportkit: error: ")
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert snapshot(folder) == before


def test_a_missing_campaign_folder(tmp_path):
    result = reportkit("build", str(tmp_path / "nowhere"), "--out", str(tmp_path))
    assert result.returncode == 2
    assert "nowhere: a campaign folder holding campaign.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_parameter_lists_the_known_ones(tmp_path):
    result = reportkit("build", str(SAMPLE), "--out", str(tmp_path), "-p", "nmber=5")
    assert result.returncode == 2
    assert (
        "parameter 'nmber': none of plan.ipynb, report.ipynb has such a parameter; their parameters are: "
        "number, issued_on, as_of, district, appendix_rows" in result.stderr
    )
    result = reportkit("build", str(SAMPLE), "--doc", "plan", "--out", str(tmp_path), "-p", "nmber=5")
    assert "parameter 'nmber': plan.ipynb has no such parameter; its parameters are: number, issued_on\n" in (
        result.stderr
    )
    assert not any(tmp_path.iterdir())


@pytest.mark.kernel
def test_a_failing_cell_is_reported_and_kept_and_outputs_stay(sample_build, tmp_path):
    folder, _ = sample_build
    before = snapshot(folder)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nb = json.loads((ROOT / "notebooks" / "plan.ipynb").read_text(encoding="utf-8"))
    nb["cells"].insert(
        3,
        {
            "cell_type": "code",
            "id": "on-fire",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": "raise RuntimeError('the printer is on fire')",
        },
    )
    (notebooks / "plan.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    env = {**__import__("os").environ, "REPORTKIT_NOTEBOOKS": str(notebooks)}
    result = reportkit("build", str(SAMPLE), "--doc", "plan", "--out", str(folder.parent), env=env)
    assert result.returncode == 2
    assert (
        "plan.ipynb: cell 5 failed with RuntimeError" in result.stderr
        and "RuntimeError: the printer is on fire" in result.stderr
    )
    assert "Traceback" not in result.stderr
    kept = folder / "_failed" / "plan.ipynb"
    assert kept.is_file()
    assert snapshot(folder) == before | {"_failed/plan.ipynb": kept.read_bytes()}
    kept.unlink()
    kept.parent.rmdir()


def test_validate_a_good_and_a_bad_campaign(tmp_path):
    good = reportkit("validate", str(SAMPLE))
    assert good.returncode == 0 and "is valid" in good.stdout
    bad = reportkit("validate", str(broken_copy(tmp_path, *BAD_INPUTS["text-quantity"][:2])))
    assert bad.returncode == 2 and "row 2, column 'quantity'" in bad.stderr


def test_help_shows_examples():
    result = reportkit("build", "--help")
    assert result.returncode == 0
    assert "examples:" in result.stdout and "-p number=5" in result.stdout


@pytest.mark.kernel
def test_one_params_file_numbers_and_dates_each_document_from_its_own_section(tmp_path):
    out = tmp_path / "out"
    campaign = tmp_path / "results"
    shutil.copytree(RESULTS, campaign)
    common = tmp_path / "common.yaml"
    common.write_text("number: 5\nissued_on: 2022-05-07\n", encoding="utf-8")
    assert reportkit("build", str(campaign), "--to", "html", "--out", str(out)).returncode == 0
    before = snapshot(out)

    refused = reportkit(
        "build", str(campaign), "--params-file", str(common), "--to", "html", "--out", str(out)
    )
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "one value for plan, report would give them the same number" in refused.stderr
    assert snapshot(out) == before

    sections = tmp_path / "sections.yaml"
    sections.write_text(
        "plan:\n  number: 5\n  issued_on: 2022-05-07\nreport:\n  number: 12\n  issued_on: 2022-06-02\n",
        encoding="utf-8",
    )
    built = reportkit(
        "build", str(campaign), "--params-file", str(sections), "--to", "html", "--out", str(out)
    )
    assert built.returncode == 0, built.stderr
    plan = (out / "results-2022" / "plan.html").read_text(encoding="utf-8")
    report = (out / "results-2022" / "report.html").read_text(encoding="utf-8")
    assert "Số: 05/KH-STTTT" in plan and "ngày 07 tháng 5 năm 2022" in plan
    assert "Số: 12/BC-STTTT" in report and "ngày 02 tháng 6 năm 2022" in report

    early = reportkit(
        "build", str(campaign), "--params-file", str(sections), "-p", "issued_on=2022-05-20",
        "--doc", "report", "--to", "html", "--out", str(out), "--lang", "vi",
    )  # fmt: skip
    assert early.returncode == 2 and "Traceback" not in early.stderr
    assert early.stderr.count("\n") == 1 and "2022-05-31" in early.stderr and "lỗi" in early.stderr
