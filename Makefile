# Set-up and main jobs. On a fresh Debian machine with Python 3.11:
#   make run    # .venv with reportkit, the sample campaign into outputs/ (no system package, any user)
#   make test   # the tests' system packages (as root), the same .venv, then the whole test suite
# The Debian packages the tests drive are listed once, in system-packages.txt.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lab lint format clean help system-test docs docs-po

LAB_PORT ?= 8888

help:
	@echo "make run    build the sample campaign's documents into outputs/"
	@echo "make test   run the tests (all kinds: kernel, pdf, browser)"
	@echo "make lab    JupyterLab on 127.0.0.1:$(LAB_PORT) with working copies of the notebooks (work/)"
	@echo "make docs   the user guide, English and Vietnamese, HTML and PDF, into docs/_build/"
	@echo "make lint   ruff check and format check"
	@echo "make clean  remove .venv and outputs"

# Re-install when pyproject.toml changes; the stamp records that the install finished.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m reportkit.system
	@touch $(STAMP)

# Before anything else, so that a machine without them stops at once with the line to run.
system-test:
	@scripts/system-packages test

run: $(STAMP)
	$(BIN)/reportkit build

test: system-test $(STAMP)
	$(BIN)/python -m pytest

# JupyterLab from the project's environment, on loopback only, opening working copies of the
# notebooks in work/ (reportkit.lab), so that the templates reportkit build runs stay as they
# are. It prints the URL with its token.
lab: $(STAMP)
	$(BIN)/reportkit lab --port $(LAB_PORT) --no-browser

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

format: $(STAMP)
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

clean:
	rm -rf $(VENV) outputs/*/

# Message catalogs (Babel): extract every message from the code, the notebooks' parameter help
# and argparse's own words ("usage:", "options:") into reportkit.pot, merge it into each
# language's .po, and compile the .mo files the package ships. A translator fills the empty
# msgstr of src/reportkit/locale/vi/LC_MESSAGES/reportkit.po, then runs this again.
LOCALE := src/reportkit/locale
.PHONY: i18n
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-default-keywords -k _ -k N_ -k ngettext:1,2 \
		--add-comments=TRANSLATORS: --project=reportkit --copyright-holder="reportkit's authors" \
		--version=$$($(BIN)/python -c 'import reportkit; print(reportkit.__version__)') \
		--sort-by-file -o $(LOCALE)/reportkit.pot \
		src/reportkit notebooks $$($(BIN)/python -c 'import argparse; print(argparse.__file__)')
	sed -i 's|^#: .*/\(argparse\.py:[0-9]*\)|#: <python>/\1|' $(LOCALE)/reportkit.pot
	$(BIN)/pybabel update -i $(LOCALE)/reportkit.pot -d $(LOCALE) -D reportkit --ignore-obsolete
	$(BIN)/pybabel compile -d $(LOCALE) -D reportkit --statistics

# The user guide: English MyST pages in docs/, Vietnamese from docs/locale/vi/LC_MESSAGES/*.po,
# each as HTML and as a PDF (rinohtype, no TeX), with warnings as errors. Offline.
# After editing a page, `make docs-po` brings the catalogs up to date; translate each new or
# fuzzy entry, then `make docs` (tests/test_docs.py fails on an untranslated paragraph).
DOCS_LANGS := en vi
DOCS_OUT ?= docs/_build
SPHINX := $(BIN)/sphinx-build -q -W --keep-going
docs: $(STAMP)
	@for lang in $(DOCS_LANGS); do \
		$(SPHINX) -b html -D language=$$lang -d $(DOCS_OUT)/$$lang/doctrees docs $(DOCS_OUT)/$$lang/html || exit 1; \
		$(SPHINX) -b rinoh -D language=$$lang -d $(DOCS_OUT)/$$lang/doctrees docs $(DOCS_OUT)/$$lang/pdf >/dev/null || exit 1; \
	done
	@echo "$(DOCS_OUT)/{en,vi}/html/index.html and $(DOCS_OUT)/{en,vi}/pdf/reportkit-guide.pdf"

docs-po: $(STAMP)
	$(BIN)/sphinx-build -q -E -b gettext docs docs/_build/gettext
	$(BIN)/sphinx-intl update -p docs/_build/gettext -d docs/locale -l vi --line-width 100
