"""JupyterLab, as an analyst uses it: ``reportkit lab``, open a working copy, Run All Cells.

A real JupyterLab server started by the real ``reportkit lab`` command, on a free loopback
port with a token, in a copy of the project (its package, notebooks and the sample data), so
that nothing it saves touches the committed notebooks; driven in Debian's Chromium through
Playwright. Screenshots are written to the test's temporary folder (``lab-*.png``).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from reportkit.documents import template_changes

from .conftest import ROOT, require_program
from .test_browser import CHROMIUM, FLAGS

pytestmark = [pytest.mark.browser, pytest.mark.kernel]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """``reportkit lab`` on a copy of the project; its URL, token and root."""
    root = tmp_path_factory.mktemp("lab") / "project"
    shutil.copytree(ROOT / "src" / "reportkit", root / "src" / "reportkit")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    (root / "data").symlink_to(ROOT / "data")
    # Every cell in the DOM (no windowing, which detaches cells out of view), and no news popup.
    settings = root.parent / "settings" / "@jupyterlab"
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    (settings / "apputils-extension").mkdir()
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false"}'
    )
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "PYTHONPATH": str(root / "src"),
        "JUPYTER_TOKEN": token,
        "JUPYTERLAB_SETTINGS_DIR": str(root.parent / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(root.parent / "workspaces"),
        "REPORTKIT_LANG": "vi",  # the analyst's language, for the kernels' messages
    }
    log = (root.parent / "lab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "reportkit.cli", "lab", f"--port={port}", "--no-browser"],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=root,
        env=env,
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
        pytest.fail("JupyterLab did not start: " + (root.parent / "lab.log").read_text())
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


def open_notebook(browser, lab, path: str):
    """A page with ``path`` open and its kernel idle; requests outside the server are listed."""
    url, token, _root = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.outside = []
    page.on(
        "request", lambda r: None if r.url.startswith((url, "data:", "blob:")) else page.outside.append(r.url)
    )
    # ?reset: a fresh workspace, so the notebook of an earlier test is not reopened beside it
    page.goto(f"{url}/lab/tree/{path}?reset&token={token}", timeout=90_000)
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=90_000)
    # The status bar says "Idle" only once the kernel is connected; Run All before then is lost.
    page.locator(".jp-StatusBar-Item", has_text="| Idle").first.wait_for(timeout=90_000)
    return page


def run_all(page) -> None:
    """Run All Cells, and wait until the parameters cell has run (the kernel may be one an
    earlier test left running, so its prompt may show any number)."""
    prompt = page.locator(".jp-Cell").nth(1).locator(".jp-InputPrompt")
    before = prompt.inner_text()
    for attempt in range(2):
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
        try:  # a Run All sent while the kernel still connects can be lost; then send it again
            page.wait_for_function(
                "([e, before]) => /\\[\\d+\\]/.test(e.innerText) && e.innerText !== before",
                arg=[prompt.element_handle(), before],
                timeout=60_000,
            )
            return
        except Exception:
            if attempt:
                raise


def type_parameters(page, source: str) -> None:
    """Replace the parameters cell's text, as an analyst types it (no auto-closed quotes)."""
    editor = page.locator(".jp-Cell").nth(1).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(source)
    page.keyboard.press("Escape")


#: JupyterLab shows an error, as a stream on standard error, under this MIME type.
ERROR = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"


def parameters_cell(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return next("".join(c["source"]) for c in cells if "parameters" in c["metadata"].get("tags", []))


def errors(page) -> list[str]:
    return page.locator(ERROR).all_inner_texts()


def test_reportkit_lab_opens_working_copies_not_the_templates(lab):
    _url, _token, root = lab
    copies = sorted(p.name for p in (root / "work").glob("*.ipynb"))
    assert copies == sorted(p.name for p in (root / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", ["plan", "report"])
def test_run_all_cells_in_jupyterlab_shows_the_document(lab, browser, tmp_path, notebook):
    page = open_notebook(browser, lab, f"work/{notebook}.ipynb")
    try:
        run_all(page)
        document = page.locator(".jp-OutputArea-output .rk-document").first
        # JupyterLab renders cells out of view lazily: wait for the output, then bring it into view.
        document.wait_for(state="attached", timeout=180_000)
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
        assert errors(page) == []
        # the review cells: Vietnamese headers, numbers as the document writes them
        review = page.locator(".jp-Cell").filter(has_text="review_table").first
        review.scroll_into_view_if_needed()
        shown = review.locator(".jp-OutputArea-output table").first.inner_text()
        if notebook == "report":
            assert "Lượt người tiếp cận\t315.232" in shown and "Tỷ lệ đơn vị triển khai\t88,2%" in shown
        else:
            assert "Thành tiền (đồng)" in shown and "300.000" in shown
        assert not re.search(r"\d\.0\b", shown)  # no float noise such as 34.0
        page.screenshot(path=str(tmp_path / f"lab-{notebook}-review.png"))
        document.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / f"lab-{notebook}.png"))
    finally:
        page.close()
    assert page.outside == []
    assert (tmp_path / f"lab-{notebook}.png").stat().st_size > 10_000


def test_a_district_typed_in_lab_is_refused_and_the_template_stays(lab, browser, tmp_path):
    _url, _token, root = lab
    page = open_notebook(browser, lab, "work/report.ipynb")
    try:
        source = page.locator(".jp-Cell").nth(1).locator(".cm-content").inner_text()
        type_parameters(
            page, source.replace("district: str | None = None", 'district: str | None = "Tuy An"')
        )
        run_all(page)
        page.locator(ERROR).first.wait_for(timeout=120_000)
        (shown,) = errors(page)
        cli = subprocess.run(
            [
                sys.executable,
                "-m",
                "reportkit.cli",
                "--lang",
                "vi",
                "build",
                "--doc",
                "report",
                "-p",
                "district=Tuy An",
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
        )
        message = cli.stderr.strip().split(": ", 2)[2]  # after "reportkit: lỗi: "
        assert shown.strip() == f"ParameterError: {message}"
        assert "Huyện Tuy An" in shown  # the districts are listed
        page.keyboard.press("Control+S")
        page.locator(".jp-StatusBar-Item", has_text="| Idle").first.wait_for(timeout=30_000)
    finally:
        page.screenshot(path=str(tmp_path / "lab-district-typo.png"))
        page.close()
    deadline = time.monotonic() + 30
    while 'district: str | None = "Tuy An"' not in parameters_cell(root / "work" / "report.ipynb"):
        assert time.monotonic() < deadline, "JupyterLab did not save the working copy"
        time.sleep(0.5)
    assert template_changes(root / "notebooks" / "report.ipynb") == ()


def test_explore_builds_the_report_of_the_chosen_district(lab, browser, tmp_path):
    _url, _token, root = lab
    page = open_notebook(browser, lab, "work/explore.ipynb")
    try:
        run_all(page)
        widget = page.locator(".widget-vbox").first
        widget.wait_for(timeout=180_000)
        district = widget.locator(".widget-dropdown select").first
        channel = widget.locator(".widget-dropdown select").nth(1)
        # ipywidgets writes an option's spaces as no-break spaces
        selected = "e => e.options[e.selectedIndex].text.replaceAll('\\u00a0', ' ')"
        assert district.evaluate(selected) == "(tất cả)"
        assert channel.evaluate(selected) == "(tất cả)"
        district.select_option(label="Huyện\u00a0Tuy\u00a0An")
        until = widget.locator(".widget-text input").nth(1)
        until.fill("20/5/2021")
        until.press("Enter")
        page.get_by_text("Huyện Tuy An, mọi hình thức, … – 20/5/2021").first.wait_for(timeout=120_000)
        assert len(page.get_by_text("Huyện Tuy An, mọi hình thức").all()) == 1  # one view
        widget.get_by_role("button", name="Lập báo cáo").click()
        link = widget.locator("a", has_text="PDF:")
        link.wait_for(timeout=600_000)
        links = widget.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        page.screenshot(path=str(tmp_path / "lab-explore-built.png"))
    finally:
        page.close()
    folder = root / "outputs" / "wtisd-2021-phu-yen" / "report-huyen-tuy-an-2021-05-20"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["report"]["parameters"] == {"district": "Huyện Tuy An", "as_of": "2021-05-20"}
    assert {Path(h).name for h in links} >= {"report.pdf", "report.docx"}
    for href in links:
        assert (root / "work" / href).resolve().exists(), href
    assert page.outside == []


def test_every_format_lab_offers_works_without_more_software(lab, tmp_path):
    """Lab's "Save and Export Notebook As" lists the server's exporters; those that need pandoc,
    TeX, Qt or a downloaded Chromium are left out by reportkit lab, the others all work."""
    import nbformat

    url, token, _root = lab
    with urllib.request.urlopen(f"{url}/api/nbconvert?token={token}", timeout=30) as response:
        offered = set(json.load(response))
    assert {"reportkit_pdf", "reportkit_docx", "reportkit_html"} <= offered
    assert "webpdf" not in offered  # it would download a Chromium
    notebook = tmp_path / "t.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Báo cáo"), nbformat.v4.new_code_cell("1 + 1")]
    nbformat.write(nb, notebook)
    # reportkit's own need a document among the outputs (tests/test_notebooks.py); "custom" a
    # template of one's own, and Lab does not list it
    for fmt in sorted(offered - {"reportkit_pdf", "reportkit_docx", "reportkit_html", "custom"}):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "jupyter",
                "nbconvert",
                "--to",
                fmt,
                str(notebook),
                "--output-dir",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, (fmt, result.stderr[-500:])
