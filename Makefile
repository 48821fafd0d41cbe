# Two commands for a newcomer: `make demo` and `make test`. Each installs what it needs.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.installed-dev-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
SEED ?= 20240601

.PHONY: demo test install lint types unit serve clean-demo

# The demo needs the runtime dependencies only; the tests add the development tools.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(DEV_STAMP)

install: $(DEV_STAMP)

# The demo runs on the embedded SQLite database in ./var, with DEBUG on (local use only).
demo: export DEBUG := 1
# The demo's simulated couriers ride by themselves (clock in, pick up, deliver; shifts roll
# on day by day), and its simulated pickers pack what nobody started within 3 minutes.
demo: export DISPATCH_AUTOPILOT := 1
demo: export DISPATCH_AUTOPICK := 1
demo: $(STAMP)
	$(BIN)/hyperlocal migrate --noinput
	$(BIN)/hyperlocal build_demo --seed $(SEED)
	@echo
	@$(BIN)/hyperlocal demo_logins --url http://$(HOST):$(PORT)/
	@# The worker (expired cart holds, the rota, the pickers, dispatch rounds, the couriers' autopilot) runs beside the web server.
	@$(BIN)/hyperlocal worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(BIN)/hyperlocal runserver $(HOST):$(PORT)

clean-demo:
	rm -rf var

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/ruff format --check src tests scripts bench
	$(BIN)/lint-imports

types: $(DEV_STAMP)
	$(BIN)/mypy
	$(BIN)/mypy bench

# The whole suite: lint, types, then pytest on SQLite, and again on PostgreSQL when
# DATABASE_URL is set. With CI=true, PostgreSQL and Chromium must be there.
test: $(DEV_STAMP) lint types
	@if [ "$${CI:-}" = "true" ] && [ -z "$${DATABASE_URL:-}" ]; then \
		echo "CI=true but DATABASE_URL is not set: the PostgreSQL run cannot be skipped in CI"; exit 1; fi
	@echo "== pytest on SQLite"
	env -u DATABASE_URL $(BIN)/pytest -q $(PYTEST_ARGS)
	@if [ -n "$${DATABASE_URL:-}" ]; then \
		echo "== pytest on PostgreSQL ($${DATABASE_URL%%@*}@…)"; \
		$(BIN)/pytest -q $(PYTEST_ARGS); \
	else \
		echo "== DATABASE_URL not set: PostgreSQL run SKIPPED (set DATABASE_URL=postgres://... to run it)"; \
	fi
