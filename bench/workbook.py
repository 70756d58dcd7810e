"""Writing the full activity list: reportkit's column-wise writer against XlsxWriter in its
constant-memory mode and openpyxl (pandas' default), on the same checked table.

    .venv/bin/python bench/workbook.py [--activities 200000]

Each writer's wall and CPU seconds, and per million activities (the libraries write cell by
cell, so their time grows with the rows; openpyxl is left out above 300,000 rows).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from common import load
from scale import generate


def clocked(write) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    write()
    return time.perf_counter() - wall, time.process_time() - cpu


def library_writer(engine: str, table, path: Path):
    import pandas as pd

    options = {"options": {"constant_memory": True}} if engine == "xlsxwriter" else {}

    def write():
        with pd.ExcelWriter(path, engine=engine, engine_kwargs=options) as writer:
            table.to_excel(writer, sheet_name="Hoạt động", index=False)

    return write


def main(activities: int = 200_000) -> dict:
    from reportkit.campaign import load_campaign
    from reportkit.workbook import write_activities

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "c"
        generate(folder, activities, 10_000)
        campaign = load_campaign(folder)
        result: dict = {"activities": activities, "machine_load": load()}
        ours = clocked(lambda: write_activities(campaign.activities, campaign.units, Path(tmp) / "ours.xlsx"))
        result["reportkit"] = ours
        # the libraries get the checked table as it is (10 columns, no look-ups, no formats):
        # less work than reportkit's 12 formatted columns, so the comparison favours them
        table = campaign.activities
        result["xlsxwriter_constant_memory"] = clocked(
            library_writer("xlsxwriter", table, Path(tmp) / "x.xlsx")
        )
        if activities <= 300_000:
            result["openpyxl"] = clocked(library_writer("openpyxl", table, Path(tmp) / "o.xlsx"))
    per_million = 1_000_000 / activities
    result["per_million_s"] = {
        name: [round(v * per_million, 1) for v in value]
        for name, value in result.items()
        if name in ("reportkit", "xlsxwriter_constant_memory", "openpyxl")
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=200_000)
    main(parser.parse_args().activities)
