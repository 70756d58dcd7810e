"""Kernels started before they are needed (reportkit.kernels): warm, yet fresh for every run.

The runs here use a notebook written for the test that looks for what an earlier run could
have left (a global, an attribute on a module, on ``builtins``, an environment variable),
leaves all of them behind itself, and records its kernel's process, age and what was imported
before its first cell. Built in a batch whose worker keeps warm kernels, each run must find
nothing of the others, in a kernel of its own that was started while the run before executed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from reportkit import kernels

from .conftest import MARK, SAMPLE, marked

pytestmark = pytest.mark.kernel

BIN = Path(sys.executable).parent
HOLD = 3.0  # seconds each run of the batch holds its kernel

# imported by the notebook's cells, and the SVG backend that reportkit.charts' warm-up draws with
WARM = ("reportkit.blocks", "reportkit.document.composition", "matplotlib.backends.backend_svg")
PARAMETERS = """campaign: str = ""
step: int = 0
hold: float = 0.0
trace: str = ""
"""
LOOK = """import builtins, os, sys, time
import psutil

WARM = WARM_MODULES

seen = {
    "pid": os.getpid(),
    "age": time.time() - psutil.Process().create_time(),
    "warm": [m for m in WARM if m in sys.modules],
    "global": "LEAK" in globals(),
    "warm_up_names": [n for n in ("importlib", "module", "names", "loaded") if n in globals()],
    "builtin": hasattr(builtins, "reportkit_test_leak"),
    "env": os.environ.get("REPORTKIT_TEST_LEAK"),
    "history": len(In),
}
""".replace("WARM_MODULES", repr(WARM))
LEAVE = """import json
from pathlib import Path

import reportkit
import reportkit.charts

seen["module"] = hasattr(reportkit, "test_leak")
LEAK = step
builtins.reportkit_test_leak = step
reportkit.test_leak = step
os.environ["REPORTKIT_TEST_LEAK"] = str(step)
time.sleep(hold)
Path(trace, f"{step}.json").write_text(json.dumps(seen))
"""
SHOW = """from reportkit import blocks as b
from reportkit.document import compose

compose("isolation", title="Kiểm tra", body=[b.title("THÔNG BÁO", f"Lần chạy {step}")])
"""


def write_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell(PARAMETERS)
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, *(nbformat.v4.new_code_cell(code) for code in (LOOK, LEAVE, SHOW))]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "isolation.ipynb"
    nbformat.write(nb, path)
    return path


def kernel_processes(parent: psutil.Process) -> list[psutil.Process]:
    found = []
    for child in parent.children(recursive=True):
        try:
            if "ipykernel" in " ".join(child.cmdline()):
                found.append(child)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


def test_batch_runs_find_nothing_of_each_other_in_kernels_warmed_during_the_run_before(tmp_path):
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks)
    trace = tmp_path / "trace"
    trace.mkdir()
    grid = tmp_path / "grid.csv"
    grid.write_text(
        "step,hold,trace\n" + "".join(f"{step},{HOLD},{trace}\n" for step in (1, 2, 3, 4)), encoding="utf-8"
    )
    out = tmp_path / "out"
    command = [str(BIN / "reportkit"), "batch", str(SAMPLE), "--doc", "isolation"]
    command += ["--notebooks", str(notebooks), "--grid", str(grid), "--jobs", "1"]
    command += ["--to", "html", "--out", str(out), "--quiet"]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    seen = {step: json.loads((trace / f"{step}.json").read_text()) for step in (1, 2, 3, 4)}

    # nothing crosses runs
    for step, run in seen.items():
        assert not run["global"], step
        assert not run["builtin"], step
        assert not run["module"], step
        assert run["env"] is None, step
        assert run["warm_up_names"] == [], step
    assert len({run["pid"] for run in seen.values()}) == 4  # one kernel a run

    # warm: what the notebook imports was there before its first cell ran
    for step, run in seen.items():
        assert run["warm"] == list(WARM), step
    # started while the run before it executed: older than that run's hold
    for step in (2, 3, 4):
        assert seen[step]["age"] > HOLD * 0.8, (step, seen[step]["age"])
    # the warm-up counts as no cell: the first code cell the user sees is [1]
    folders = [f for f in (out / SAMPLE.name).iterdir() if f.name.startswith("isolation-")]
    assert len(folders) == 4
    for folder in folders:
        nb = nbformat.read(folder / "isolation.ipynb", 4)
        counts = [cell.execution_count for cell in nb.cells if cell.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1)), folder.name


def test_a_spare_warmed_for_an_older_notebook_is_dropped_and_stopped(tmp_path):
    notebook = write_notebook(tmp_path / "notebooks")
    kernels.keep(1)
    try:
        first = kernels.take(notebook)
        first.close()
        spare = kernels._spares[0]
        spare._ready.result(timeout=120)
        process = spare.manager.provisioner.process
        assert process.poll() is None

        # the same notebook takes the spare
        assert kernels.take(notebook) is spare
        spare.close()
        assert process.wait(timeout=30) is not None

        changed = kernels._spares[0]
        changed._ready.result(timeout=120)
        old = changed.manager.provisioner.process
        nb = nbformat.read(notebook, 4)
        nb.cells.append(nbformat.v4.new_code_cell("x = 1"))
        nbformat.write(nb, notebook)
        fresh = kernels.take(notebook)
        assert fresh is not changed
        assert old.wait(timeout=30) is not None  # the stale spare was stopped
        fresh.close()
    finally:
        kernels.keep(0)
        for kernel in list(kernels._spares):
            kernels._spares.remove(kernel)
            kernel.close()
    deadline = time.monotonic() + 20
    while kernel_processes(psutil.Process()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert kernel_processes(psutil.Process()) == []


def test_a_refused_campaign_leaves_no_kernel_behind(tmp_path):
    import shutil

    from reportkit.exceptions import DataError
    from reportkit.execute import build

    campaign = tmp_path / "campaign"
    shutil.copytree(SAMPLE, campaign)
    path = campaign / "activities.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("cost_vnd")] = "ba trăm"
    path.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    with pytest.raises(DataError):
        build(campaign, docs=("plan", "report"), to=("html",), out=tmp_path / "out")
    assert kernel_processes(psutil.Process()) == []


def test_a_build_does_not_load_the_schema_checker_it_never_uses(tmp_path):
    """jsonschema's IRI checker (rfc3987_syntax) costs about 1.3 s to import; nbformat never
    needs it, so the build keeps it out, whatever reportkit imports first."""
    code = (
        "import sys\n"
        "from reportkit.execute import build\n"
        f"build({str(SAMPLE)!r}, docs=('plan',), to=('html',), out={str(tmp_path)!r})\n"
        "print('jsonschema' in sys.modules, sys.modules.get('rfc3987_syntax', 'absent'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "None"]


def test_a_build_leaves_no_kernel_and_its_notebook_counts_from_one(tmp_path):
    token = str(tmp_path)
    out = tmp_path / "out"
    done = subprocess.run(
        [str(BIN / "reportkit"), "build", str(SAMPLE), "--doc", "plan", "--to", "html", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, MARK: token},
    )
    assert done.returncode == 0, done.stderr
    nb = nbformat.read(out / SAMPLE.name / "plan.ipynb", 4)
    counts = [cell.execution_count for cell in nb.cells if cell.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))
    assert marked(token) == []  # the kernel stopped with its run, not orphaned
