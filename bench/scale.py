"""Scale: a generated campaign of 1,000,000 activities and 10,000 units is loaded, checked and
reduced to the report's figures; wall time and peak memory are measured in a fresh process.

    .venv/bin/python bench/scale.py [--activities 1000000] [--units 10000]

Target (issue 14): under 3 s and under 1 GiB peak memory.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "campaigns" / "wtisd-2021-phu-yen"
CHANNELS = [
    "banner",
    "pano",
    "poster",
    "web_article",
    "radio",
    "tv",
    "loudspeaker",
    "social_media",
    "meeting",
]
KINDS = ["district_culture_office", "district_culture_centre", "district_radio_tv", "enterprise"]


def generate(folder: Path, activities: int, units: int, seed: int = 17) -> None:
    """A campaign folder like the sample, with ``units`` units and ``activities`` activities."""
    rng = np.random.default_rng(seed)
    shutil.copytree(SAMPLE, folder)
    districts = np.array([f"Huyện {i:03d}" for i in range(units // 30 + 1)])
    unit_ids = np.array([f"u{i:05d}" for i in range(units)])
    pd.DataFrame(
        {
            "unit_id": unit_ids,
            "name": [f"Đơn vị số {i}" for i in range(units)],
            "kind": rng.choice(KINDS, units),
            "district": rng.choice(districts, units),
            "target": np.where(rng.random(units) < 0.95, "true", "false"),
            "reported_on": pd.to_datetime("2021-05-25") + pd.to_timedelta(rng.integers(0, 15, units), "D"),
        }
    ).assign(reported_on=lambda t: t["reported_on"].dt.strftime("%Y-%m-%d")).to_csv(
        folder / "units.csv", index=False
    )
    days = pd.to_datetime("2021-04-25") + pd.to_timedelta(rng.integers(0, 45, activities), "D")
    cost = rng.integers(0, 40, activities) * 50_000
    pd.DataFrame(
        {
            "activity_id": [f"HD{i:07d}" for i in range(activities)],
            "unit_id": rng.choice(unit_ids, activities),
            "date": days.strftime("%Y-%m-%d"),
            "channel": rng.choice(CHANNELS, activities),
            "quantity": rng.integers(1, 30, activities),
            "reach": np.where(
                rng.random(activities) < 0.8, rng.integers(10, 50_000, activities).astype(str), ""
            ),
            "cost_vnd": [f"{c:,}".replace(",", ".") if c else "" for c in cost],
            "budget_line_id": np.where(rng.random(activities) < 0.01, "1", ""),
            "evidence": np.where(rng.random(activities) < 0.001, "evidence/bang-ron-so-tttt.jpg", ""),
            "note": np.where(rng.random(activities) < 0.3, "Lồng ghép hội nghị cơ sở", ""),
        }
    ).to_csv(folder / "activities.csv", index=False)


MEASURE = """
import json, resource, sys, time
started, cpu = time.perf_counter(), time.process_time()
from reportkit.budget import budget_estimate
from reportkit.campaign import load_campaign
from reportkit.coverage import report_figures
imported = time.perf_counter()
campaign = load_campaign(sys.argv[1])
loaded = time.perf_counter()
settings = campaign.config.report
figures = report_figures(campaign.units, campaign.activities, budget_estimate(campaign.budget),
                         window=(settings.window.start, settings.window.end), deadline=settings.deadline)
done = time.perf_counter()
print(json.dumps({
    "import_s": imported - started, "load_and_check_s": loaded - imported, "figures_s": done - loaded,
    "total_s": done - started, "cpu_s": time.process_time() - cpu,
    "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "activities": figures.activities_total, "units_target": figures.units_target,
    "coverage_pct": figures.coverage_pct, "reach_total": figures.reach_total,
}))
"""


def measure(folder: Path) -> dict:
    """Load, check and reduce ``folder`` in a fresh interpreter; its own clock and peak RSS."""
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(folder)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "scale"
        clock = time.perf_counter()
        generate(folder, args.activities, args.units)
        generated = time.perf_counter() - clock
        size = (folder / "activities.csv").stat().st_size / 2**20
        result = measure(folder) | {"generate_s": generated, "activities_csv_mib": size}
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
