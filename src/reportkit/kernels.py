"""Kernels for notebook runs: started before they are needed, one run each.

A Jupyter kernel takes about a second to start and more to import pandas and reportkit; a
build used to wait for both after its own checks. Here a build asks for each document's
kernel first (:func:`take`), before it loads the campaign or imports pandas, and the kernel
starts and imports what its notebook imports (read from the notebook's cells) while the build
checks the campaign; a module that has more to prepare than its import (matplotlib's fonts for
:mod:`reportkit.charts`) offers a ``reportkit_warm_up()`` function, called then too. A batch
worker (a process of the local pool, a Dask worker) goes further: it keeps spare kernels
(:func:`keep`), so that the kernel of its next run starts while the current one executes.

What does not change: every document runs in a fresh kernel process of its own, which serves
that one run and is stopped at once when its outputs are in. Warming up defines nothing in
the kernel's namespace (the imports run in a private one), does not count as a cell, and
leaves no history; a run's own settings (its environment) reach the kernel only when it is
given the run. Spares are dropped when the notebook or reportkit's code changes, and never
outlive their process.

Each kernel lives on a thread of its own: jupyter_client's asynchronous manager belongs to
the event loop it was started on, and papermill runs the notebook on that same thread's loop.
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import hashlib
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

__all__ = ["START_TIMEOUT", "WARM_TIMEOUT", "Kernel", "drop", "keep", "take"]

#: Seconds a kernel may take to start; ``REPORTKIT_START_TIMEOUT`` changes it.
START_TIMEOUT = int(os.environ.get("REPORTKIT_START_TIMEOUT", "60"))
#: Seconds its warm-up imports may take before the run is given to it anyway.
WARM_TIMEOUT = int(os.environ.get("REPORTKIT_WARM_TIMEOUT", "120"))

# Run in a namespace of its own (``exec(…, {})``): the user's namespace gains no name.
_WARM_UP = """
import importlib
for module, names in {imports!r}:
    try:
        loaded = importlib.import_module(module)
        for name in names:  # a package's lazy attribute loads its module; a submodule is imported
            if not hasattr(loaded, name):
                importlib.import_module(module + "." + name)
        hook = getattr(loaded, "reportkit_warm_up", None)
        if callable(hook):  # what the module's first use would pay for (reportkit.charts)
            hook()
    except Exception:
        pass  # the notebook's own import will show the error in its cell
"""


class Kernel:
    """One kernel for one run of ``notebook``, started on its own thread at once.

    :meth:`run` hands it the run; :meth:`close` stops it (a kernel that ran is already
    stopped). ``key`` says which notebook and which reportkit code it was warmed for.
    """

    def __init__(self, notebook: Path, key: str | None = None):
        self.notebook = Path(notebook).resolve()
        self.key = key or _key(self.notebook)
        self.manager: Any = None
        self._client: Any = None
        self._sockets = Path(tempfile.mkdtemp(prefix="reportkit-kernel-"))
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reportkit-kernel")
        self._given = False
        self._closed = False
        _live.add(self)
        _close_at_exit()
        self._ready: Future = self._thread.submit(self._sync(self._start))

    # -- in the kernel's thread ---------------------------------------------------------------

    @staticmethod
    def _sync(coroutine_function: Callable) -> Callable:
        from jupyter_core.utils import run_sync

        return run_sync(coroutine_function)

    async def _start(self) -> None:
        self.manager = _manager_class()(kernel_name=_kernel_name(self.notebook), sockets=self._sockets)
        await self.manager.start_kernel(
            cwd=str(self.notebook.parent),
            # what nbclient passes when it starts a kernel itself: no history file on disk that
            # kernels running side by side would share
            extra_arguments=["--HistoryManager.hist_file=:memory:"],
        )
        self._client = self.manager.client()
        self._client.start_channels()
        await self._client.wait_for_ready(timeout=START_TIMEOUT)
        code = _WARM_UP.format(imports=_imports(self.notebook))
        # still importing after WARM_TIMEOUT: the run's own cells wait their turn behind it
        with contextlib.suppress(queue.Empty):
            await self._quietly(f"exec({code!r}, {{}})", WARM_TIMEOUT)

    async def _quietly(self, code: str, timeout: float) -> None:
        """Run ``code`` as a silent request: no output, no execution count, no history."""
        from .exceptions import ReportkitError

        msg_id = self._client.execute(code, silent=True, store_history=False)
        while True:
            reply = await self._client.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"]["status"] != "ok":  # reportkit's own code: not the user's to fix
            raise ReportkitError(f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}")

    async def _hand_over(self, env: Mapping[str, str]) -> None:
        if env:
            await self._quietly(f"__import__('os').environ.update({dict(env)!r})", START_TIMEOUT)
        self._client.stop_channels()  # the run's own client (papermill's) takes over
        self._client = None

    async def _stop(self) -> None:
        if self._client is not None:
            self._client.stop_channels()
            self._client = None
        if self.manager is not None and self.manager.has_kernel:
            # the run is over and its outputs are in: nothing for a graceful shutdown to wait for
            await self.manager.shutdown_kernel(now=True)
        shutil.rmtree(self._sockets, ignore_errors=True)

    def _run(self, function: Callable, args: tuple, env: Mapping[str, str]) -> Any:
        self._ready.result()  # the start's error, if any, is the run's
        self._sync(self._hand_over)(env)
        return function(self.manager, *args)

    def _end(self) -> None:
        """Stop the kernel, then close this thread's event loop (jupyter_core made one for it)."""
        import asyncio

        from jupyter_core.utils import ensure_event_loop

        try:
            self._sync(self._stop)()
        finally:
            self._closed = True
            _live.discard(self)
            ensure_event_loop().close()
            asyncio.set_event_loop(None)

    # -- from any thread ----------------------------------------------------------------------

    def run(self, function: Callable, /, *args: Any, env: Mapping[str, str] | None = None) -> Future:
        """Call ``function(manager, *args)`` on the kernel's thread once it is ready, then stop it.

        ``manager`` is the kernel's started :class:`jupyter_client.AsyncKernelManager`, for
        ``papermill.execute_notebook(km=manager)``; ``env`` is set in the kernel's
        ``os.environ`` first. A kernel runs once.
        """
        if self._given or self._closed:
            raise RuntimeError("a kernel serves one run")
        self._given = True
        future = self._thread.submit(self._run, function, args, dict(env or {}))
        self._thread.submit(self._end)  # after the run's result is out, whatever it was
        self._thread.shutdown(wait=False)
        return future

    def wait(self) -> None:
        """Return when the kernel is started and warm, or failed to start (its run says why)."""
        with contextlib.suppress(Exception):
            self._ready.result()

    def usable(self) -> bool:
        """Not given a run, and starting or started without an error and still alive."""
        if self._given or self._closed:
            return False
        if not self._ready.done():
            return True
        if self._ready.exception() is not None:
            return False
        process = getattr(self.manager.provisioner, "process", None)
        return process is not None and process.poll() is None

    def close(self) -> None:
        """Stop the kernel unless it ran (then it stopped itself); waits for its start to end."""
        if self._given or self._closed:
            self._thread.shutdown(wait=True)
            return
        try:
            self._thread.submit(self._end).result()
        except Exception:  # a kernel that never started or already died: nothing to stop
            self.kill()
        finally:
            self._thread.shutdown(wait=True)

    def kill(self) -> None:
        """Kill the kernel's process now, from any thread (at exit)."""
        process = getattr(getattr(self.manager, "provisioner", None), "process", None)
        if process is not None and process.poll() is None:
            process.kill()
        if self.manager is not None:
            self.manager.cleanup_connection_file()
        shutil.rmtree(self._sockets, ignore_errors=True)


# --- the spares of a process -------------------------------------------------------------------

_lock = threading.Lock()
_spares: list[Kernel] = []
_wanted = 0
_live: set[Kernel] = set()


def keep(count: int) -> None:
    """After each :func:`take` in this process, have ``count`` kernels starting for later runs.

    A batch worker keeps as many as it runs at once; ``0`` stops replacing the spares taken
    (the last runs of a batch).
    """
    global _wanted
    with _lock:
        _wanted = max(0, count)


def take(notebook: str | Path) -> Kernel:
    """A kernel for one run of ``notebook``: a spare warmed for it, or one started now.

    Spares warmed for another notebook, or for reportkit's code before a change, are stopped;
    then as many are started as :func:`keep` asked for.
    """
    notebook = Path(notebook).resolve()
    key = _key(notebook)
    with _lock:
        stale = [k for k in _spares if k.key != key or not k.usable()]
        for kernel in stale:
            _spares.remove(kernel)
        kernel = _spares.pop(0) if _spares else None
        while len(_spares) < _wanted:
            _spares.append(Kernel(notebook, key))
    for old in stale:
        old.close()
    return kernel or Kernel(notebook, key)


def drop() -> None:
    """Stop this process's spares (a batch on a long-lived Dask worker is over)."""
    global _wanted
    with _lock:
        _wanted = 0
        spares = list(_spares)
        _spares.clear()
    for kernel in spares:
        kernel.close()


_registered = False


def _close_at_exit() -> None:
    """Kill what is left at the process's end, also in a pool's worker process, whose end
    runs multiprocessing's finalizers but not atexit."""
    global _registered
    if _registered:
        return
    _registered = True
    from multiprocessing.util import Finalize

    atexit.register(_kill_all)
    Finalize(None, _kill_all, exitpriority=100)


def _kill_all() -> None:
    with _lock:
        _spares.clear()
    for kernel in list(_live):
        kernel.kill()
    _live.clear()


# --- what a kernel is warmed for ---------------------------------------------------------------


def _key(notebook: Path) -> str:
    """The notebook's content and reportkit's code as it is on disk now (sizes and times)."""
    digest = hashlib.sha256(str(notebook).encode() + b"\0" + notebook.read_bytes())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        state = path.stat()
        digest.update(f"{path.relative_to(package)}:{state.st_size}:{state.st_mtime_ns}".encode())
    return digest.hexdigest()


def _notebook(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _kernel_name(notebook: Path) -> str:
    spec = _notebook(notebook).get("metadata", {}).get("kernelspec") or {}
    return spec.get("name") or "python3"


def _imports(notebook: Path) -> list[tuple[str, tuple[str, ...]]]:
    """The absolute imports at the top level of the notebook's code cells, in order."""
    found: dict[str, list[str]] = {}
    for cell in _notebook(notebook).get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        # IPython's magics and shell escapes are not Python
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found.setdefault(alias.name, [])
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.setdefault(node.module, []).extend(a.name for a in node.names if a.name != "*")
    return [(module, tuple(dict.fromkeys(names))) for module, names in found.items()]


def _manager_class():
    """A kernel manager whose kernel talks over IPC sockets in a folder of its own, not TCP.

    The kernel is on the same machine: IPC opens no port, and ipykernel has no reason to warn
    that TCP traffic is unencrypted (on Windows, whose zmq has no IPC, it is the loopback).
    What a cell prints reaches the notebook over IOPub; the
    kernel process's own streams carry only its start-up and shutdown chatter, kept off the
    user's terminal.
    """
    global _MANAGER
    if _MANAGER is None:
        from jupyter_client.manager import AsyncKernelManager

        class IPCKernelManager(AsyncKernelManager):
            def __init__(self, sockets: Path, **kwargs):
                super().__init__(**kwargs)
                if os.name != "nt":  # Windows' zmq has no IPC: TCP on the loopback there
                    self.transport = "ipc"
                    self.ip = str(sockets / "kernel")

            async def _async_launch_kernel(self, kernel_cmd, **kw):
                kw.setdefault("stdout", subprocess.DEVNULL)
                kw.setdefault("stderr", subprocess.DEVNULL)
                return await super()._async_launch_kernel(kernel_cmd, **kw)

        _MANAGER = IPCKernelManager
    return _MANAGER


_MANAGER = None
