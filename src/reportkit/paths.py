"""Names of the folders reportkit writes under ``--out``: never a path outside it.

A campaign id must already be a plain folder name (:data:`ID_PATTERN`); anything else that
names a folder (a district, a value of a grid) goes through :func:`slug`, which keeps only
``a-z``, ``0-9`` and ``-``, so ``../``, ``/`` or a NUL can never reach the file system.
It also holds the one cheap look at a campaign's ``campaign.yaml`` (:func:`read_config`)
that a command takes before the full, checked load. This module imports nothing heavy: the
no-op rebuild uses it.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from .exceptions import ParameterError
from .i18n import _

__all__ = ["ID_PATTERN", "read_config", "slug"]

#: A campaign id names a folder under --out: no path separators, no leading dot.
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")


def slug(text: str) -> str:
    """A folder name from any text: ``"Huyện Tuy An"`` → ``"huyen-tuy-an"``."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    name = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80].strip("-")
    if not name:
        raise ParameterError("batch", _("{text} gives no usable folder name").format(text=repr(text)))
    return name


def read_config(folder: str | Path) -> dict[str, Any] | None:
    """``campaign.yaml`` of ``folder`` as a plain mapping, read fast and unchecked, or ``None``.

    For a quick look (the campaign's id, its sections) before the full load of
    :func:`reportkit.campaign.load_campaign`, which names any problem: a missing, unreadable
    or malformed file gives ``None`` here, never an error.
    """
    import yaml

    try:
        # libyaml's parser when there: a rebuild with nothing to do has no time for pure Python's
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load((Path(folder) / "campaign.yaml").read_text(encoding="utf-8"), Loader=loader)
    except (OSError, ValueError, yaml.YAMLError):  # ValueError: UnicodeDecodeError, bad dates
        return None
    return data if isinstance(data, dict) else None
