# Wirewatch: every entry point a user or CI needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test check lint format typecheck bench clean synapse

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: the service on the bundled example (embedded state, console output)
DEMO_STATE := var/demo-state.db
run: $(STAMP)
	@mkdir -p var && rm -f $(DEMO_STATE) $(DEMO_STATE)-wal $(DEMO_STATE)-shm
	@echo "wirewatch: bundled example in rules/ (demo state $(DEMO_STATE), reset on every make run); Ctrl-C stops"
	WIREWATCH_STATE_URL=sqlite:///./$(DEMO_STATE) $(BIN)/wirewatch run

## synapse: a real Matrix homeserver for the tests, in its own virtualenv (Twisted and its many
## dependencies stay out of .venv); built once per pinned version, run by tests/support/synapse.py
SYNAPSE_VERSION := 1.163.2
SYNAPSE_VENV    := .venv-synapse
SYNAPSE_STAMP   := $(SYNAPSE_VENV)/.installed-$(SYNAPSE_VERSION)

$(SYNAPSE_STAMP):
	rm -rf $(SYNAPSE_VENV)
	$(PYTHON) -m venv $(SYNAPSE_VENV)
	$(SYNAPSE_VENV)/bin/pip install --quiet --upgrade pip
	$(SYNAPSE_VENV)/bin/pip install --quiet 'matrix-synapse==$(SYNAPSE_VERSION)'
	touch $@

synapse: $(SYNAPSE_STAMP)

## test: every test (Redis and Synapse tests skip locally with a reason when missing; never under CI=true)
test: $(STAMP) $(SYNAPSE_STAMP)
	$(BIN)/pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff format --check service tests bench
	$(BIN)/ruff check service tests bench

format: $(STAMP)
	$(BIN)/ruff format service tests bench
	$(BIN)/ruff check --fix service tests bench

## typecheck: mypy --strict for service (pyproject.toml); tests and bench checked loosely
typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy --explicit-package-bases --ignore-missing-imports tests bench

## check: format, lint, types and tests: the one command CI and developers run
check: lint typecheck test

bench: $(STAMP)
	$(BIN)/python -m bench.match_bench
	$(BIN)/python -m bench.poll_bench
	$(BIN)/python -m bench.history_bench --days 7

clean:
	rm -rf $(VENV) $(SYNAPSE_VENV) var .pytest_cache .mypy_cache .ruff_cache
