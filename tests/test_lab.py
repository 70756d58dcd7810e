"""JupyterLab, as an analyst uses it: open a notebook, Run All Cells, see the document.

A real JupyterLab server on a free loopback port with a token, driven in Debian's Chromium
through Playwright. It runs in a temporary copy of notebooks/ so that nothing it saves
touches the committed notebooks.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import ROOT, require_program
from .test_browser import CHROMIUM, FLAGS

pytestmark = [pytest.mark.browser, pytest.mark.kernel]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server rooted at a copy of the project's notebooks, beside its data."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    (root / "data").symlink_to(ROOT / "data")
    # Every cell in the DOM (no windowing, which detaches cells out of view), and no news popup.
    settings = root / "settings" / "@jupyterlab"
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    (settings / "apputils-extension").mkdir()
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false"}'
    )
    port, token = free_port(), secrets.token_hex(16)
    log = (root / "lab.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--LabApp.user_settings_dir={root / 'settings'}",
            f"--LabApp.workspaces_dir={root / 'workspaces'}",
            "--allow-root",  # CI runs as root
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=root,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                break
        except OSError:
            time.sleep(0.5)
    else:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        pytest.fail("JupyterLab did not start: " + (root / "lab.log").read_text())
    yield url, token, root
    server.terminate()
    server.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def browser():
    require_program(str(CHROMIUM))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("notebook", ["plan", "report"])
def test_run_all_cells_in_jupyterlab_shows_the_document(lab, browser, tmp_path, notebook):
    url, token, _ = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((url, "data:", "blob:")) else outside.append(r.url))
    try:
        # ?reset: a fresh workspace, so the notebook of an earlier test is not reopened beside it
        page.goto(f"{url}/lab/tree/notebooks/{notebook}.ipynb?reset&token={token}", timeout=90_000)
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=90_000)
        # The status bar says "Idle" only once the kernel is connected; Run All before then is lost.
        page.locator(".jp-StatusBar-Item", has_text="| Idle").first.wait_for(timeout=90_000)
        for attempt in range(2):
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
            try:  # a Run All sent while the kernel still connects can be lost; then send it again
                page.locator(".jp-InputPrompt", has_text="[1]").first.wait_for(
                    state="attached", timeout=30_000
                )
                break
            except Exception:
                if attempt:
                    raise
        document = page.locator(".jp-OutputArea-output .rk-document").first
        # JupyterLab renders cells out of view lazily: wait for the output, then bring it into view.
        document.wait_for(state="attached", timeout=120_000)
        document.scroll_into_view_if_needed()
        assert document.is_visible()
        assert document.locator(".rk-type").first.inner_text() == (
            "KẾ HOẠCH" if notebook == "plan" else "BÁO CÁO"
        )

        def style(selector: str, name: str) -> str:
            return document.locator(selector).first.evaluate(f"e => getComputedStyle(e).{name}")

        # as it will print, not in JupyterLab's own output styles (large light headings,
        # right-aligned striped table cells, left-aligned paragraphs)
        assert float(style(".rk-heading-2", "fontSize").removesuffix("px")) == pytest.approx(
            14 * 4 / 3, abs=0.1
        )
        assert style(".rk-heading-2", "fontWeight") == "700"
        assert style(".rk-header td", "textAlign") == "center"
        assert style(".rk-body", "textAlign") == "justify"
        assert style(".rk-table tbody tr:nth-child(2)", "backgroundColor") == "rgba(0, 0, 0, 0)"
        assert (
            page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count()
            == 0
        )
        assert page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']").count() == 0
        page.screenshot(path=str(tmp_path / f"lab-{notebook}.png"))
    finally:
        page.close()
    assert outside == []
    assert (tmp_path / f"lab-{notebook}.png").stat().st_size > 10_000
