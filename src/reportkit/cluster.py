"""Batches on a Dask distributed cluster: each run of a batch is one task on a worker.

``reportkit batch … --cluster tcp://host:port`` (or ``--scheduler-file FILE``) sends the runs
of :mod:`reportkit.batch` to an existing Dask scheduler instead of the local pool of worker
processes. A task is the same build as a local run (:func:`reportkit.execute.build` into
``<out>/<campaign id>/<variant>/``: its own folder, lock and staging), so a run on a cluster
writes exactly what it writes locally. Each worker keeps a warm kernel for each of its threads
while more runs are to come (:mod:`reportkit.kernels`). The kernel of each run gets its own IPC socket folder
and is started with its working directory set on the child process, never by changing the
worker's, so runs on the threads of one worker do not meet.

Workers must see the campaign and the output folder at the same paths as the machine that
submits the batch (a shared file system); each task checks that first and fails with a
message naming the worker and the path. A run whose worker dies is started again on another
worker: the scheduler does that itself up to its ``distributed.scheduler.allowed-failures``
and then gives up on it (``KilledWorker``); reportkit then submits it again, up to
``retries`` times. A run that fails (bad data, a failing cell) is one failed run of the
summary and never stops the others.

Only this module imports ``distributed``; it is the optional extra ``reportkit[dask]``.
"""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import Sequence
from pathlib import Path

from .exceptions import ReportkitError
from .i18n import _
from .runs import Outcome, Run, more_to_come, progress_bar, run_one

__all__ = ["ClusterError", "SharedFolderError", "run_on_cluster"]

#: Seconds to reach the scheduler before giving up with a message.
CONNECT_TIMEOUT = int(os.environ.get("REPORTKIT_CLUSTER_TIMEOUT", "30"))


class ClusterError(ReportkitError):
    """The Dask scheduler cannot be reached, or Dask is not installed."""

    def __init__(self, address: str, reason: str):
        self.address, self.reason = address, reason
        super().__init__(_("cluster {address}: {reason}").format(address=address, reason=reason))


class SharedFolderError(ReportkitError):
    """A worker does not see a folder the batch needs at the same path (no shared file system)."""

    def __init__(self, worker: str, path: Path, what: str):
        self.worker, self.path, self.what = worker, path, what
        super().__init__(
            _(
                "worker {worker} cannot see the {what} at {path}; every worker must reach the campaign "
                "and the output folder at the same paths (a shared file system)"
            ).format(worker=worker, what=what, path=path)
        )


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return f"{get_worker().address} ({socket.gethostname()})"
    except (ImportError, ValueError):
        return socket.gethostname()


def _threads() -> int:
    """The threads of this worker, each of which runs a task at a time."""
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        return 1


def _check_shared(campaign_dir: Path, out: Path) -> None:
    """Fail unless this worker sees the campaign and can write into the output folder."""
    if not (campaign_dir / "campaign.yaml").is_file():
        raise SharedFolderError(_worker_name(), campaign_dir, _("campaign folder"))
    if not (out.is_dir() and os.access(out, os.W_OK | os.X_OK)):
        raise SharedFolderError(_worker_name(), out, _("output folder"))


def _run_task(
    campaign_dir: str,
    doc: str,
    run: Run,
    to: Sequence[str],
    out: str,
    force: bool,
    notebooks: str | None,
    warm: bool = False,
) -> Outcome:
    """One run on a worker: the shared-folder check, then the same build as a local run; with
    ``warm``, the worker keeps a kernel warm for each of its threads' next runs."""
    try:
        _check_shared(Path(campaign_dir), Path(out))
    except SharedFolderError as error:
        return Outcome.failed(run.variant, str(error))
    try:
        return run_one(campaign_dir, doc, run, to, out, force, notebooks, _threads() if warm else 0)
    except Exception as error:  # a bug in one run must not stop the batch; its message is kept
        return Outcome.failed(run.variant, f"{type(error).__name__}: {error}")


def _drop_spares(client) -> None:
    """The batch is over: its workers stop the kernels they kept warm for it (a spare is
    started for a run that another worker then took)."""
    from .kernels import drop

    with contextlib.suppress(Exception):  # a lost worker took its kernels with it
        client.run(drop, wait=True)


def _connect(address: str | None, scheduler_file: str | None):
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError(
            address or str(scheduler_file),
            _("Dask is not installed; install it with: pip install 'reportkit[dask]'"),
        ) from None
    where = address or str(scheduler_file)
    if scheduler_file is not None and not Path(scheduler_file).is_file():
        raise ClusterError(where, _("no scheduler file at this path"))
    try:
        return Client(address, scheduler_file=scheduler_file, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise ClusterError(
            where, _("cannot reach the scheduler ({error})").format(error=str(error) or type(error).__name__)
        ) from None


def run_on_cluster(
    campaign_dir: Path,
    doc: str,
    runs: Sequence[Run],
    *,
    to: Sequence[str],
    out: Path,
    address: str | None = None,
    scheduler_file: str | Path | None = None,
    retries: int = 2,
    force: bool = False,
    progress: bool = False,
    notebooks: str | Path | None = None,
) -> dict[str, Outcome]:
    """Build every run as a task on the Dask cluster at ``address`` or in ``scheduler_file``.

    Returns each run's outcome by folder name, as :func:`reportkit.batch.run_batch` does. A run
    lost with its worker is submitted again up to ``retries`` times; then it is a failed run
    that says so.

    Raises
    ------
    ClusterError
        Dask is not installed or the scheduler cannot be reached.
    """
    from distributed import as_completed
    from distributed.client import FutureCancelledError
    from distributed.scheduler import KilledWorker

    if (address is None) == (scheduler_file is None):
        raise ValueError("give a scheduler address or a scheduler file, not both")
    campaign = str(Path(campaign_dir).resolve())
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    batch_id = uuid.uuid4().hex[:8]
    client = _connect(address, None if scheduler_file is None else str(scheduler_file))
    outcomes: dict[str, Outcome] = {}
    bar = progress_bar(runs, doc, progress)
    try:
        by_key, attempts = {}, {}
        slots = max(1, sum(client.nthreads().values()))
        order = {run.variant: index for index, run in enumerate(runs)}

        def submit(run: Run):
            attempts[run.variant] = attempts.get(run.variant, 0) + 1
            future = client.submit(
                _run_task,
                campaign,
                doc,
                run,
                tuple(to),
                str(out),
                force,
                str(Path(notebooks).resolve()) if notebooks else None,
                attempts[run.variant] == 1 and more_to_come(order[run.variant], len(runs), slots),
                key=f"reportkit-{batch_id}-{run.variant}-{attempts[run.variant]}",
                pure=False,
            )
            by_key[future.key] = run
            return future

        pending = as_completed([submit(run) for run in runs], loop=client.loop)
        for future in pending:
            run = by_key.pop(future.key)
            try:
                outcome = future.result().again(attempts[run.variant])
            except (KilledWorker, FutureCancelledError, OSError) as error:
                if attempts[run.variant] <= retries:
                    pending.add(submit(run))
                    continue
                message = _("its worker was lost {count} times ({error})").format(
                    count=attempts[run.variant], error=type(error).__name__
                )
                outcome = Outcome.failed(run.variant, message, attempts[run.variant])
            except Exception as error:  # e.g. the task could not be unpickled on the worker
                outcome = Outcome.failed(
                    run.variant, f"{type(error).__name__}: {error}", attempts[run.variant]
                )
            finally:
                future.release()
            outcomes[outcome.variant] = outcome
            bar.update()
    finally:
        bar.close()
        _drop_spares(client)
        client.close()
    return {run.variant: outcomes[run.variant] for run in runs}
