"""Which separator do the detectors find in budget tables as offices save them?

Compares, on 16 variants of the sample's budget (`,`, `;` and tab; with and without title
lines, blank and total rows; commas inside cells), the standard library's ``csv.Sniffer``
restricted to the three separators, CleverCSV (if installed: ``pip install clevercsv``;
reportkit does not depend on it) and reportkit's own rule (the separator that splits one
of the first rows into the table's header). Prints one line per variant, the misses of
each, what they took (reportkit's time includes writing and decoding each file) and what
importing CleverCSV costs a fresh process.

    .venv/bin/python bench/csv_dialects.py
"""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
import time
from pathlib import Path

from reportkit.tables import BUDGET, DELIMITERS, read_csv_text

HEADER = "line_id{d}content{d}unit{d}quantity{d}unit_price{d}note"
LINE = ["1", "Tuyên truyền Ngày Viễn thông (17/5) năm 2021", "Băng rôn", "01", "300.000", "Tạm tính"]
TITLE = "Dự trù kinh phí tuyên truyền năm 2021"


def variants() -> dict[str, tuple[str, str]]:
    """Name → (text, its separator)."""
    cases = {}
    for name, d in (("comma", ","), ("semicolon", ";"), ("tab", "\t")):
        header, row = HEADER.format(d=d), d.join(LINE)
        total = d.join(["", "Tổng cộng", "", "", "", ""])
        cases[f"{name}"] = (f"{header}\n{row}\n", d)
        cases[f"{name}, title"] = (f"{TITLE}\n{header}\n{row}\n", d)
        cases[f"{name}, padded title"] = (f"{TITLE}{d * 5}\n{header}\n{row}\n", d)
        two = f"UBND TỈNH PHÚ YÊN\nDự trù kinh phí, năm 2021\n{header}\n{row}\n{total}\n{d * 5}\n{d * 5}\n"
        cases[f"{name}, two titles, total, blank rows"] = (two, d)
    commas = (
        "line_id;content;unit;quantity;unit_price;note\n1;Băng rôn, pa-nô;Cái;1;300.000;Tạm tính, chưa VAT\n"
    )
    cases["semicolon, commas in cells"] = (commas, ";")
    cases["semicolon, commas in cells, title"] = ("Dự trù kinh phí, năm 2021\n" + commas, ";")
    quoted = 'line_id,content,unit,quantity,unit_price,note\n1,"Băng rôn; pa-nô",Cái,1,"300.000","a; b"\n'
    cases["comma, semicolons in quoted cells"] = (quoted, ",")
    cases["the sample"] = (
        (Path(__file__).parents[1] / "data/campaigns/wtisd-2021-phu-yen/budget.csv").read_text(),
        ",",
    )
    return cases


def sniffer(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        return "gave up"


def clevercsv_detector():
    if importlib.util.find_spec("clevercsv") is None:
        return None
    import clevercsv

    def detect(text: str) -> str:
        found = clevercsv.Detector().detect(text, delimiters=list(DELIMITERS))
        return found.delimiter if found else "gave up"

    return detect


def main() -> None:
    import tempfile

    detectors = {"csv.Sniffer": sniffer, "reportkit": None}
    clever = clevercsv_detector()
    if clever:
        detectors["CleverCSV"] = clever
    misses = dict.fromkeys(detectors, 0)
    spent = dict.fromkeys(detectors, 0.0)
    with tempfile.TemporaryDirectory() as tmp:
        for name, (text, expected) in variants().items():
            found = {}
            for detector, detect in detectors.items():
                clock = time.perf_counter()
                if detect is None:
                    path = Path(tmp) / "budget.csv"
                    path.write_text(text, encoding="utf-8")
                    found[detector] = read_csv_text(path, BUDGET).delimiter
                else:
                    found[detector] = detect(text)
                spent[detector] += time.perf_counter() - clock
                misses[detector] += found[detector] != expected
            shown = ", ".join(f"{d} {found[d]!r}" for d in detectors)
            print(f"{name:45} {expected!r:5} {shown}")
    print(f"\n{len(variants())} variants; misses: " + ", ".join(f"{d} {n}" for d, n in misses.items()))
    print("time for all variants: " + ", ".join(f"{d} {1000 * t:.0f} ms" for d, t in spent.items()))
    if clever:
        code = "import time; t = time.perf_counter(); import clevercsv; print(time.perf_counter() - t)"
        runs = [
            float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)
            for _ in range(3)
        ]
        print(f"importing clevercsv in a fresh process: {min(runs):.2f} s (best of 3)")
    else:
        print("CleverCSV not installed: `pip install clevercsv` to compare it too")


if __name__ == "__main__":
    main()
