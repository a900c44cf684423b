# Two entry points for a fresh machine: `make demo` and `make test` (see README).
# Python 3.11 or later: 3.12 preferred, then 3.11, then python3 (or PYTHON=...). The `live` extra
# (durable-rules, a C build) is installed where it works, Python < 3.13 (a marker in pyproject.toml).
SHELL := /bin/bash
VENV := .venv
SUPPORTED := import sys; sys.exit(sys.version_info < (3, 11))
PYTHON ?= $(shell for p in python3.12 python3.11 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c '$(SUPPORTED)' 2>/dev/null; then echo $$p; break; fi; done)

.PHONY: demo test lint bench clean

$(VENV)/.installed: pyproject.toml setup.py
	@test -n "$(PYTHON)" && $(PYTHON) -c '$(SUPPORTED)' 2>/dev/null \
		|| { echo "raccord needs Python 3.11 or later (python3.12, python3.11 or python3; or make PYTHON=...)"; exit 1; }
	@echo "Setting up $(VENV) with $$($(PYTHON) --version) (about a minute the first time)..."
	@$(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet --quiet --upgrade pip
	@$(VENV)/bin/pip install --quiet --quiet -e '.[test,live,web,web-test]'
	@$(VENV)/bin/python -c 'import durable.lang' 2>/dev/null \
		|| echo "note: durable-rules (raccord[live], make bench) is not installed: it needs Python < 3.13; the rest is."
	@touch $@
	@echo "$(VENV) is ready."

demo: $(VENV)/.installed
	$(VENV)/bin/raccord check examples/long_metrage/dossier.yaml --as-of 2025-10-15

test: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest

bench: $(VENV)/.installed
	@$(VENV)/bin/python -c 'import durable.lang' 2>/dev/null \
		|| { echo "make bench compares with durable-rules, which needs Python < 3.13 (make clean; make bench PYTHON=python3.12)"; exit 1; }
	$(VENV)/bin/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
