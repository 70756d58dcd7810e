"""Parameters read from the notebooks and checked before a kernel starts."""

from __future__ import annotations

import datetime as dt

import pytest

from reportkit.campaign import load_campaign
from reportkit.exceptions import ParameterError
from reportkit.parameters import check_parameters, notebook_parameters, split_parameters

from .conftest import RESULTS, ROOT

PLAN = ROOT / "notebooks" / "plan.ipynb"
REPORT = ROOT / "notebooks" / "report.ipynb"


def test_the_parameters_cells_declare_types_defaults_and_help():
    report = notebook_parameters(REPORT)
    assert list(report) == ["campaign", "number", "issued_on", "as_of", "district", "appendix_rows"]
    assert (report["as_of"].type, report["as_of"].default) == ("datetime.date | None", "None")
    assert report["appendix_rows"].default == "300" and "appendix" in report["appendix_rows"].help


@pytest.fixture(scope="module")
def campaign():
    return load_campaign(RESULTS)


@pytest.mark.parametrize(
    ("values", "checked"),
    [
        ({"number": 5}, {"number": 5}),
        ({"number": "5"}, {"number": 5}),
        ({"number": None}, {"number": None}),
        ({"as_of": "2022-05-20"}, {"as_of": dt.date(2022, 5, 20)}),
        ({"as_of": dt.date(2022, 5, 20)}, {"as_of": dt.date(2022, 5, 20)}),
        ({"issued_on": "2022-06"}, {"issued_on": "2022-06"}),
        ({"issued_on": dt.date(2022, 6, 3)}, {"issued_on": "2022-06-03"}),
        ({"district": "Huyện A"}, {"district": "Huyện A"}),
        ({"appendix_rows": 50}, {"appendix_rows": 50}),
    ],
)
def test_good_values_are_converted_to_the_declared_types(campaign, values, checked):
    assert check_parameters(REPORT, values, campaign) == checked


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"number": "năm"}, "parameter 'number': expected a whole number, got 'năm'"),
        ({"number": True}, "parameter 'number': expected a whole number, got True"),
        ({"number": 0}, "parameter 'number': expected 1 or more, got 0"),
        ({"as_of": "2022-13-01"}, "parameter 'as_of': expected a date like 2021-05-20, got '2022-13-01'"),
        ({"as_of": "20/5/2022"}, "parameter 'as_of': expected a date like 2021-05-20"),
        ({"issued_on": "June"}, "parameter 'issued_on': expected 2021-05-07, 2021-05 or 2021, got 'June'"),
        (
            {"district": "Huyện Z"},
            "parameter 'district': 'Huyện Z' is not a district of units.csv; its districts "
            "are: Huyện A, Huyện B",
        ),
        ({"appendix_rows": None}, "parameter 'appendix_rows': a value is needed (int)"),
        ({"campaign": "x"}, "parameter 'campaign': give the campaign folder as the build's first argument"),
        ({"nmber": 5}, "parameter 'nmber': report.ipynb has no such parameter; its parameters are: number,"),
    ],
)
def test_bad_values_name_the_parameter_and_what_was_expected(campaign, values, message):
    with pytest.raises(ParameterError) as caught:
        check_parameters(REPORT, values, campaign)
    assert str(caught.value).startswith(message)


def test_one_set_of_parameters_for_two_documents_goes_where_each_is_declared():
    split = split_parameters({"plan": PLAN, "report": REPORT}, {"number": 5, "district": "Huyện A"})
    assert split == {"plan": {"number": 5}, "report": {"number": 5, "district": "Huyện A"}}
