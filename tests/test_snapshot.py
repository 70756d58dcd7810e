"""The checked tables a build hands its kernel: used only for the very files they came from."""

from __future__ import annotations

import shutil

import pandas as pd

from reportkit.campaign import load_campaign
from reportkit.snapshot import ENV, read_snapshot, write_snapshot

from .conftest import SAMPLE


def test_a_snapshot_gives_back_the_checked_tables(tmp_path, monkeypatch):
    folder = tmp_path / "c"
    shutil.copytree(SAMPLE, folder)
    checked = load_campaign(folder)
    snapshot = write_snapshot(tmp_path / "snapshots", folder, checked.units, checked.activities)
    assert write_snapshot(tmp_path / "snapshots", folder, checked.units, checked.activities) == snapshot
    monkeypatch.setenv(ENV, str(snapshot))
    again = load_campaign(folder)
    pd.testing.assert_frame_equal(again.activities, checked.activities)
    pd.testing.assert_frame_equal(again.units, checked.units)
    assert again.files == checked.files and again.activities.attrs == checked.activities.attrs


def test_a_changed_file_makes_the_snapshot_stale(tmp_path, monkeypatch):
    folder = tmp_path / "c"
    shutil.copytree(SAMPLE, folder)
    checked = load_campaign(folder)
    snapshot = write_snapshot(tmp_path / "snapshots", folder, checked.units, checked.activities)
    activities = folder / "activities.csv"
    lines = activities.read_text(encoding="utf-8").splitlines()
    activities.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # one activity fewer
    assert read_snapshot(snapshot, folder) is None
    monkeypatch.setenv(ENV, str(snapshot))
    assert len(load_campaign(folder).activities) == len(checked.activities) - 1
    assert read_snapshot(snapshot, SAMPLE) is None  # nor is it another folder's
