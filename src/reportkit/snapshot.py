"""A checked campaign's large tables kept as Parquet, so the kernel does not check them again.

A build loads and checks the campaign before any kernel starts; the report's notebook then
loads it again, which for a million activities is most of the kernel's time. For a campaign
of :data:`MIN_ROWS` activities or more the build writes the checked ``units`` and
``activities`` tables to ``<out>/.reportkit/snapshots/<key>/`` and tells the kernel where
(``REPORTKIT_SNAPSHOT``). The key is a hash of every file of the campaign folder, and
:func:`load_campaign <reportkit.campaign.load_campaign>` uses a snapshot only when the
files it finds hash to the same key: a snapshot can be stale, never wrong. A smaller
campaign loads faster than a snapshot would be written, so it gets none.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

__all__ = ["ENV", "MIN_ROWS", "campaign_key", "read_snapshot", "write_snapshot"]

#: The variable that names a snapshot folder to a kernel.
ENV = "REPORTKIT_SNAPSHOT"
#: Activities from which a build hands its kernel a snapshot.
MIN_ROWS = 50_000
TABLES = ("units", "activities")
META = "snapshot.json"


def campaign_key(folder: Path) -> str:
    """A hash of every file of the campaign folder (name and content)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
        content = hashlib.sha256(path.read_bytes()).hexdigest()
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + content.encode())
    return digest.hexdigest()


def write_snapshot(root: Path, folder: Path, units: pd.DataFrame, activities: pd.DataFrame) -> Path:
    """The snapshot of ``folder``'s checked tables under ``root``, written once per key."""
    key = campaign_key(folder)
    target = root / key[:32]
    if (target / META).is_file():
        return target
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".", dir=root))
    try:
        for name, table in zip(TABLES, (units, activities), strict=True):
            table.to_parquet(staging / f"{name}.parquet", compression=None)
        meta = {"folder": str(folder.resolve()), "key": key}
        (staging / META).write_text(json.dumps(meta), encoding="utf-8")
        try:
            os.rename(staging, target)  # atomic; another build may have got there first
        except OSError:
            if not (target / META).is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def read_snapshot(snapshot: Path, folder: Path) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """``(units, activities)`` from ``snapshot`` if it was taken of ``folder`` as it is now."""
    try:
        meta = json.loads((snapshot / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("folder") != str(folder.resolve()) or meta.get("key") != campaign_key(folder):
        return None
    try:
        units, activities = (pd.read_parquet(snapshot / f"{name}.parquet") for name in TABLES)
    except (OSError, ValueError):
        return None
    return units, activities
