"""Budget arithmetic: integer đồng, quantity × unit price, totals."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from reportkit.budget import BudgetLine, budget_estimate, line_amounts


def table(*rows):
    return pd.DataFrame(
        [
            dict(line_id=str(i), content=f"Dòng {i}", unit="Cái", quantity=q, unit_price=p, note="")
            for i, (q, p) in enumerate(rows, 1)
        ]
    ).astype({"quantity": "int64", "unit_price": "int64"})


def test_the_seed_estimate():
    estimate = budget_estimate(table((1, 300_000)))
    assert estimate.total == 300_000
    assert estimate.lines == (BudgetLine("1", "Dòng 1", "Cái", 1, 300_000, 300_000, ""),)


def test_lines_and_total():
    estimate = budget_estimate(table((2, 350_000), (3, 1_005), (0, 99_000)))
    assert [line.amount for line in estimate.lines] == [700_000, 3_015, 0]
    assert estimate.total == 703_015


def test_amounts_stay_integers_past_float_precision():
    # 2**53 + 1 đồng is not representable as a float; integer đồng keep it exact.
    estimate = budget_estimate(table((1, 2**53 + 1), (1, 1)))
    assert estimate.total == 2**53 + 2
    assert all(type(line.amount) is int for line in estimate.lines)


def test_figures_json_shape():
    figures = budget_estimate(table((1, 300_000))).to_dict()
    assert figures == {
        "budget_total_vnd": 300_000,
        "budget_lines": [
            {
                "line_id": "1",
                "content": "Dòng 1",
                "unit": "Cái",
                "quantity": 1,
                "unit_price": 300_000,
                "amount": 300_000,
                "note": "",
            }
        ],
    }


@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 10**9)), min_size=1, max_size=30))
def test_total_is_the_sum_of_quantity_times_price(rows):
    assert budget_estimate(table(*rows)).total == sum(q * p for q, p in rows)
    assert line_amounts(table(*rows)).dtype == "int64"
