# The two commands of the README. Both need only python3 on a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: demo test install dev clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev,ray]'
	touch $(STAMP) $@

install: $(STAMP)
dev: $(DEVSTAMP)

## make demo: install, extract a sample report and print its tables, then ingest the samples into govreport.db
demo: $(STAMP)
	$(BIN)/govreport extract samples/seed_chaoyang-minzheng-2023.pdf --format table
	$(BIN)/govreport ingest samples --db sqlite:///govreport.db
	$(BIN)/govreport status --db sqlite:///govreport.db

## make test: install the dev extras and run the whole suite
test: $(DEVSTAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) govreport.db .pytest_cache
