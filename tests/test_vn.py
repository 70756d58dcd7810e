"""The Vietnamese formatting rules (shared/reference/vietnamese-amounts.md, decree-30-layout.md)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportkit import vn
from reportkit.vn import IssueDate

NBSP = "\u00a0"


def squash(text: str) -> str:
    """Blanks left for a hand-written number or day are runs of spaces; compare them as one."""
    return " ".join(text.replace(NBSP, " ").split())


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "không"),
        (1, "một"),
        (4, "bốn"),
        (5, "năm"),
        (10, "mười"),
        (11, "mười một"),
        (14, "mười bốn"),
        (15, "mười lăm"),
        (20, "hai mươi"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (55, "năm mươi lăm"),
        (100, "một trăm"),
        (101, "một trăm linh một"),
        (104, "một trăm linh bốn"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (115, "một trăm mười lăm"),
        (204, "hai trăm linh bốn"),
        (1_000, "một nghìn"),
        (1_005, "một nghìn không trăm linh năm"),
        (1_010, "một nghìn không trăm mười"),
        (1_100, "một nghìn một trăm"),
        (15_725, "mười lăm nghìn bảy trăm hai mươi lăm"),
        (21_000, "hai mươi mốt nghìn"),
        (300_000, "ba trăm nghìn"),
        (1_000_000, "một triệu"),
        (2_021_000, "hai triệu không trăm hai mươi mốt nghìn"),
        (1_000_005, "một triệu không trăm linh năm"),
        (1_000_000_000, "một tỷ"),
        (1_000_000_005, "một tỷ không trăm linh năm"),
        (1_000_005_000, "một tỷ không trăm linh năm nghìn"),
        (2_500_000_000, "hai tỷ năm trăm triệu"),
        (1_000_000_000_000, "một nghìn tỷ"),
        (1_000_000_000_000_000, "một triệu tỷ"),
        (1_000_000_000_000_000_000, "một tỷ tỷ"),
        (
            12_345_678_901,
            "mười hai tỷ ba trăm bốn mươi lăm triệu sáu trăm bảy mươi tám nghìn chín trăm linh một",
        ),
    ],
)
def test_number_to_words_default_reading(n, words):
    assert vn.number_to_words(n) == words


@pytest.mark.parametrize(
    ("n", "options", "words"),
    [
        (105, {"zero_tens": "lẻ"}, "một trăm lẻ năm"),
        (1_005, {"zero_tens": "lẻ"}, "một nghìn không trăm lẻ năm"),
        (24, {"four": "bốn"}, "hai mươi bốn"),
        (14, {"four": "tư"}, "mười bốn"),
        (21_000, {"thousand": "ngàn"}, "hai mươi mốt ngàn"),
        (3_000_000_000, {"billion": "tỉ"}, "ba tỉ"),
    ],
)
def test_number_to_words_variants(n, options, words):
    assert vn.number_to_words(n, **options) == words


@pytest.mark.parametrize("bad", [-1, 1.5, "300", True, None])
def test_number_to_words_rejects_what_is_not_a_non_negative_integer(bad):
    with pytest.raises((TypeError, ValueError)):
        vn.number_to_words(bad)


def test_number_to_words_rejects_an_unknown_variant():
    with pytest.raises(ValueError, match="zero_tens"):
        vn.number_to_words(105, zero_tens="le")


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (300_000, "Ba trăm nghìn đồng chẵn"),
        (0, "Không đồng"),
        (1_005, "Một nghìn không trăm linh năm đồng chẵn"),
        (2_021_000, "Hai triệu không trăm hai mươi mốt nghìn đồng chẵn"),
    ],
)
def test_amount_in_words(n, text):
    assert vn.amount_in_words(n) == text


def test_amount_in_words_rejects_a_negative_amount():
    with pytest.raises(ValueError, match="negative"):
        vn.amount_in_words(-300_000)


@given(st.integers(min_value=0, max_value=10**21))
def test_words_round_trip(n):
    assert vn.words_to_number(vn.number_to_words(n)) == n


@given(
    st.integers(min_value=0, max_value=10**15),
    st.sampled_from(["linh", "lẻ"]),
    st.sampled_from(["tư", "bốn"]),
    st.sampled_from(["nghìn", "ngàn"]),
    st.sampled_from(["tỷ", "tỉ"]),
)
def test_words_round_trip_with_every_variant(n, zero_tens, four, thousand, billion):
    words = vn.number_to_words(n, zero_tens=zero_tens, four=four, thousand=thousand, billion=billion)
    assert vn.words_to_number(words) == n


@given(st.integers(min_value=0, max_value=10**15))
def test_amount_round_trip(n):
    assert vn.words_to_number(vn.amount_in_words(n)) == n


def test_words_to_number_rejects_a_word_it_does_not_know():
    with pytest.raises(ValueError, match="hundred"):
        vn.words_to_number("một hundred")


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0"),
        (999, "999"),
        (1_000, "1.000"),
        (300_000, "300.000"),
        (1_234_567, "1.234.567"),
        (-5_000, "-5.000"),
    ],
)
def test_format_vnd(n, text):
    assert vn.format_vnd(n) == text


@pytest.mark.parametrize("bad", [1.0, 300000.5, "300000", None])
def test_format_vnd_takes_integer_dong_only(bad):
    with pytest.raises(TypeError):
        vn.format_vnd(bad)


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("300.000", 300_000),
        ("300000", 300_000),
        ("1.234.567", 1_234_567),
        (" 01 ", 1),
        ("0", 0),
        ("-5.000", -5_000),
    ],
)
def test_parse_vnd(text, n):
    assert vn.parse_vnd(text) == n


@pytest.mark.parametrize("bad", ["", "3,5", "300.00", "1.5", "abc", "300.000đ", "1..000", ".300"])
def test_parse_vnd_refuses_what_is_not_a_whole_amount(bad):
    with pytest.raises(ValueError):
        vn.parse_vnd(bad)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_format_and_parse_vnd_round_trip(n):
    assert vn.parse_vnd(vn.format_vnd(n)) == n


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ((5, "KH", "STTTT"), "Số: 05/KH-STTTT"),
        ((12, "BC", "STTTT"), "Số: 12/BC-STTTT"),
        ((1453, "", "BTTTT-HTQT"), "Số: 1453/BTTTT-HTQT"),
        ((None, "KH", "STTTT"), "Số: /KH-STTTT"),
    ],
)
def test_doc_number(args, text):
    assert squash(vn.doc_number(*args)) == text.replace(": /", ": /")


def test_doc_number_leaves_room_to_write_the_number_by_hand():
    assert vn.doc_number(None, "KH", "STTTT").startswith("Số:" + " " + NBSP * 3)


@pytest.mark.parametrize("bad", [0, -3])
def test_doc_number_refuses_a_number_below_one(bad):
    with pytest.raises(ValueError):
        vn.doc_number(bad, "KH", "STTTT")


@pytest.mark.parametrize(
    ("date", "text"),
    [
        (dt.date(2021, 5, 7), "Phú Yên, ngày 07 tháng 5 năm 2021"),
        (dt.date(2021, 6, 29), "Phú Yên, ngày 29 tháng 6 năm 2021"),
        (dt.date(2022, 1, 5), "Phú Yên, ngày 05 tháng 01 năm 2022"),
        (dt.date(2022, 2, 14), "Phú Yên, ngày 14 tháng 02 năm 2022"),
        (dt.date(2021, 12, 10), "Phú Yên, ngày 10 tháng 12 năm 2021"),
        ("2021-05-17", "Phú Yên, ngày 17 tháng 5 năm 2021"),
        ("2021-05", "Phú Yên, ngày tháng 5 năm 2021"),
        ("2021-01", "Phú Yên, ngày tháng 01 năm 2021"),
        ("2021", "Phú Yên, ngày tháng năm 2021"),
        (IssueDate(2021, 5), "Phú Yên, ngày tháng 5 năm 2021"),
    ],
)
def test_place_date(date, text):
    assert squash(vn.place_date("Phú Yên", date)) == text


def test_place_date_leaves_room_for_the_day():
    assert "ngày " + NBSP * 3 in vn.place_date("Phú Yên", "2021-05")


@pytest.mark.parametrize("bad", ["2021-13", "2021-02-30", "17/5/2021", "next year", "", "2021-5"])
def test_issue_date_refuses_a_date_that_is_not_iso(bad):
    with pytest.raises(ValueError):
        IssueDate.parse(bad)


def test_issue_date_from_a_date_and_back():
    assert IssueDate.parse(dt.date(2021, 5, 7)) == IssueDate(2021, 5, 7)
    assert IssueDate(2021, 5, 7).to_date() == dt.date(2021, 5, 7)
    assert IssueDate(2021, 5).to_date() is None
    assert str(IssueDate(2021, 5)) == "2021-05"


@pytest.mark.parametrize(
    ("date", "text"),
    [(dt.date(2021, 5, 7), "ngày 07/5/2021"), (dt.date(2021, 5, 17), "ngày 17/5/2021")],
)
def test_short_date_in_running_text(date, text):
    assert vn.short_date(date) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(88.2, "88,2%"), (100.0, "100%"), (0.0, "0%"), (9.6, "9,6%"), (12.5, "12,5%"), (33.0, "33%")],
)
def test_format_percent_uses_the_decimal_comma(value, text):
    assert vn.format_percent(value) == text


@pytest.mark.parametrize(
    ("date", "text"), [(dt.date(2021, 5, 1), "01/5/2021"), (dt.date(2021, 12, 31), "31/12/2021")]
)
def test_day_month_year(date, text):
    assert vn.format_date(date) == text


@pytest.mark.parametrize(
    ("value", "digits", "vi", "en"),
    [
        (3.7, 1, "3,7", "3.7"),
        (0.4, 1, "0,4", "0.4"),
        (14.25, 2, "14,25", "14.25"),
        (12.0, 1, "12,0", "12.0"),
        (25.0, None, "25", "25"),
        (2.5, None, "2,5", "2.5"),
    ],
)
def test_a_measure_in_a_message_has_the_decimal_mark_of_the_language(monkeypatch, value, digits, vi, en):
    from reportkit.i18n import set_language

    monkeypatch.setenv("REPORTKIT_LANG", "en")  # set_language writes it; restored afterwards
    try:
        assert vn.message_number(value, digits) == en
        set_language("vi")
        assert vn.message_number(value, digits) == vi
    finally:
        set_language(None)
