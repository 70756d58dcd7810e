"""Budget figures: the estimate attached to the plan.

Plain functions over the checked budget table (see :data:`reportkit.tables.BUDGET`); they do
no I/O and print nothing. Money is integer đồng: amounts are ``int``, never ``float``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

__all__ = ["BudgetEstimate", "BudgetLine", "budget_estimate", "line_amounts"]


@dataclass(frozen=True)
class BudgetLine:
    """One line of the estimate: STT, Nội dung, ĐVT, Số lượng, Đơn giá, Thành tiền, Ghi chú."""

    line_id: str
    content: str
    unit: str
    quantity: int
    unit_price: int
    amount: int
    note: str = ""


@dataclass(frozen=True)
class BudgetEstimate:
    """The lines of a budget estimate and their total, in đồng."""

    lines: tuple[BudgetLine, ...]

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)

    def to_dict(self) -> dict:
        """The figures as ``figures.json`` holds them under ``plan``."""
        return {"budget_total_vnd": self.total, "budget_lines": [asdict(line) for line in self.lines]}


def line_amounts(table: pd.DataFrame) -> pd.Series:
    """Thành tiền of each line: quantity × unit price, in integer đồng."""
    return (table["quantity"].astype("int64") * table["unit_price"].astype("int64")).rename("amount")


def budget_estimate(table: pd.DataFrame) -> BudgetEstimate:
    """The estimate from a checked budget table, lines in the table's order."""
    amounts = line_amounts(table)
    lines = tuple(
        BudgetLine(
            line_id=str(row.line_id),
            content=str(row.content),
            unit=str(row.unit),
            quantity=int(row.quantity),
            unit_price=int(row.unit_price),
            amount=int(amount),
            note=str(row.note),
        )
        for row, amount in zip(table.itertuples(), amounts, strict=True)
    )
    return BudgetEstimate(lines)
