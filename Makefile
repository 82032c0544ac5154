# Wirewatch: every entry point a user or CI needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Pinned versions (`make lock` writes them): dev = runtime + test and lint tools, used here and by CI;
# runtime = the subset the Dockerfile installs, at the same versions.
DEV_LOCK     := requirements/dev.txt
RUNTIME_LOCK := requirements/runtime.txt

.PHONY: run test check lint format typecheck bench lock clean synapse

# The venv is rebuilt in place when pyproject.toml or a lock changes: exactly the locked versions,
# then the project itself without resolving again. `pip check` fails when pyproject.toml asks for
# something the lock lacks (run `make lock`).
$(STAMP): pyproject.toml $(DEV_LOCK) $(RUNTIME_LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --requirement $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps --editable .
	$(BIN)/pip check
	touch $(STAMP)

## lock: re-resolve requirements/*.txt from pyproject.toml (keeps existing pins where they still fit;
##       `make lock LOCK_ARGS=--upgrade` or `LOCK_ARGS='--upgrade-package httpx'` to move them)
# uv resolves for every platform and every Python >= 3.11 at once (markers such as
# python_full_version < '3.11.3' stay in the file), so one lock serves this venv and the image.
UV_VERSION := 0.13.8
LOCK_VENV  := .venv-lock
UV         := $(LOCK_VENV)/bin/uv
UV_STAMP   := $(LOCK_VENV)/.uv-$(UV_VERSION)
LOCK_FLAGS := --quiet --universal --python-version 3.11 --annotation-style line --custom-compile-command 'make lock' $(LOCK_ARGS)

$(UV_STAMP):
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet uv==$(UV_VERSION)
	touch $@

lock: $(UV_STAMP)
	@mkdir -p requirements
	$(UV) pip compile pyproject.toml --extra dev $(LOCK_FLAGS) --output-file $(DEV_LOCK)
	$(UV) pip compile pyproject.toml --constraint $(DEV_LOCK) $(LOCK_FLAGS) --output-file $(RUNTIME_LOCK)

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
	$(BIN)/python -m bench.parse_bench
	$(BIN)/python -m bench.history_bench --days 7

clean:
	rm -rf $(VENV) $(LOCK_VENV) $(SYNAPSE_VENV) var .pytest_cache .mypy_cache .ruff_cache
