# Two commands for users: `make demo` and `make test`. Everything else is for maintainers:
#   make quick     the product's tests that need no plugin process (no e2e, no devtools):
#                  29 s on this 2-core machine (2,695 tests)
#   make unit      every test except the paid live ones
#   make lint      ruff check + format check;   make typecheck   mypy --strict (see mypy.ini)
#   make package   dist/*.difypkg: the tool plugin, and the trigger plugin once
#                  plivo_trigger/manifest.yaml exists
#   make validate  package, then check every package like the daemon and the marketplace,
#                  including the marketplace's install test
#   make bench     benchmarks into bench/RESULTS.md (about a minute)
# The environment is (re)built from the requirement files whenever they change.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev

.PHONY: venv demo test quick lint typecheck unit package validate sandbox bench clean

$(STAMP): requirements.txt requirements-dev.txt devtools/find_python.sh
	@set -e; base=$$(sh devtools/find_python.sh); \
	  echo "Using $$base ($$($$base -c 'import platform; print(platform.python_version())'))"; \
	  if [ ! -x $(PY) ]; then $$base -m venv $(VENV); fi; \
	  $(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt \
	    2> >(grep -v "^WARNING: Location 'file:" >&2); \
	  touch $(STAMP)

venv: $(STAMP)

demo: venv
	@$(PY) -m devtools.demo

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: venv
	$(PY) -m mypy

unit: venv
	$(PY) -m pytest

quick: venv
	$(PY) -m pytest -m "not e2e and not live" --ignore=tests/devtools

package: venv
	$(PY) -m devtools.packaging build

validate: package
	$(PY) -m devtools.packaging validate --install-test

test: lint typecheck unit validate

sandbox: venv
	$(PY) -m devtools.sandbox

$(VENV)/.installed-bench: $(STAMP) requirements-bench.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt \
	  2> >(grep -v "^WARNING: Location 'file:" >&2)
	touch $@

bench: $(VENV)/.installed-bench
	$(PY) -m bench

clean:
	rm -rf $(VENV) dist .pytest_cache .ruff_cache .mypy_cache .hypothesis
