# engagement_events: the two commands that matter are `make run` and `make test` (see README).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_SYSTEM ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEPS_STAMP := $(VENV)/.deps-installed
TEST_DEPS_STAMP := $(VENV)/.test-deps-installed
# make run builds on generated samples in their own folder (data/sample/, marked by SAMPLE_DATA.md);
# the dbt vars default to data/events, data/ses_events and data/sms_events, the folders of real data.
EVENTS_DIR ?= data/sample/events
SES_EVENTS_DIR ?= data/sample/ses_events
SMS_EVENTS_DIR ?= data/sample/sms_events
SAMPLE_EVENTS ?= 50000
# The sample history spans Pinpoint's end (2026-10-30): Pinpoint before the cut-over, SES and End User
# Messaging SMS after it, with a switch-over half hour reported in both formats.
SAMPLE_START ?= 2026-10-29T00:00:00Z
SAMPLE_CUTOVER ?= 2026-10-30T00:00:00Z
BENCH_EVENTS ?= 1000000
DBT_VARS = {events_path: $(EVENTS_DIR), ses_events_path: $(SES_EVENTS_DIR), sms_events_path: $(SMS_EVENTS_DIR)}
DUCKDB_FILE := $(or $(ENGAGEMENT_DUCKDB_PATH),target/engagement.duckdb)
export DBT_PROFILES_DIR := $(CURDIR)

.PHONY: trino trino-stop bench-athena
.PHONY: help venv test-venv sample-data custom-events custom-events-check run build docs browser report bench test lint pytest typecheck athena-check clean lock

help:
	@echo "make run    set up .venv (run requirements), sample events if missing, dbt build, docs page, report"
	@echo "make test   add the test requirements, then lint, type-check and the whole test suite"
	@echo "make lock   re-pin requirements.txt and requirements-test.txt from requirements.in / requirements-test.in"
	@echo "make docs   serve the docs site on http://localhost:8080"
	@echo "make browser  install headless Chromium for the browser tests"
	@echo "make report the one-page report (target/report/index.html) from the built DuckDB file"
	@echo "make bench  the benchmark on BENCH_EVENTS (default 1,000,000) generated events"
	@echo "make bench-athena  what Athena would bill: Trino bytes of the questions and of an hourly run"
	@echo "make trino  start (or reuse) a local Trino on 127.0.0.1:8089 for --target trino; make trino-stop"

venv: $(DEPS_STAMP)

$(DEPS_STAMP): requirements.txt
	@test -n "$(PYTHON_SYSTEM)" || { echo "error: python3.11 not found on PATH" >&2; exit 1; }
	@$(PYTHON_SYSTEM) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || \
		{ echo "error: $(PYTHON_SYSTEM) is not Python 3.11; set PYTHON_SYSTEM=/path/to/python3.11" >&2; exit 1; }
	@test -x $(BIN)/python || { echo "creating $(VENV) with $(PYTHON_SYSTEM)"; $(PYTHON_SYSTEM) -m venv $(VENV); }
	@echo "installing the pinned run requirements into $(VENV) ..."
	@$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

# The test tooling (pytest, hypothesis, moto, mypy, sqlfluff, selenium, ...) on top of the run set.
test-venv: $(TEST_DEPS_STAMP)

$(TEST_DEPS_STAMP): $(DEPS_STAMP) requirements-test.txt
	@echo "installing the pinned test requirements into $(VENV) ..."
	@$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.txt
	@touch $@

sample-data: venv
	@if find $(EVENTS_DIR) $(SES_EVENTS_DIR) $(SMS_EVENTS_DIR) -type f -print -quit 2>/dev/null | grep -q .; then \
		echo "events: using the existing files in $(EVENTS_DIR), $(SES_EVENTS_DIR) and $(SMS_EVENTS_DIR)"; \
	else \
		$(BIN)/python scripts/generate_events.py --format mixed --out $(EVENTS_DIR) \
			--ses-out $(SES_EVENTS_DIR) --sms-out $(SMS_EVENTS_DIR) --events $(SAMPLE_EVENTS) \
			--start $(SAMPLE_START) --cutover $(SAMPLE_CUTOVER) --mark-sample; \
	fi

custom-events: venv
	$(BIN)/python scripts/add_custom_event.py --sync

custom-events-check: venv
	$(BIN)/python scripts/add_custom_event.py --check

build: venv custom-events
	$(BIN)/dbt build --vars '$(DBT_VARS)'

run: sample-data custom-events
	$(BIN)/dbt build --vars '$(DBT_VARS)'
	$(BIN)/dbt docs generate --static --vars '$(DBT_VARS)'
	$(BIN)/python scripts/report.py --duckdb $(DUCKDB_FILE) --out $(REPORT_DIR) >/dev/null
	@echo
	@echo "DuckDB warehouse: $(abspath $(DUCKDB_FILE))"
	@echo "Docs site:        $(abspath target/static_index.html)  (one file, opens from disk)"
	@echo "                  or serve target/index.html with: make docs"
	@echo "Report:           $(abspath $(REPORT_DIR)/index.html)  (opens from disk, offline)"

DOCS_PORT ?= 8080
REPORT_DIR ?= target/report

report: venv
	$(BIN)/python scripts/report.py --duckdb $(DUCKDB_FILE) --out $(REPORT_DIR)

# The benchmark (docs/benchmark.md): prints a table of ratios, writes target/benchmark/latest.json.
bench: venv custom-events
	$(BIN)/python scripts/benchmark.py --events $(BENCH_EVENTS)

# What Athena would bill (docs/athena_cost.md): the bytes the Appendix B questions and one hourly run read
# on the local Trino, extrapolated to 1M emails a day. Starts (and stops) the local Trino itself.
bench-athena: venv custom-events
	$(BIN)/python scripts/athena_bill.py

docs: venv
	@test -f target/catalog.json || $(BIN)/dbt docs generate --vars '$(DBT_VARS)'
	@echo "Docs site: http://localhost:$(DOCS_PORT)  (Ctrl+C to stop)"
	$(BIN)/dbt docs serve --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

# Debian chromium + chromedriver for the browser tests (skipped with a reason where it cannot install).
browser:
	@bash scripts/install_browser.sh

lint: test-venv
	ENGAGEMENT_DUCKDB_PATH=target/lint.duckdb $(BIN)/sqlfluff lint models analyses tests/dbt

athena-check: test-venv
	$(BIN)/python scripts/check_athena_sql.py

# mypy.ini: strict for both, with the few per-file relaxations of the tests it lists.
typecheck: test-venv
	$(BIN)/mypy --strict scripts
	$(BIN)/mypy tests/python

pytest: test-venv
	@$(BIN)/python -m pytest tests/python; rc=$$?; \
		if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests; refusing to pass" >&2; exit 1; fi; \
		exit $$rc

test: test-venv browser custom-events-check lint typecheck pytest

# requirements.in / requirements-test.in (direct needs) -> requirements.txt / requirements-test.txt (full
# pins, transitive ones included; the test file starts with -r requirements.txt). LOCK_ARGS=--upgrade
# resolves afresh instead of keeping the current pins.
lock: venv
	$(BIN)/python scripts/lock_requirements.py $(LOCK_ARGS)

# A local single-node Trino 476 on 127.0.0.1:$(TRINO_PORT) for `--target trino` and the engine tests
# (scripts/trino_server.py: downloads once through Maven, reuses a running server).
TRINO_PORT ?= $(or $(ENGAGEMENT_TRINO_PORT),8089)
trino:
	@ENGAGEMENT_TRINO_PORT=$(TRINO_PORT) $(PYTHON_SYSTEM) scripts/trino_server.py start

trino-stop:
	@ENGAGEMENT_TRINO_PORT=$(TRINO_PORT) $(PYTHON_SYSTEM) scripts/trino_server.py stop

clean:
	rm -rf target logs
