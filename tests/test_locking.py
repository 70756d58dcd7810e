"""One writer at a time: real ``reportkit`` processes started at once on one campaign.

Each race is run for several rounds, the second command started a little later each round,
so that it lands before, during and after the first one's reading and writing.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reportkit.locking import LOCK_FILE

from .conftest import ROOT, SAMPLE

REPORTKIT = str(Path(sys.executable).with_name("reportkit"))  # the console script of this venv
UNITS = ("dtth-dong-hoa", "so-vp")  # two units with returns in the sample; so-vp's has a photo
ROUNDS = (0.0, 0.3, 0.8)


def start(*args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [REPORTKIT, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, **env},
    )


def finish(process: subprocess.Popen) -> tuple[int, str]:
    _out, err = process.communicate(timeout=600)
    return process.returncode, err


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, table: list[dict[str, str]], header: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(table)


def without_returns(folder: Path, units: tuple[str, ...] = UNITS) -> Path:
    """A copy of the sample in which ``units`` have not reported yet (no rows, no date)."""
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("returns", ".*"))
    activities = rows(folder / "activities.csv")
    header = list(activities[0])
    write_rows(folder / "activities.csv", [r for r in activities if r["unit_id"] not in units], header)
    table = rows(folder / "units.csv")
    for row in table:
        if row["unit_id"] in units:
            row["reported_on"] = ""
    write_rows(folder / "units.csv", table, list(table[0]))
    return folder


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextmanager
def holding(folder: Path, mode: str, output: bool = False) -> Iterator[subprocess.Popen]:
    """Another process holding ``folder``'s lock (``writing`` or ``reading``) until killed."""
    code = (
        "import sys, time\n"
        "from reportkit import locking\n"
        f"with locking.{mode}(sys.argv[1]{', output=True' if output else ''}):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(600)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


@pytest.mark.parametrize("delay", ROUNDS)
def test_two_collects_at_once_both_returns_arrive(tmp_path, delay):
    campaign = without_returns(tmp_path / "campaign")
    first = start("collect", str(campaign), str(SAMPLE / "returns" / UNITS[0]))
    time.sleep(delay)
    second = start("collect", str(campaign), str(SAMPLE / "returns" / UNITS[1]))
    assert [finish(first)[0], finish(second)[0]] == [0, 0]
    collected = {r["unit_id"] for r in rows(campaign / "activities.csv")}
    assert set(UNITS) <= collected
    reported = {r["unit_id"]: r["reported_on"] for r in rows(campaign / "units.csv")}
    assert all(reported[unit] for unit in UNITS), reported
    assert list((campaign / "evidence" / "so-vp").iterdir())


@pytest.mark.kernel
@pytest.mark.parametrize("delay", ROUNDS)
def test_a_build_while_collect_runs_publishes_one_state(tmp_path, delay):
    campaign = without_returns(tmp_path / "campaign")
    before = sha256(campaign / "activities.csv")
    out = tmp_path / "out"
    build = start("build", str(campaign), "--doc", "report", "--to", "html", "--out", str(out))
    time.sleep(delay)
    collect = start("collect", str(campaign), *(str(SAMPLE / "returns" / u) for u in UNITS))
    (built, built_err), (collected, collect_err) = finish(build), finish(collect)
    assert (built, collected) == (0, 0), (built_err, collect_err)
    after = sha256(campaign / "activities.csv")
    assert before != after

    folder = next(p for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
    record = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["report"]
    for name, digest in record["outputs"].items():
        assert sha256(folder / name) == digest, name
    # the build read one version of the activities, whichever it was, and every output shows it
    read = record["inputs"]["activities.csv"]
    assert read in (before, after)
    if read == after:
        expected = rows(campaign / "activities.csv")
    else:
        expected = [r for r in rows(SAMPLE / "activities.csv") if r["unit_id"] not in UNITS]
    ids = sorted(r["activity_id"] for r in expected)
    sheet = load_workbook(folder / "activities.xlsx").active
    assert sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True)) == ids
    figures = json.loads((folder / "figures.json").read_text(encoding="utf-8"))["report"]
    assert figures["activities_total"] == len(ids)
    page = re.sub(r"<[^>]+>", " ", (folder / "report.html").read_text(encoding="utf-8"))
    assert f"Tổng số {len(ids)} hoạt động" in " ".join(page.split())


def collect_one(campaign: Path, **env: str) -> tuple[int, str]:
    return finish(start("collect", str(campaign), str(SAMPLE / "returns" / UNITS[0]), **env))


def build_plan(campaign: Path, out: Path, **env: str) -> tuple[int, str]:
    return finish(start("build", str(campaign), "--doc", "plan", "--to", "html", "--out", str(out), **env))


def test_a_held_campaign_stops_collect_after_the_timeout_naming_the_holder(tmp_path):
    campaign = without_returns(tmp_path / "campaign")
    with holding(campaign, "writing") as holder:
        before = {p.name: p.read_bytes() for p in campaign.rglob("*") if p.is_file()}
        started = time.monotonic()
        code, err = collect_one(campaign, REPORTKIT_LOCK_TIMEOUT="1")
        waited = time.monotonic() - started
    assert code == 2, err
    assert err.count("waiting up to 1 s") == 1, err
    assert f"pid {holder.pid}" in err and "still in use" in err, err
    assert "Traceback" not in err
    assert waited >= 1
    assert {p.name: p.read_bytes() for p in campaign.rglob("*") if p.is_file()} == before


def test_the_wait_is_said_in_vietnamese(tmp_path):
    campaign = without_returns(tmp_path / "campaign")
    with holding(campaign, "writing") as holder:
        code, err = collect_one(campaign, REPORTKIT_LOCK_TIMEOUT="0.5", REPORTKIT_LANG="vi")
    assert code == 2
    assert "đang chờ" in err and f"pid {holder.pid}" in err, err


def test_a_killed_holder_leaves_no_lock_behind(tmp_path):
    campaign = without_returns(tmp_path / "campaign")
    with holding(campaign, "writing"):
        pass  # killed, not released: the operating system lets the lock go
    code, err = collect_one(campaign, REPORTKIT_LOCK_TIMEOUT="1")
    assert code == 0, err
    assert "waiting" not in err
    assert not list(campaign.glob(f"{LOCK_FILE}.*.json"))  # the dead holder's record is gone too


@pytest.mark.kernel
def test_builds_share_a_campaign_but_wait_for_a_writer(tmp_path):
    """A build only reads its campaign: another reader (a batch's run) does not hold it up."""
    campaign = without_returns(tmp_path / "campaign")
    with holding(campaign, "reading"):
        code, err = build_plan(campaign, tmp_path / "out", REPORTKIT_LOCK_TIMEOUT="0")
    assert code == 0, err
    assert "waiting" not in err
    with holding(campaign, "writing"):
        code, err = build_plan(campaign, tmp_path / "again", REPORTKIT_LOCK_TIMEOUT="0.5")
    assert code == 2 and "still in use" in err, err
    assert not (tmp_path / "again").exists() or not any((tmp_path / "again").rglob("*.html"))


def test_a_bad_timeout_is_one_message(tmp_path):
    code, err = collect_one(without_returns(tmp_path / "campaign"), REPORTKIT_LOCK_TIMEOUT="soon")
    assert code == 2 and "REPORTKIT_LOCK_TIMEOUT='soon'" in err, err


@pytest.mark.parametrize("command", ["forms", "new"])
def test_every_command_that_writes_a_campaign_waits_for_its_holder(tmp_path, command):
    campaign = without_returns(tmp_path / "campaign")
    out = tmp_path / "out"
    args = {
        "forms": ("forms", str(campaign), "--out", str(out)),
        "new": ("new", str(campaign), "--id", "next-year", "--year", "2022"),
    }[command]
    held = {"forms": campaign, "new": tmp_path / "next-year"}[command]
    with holding(held, "writing", output=command == "new") as holder:
        code, err = finish(start(*args, REPORTKIT_LOCK_TIMEOUT="0.5"))
    assert code == 2 and f"pid {holder.pid}" in err, err
    assert not (tmp_path / "next-year").exists() and not (out / "wtisd-2021-phu-yen" / "forms").exists()
    code, err = finish(start(*args))
    assert code == 0, err
