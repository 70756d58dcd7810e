"""Sphinx configuration of reportkit's user guide: English MyST pages, Vietnamese from gettext.

``make docs`` builds both languages as HTML and as PDF (rinohtype: pure Python, no TeX), with
warnings as errors. Nothing is fetched: no CDN, no intersphinx, every typeface installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import reportkit  # noqa: E402

project = "reportkit"
author = "reportkit's authors"
copyright = "reportkit's authors"
release = version = reportkit.__version__

extensions = ["myst_parser", "rinoh.frontend.sphinx", "reportkit_reference"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "locale", "README.md"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# One source, two languages: the English pages are the msgids of docs/locale/vi/LC_MESSAGES/*.po
# (make docs-po updates them with sphinx-intl); one catalog per page keeps the files readable.
language = "en"
locale_dirs = ["locale/"]
gettext_compact = False
gettext_uuid = False
gettext_location = False  # no line numbers in the catalogs: editing a page does not churn them

html_theme = "alabaster"
html_static_path = ["_static"]
html_title = "reportkit"
html_theme_options = {
    "description": "Decree-30 plans and reports from a campaign's data",
    "page_width": "1180px",  # the commands' help is 88 columns wide
    "sidebar_width": "240px",
}
html_show_sourcelink = False
html_last_updated_fmt = None

# The PDF: rinohtype, typeset in pure Python, body text in the shipped Liberation Serif (see
# _ext/reportkit_reference.py, which registers it) so every Vietnamese letter is there.
rinoh_documents = [
    {
        "doc": "index",
        "target": "reportkit-guide",
        "title": "reportkit",
        "subtitle": "User guide",
        "author": author,
        "template": "pdf.rtt",
    }
]
