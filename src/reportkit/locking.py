"""One writer at a time in a folder: the lock every command takes before it writes.

A campaign folder (``collect``, ``new``, ``forms``) and an output folder (``build``,
``batch``, ``sign``, ``package``) each have one lock, a small file that every process naming
the folder finds, on Windows, macOS and Linux alike, from every computer that shares the
folder (filelock's SQLite reader/writer lock; the operating system lets the lock go when its
process dies, so a crash never leaves a folder locked). A campaign's lock is inside it
(:data:`LOCK_FILE`, hidden, so no input, fingerprint or package counts it); an output
folder's is kept beside it (``<parent>/.reportkit/locks/<name>.lock``), so that the folder
holds only what was published, and need not exist before a build has published anything.

The lock is a reader/writer lock. A command that changes the folder holds it alone
(:func:`writing`); a command that only reads it (a build reading its campaign, while its
kernels run) shares it with other readers (:func:`reading`). So ``collect`` cannot change a
campaign under a build, and the runs of a batch, in parallel processes or on a cluster, still
read one campaign side by side; each run writes its own output folder. A writer that waits
goes before readers that come after it, so a stream of builds cannot starve a ``collect``.

Whoever holds a lock records it in a sidecar file beside it (pid, host, user, command,
since). A command that has to wait says once, on standard error, who holds the folder, and
waits up to :func:`timeout` seconds (``REPORTKIT_LOCK_TIMEOUT``, ten minutes by default);
then :class:`LockError` names the holder. Locks are always taken in one order, the campaign
folder before the output folder, so two commands never wait for each other.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import socket
import sqlite3
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .exceptions import FileSystemError, ReportkitError
from .i18n import _

__all__ = ["DEFAULT_TIMEOUT", "ENV", "LOCK_FILE", "LockError", "lock_file", "reading", "timeout", "writing"]

#: A campaign folder's lock, in the folder; its holders' records are ``<LOCK_FILE>.<id>.json``.
LOCK_FILE = ".reportkit.lock"
#: Output folders' locks, beside them: ``<parent>/.reportkit/locks/<folder name>.lock``.
OUTPUT_LOCKS = Path(".reportkit") / "locks"
#: Seconds a command waits for a folder held by another, read from the environment.
ENV = "REPORTKIT_LOCK_TIMEOUT"
DEFAULT_TIMEOUT = 600.0

_held = threading.local()  # folders this thread holds, so that a nested hold does not wait on itself


class LockError(ReportkitError):
    """A folder stayed held by another command for longer than the timeout."""

    def __init__(self, folder: Path, holders: str, seconds: float) -> None:
        self.folder, self.holders, self.seconds = folder, holders, seconds
        super().__init__(
            _(
                "{folder} is still in use by {holders} after {seconds} s; run this again when "
                "it has finished (or wait longer with {env}=SECONDS)"
            ).format(folder=folder, holders=holders, seconds=f"{seconds:g}", env=ENV)
        )


def timeout() -> float:
    """Seconds to wait for a held folder: ``REPORTKIT_LOCK_TIMEOUT``, or ten minutes."""
    text = os.environ.get(ENV, "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:  # also refuses nan
        raise ReportkitError(
            _("{env}={value}: expected a number of seconds").format(env=ENV, value=repr(text))
        )
    return seconds


@contextmanager
def writing(folder: str | Path, *, output: bool = False, managed_only: bool = False) -> Iterator[None]:
    """Hold ``folder`` alone while the block runs.

    A campaign folder that does not exist is not locked: its loader says what is missing. An
    ``output`` folder's lock is kept beside it, so it may not exist yet. With ``managed_only``
    an output folder is locked only if reportkit locked it before (a build's output folder,
    where ``sign`` finds its PDF), so that signing a PDF on the desktop leaves nothing there.

    Raises
    ------
    LockError
        Another command held it for longer than :func:`timeout`.
    ReportkitError
        The folder cannot be written (no lock can be made there).
    """
    folder = Path(folder)
    path = lock_file(folder, output=output)
    if (managed_only and not path.is_file()) or (not output and not folder.is_dir()):
        yield
        return
    with _hold(path, folder, shared=False):
        yield


@contextmanager
def reading(folder: str | Path) -> Iterator[None]:
    """Share the campaign ``folder`` with other readers while the block runs; writers wait.

    A folder that does not exist is not locked (its loader says what is missing), nor is one
    this user cannot write to: nobody can change it through reportkit as this user.

    Raises
    ------
    LockError
        A writer held it for longer than :func:`timeout`.
    """
    folder = Path(folder)
    if not folder.is_dir():
        yield
        return
    with _hold(lock_file(folder), folder, shared=True):
        yield


def lock_file(folder: str | Path, *, output: bool = False) -> Path:
    """The file that locks ``folder``: inside a campaign folder, beside an ``output`` folder."""
    folder = Path(folder)
    if output:
        return folder.parent / OUTPUT_LOCKS / f"{folder.name}.lock"
    return folder / LOCK_FILE


@contextmanager
def _hold(path: Path, folder: Path, *, shared: bool) -> Iterator[None]:
    key = str(path.resolve())
    held: dict[str, bool] = _held.__dict__.setdefault("folders", {})
    if key in held:  # already held by this thread: a writer may read, a reader may not write
        if not shared and held[key]:
            raise RuntimeError(f"{folder}: held for reading, then asked for writing")
        yield
        return
    seconds = timeout()
    lock = None
    try:
        lock = _acquired(path, folder, shared=shared, seconds=seconds)
        if lock is None:  # a reader where nobody can write through reportkit as this user
            yield
            return
        held[key] = shared
        sidecar = _record(path, clear=not shared)
        try:
            yield
        finally:
            del held[key]
            if sidecar is not None:
                sidecar.unlink(missing_ok=True)
            lock.release()
    finally:
        if lock is not None:
            lock.close()


def _acquired(path: Path, folder: Path, *, shared: bool, seconds: float):
    """The folder's lock, held; None for a reader that cannot make or open it (read-only)."""
    from filelock import ReadWriteLock, Timeout

    lock = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # made here, so that it has a normal file's mode (the umask's): SQLite's would be private
        # to this user, and a colleague's account could not take the folder after it
        path.touch(exist_ok=True)
        lock = ReadWriteLock(path, is_singleton=False)
        acquire = lock.acquire_read if shared else lock.acquire_write
        try:
            acquire(blocking=False)
        except Timeout:
            holders = _holders(path)
            print(
                _("reportkit: {folder} is in use by {holders}; waiting up to {seconds} s…").format(
                    folder=folder, holders=holders, seconds=f"{seconds:g}"
                ),
                file=sys.stderr,
                flush=True,
            )
            try:
                acquire(timeout=seconds)
            except Timeout:
                lock.close()
                raise LockError(folder, _holders(path) or holders, seconds) from None
    except (OSError, sqlite3.Error) as error:
        if lock is not None:
            lock.close()
        if shared:
            return None
        if isinstance(error, OSError):  # read-only, no permission, full: one message for each
            raise FileSystemError(error) from None
        raise ReportkitError(
            _("{folder}: cannot write here ({error})").format(folder=folder, error=error)
        ) from None
    return lock


def _record(lock: Path, *, clear: bool) -> Path | None:
    """Write this process's sidecar; a writer first removes those its predecessors left."""
    if clear:  # holding the folder alone, every other sidecar is stale (a process that died)
        for stale in lock.parent.glob(f"{lock.name}.*.json"):
            stale.unlink(missing_ok=True)
    try:
        user = getpass.getuser()
    except (OSError, KeyError, ImportError):  # no name in the environment nor in the password file
        user = "?"
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "user": user,
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else "python",
        "since": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    path = lock.with_name(f"{lock.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.json")
    try:
        path.write_text(json.dumps(holder, ensure_ascii=False), encoding="utf-8")
    except OSError:
        return None
    return path


def _holders(lock: Path) -> str:
    """Who holds ``lock``, as its holders' records say, for a person to read."""
    described = []
    for path in sorted(lock.parent.glob(f"{lock.name}.*.json")):
        try:
            h = json.loads(path.read_text(encoding="utf-8"))
            described.append(
                _("'{command}' (pid {pid}, {user} on {host}, since {since})").format(
                    command=h["command"], pid=h["pid"], user=h["user"], host=h["host"], since=h["since"]
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue  # released while being read
    return ", ".join(described) or _("another reportkit command")
