"""Messages in Vietnamese: the catalog is complete and compiled, and the real command speaks it.

conftest.py sets REPORTKIT_LANG=en for the whole suite; the tests here set the language they
want in the environment of the ``reportkit`` subprocess, as a user's shell would.
"""

from __future__ import annotations

import argparse
import gettext
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po

from reportkit import cli, cli_parser, i18n
from reportkit.runs import Outcome

from .conftest import MINIMAL, RESULTS, ROOT

LOCALE = ROOT / "src" / "reportkit" / "locale"
PO = LOCALE / "vi" / "LC_MESSAGES" / "reportkit.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}  # as `make i18n` extracts them

# What argparse itself prints, and what only a Vietnamese page says.
VIETNAMESE_HELP = ("cách dùng:", "tùy chọn:", "hiện phần trợ giúp này rồi thoát", "--lang {en,vi}")


def _extracted() -> dict[str, str]:
    """Every msgid `make i18n` extracts, with where it comes from (the same sources and methods)."""
    found: dict[str, str] = {}

    def add(where: str, message) -> None:
        found.setdefault(message[0] if isinstance(message, tuple) else message, where)

    for name, line, message, *_rest in extract_from_dir(
        ROOT / "src" / "reportkit", [("**.py", "python")], keywords=KEYWORDS
    ):
        add(f"src/reportkit/{name}:{line}", message)
    for name, line, message, *_rest in extract_from_dir(
        ROOT / "notebooks", [("**.ipynb", "reportkit.parameters.extract_parameter_help")], keywords=KEYWORDS
    ):
        add(f"notebooks/{name}:{line}", message)
    for line, message, *_rest in extract_from_file("python", argparse.__file__, keywords=KEYWORDS):
        add(f"argparse.py:{line}", message)
    return found


def _catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="vi")


def test_every_message_has_a_vietnamese_translation():
    """Fails for every message added to the code without a translation: run `make i18n` and
    fill the empty msgstr in the .po (docs/developer.md, "Messages in Vietnamese")."""
    catalog = _catalog()
    untranslated = []
    for msgid, where in sorted(_extracted().items(), key=lambda item: item[1]):
        entry = catalog.get(msgid)
        strings = (
            () if entry is None else entry.string if isinstance(entry.string, tuple) else (entry.string,)
        )
        if entry is None or entry.fuzzy or not strings or not all(strings):
            untranslated.append(f"{where}: {msgid!r}")
    assert not untranslated, "no Vietnamese translation (run `make i18n`, then translate):\n" + "\n".join(
        untranslated
    )


def test_the_compiled_catalog_is_the_po_file():
    """The .mo the package ships says what the .po says (`make i18n` compiles it)."""
    with MO.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    expected = {}
    for entry in _catalog():
        if not entry.id or entry.fuzzy:
            continue
        if isinstance(entry.id, tuple):
            expected |= {(entry.id[0], i): text for i, text in enumerate(entry.string) if text}
        elif entry.string:
            expected[entry.id] = entry.string
    assert {k: v for k, v in compiled.items() if k != ""} == expected, "the .mo is out of date: make i18n"


def _fields(text: str) -> tuple[set[str], list[str]]:
    """Named ``{fields}`` and %-placeholders (``%(name)s`` by name, ``%s`` by kind) of a message."""
    named = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    percent = sorted(re.findall(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([sdrif%])", text))
    return named, [f"{name}:{kind}" for name, kind in percent]


def test_translations_keep_every_placeholder():
    """A translation that drops or misspells {file} or %(prog)s would fail when it is formatted."""
    wrong = []
    for entry in _catalog():
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for text in strings:
            if text and _fields(text) != _fields(ids[-1]):
                wrong.append(f"{ids[0]!r} -> {text!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "en"),
        ({"LANG": "vi_VN.UTF-8"}, "vi"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LC_MESSAGES": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"}, "vi"),
        ({"LC_ALL": "en_GB.UTF-8", "LC_MESSAGES": "vi_VN.UTF-8"}, "en"),
        ({"REPORTKIT_LANG": "vi", "LC_ALL": "C.UTF-8"}, "vi"),
        ({"REPORTKIT_LANG": "en", "LANG": "vi_VN.UTF-8"}, "en"),
        ({"REPORTKIT_LANG": "", "LANG": "vi_VN"}, "vi"),
    ],
)
def test_the_language_comes_from_the_environment_first_found_wins(monkeypatch, environment, expected):
    for name in ("REPORTKIT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert i18n.language() == expected


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--lang", "vi", "build", "--help"], "vi"),
        (["build", "--help", "--lang=vi"], "vi"),
        (["--lang", "vi", "validate", "x", "--lang", "en"], "en"),
        (["build", "--", "--lang", "vi"], None),
        (["build", "--lang", "fr"], None),  # left to argparse, which says what the choices are
        (["build", "--lang"], None),
        (["build"], None),
    ],
)
def test_lang_is_read_before_the_parser_is_made(argv, expected):
    assert cli._lang_argument(argv) == expected


def test_a_batch_outcome_reads_in_the_language_chosen(monkeypatch):
    monkeypatch.setenv("REPORTKIT_LANG", "en")  # set_language writes it; restored afterwards
    try:
        i18n.set_language("vi")
        assert Outcome("report-huyen-tuy-an", ok=True, reused=True).line() == "report-huyen-tuy-an: dùng lại"
        assert Outcome.failed("report-x", "tham số 'district': …").line() == (
            "report-x: lỗi: tham số 'district': …"
        )
        assert os.environ["REPORTKIT_LANG"] == "vi"  # what kernels and batch workers inherit
    finally:
        i18n.set_language(None)


# --- the real command ------------------------------------------------------------------------


def reportkit(*args: str, **environment: str) -> subprocess.CompletedProcess:
    """``reportkit`` in a shell whose locale variables are only ``environment``."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("REPORTKIT_LANG", "LC_ALL", "LC_MESSAGES", "LANG")
    }
    env |= environment
    return subprocess.run(
        [sys.executable, "-m", "reportkit.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )


def _bad_amount(make_campaign) -> Path:
    """The minimal campaign with a Thành tiền that is not quantity × unit price on row 2."""
    return make_campaign(
        MINIMAL,
        **{
            "budget.csv": "line_id,content,unit,quantity,unit_price,amount,note\n"
            '1,Băng rôn tuyên truyền,Cái,2,"350.000","999.000",\n'
        },
    )


def test_a_bad_budget_under_a_vietnamese_locale_is_one_vietnamese_message(make_campaign, tmp_path):
    campaign = _bad_amount(make_campaign)
    result = reportkit("build", str(campaign), "--out", str(tmp_path / "out"), LANG="vi_VN.UTF-8")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"reportkit: lỗi: {campaign / 'budget.csv'}, dòng 2, cột 'amount': "
        "cần Thành tiền bằng Số lượng × Đơn giá (thực tế: '999000 ≠ 700000')"
    ]
    assert not (tmp_path / "out" / "minimal-2022").exists()  # nothing published


def test_english_stays_the_default_with_a_c_locale(make_campaign, tmp_path):
    campaign = _bad_amount(make_campaign)
    result = reportkit("build", str(campaign), "--out", str(tmp_path / "out"), LANG="C.UTF-8")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"reportkit: error: {campaign / 'budget.csv'}, row 2, column 'amount': "
        "Thành tiền equal to quantity × unit price (found '999000 ≠ 700000')"
    ]
    help_text = reportkit("build", "--help", LANG="C.UTF-8").stdout
    assert help_text.startswith("usage: reportkit build")
    assert "show this help message and exit" in help_text
    assert "document to build: the name of a notebook" in help_text


def _commands() -> dict[str, argparse.ArgumentParser]:
    """Every subcommand of the parser, made in English (however a helper added it)."""
    parser = cli_parser.lang_everywhere(cli_parser.build_parser())
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _english_texts(parser: argparse.ArgumentParser) -> list[str]:
    texts = [parser.description or ""] + [a.help % vars(a) for a in parser._actions if a.help]
    return [t for t in texts if t and t != argparse.SUPPRESS]


HOW = {
    "--lang-first": (("--lang", "vi", "{command}", "--help"), {}),
    "--lang-after": (("{command}", "--help", "--lang", "vi"), {}),
    "REPORTKIT_LANG": (("{command}", "--help"), {"REPORTKIT_LANG": "vi", "LANG": "C.UTF-8"}),
    "LANG": (("{command}", "--help"), {"LANG": "vi_VN.UTF-8"}),
}


@pytest.mark.parametrize(
    ("command", "how"),
    [(command, how) for command in sorted(_commands()) for how in ("--lang-after", "REPORTKIT_LANG")]
    + [("build", "--lang-first"), ("build", "LANG")],
)
def test_help_of_every_command_is_in_vietnamese(command, how):
    args, environment = HOW[how]
    result = reportkit(*(a.format(command=command) for a in args), **environment)
    assert result.returncode == 0, result.stderr
    page = result.stdout
    for words in VIETNAMESE_HELP:
        assert words in page
    # None of the English descriptions and help texts is left; argparse wraps lines, so compare
    # with whitespace made single spaces.
    flat = " ".join(page.split())
    left = [t for t in _english_texts(_commands()[command]) if " ".join(t.split()) in flat]
    assert not left, left


def test_the_top_level_help_and_argparse_errors_are_in_vietnamese():
    page = reportkit("--lang", "vi", "--help").stdout
    assert page.startswith("cách dùng: reportkit [-h] [--version] [--lang {en,vi}] LỆNH ...")
    assert "Lập kế hoạch và báo cáo theo Nghị định 30" in page
    wrong = reportkit("--lang", "vi", "biuld")
    assert wrong.returncode == 2
    assert "reportkit: lỗi: đối số LỆNH: lựa chọn không hợp lệ: 'biuld'" in wrong.stderr
    missing = reportkit("collect", LANG="vi_VN.UTF-8")
    assert "còn thiếu các đối số bắt buộc sau: campaign, returns" in missing.stderr


def test_validate_and_params_speak_vietnamese():
    valid = reportkit("--lang", "vi", "validate", str(RESULTS))
    assert valid.returncode == 0, valid.stderr
    assert (
        valid.stdout
        == f"{RESULTS}: chiến dịch 'results-2022' hợp lệ (2 dòng dự toán, 5 đơn vị, 5 hoạt động)\n"
    )
    params = reportkit("params", "report", REPORTKIT_LANG="vi")
    assert params.stdout.splitlines()[0].startswith("report (")  # a document is named by its notebook
    assert "      chỉ báo cáo riêng địa bàn này trong units.csv" in params.stdout.splitlines()
    assert "(do reportkit build đặt theo CAMPAIGN)" in params.stdout


def test_a_bad_parameter_and_a_bad_grid_are_vietnamese(tmp_path):
    out = str(tmp_path / "out")
    parameter = reportkit(
        "--lang", "vi", "build", str(MINIMAL), "--doc", "plan", "-p", "number=năm", "--out", out
    )
    assert parameter.returncode == 2
    assert parameter.stderr == "reportkit: lỗi: tham số 'number': cần một số nguyên, nhận được 'năm'\n"
    grid = tmp_path / "runs.csv"
    grid.write_text("district\n", encoding="utf-8")
    batch = reportkit("batch", str(RESULTS), "--grid", str(grid), LANG="vi_VN.UTF-8")
    assert batch.returncode == 2
    assert batch.stderr == (
        f"reportkit: lỗi: {grid}: cần một dòng tiêu đề ghi tên các tham số và ít nhất một dòng dữ liệu\n"
    )


def test_several_problems_are_counted_in_vietnamese(make_campaign):
    campaign = make_campaign(
        RESULTS, **{"campaign.yaml": lambda text: text.replace("year: 2022", "year: hai nghìn\nyeer: 2022")}
    )
    result = reportkit("validate", str(campaign), LANG="vi_VN.UTF-8")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert re.fullmatch(r"reportkit: lỗi: \d+ lỗi trong dữ liệu của chiến dịch:", lines[0]), lines
    assert f"{campaign / 'campaign.yaml'}: khóa 'year': cần một số nguyên (thực tế: 'hai nghìn')" in lines
    assert any(line.startswith(f"{campaign / 'campaign.yaml'}: không được có khóa 'yeer'") for line in lines)


@pytest.mark.kernel
def test_a_build_reports_its_lines_in_vietnamese(tmp_path):
    result = reportkit(
        "--lang", "vi", "build", str(MINIMAL), "--doc", "plan", "--to", "html", "--out", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("plan (đã lập): ")
    assert re.fullmatch(r"xong trong \d+,\d giây", lines[1])  # the decimal comma
    again = reportkit(
        "build", str(MINIMAL), "--doc", "plan", "--to", "html", "--out", str(tmp_path), LANG="vi_VN"
    )
    assert again.stdout.startswith("plan (không đổi, dùng lại): ")


def test_jupyterlab_offers_vietnamese():
    """The language pack is installed where JupyterLab's server finds it (Settings > Language)."""
    from jupyterlab_server.translation_utils import get_language_packs

    packs, _message = get_language_packs()
    assert packs["vi_VN"]["nativeName"].startswith("Tiếng Việt")
