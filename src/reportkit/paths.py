"""Names of the folders reportkit writes under ``--out``: never a path outside it.

A campaign id must already be a plain folder name (:data:`ID_PATTERN`); anything else that
names a folder (a district, a value of a grid) goes through :func:`slug`, which keeps only
``a-z``, ``0-9`` and ``-``, so ``../``, ``/`` or a NUL can never reach the file system.
This module imports nothing heavy: the no-op rebuild uses it.
"""

from __future__ import annotations

import re
import unicodedata

from .exceptions import ParameterError
from .i18n import _

__all__ = ["ID_PATTERN", "slug"]

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
