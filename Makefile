# The project's verbs. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
PY := .venv/bin/python
# uv from PATH, else the copy that `make uv` installs for this Python.
UV = $(shell command -v uv 2>/dev/null || echo python3 -m uv)
PORT ?= 8000
# The project's Django apps, lowest layer first (docs/architecture.md).
APPS := mentoring programs events guides pairs matching surveys reports integrations privacy demo

.PHONY: run test lint format typecheck pytest screenshots bench install uv vendor clean help

help:  ## List the targets.
	@grep -E '^[a-z-]+:.*## ' Makefile | sed -E 's/:.*## /\t/'

run: install  ## Embedded default: SQLite, no Redis, demo data, web + worker + beat.
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo
	DEBUG=true $(PY) manage.py runlocal --port $(PORT)

test: install node_modules/.installed lint typecheck pytest  ## Lint, type-check and run every test.

lint: install  ## ruff, bandit, the repository's semgrep rules (.semgrep/) and the import layers.
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/bandit -q -c pyproject.toml -r $(APPS)
	.venv/bin/semgrep --metrics=off --disable-version-check --quiet --error --config .semgrep/ $(APPS)
	.venv/bin/lint-imports --no-cache

format: install  ## Fix formatting and the lint findings ruff can fix.
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

typecheck: install  ## mypy with django-stubs.
	.venv/bin/mypy

pytest: install node_modules/.installed  ## The test suite (parallel; browser tests included).
	.venv/bin/pytest

screenshots: install node_modules/.installed  ## Refresh the README screenshots from the browser tests.
	UPDATE_SCREENSHOTS=1 .venv/bin/pytest -n 0 tests/e2e

bench: install  ## Benchmarks: one JSON object per measurement per line.
	@for script in benchmarks/*.py; do [ -e "$$script" ] || continue; echo "# $$script" >&2; $(PY) "$$script" || exit 1; done

install: .venv/.synced  ## Install uv if missing, then the locked dependencies.

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
	  python3 -m pip install --quiet --user uv || \
	  python3 -m pip install --quiet --user --break-system-packages uv

.venv/.synced: pyproject.toml uv.lock .python-version | uv
	$(UV) sync --frozen
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed for the accessibility scans: apt-get install npm (or install Node.js)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

vendor: node_modules/.installed  ## Copy htmx from node_modules into static/vendor.
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js

clean:  ## Remove the local database, broker folders and caches (var/).
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
