"""The built HTML pages, opened in a real browser: Debian's Chromium driven by Playwright.

No browser is downloaded and no request may leave the machine: every request that is not a
``file:`` or ``data:`` URL is recorded and refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import build_sample, require_program

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    require_program(str(CHROMIUM))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_sample(tmp_path_factory.mktemp("outputs"), "--to", "html")


def open_offline(browser, url: str):
    """A page at ``url`` whose requests to anything but file: and data: are refused and recorded."""
    page = browser.new_page(viewport={"width": 1000, "height": 1400})
    refused: list[str] = []

    def route(request_route):
        if request_route.request.url.startswith(("file:", "data:")):
            request_route.continue_()
        else:
            refused.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(url, wait_until="load")
    return page, refused


@pytest.mark.kernel
@pytest.mark.parametrize(
    ("doc", "tables", "charts", "photos"),
    [("plan", 1, 0, 0), ("report", 5, 4, 5)],
)
def test_the_page_shows_header_tables_and_every_chart_and_nothing_else(
    browser, built, tmp_path, doc, tables, charts, photos
):
    page, refused = open_offline(browser, (built / f"{doc}.html").as_uri())
    try:
        header = page.locator(".rk-header").first
        assert header.is_visible()
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header.inner_text()
        assert page.locator(".rk-type").inner_text() == ("KẾ HOẠCH" if doc == "plan" else "BÁO CÁO")
        assert page.locator("table.rk-table").count() == tables
        for table in page.locator("table.rk-table").all():
            table.scroll_into_view_if_needed()
            assert table.is_visible()
        # The charts are drawn in the page itself (their text in the page's face), the photos
        # are images.
        for chart in page.locator(".rk-chart svg").all():
            chart.scroll_into_view_if_needed()
            assert chart.is_visible() and chart.bounding_box()["height"] > 100
        assert page.locator(".rk-chart svg").count() == charts
        images = page.locator(".rk-photo img")
        assert images.count() == photos
        for image in images.all():
            image.scroll_into_view_if_needed()
            assert image.is_visible()
            assert image.evaluate("i => i.complete && i.naturalWidth > 0"), "an image did not load"
        # No code, no prompt: nothing of a notebook's input survives in the page.
        assert page.locator(".jp-InputArea, .jp-InputPrompt, .input_prompt, pre code").count() == 0
        text = page.locator("body").inner_text()
        assert "load_campaign" not in text and "In [" not in text
        assert refused == []
        page.screenshot(path=str(tmp_path / f"{doc}.png"), full_page=True)
        assert (tmp_path / f"{doc}.png").stat().st_size > 10_000
    finally:
        page.close()


@pytest.mark.kernel
def test_the_page_prints_as_the_pdf_does(browser, built):
    """Chromium's print of the HTML has the PDF's paper: A4, the same margins, no page 1 number."""
    page, refused = open_offline(browser, (built / "plan.html").as_uri())
    try:
        pdf = page.pdf(prefer_css_page_size=True)
    finally:
        page.close()
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(pdf))
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    assert "KẾ HOẠCH" in reader.pages[0].extract_text()
    assert refused == []
