# Two entry points for a fresh machine: `make demo` and `make test` (see README).
# Python 3.11 or 3.12 (durable-rules 2.0.28 builds from source and does not import on 3.13).
SHELL := /bin/bash
VENV := .venv
PYTHON ?= $(shell for p in python3.12 python3.11 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] < (3, 13)))' 2>/dev/null; \
	then echo $$p; break; fi; done)

.PHONY: demo test lint bench clean

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "raccord needs Python 3.11 or 3.12 (python3.12/python3.11/python3 not found or wrong version)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	@touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/raccord check examples/long_metrage/dossier.yaml --as-of 2025-10-15

test: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest

bench: $(VENV)/.installed
	$(VENV)/bin/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
