"""A campaign of any event, from nothing: ``reportkit new --blank --id ID --event NAME
--event-date DATE``.

It writes a Decree-30 skeleton: campaign.yaml with the plan's usual sections (Mục đích, yêu
cầu; nội dung; đối tượng; hình thức và thời gian; kinh phí; tổ chức thực hiện) and the
report's settings, a budget with one line, and empty units and activities tables. Everything
a person must write is a placeholder (``[[…]]``, :mod:`reportkit.placeholders`): ``validate``
lists them, and nothing builds until they are written. The dates follow the event: the
window from 16 days before it to 14 days after, the report's deadline 4 days after the
window, the plan issued in the month before the window opens.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from importlib.resources import files
from pathlib import Path
from string import Template

from . import locking, tables
from .campaign import CONFIG_FILE, load_campaign
from .exceptions import ParameterError
from .i18n import _
from .placeholders import placeholder
from .scaffold import NewCampaign, check_id

__all__ = ["blank_campaign"]

#: The window of a blank campaign around its event, in days, and the report's deadline after it.
BEFORE, AFTER, DEADLINE = 16, 14, 4


def blank_campaign(campaign_id: str, event: str, event_date: dt.date, parent: Path) -> NewCampaign:
    """Write the skeleton of a campaign for ``event`` on ``event_date`` in
    ``<parent>/<campaign_id>/``; its placeholders are listed in the result.

    Raises
    ------
    ParameterError
        The id is not a folder name, the folder already exists, or the event has no name.
    """
    if not event.strip() or "[[" in event:
        raise ParameterError("--event", _("the event's name, e.g. 'Ngày Chuyển đổi số quốc gia'"))
    check_id(campaign_id, parent)  # a folder name, before it names a lock
    with locking.writing(parent / campaign_id, output=True):  # two commands making it take turns
        return _blank(campaign_id, event.strip(), event_date, parent)


def _blank(campaign_id: str, event: str, event_date: dt.date, parent: Path) -> NewCampaign:
    folder = check_id(campaign_id, parent)
    start = event_date - dt.timedelta(days=BEFORE)
    end = event_date + dt.timedelta(days=AFTER)
    deadline = end + dt.timedelta(days=DEADLINE)
    values = {
        "id": campaign_id,
        "year": event_date.year,
        "event": event,
        "event_date": event_date.isoformat(),
        "folder": folder,
        "plan_month": (start - dt.timedelta(days=1)).strftime("%Y-%m"),
        "report_month": deadline.strftime("%Y-%m"),
        "deadline": deadline.isoformat(),
        "window_start": start.isoformat(),
        "window_end": end.isoformat(),
        "window_start_text": f"{start.day:02d}/{start.month:02d}/{start.year}",
        "window_end_text": f"{end.day:02d}/{end.month:02d}/{end.year}",
    }
    text = (files("reportkit") / "templates" / "campaign" / CONFIG_FILE).read_text(encoding="utf-8")
    parent.mkdir(parents=True, exist_ok=True)
    staging = parent / f".{campaign_id}.{uuid.uuid4().hex[:8]}.new"
    staging.mkdir()
    try:
        (staging / CONFIG_FILE).write_text(Template(text).substitute(values), encoding="utf-8")
        budget_line = ["1", placeholder("Nội dung chi"), placeholder("Đơn vị tính"), "1", "0", ""]
        _write_table(staging / "budget.csv", tables.BUDGET, [budget_line])
        _write_table(staging / "units.csv", tables.UNITS, [])
        _write_table(staging / "activities.csv", tables.ACTIVITIES, [])
        made = load_campaign(staging)  # it loads; its placeholders are what is left to write
        os.rename(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    review = tuple(f"{u.file.name}:{u.row}: {u.found}" for u in made.unwritten)
    return NewCampaign(folder, review)


def _write_table(path: Path, schema: tables.Schema, rows: list[list[str]]) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([c.name for c in schema.columns])
        writer.writerows(rows)
