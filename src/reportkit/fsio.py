"""Atomic writes: a file is either its old self or its new self, never half of either.

Every file reportkit writes in place (a form, the register of forms, a zip, a signed PDF, a
build's published outputs, collect's tables) is written to a temporary file beside it and
moved over it with :func:`replace`, one rename on the same file system. One rule for the new
file's mode: it is made as any file is, so the user's umask decides (``mkstemp`` would make it
private, which a shared office folder does not want).

On Windows a file another program has open (a PDF in a viewer, a table in Excel) cannot be
replaced: :func:`replace` retries for a moment, then says which file to close.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .exceptions import ReportkitError
from .i18n import _

__all__ = ["FileInUseError", "atomic_path", "replace", "write_bytes"]

#: How long :func:`replace` keeps trying while another program holds the target open.
RETRY_SECONDS = 3.0
# Only Windows refuses to replace an open file; elsewhere a PermissionError is a real one.
_RETRY_WHEN_DENIED = os.name == "nt"


class FileInUseError(ReportkitError):
    """Another program kept the file open, so the new one could not take its place."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            _("{path} is open in another program; close it, then run this again").format(path=path)
        )


def replace(source: str | Path, target: str | Path) -> None:
    """Move ``source`` over ``target`` in one step (:func:`os.replace`).

    Raises
    ------
    FileInUseError
        On Windows, ``target`` stayed open in another program for :data:`RETRY_SECONDS`.
    """
    deadline = time.monotonic() + RETRY_SECONDS
    while True:
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if not _RETRY_WHEN_DENIED:
                raise
            if time.monotonic() >= deadline:
                raise FileInUseError(Path(target)) from None
            time.sleep(0.1)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write; it replaces ``path`` when the block ends well.

    The temporary file already exists, made with the mode the umask gives any new file; a
    writer that opens it by name keeps that mode. If the block fails it is removed, and
    ``path`` is as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.part")
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield temporary
        replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_path`); return ``path``."""
    with atomic_path(path) as temporary, open(temporary, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())  # the bytes are on disk before the name points at them
    return Path(path)
