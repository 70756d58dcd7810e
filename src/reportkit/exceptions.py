"""Every error reportkit raises on purpose derives from :class:`ReportkitError`.

The CLI prints the message of a ``ReportkitError`` and exits with code 2, without a
traceback: each message names what is wrong, where, and what was expected.
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .i18n import _, ngettext

__all__ = [
    "CampaignError",
    "DataError",
    "DataProblem",
    "ExecutionError",
    "FileSystemError",
    "MediaError",
    "ParameterError",
    "ReportkitError",
    "ReturnProblem",
    "ReturnsError",
    "SystemDependencyError",
]


class ReportkitError(Exception):
    """Root of reportkit's errors: a message a person can act on."""


@dataclass(frozen=True)
class DataProblem:
    """One thing wrong in an input file: where it is and what was expected there.

    ``row`` counts as a spreadsheet does: the header is row 1, the first record row 2.
    """

    file: Path
    expected: str
    row: int | None = None
    column: str | None = None
    found: str | None = None

    def __str__(self) -> str:
        where = str(self.file)
        if self.row is not None:
            where = _("{where}, row {row}").format(where=where, row=self.row)
        if self.column is not None:
            where = _("{where}, column '{column}'").format(where=where, column=self.column)
        message = _("{where}: {expected}").format(where=where, expected=self.expected)
        if self.found is not None:
            message = _("{message} (found {found})").format(message=message, found=repr(self.found))
        return message


class DataError(ReportkitError):
    """The campaign's data is not what reportkit expects; ``problems`` says where and why."""

    def __init__(self, problems: DataProblem | Sequence[DataProblem]):
        self.problems: tuple[DataProblem, ...] = (
            (problems,) if isinstance(problems, DataProblem) else tuple(problems)
        )
        if not self.problems:
            raise ValueError("a DataError needs at least one problem")
        lines = [str(p) for p in self.problems]
        if len(lines) > 1:
            count = len(lines)
            header = ngettext(
                "{count} problem in the campaign's data:", "{count} problems in the campaign's data:", count
            )
            lines.insert(0, header.format(count=count))
        super().__init__("\n".join(lines))

    @property
    def file(self) -> Path:
        return self.problems[0].file

    @property
    def row(self) -> int | None:
        return self.problems[0].row

    @property
    def column(self) -> str | None:
        return self.problems[0].column


class CampaignError(DataError):
    """``campaign.yaml`` is missing, malformed, or lacks a key."""


class MediaError(DataError):
    """An evidence photo or video that the report cannot show: not what its name says, or too
    large. ``path``, ``expected`` and ``found`` say which file and why."""

    def __init__(self, path: Path, expected: str, found: str | None = None):
        self.path, self.expected, self.found = path, expected, found
        super().__init__(DataProblem(path, expected, found=found))


class ParameterError(ReportkitError, ValueError):
    """A notebook parameter is unknown or has a value of the wrong type."""

    def __init__(self, name: str, message: str):
        self.name = name
        super().__init__(_("parameter '{name}': {message}").format(name=name, message=message))


class ExecutionError(ReportkitError):
    """A notebook cell failed while the document was built."""

    def __init__(self, notebook: str, cell_index: int | None, ename: str, evalue: str, kept: Path | None):
        self.notebook, self.cell_index, self.ename, self.evalue, self.kept = (
            notebook,
            cell_index,
            ename,
            evalue,
            kept,
        )
        # Counted in the executed notebook, which has papermill's injected-parameters cell.
        cell = _("cell {index}").format(index=cell_index) if cell_index is not None else _("a cell")
        message = _("{notebook}: {cell} failed with {ename}: {evalue}").format(
            notebook=notebook, cell=cell, ename=ename, evalue=evalue
        )
        if kept:
            message = _("{message}; the executed notebook is kept at {path}").format(
                message=message, path=kept
            )
        super().__init__(message)


class FileSystemError(ReportkitError):
    """The system refused to read or write a file: a read-only folder, no permission, a full
    disk. Made from the :class:`OSError` (``error``); ``path`` is the file, when known.

    The one place where the kinds of :class:`OSError` a person can cause become messages; the
    CLI wraps any ``OSError`` that reaches it in this class.
    """

    def __init__(self, error: OSError):
        self.error, self.path = error, error.filename
        super().__init__(_os_message(error))


def _os_message(error: OSError) -> str:
    where = error.filename
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        if where:
            return _("the disk is full (writing {path}); free some space and run the command again").format(
                path=where
            )
        return _("the disk is full; free some space and run the command again")
    if error.errno == errno.EROFS:
        return _(
            "{path}: the folder is on a read-only disk or share; choose a writable folder "
            "or make this one writable"
        ).format(path=where or "?")
    if error.errno in (errno.EACCES, errno.EPERM):
        return _(
            "{path}: permission denied; ask for the right to write there or choose another folder"
        ).format(path=where or "?")
    if error.errno == errno.ENOENT:
        return _("{path}: no such file or folder").format(path=where or "?")
    reason = error.strerror or type(error).__name__
    return _("{path}: {reason}").format(path=where, reason=reason) if where else reason


class SystemDependencyError(ReportkitError):
    """A system library or font that reportkit needs is missing; the message says what to install."""


@dataclass(frozen=True)
class ReturnProblem(DataProblem):
    """One thing wrong in a returned form: its file, sheet, row as Excel shows it, column header."""

    sheet: str | None = None

    def __str__(self) -> str:
        from .i18n import _

        where = [str(self.file)]
        if self.sheet is not None:
            where.append(_("sheet '{sheet}'").format(sheet=self.sheet))
        if self.row is not None:
            where.append(_("row {row}").format(row=self.row))
        if self.column is not None:
            where.append(_("column '{column}'").format(column=self.column))
        if self.found is None:
            return _("{where}: {expected}").format(where=", ".join(where), expected=self.expected)
        return _("{where}: {expected} (found {found!r})").format(
            where=", ".join(where), expected=self.expected, found=self.found
        )


class ReturnsError(ReportkitError):
    """Returned forms that cannot be taken in; ``problems`` lists every one, file by file."""

    def __init__(self, problems: Sequence[ReturnProblem], heading: str | None = None):
        self.problems: tuple[ReturnProblem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("a ReturnsError needs at least one problem")
        lines = [str(p) for p in self.problems]
        super().__init__("\n".join([heading, *lines] if heading else lines))
