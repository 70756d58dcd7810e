"""One run of a batch and its outcome, shared by the local pool (:mod:`reportkit.batch`) and a
Dask cluster (:mod:`reportkit.cluster`).

A run's outcome is a small frozen value, not a string to recognise by its first word: the
summary reads ``ok`` and words each line in the user's language, "lỗi:" included. Outcomes
travel back from worker processes and cluster workers, so they hold plain values only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .exceptions import FileSystemError, ReportkitError
from .i18n import _

__all__ = ["Outcome", "Run", "more_to_come", "progress_bar", "run_one"]


@dataclass(frozen=True)
class Run:
    """One run of a batch: its folder name and its parameters."""

    variant: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class Outcome:
    """How one run ended: built or reused with its files, or failed with a message.

    ``attempts`` counts the submissions on a cluster (more than one when a worker was lost).
    """

    variant: str
    ok: bool
    reused: bool = False
    message: str = ""
    paths: tuple[Path, ...] = ()
    attempts: int = 1

    @classmethod
    def failed(cls, variant: str, message: str, attempts: int = 1) -> Outcome:
        """A run that did not give its document; ``message`` says why."""
        return cls(variant, ok=False, message=message, attempts=attempts)

    def again(self, attempts: int) -> Outcome:
        """The same outcome, known to have taken ``attempts`` submissions."""
        return replace(self, attempts=attempts)

    def line(self) -> str:
        """The run's line of a batch's summary, in the current language."""
        if not self.ok:
            return _("{variant}: error: {message}").format(variant=self.variant, message=self.message)
        words = _("reused") if self.reused else _("built")
        if self.attempts > 1:
            words += _(" (submitted {count} times: its worker was lost)").format(count=self.attempts)
        return _("{variant}: {outcome}").format(variant=self.variant, outcome=words)


def run_one(
    campaign_dir: str,
    doc: str,
    run: Run,
    to: Sequence[str],
    out: str,
    force: bool,
    notebooks: str | None,
    spares: int = 0,
) -> Outcome:
    """Build one run into ``<out>/<campaign id>/<variant>/``; a refusal is a failed outcome.

    ``spares`` kernels start for the next runs of this process while this one executes
    (:func:`reportkit.kernels.keep`); 0 when no run is expected to follow.
    """
    from . import kernels
    from .execute import build

    kernels.keep(spares)
    try:
        result = build(
            campaign_dir,
            docs=(doc,),
            to=to,
            parameters=run.parameters,
            out=out,
            variant=run.variant,
            force=force,
            notebooks=notebooks,
        )
    except ReportkitError as error:
        return Outcome.failed(run.variant, str(error))
    except OSError as error:  # a read-only or full output folder: this run's message, not a traceback
        return Outcome.failed(run.variant, str(FileSystemError(error)))
    return Outcome(run.variant, ok=True, reused=doc in result.reused, paths=tuple(result.files.get(doc, ())))


def more_to_come(index: int, runs: int, slots: int) -> bool:
    """Whether run ``index`` of ``runs``, on one of ``slots`` running at once, is likely to be
    followed by another in its process: not for the last runs of a batch, so that no kernel is
    warmed for a run that never comes."""
    return index + slots < runs


def progress_bar(runs: Sequence[Run], doc: str, progress: bool):
    """The bar a batch shows on standard error, one step a run (silent without ``progress``)."""
    import sys

    from tqdm.auto import tqdm

    return tqdm(
        total=len(runs),
        unit="doc",
        disable=not progress,
        file=sys.stderr,
        desc=_("{doc} batch").format(doc=doc),
    )
