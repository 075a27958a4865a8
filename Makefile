# Every recipe sets up what it needs: a fresh clone only needs python3 (>= 3.11), node/npm and make.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# uv from PATH, else a private copy installed from PyPI into .tools/ on first use.
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV
# No "new pip available" notices (virtual environments made by the release steps), no MkDocs banner.
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export NO_MKDOCS_2_WARNING := 1
PYTEST_ARGS ?=
# pytest-xdist: one worker per core; each test file runs on one worker (the release tests of a
# file share their package index and dist/).
PYTEST_WORKERS ?= auto
PYTEST := $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile

.PHONY: help install generate check-generated lint typecheck test test-fast pytest clean \
	publish api-diff bump index-start index-stop dependency-wheels bench probe postgres docs docs-serve test-httpx-bounds

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/python -m pip install --isolated --quiet --disable-pip-version-check uv

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-extras --python python3 --quiet
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed node_modules/.installed ## Create .venv from uv.lock and the npm tools from package-lock.json

dependency-wheels: $(VENV)/.installed ## Download the runtime dependencies' wheels for the local index (cached)
	$(PY) scripts/release.py dependency-wheels

generate: $(VENV)/.installed ## Regenerate generated/ from the spec (and the docs' operations table)
	$(PY) scripts/generate.py
	$(PY) scripts/unasync.py
	$(PY) scripts/operations_table.py --write

check-generated: $(VENV)/.installed ## Fail, showing the difference, when generated/ is not what the spec produces
	$(PY) scripts/generate.py --check
	$(PY) scripts/unasync.py --check

lint: install ## ruff (lint + format check) and the Redocly OpenAPI linter
	$(VENV)/bin/ruff check src tests scripts benchmarks
	$(VENV)/bin/ruff format --check src tests scripts benchmarks
	@# Its findings, without Redocly's boxed Node.js deprecation banner (the exit status stays its own).
	npx --no-install redocly lint --format=stylish openapi/cubicasa-integrate-v3.yaml 2>&1 | { grep -v '^ *[╔║╚]' || true; }

typecheck: $(VENV)/.installed ## mypy strict on the facade, the generated packages and scripts/
	$(VENV)/bin/mypy src/cubicasa
	$(VENV)/bin/mypy -p cubicasa_api -p cubicasa_webhook_models
	$(VENV)/bin/mypy scripts

# The change-feed tests start their own PostgreSQL server (initdb + pg_ctl on 127.0.0.1, a free
# port, a temporary folder); they need Debian's server package, installed here when absent.
postgres: ## Install PostgreSQL's server (Debian's postgresql) if absent, for the change-feed tests
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; then \
		echo "PostgreSQL server: installed"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else \
		echo "PostgreSQL's server is missing: install Debian's postgresql package (as root)" >&2; exit 1; \
	fi

pytest: install dependency-wheels postgres ## The test suite alone, slow tests included
	$(PYTEST) $(PYTEST_ARGS)

test-httpx-bounds: $(VENV)/.installed ## The httpx-dependent tests with the lowest and the highest httpx pyproject.toml allows (httpx2 beside)
	$(PY) scripts/httpx_bounds.py


test: check-generated lint typecheck pytest docs test-httpx-bounds ## Every check (what CI runs)

test-fast: install postgres ## The tests without the slow ones (subprocess, generator, mypy, release runs)
	$(PYTEST) -m 'not slow' $(PYTEST_ARGS)

# What a release itself can break is the package: built, uploaded, installed and used downstream
# (release.py checks all that) and the fake it ships, which the contract tests hold to the spec.
# The rest of the suite ran in CI (`make test`) on the commit being released.
RELEASE_TESTS := tests/contract
publish: install ## Regenerate-check, contract tests, build, check, upload (PUBLISH_URL, else a local index) and install downstream
	$(PY) scripts/release.py publish --tests "$(PY) -m pytest -q -x -p no:cacheprovider $(RELEASE_TESTS)"

api-diff: install ## Compare the API and spec with the last release on the index; name the bump it needs
	$(PY) scripts/release.py api-diff

bump: install ## Write the version api-diff requires and prepend its changelog to CHANGELOG.md
	$(PY) scripts/release.py bump

index-start: install ## Start the local package index on 127.0.0.1, port INDEX_PORT (default 8765)
	$(PY) scripts/release.py index-start

index-stop: $(VENV)/.installed ## Stop the local package index
	$(PY) scripts/release.py index-stop

PROBE_DIR ?= .probe
probe: $(VENV)/.installed ## Check the live API against the spec (CUBICASA_API_KEY, CUBICASA_BASE_URL; PROBE_ARGS=--write ...): reports and a spec patch in .probe/
	@# Deviations are findings, not a failed make: exit status 1 is explained and, unless
	@# PROBE_STRICT=1, make succeeds; a probe that could not run (2) fails.
	@status=0; $(PY) -m cubicasa probe --json $(PROBE_DIR)/probe.json --markdown $(PROBE_DIR)/probe.md \
		--spec-patch $(PROBE_DIR)/spec.patch $(PROBE_ARGS) || status=$$?; \
	if [ $$status -eq 1 ]; then \
		echo "make probe: the API differs from the spec (probe exit status 1): read $(PROBE_DIR)/probe.md,"; \
		echo "  then review and apply the patch: git apply $(PROBE_DIR)/spec.patch && make generate"; \
		if [ "$${PROBE_STRICT:-0}" = 1 ]; then exit 1; fi; \
	elif [ $$status -ne 0 ]; then \
		echo "make probe: the probe could not run (exit status $$status): see its message above"; exit $$status; \
	fi

docs: $(VENV)/.installed ## Build the documentation site into site/ (MkDocs --strict: a broken link or reference fails)
	$(VENV)/bin/mkdocs build --strict --quiet

docs-serve: $(VENV)/.installed ## Serve the documentation on http://127.0.0.1:8000, rebuilt as you edit
	$(VENV)/bin/mkdocs serve --dev-addr 127.0.0.1:8000

bench: $(VENV)/.installed ## Speed and memory figures, each beside its baseline: benchmarks/results.json
	$(PY) benchmarks/run.py

clean: ## Remove the environments and caches (not generated/)
	rm -rf $(VENV) .tools node_modules .pytest_cache .mypy_cache .ruff_cache dist build
