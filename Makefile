# Set-up and main jobs. On a fresh Debian machine with Python 3.11:
#   make run    # creates .venv, installs reportkit, builds the sample campaign into outputs/
#   make test   # the same set-up, then the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint format clean help

help:
	@echo "make run    build the sample campaign's documents into outputs/"
	@echo "make test   run the tests (all kinds: kernel, pdf)"
	@echo "make lint   ruff check and format check"
	@echo "make clean  remove .venv and outputs"

# Re-install when pyproject.toml changes; the stamp records that the install finished.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m reportkit.system
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/reportkit build

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

format: $(STAMP)
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

clean:
	rm -rf $(VENV) outputs/*/
