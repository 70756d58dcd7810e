"""Parameters read from the notebooks and checked before a kernel starts."""

from __future__ import annotations

import datetime as dt

import pytest

from reportkit.campaign import load_campaign
from reportkit.exceptions import ParameterError
from reportkit.parameters import check_parameters, merge_given, notebook_parameters, split_parameters

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
    split = split_parameters({"plan": PLAN, "report": REPORT}, {"district": "Huyện A"})
    assert split == {"plan": {}, "report": {"district": "Huyện A"}}


# --- one params file for every document: common values and a section per document ------------

BOTH = {"plan": PLAN, "report": REPORT}


@pytest.mark.parametrize(
    ("values", "split"),
    [
        (
            {"as_of": "2022-05-20", "plan": {"number": 5}, "report": {"number": 12, "issued_on": "2022-06"}},
            {"plan": {"number": 5}, "report": {"as_of": "2022-05-20", "number": 12, "issued_on": "2022-06"}},
        ),
        (
            {"district": "Huyện A", "report": {"district": "Huyện B"}},
            {"plan": {}, "report": {"district": "Huyện B"}},
        ),
        ({"consolidated": {"sources": "x"}, "plan": {"number": 5}}, {"plan": {"number": 5}, "report": {}}),
    ],
)
def test_a_section_gives_its_document_its_own_values_over_the_common_ones(values, split):
    assert split_parameters(BOTH, values, documents=("plan", "report", "consolidated")) == split


@pytest.mark.parametrize(
    ("notebooks", "values", "message"),
    [
        (
            BOTH,
            {"number": 5},
            "parameter 'number': one value for plan, report would give them the same number; put it under "
            "each document's section of the params file (plan:, report:), or build one with --doc NAME",
        ),
        (BOTH, {"issued_on": "2022-05-07"}, "parameter 'issued_on': one value for plan, report"),
        (
            BOTH,
            {"reprt": {"number": 5}},
            "parameter 'reprt': a section of the params file must name a document",
        ),
        (BOTH, {"plan": {"as_of": "2022-05-20"}}, "parameter 'as_of': plan.ipynb has no such parameter"),
    ],
)
def test_a_number_or_day_meant_for_one_document_never_numbers_another(notebooks, values, message):
    with pytest.raises(ParameterError) as caught:
        split_parameters(notebooks, values, documents=("plan", "report"))
    assert str(caught.value).startswith(message)


def test_one_document_built_alone_takes_a_top_level_number():
    values = {"number": 5, "report": {"number": 9}}
    assert split_parameters({"plan": PLAN}, values, documents=("plan", "report")) == {"plan": {"number": 5}}


def test_a_p_value_wins_over_the_file_and_its_sections():
    from_file = {"as_of": "2022-05-01", "report": {"as_of": "2022-05-02", "number": 12}}
    merged = merge_given(from_file, {"as_of": "2022-05-20"})
    assert merged == {"as_of": "2022-05-20", "report": {"number": 12}}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"issued_on": "2022-05-19", "as_of": "2022-05-20"},
            "parameter 'issued_on': a report cannot be dated 2022-05-19: "
            "its figures run to 2022-05-20 (as_of)",
        ),
        (
            {"issued_on": "2022-05-07"},
            "parameter 'issued_on': a report cannot be dated 2022-05-07: "
            "the campaign's window ends on 2022-05-31",
        ),
        ({"issued_on": "2022-04"}, "parameter 'issued_on': a report cannot be dated 2022-04:"),
    ],
)
def test_a_report_dated_before_its_figures_end_is_refused(campaign, values, message):
    with pytest.raises(ParameterError) as caught:
        check_parameters(REPORT, values, campaign)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    "values",
    [
        {"issued_on": "2022-05"},  # known to the month: its last day is the window's end
        {"issued_on": "2022-05-21", "as_of": "2022-05-20"},  # an interim report, inside the window
        {"issued_on": "2022-05-31"},
        {},  # campaign.yaml's own date, 2022-06-03
    ],
)
def test_a_report_dated_on_or_after_its_figures_end_passes(campaign, values):
    check_parameters(REPORT, values, campaign)


@pytest.mark.parametrize(
    ("value", "checked"), [(2.5, 2.5), ("2.5", 2.5), (3, 3.0), ("3", 3.0), ("-0.25", -0.25)]
)
def test_a_float_parameter_takes_numbers_as_a_grid_or_the_command_line_gives_them(
    campaign, tmp_path, value, checked
):
    notebook = _notebook_with(tmp_path, 'campaign: str = ""\nratio: float = 0.5  # a share\n')
    assert check_parameters(notebook, {"ratio": value}, campaign) == {"ratio": checked}


@pytest.mark.parametrize("value", ["hai", True, "2,5", [1]])
def test_a_float_parameter_refuses_what_is_not_a_number(campaign, tmp_path, value):
    notebook = _notebook_with(tmp_path, 'campaign: str = ""\nratio: float = 0.5\n')
    with pytest.raises(ParameterError) as caught:
        check_parameters(notebook, {"ratio": value}, campaign)
    assert str(caught.value) == f"parameter 'ratio': expected a number like 2.5, got {value!r}"


def _notebook_with(folder, parameters: str):
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    path = folder / "ratio.ipynb"
    nbformat.write(nb, path)
    return path
