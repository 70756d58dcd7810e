"""Rerun, batch and trust, through the real ``reportkit`` command on tiny campaigns."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import RESULTS, ROOT, require_program


def reportkit(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reportkit.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        **kwargs,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def campaign(tmp_path) -> Path:
    """A private copy of the tiny campaign with results, to change between builds."""
    folder = tmp_path / "results"
    shutil.copytree(RESULTS, folder)
    return folder


def manifest(out: Path) -> dict:
    return json.loads((out / "results-2022" / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.kernel
def test_an_unchanged_build_is_reused_and_a_changed_input_rebuilds_only_its_document(campaign, tmp_path):
    out = tmp_path / "out"
    first = reportkit("build", str(campaign), "--to", "html", "--out", str(out))
    assert first.returncode == 0, first.stderr
    before = snapshot(out / "results-2022")

    again = reportkit("build", str(campaign), "--to", "html", "--out", str(out))
    assert "plan (unchanged, reused)" in again.stdout and "report (unchanged, reused)" in again.stdout
    assert snapshot(out / "results-2022") == before

    with (campaign / "activities.csv").open("a", encoding="utf-8") as f:
        f.write("H6,b-office,2022-05-20,poster,3,,,,,\n")
    changed = reportkit("build", str(campaign), "--to", "html", "--out", str(out))
    assert "plan (unchanged, reused)" in changed.stdout and "report (built)" in changed.stdout
    assert manifest(out)["plan"] == json.loads(before["manifest.json"])["plan"]

    forced = reportkit("build", str(campaign), "--to", "html", "--out", str(out), "--force")
    assert "plan (built)" in forced.stdout and "report (built)" in forced.stdout


@pytest.mark.kernel
def test_a_damaged_output_is_rebuilt_not_reused(campaign, tmp_path):
    out = tmp_path / "out"
    assert (
        reportkit("build", str(campaign), "--doc", "plan", "--to", "html", "--out", str(out)).returncode == 0
    )
    (out / "results-2022" / "plan.html").write_text("truncated", encoding="utf-8")
    result = reportkit("build", str(campaign), "--doc", "plan", "--to", "html", "--out", str(out))
    assert "plan (built)" in result.stdout
    assert "KẾ HOẠCH" in (out / "results-2022" / "plan.html").read_text(encoding="utf-8")


@pytest.mark.kernel
def test_params_file_then_p_the_last_wins_and_dates_arrive_as_dates(campaign, tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text("number: 3\nas_of: 2022-05-16\n", encoding="utf-8")
    out = tmp_path / "out"
    result = reportkit(
        "build",
        str(campaign),
        "--doc",
        "report",
        "--to",
        "html",
        "--out",
        str(out),
        "--params-file",
        str(params),
        "-p",
        "number=4",
    )
    assert result.returncode == 0, result.stderr
    nb = json.loads((out / "results-2022" / "report.ipynb").read_text(encoding="utf-8"))
    injected = next(c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    source = "".join(injected["source"])
    assert "number = 4" in source and "as_of = datetime.date(2022, 5, 16)" in source
    assert nb["metadata"]["papermill"]["parameters"]["as_of"] == "2022-05-16"
    html = (out / "results-2022" / "report.html").read_text(encoding="utf-8")
    assert "Số: 04/BC-STTTT" in html and "số liệu đến ngày 16/5/2022" in html


@pytest.mark.parametrize(
    ("parameter", "message"),
    [
        ("number=abc", "parameter 'number': expected a whole number, got 'abc'"),
        ("as_of=2022-02-30", "parameter 'as_of': expected a date like 2021-05-20"),
        ("district=Huyện Z", "parameter 'district': 'Huyện Z' is not a district of units.csv"),
    ],
)
def test_a_bad_parameter_stops_the_build_before_any_kernel(campaign, tmp_path, parameter, message):
    out = tmp_path / "out"
    started = time.perf_counter()
    result = reportkit("build", str(campaign), "--doc", "report", "--out", str(out), "-p", parameter)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert time.perf_counter() - started < 20
    assert not (out / "results-2022").exists()


@pytest.mark.kernel
def test_a_killed_build_leaves_the_previous_outputs_byte_for_byte(campaign, tmp_path):
    out = tmp_path / "out"
    assert reportkit("build", str(campaign), "--to", "html", "--out", str(out)).returncode == 0
    before = snapshot(out / "results-2022")
    (campaign / "campaign.yaml").write_text(
        (campaign / "campaign.yaml").read_text(encoding="utf-8").replace("number: 7", "number: 8"),
        encoding="utf-8",
    )
    build = subprocess.Popen(
        [sys.executable, "-m", "reportkit.cli", "build", str(campaign), "--to", "html", "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    staging = out / ".reportkit" / "staging"
    deadline = time.monotonic() + 120
    while not any(p.suffix == ".ipynb" for p in staging.rglob("*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert build.poll() is None, "the build ended before it could be killed"
    os.killpg(build.pid, signal.SIGKILL)  # the build and its kernel, mid-execution
    build.wait()
    assert snapshot(out / "results-2022") == before
    after = reportkit("build", str(campaign), "--to", "html", "--out", str(out))
    assert after.returncode == 0, after.stderr  # the lock died with the killed build
    assert "Số: 08/KH-STTTT" in (out / "results-2022" / "plan.html").read_text(encoding="utf-8")


@pytest.mark.kernel
def test_two_builds_at_once_end_with_complete_consistent_outputs(campaign, tmp_path):
    out = tmp_path / "out"
    from concurrent.futures import ThreadPoolExecutor

    args = ("build", str(campaign), "--to", "html", "--out", str(out), "--force")
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: reportkit(*args), range(2)))
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    folder = out / "results-2022"
    from reportkit.outputs import RESERVED  # schema_version, campaign: not documents

    for doc, record in manifest(out).items():
        if doc in RESERVED:
            continue
        for name, digest in record["outputs"].items():
            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    assert not list((out / ".reportkit" / "staging").iterdir())


@pytest.mark.kernel
def test_text_from_the_data_is_escaped_in_html_and_pdf(campaign, tmp_path):
    units = (campaign / "units.csv").read_text(encoding="utf-8")
    (campaign / "units.csv").write_text(
        units.replace("Phòng Bưu chính - Viễn thông", "<script>alert(1)</script>"), encoding="utf-8"
    )
    out = tmp_path / "out"
    result = reportkit("build", str(campaign), "--doc", "report", "--out", str(out))
    assert result.returncode == 0, result.stderr
    html = (out / "results-2022" / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    from .conftest import pdf_text

    assert "<script>alert(1)</script>" in pdf_text(out / "results-2022" / "report.pdf")  # shown as text


@pytest.mark.kernel
def test_a_batch_per_district_writes_one_folder_each(campaign, tmp_path):
    out = tmp_path / "out"
    result = reportkit(
        "batch", str(campaign), "--each", "district", "--jobs", "2", "--to", "html", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert "report-huyen-a: built" in result.stdout and "report-huyen-b: built" in result.stdout
    for variant, district in (("report-huyen-a", "Huyện A"), ("report-huyen-b", "Huyện B")):
        figures = json.loads((out / "results-2022" / variant / "figures.json").read_text(encoding="utf-8"))
        assert [row["district"] for row in figures["report"]["by_district"]] == [district]
    again = reportkit("batch", str(campaign), "--each", "district", "--to", "html", "--out", str(out))
    assert "report-huyen-a: reused" in again.stdout


@pytest.mark.kernel
def test_a_grid_with_path_characters_stays_inside_out(campaign, tmp_path):
    grid = tmp_path / "grid.csv"
    grid.write_text(
        "district,as_of\nHuyện A,2022-05-16\nHuyện A,2022-05-31\n../../evil,2022-05-31\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    result = reportkit("batch", str(campaign), "--grid", str(grid), "--to", "html", "--out", str(out))
    assert result.returncode == 1  # the third row names no district
    assert "report-huyen-a-2022-05-16: built" in result.stdout
    assert "report-evil-2022-05-31: error: parameter 'district'" in result.stderr
    written = {p.resolve() for p in tmp_path.rglob("*")} - {p.resolve() for p in (out, campaign, grid)}
    assert all(p.is_relative_to(out.resolve()) or p.is_relative_to(campaign.resolve()) for p in written)
    assert not (tmp_path / "evil").exists()


def test_a_failed_run_reads_in_vietnamese_and_the_batch_exits_1(campaign, tmp_path):
    """Run outcomes are values, not strings read by an English prefix: "lỗi:" is translated."""
    grid = tmp_path / "grid.csv"
    grid.write_text("district\nHuyện Z\n", encoding="utf-8")
    result = reportkit(
        "--lang",
        "vi",
        "batch",
        str(campaign),
        "--grid",
        str(grid),
        "--to",
        "html",
        "--out",
        str(tmp_path / "o"),
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("report-huyen-z: lỗi: tham số 'district': 'Huyện Z'"), result.stderr


def test_new_makes_next_years_campaign_ready_to_edit(campaign, tmp_path):
    result = reportkit(
        "new", str(campaign), "--id", "results-2023", "--year", "2023", "--theme", "Chủ đề mới"
    )
    assert result.returncode == 0, result.stderr
    new = campaign.parent / "results-2023"
    config = (new / "campaign.yaml").read_text(encoding="utf-8")
    assert "id: results-2023" in config and "year: 2023" in config and "event_date: 2023-05-17" in config
    assert "theme: Chủ đề mới" in config and "deadline: 2023-06-04" in config
    assert "issued_on: 2023-06" in config and "number: 7" not in config
    assert (new / "activities.csv").read_text(encoding="utf-8").count("\n") == 1
    assert ",2022-" not in (new / "units.csv").read_text(encoding="utf-8")
    validated = reportkit("validate", str(new))  # last year's words on results are left to write
    assert validated.returncode == 2 and validated.stderr.count("[[Viết") == 2  # assessment, proposals
    again = reportkit("new", str(campaign), "--id", "results-2023", "--year", "2023")
    assert again.returncode == 2 and "exists already" in again.stderr


def test_params_lists_types_defaults_and_help():
    result = reportkit("params", "report")
    assert result.returncode == 0
    assert "as_of: datetime.date | None = None" in result.stdout and "interim report" in result.stdout


def test_every_command_explains_itself():
    for command in ("build", "validate", "params", "new", "batch"):
        result = reportkit(command, "--help")
        assert result.returncode == 0 and "usage: reportkit" in result.stdout


@pytest.mark.kernel
def test_quiet_and_no_terminal_mean_no_progress_bar(campaign, tmp_path):
    result = reportkit(
        "build", str(campaign), "--doc", "plan", "--to", "html", "--out", str(tmp_path), "--quiet"
    )
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""


@pytest.mark.kernel
def test_a_terminal_gets_a_progress_bar(campaign, tmp_path):
    require_program("script")
    # `script` gives the build a pseudo-terminal; a zero-column one would hide any bar.
    command = (
        f"stty cols 100 rows 30; {sys.executable} -m reportkit.cli build {campaign} --doc plan --to html "
    )
    command += f"--out {tmp_path}"
    result = subprocess.run(
        ["script", "-qec", command, "/dev/null"], capture_output=True, text=True, cwd=ROOT, timeout=600
    )
    assert result.returncode == 0, result.stdout
    assert (
        "executing:" in result.stdout and "/2 [" in result.stdout
    )  # tqdm's bar: two steps, notebook and html
