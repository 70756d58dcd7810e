"""Batches: one document per district, or per row of a grid of parameters, side by side.

Each run writes to its own folder, ``<out>/<campaign id>/<doc>-<slug>/``, so runs never
collide, and each folder is built like any other (staged, locked, reused when unchanged).
Runs go to a pool of worker processes; ``jobs`` sets how many run at once, and each process
keeps the kernel of its next run warm while the current one executes (:mod:`reportkit.kernels`:
a fresh kernel for every run all the same). With a Dask
scheduler's address they go to that cluster instead (:mod:`reportkit.cluster`, imported only
then).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import yaml

from .exceptions import DataError, DataProblem, ReportkitError
from .i18n import _
from .paths import slug
from .runs import Outcome, Run, more_to_come, progress_bar, run_one

__all__ = ["Outcome", "Run", "district_runs", "grid_runs", "run_batch"]


def district_runs(campaign_dir: Path, doc: str) -> list[Run]:
    """One run per district of the campaign's units, in the order of units.csv.

    The units table is read as any table is (separator, encoding, title lines; see
    :mod:`reportkit.tables`); each run loads and checks the whole campaign before it starts.
    """
    from .tables import UNITS, find_table, read_table

    path = find_table(campaign_dir, _units_stem(campaign_dir))
    if path is None:
        raise ReportkitError(
            _("{folder}: no units table, so no districts to batch over").format(folder=campaign_dir)
        )
    districts = [d for d in dict.fromkeys(read_table(path, UNITS)["district"]) if d]
    return [Run(f"{doc}-{slug(d)}", {"district": d}) for d in districts]


def _units_stem(campaign_dir: Path) -> str:
    from .paths import read_config

    report = (read_config(campaign_dir) or {}).get("report")
    return str(report.get("units") or "units") if isinstance(report, dict) else "units"


def grid_runs(path: Path, doc: str) -> list[Run]:
    """One run per row of a CSV whose header names parameters; values are read as YAML."""
    try:
        rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(DataProblem(path, _("a readable CSV file in UTF-8"), found=str(error))) from None
    if not rows:
        raise DataError(DataProblem(path, _("a header of parameter names and at least one row")))
    runs, seen = [], {}
    for number, row in enumerate(rows, start=2):
        parameters = {
            name.strip(): _value(text) for name, text in row.items() if name and text not in (None, "")
        }
        variant = f"{doc}-{slug('-'.join(str(v) for v in parameters.values()) or f'row-{number}')}"
        if variant in seen:
            raise DataError(
                DataProblem(
                    path,
                    _("rows that differ; this one repeats row {row}").format(row=seen[variant]),
                    row=number,
                )
            )
        seen[variant] = number
        runs.append(Run(variant, parameters))
    return runs


def _value(text: str) -> Any:
    try:
        value = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError):
        return text
    return text if isinstance(value, dict | list) else value


def run_batch(
    campaign_dir: Path,
    doc: str,
    runs: Sequence[Run],
    *,
    to: Sequence[str],
    out: Path,
    jobs: int = 1,
    force: bool = False,
    progress: bool = False,
    notebooks: str | Path | None = None,
    cluster: str | None = None,
    scheduler_file: str | Path | None = None,
    retries: int = 2,
) -> dict[str, Outcome]:
    """Build every run, ``jobs`` at a time; return each run's outcome by folder name.

    A failing run does not stop the others; its outcome is not ``ok`` and says why. ``doc``
    names a document's notebook, found in ``notebooks`` first
    (:func:`reportkit.documents.find_document`); an unknown one stops the batch before it
    starts. Given a Dask scheduler's ``cluster`` address or ``scheduler_file``, the runs are
    tasks on that cluster (``jobs`` is then the cluster's business) and a run whose worker
    died is submitted again up to ``retries`` times.
    """
    from .documents import find_document

    find_document(doc, notebooks)
    if cluster is not None or scheduler_file is not None:
        from .cluster import run_on_cluster

        return run_on_cluster(
            campaign_dir,
            doc,
            runs,
            to=to,
            out=out,
            address=cluster,
            scheduler_file=scheduler_file,
            retries=retries,
            force=force,
            progress=progress,
            notebooks=notebooks,
        )
    outcomes: dict[str, Outcome] = {}
    bar = progress_bar(runs, doc, progress)
    jobs = max(1, jobs)
    # Each worker process runs one build at a time and keeps one kernel warm for its next run.
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [
            pool.submit(
                run_one,
                str(campaign_dir),
                doc,
                run,
                tuple(to),
                str(out),
                force,
                str(notebooks) if notebooks else None,
                1 if more_to_come(index, len(runs), jobs) else 0,
            )
            for index, run in enumerate(runs)
        ]
        for future in as_completed(futures):
            outcome = future.result()
            outcomes[outcome.variant] = outcome
            bar.update()
    bar.close()
    return {run.variant: outcomes[run.variant] for run in runs}
