# How to work on cbl. Each target is one command; the README's two set-up commands need none of them.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install run test lint bench-engine bench-pages bench-bids bench-close statement-counts

install:
	python3 -m venv $(VENV) && $(VENV)/bin/pip install -e ".[test]"

run:
	$(VENV)/bin/cbl up

test:
	$(PY) -m pytest

lint:
	$(VENV)/bin/ruff check cbl matching admin scheduler tests tools
	$(VENV)/bin/mypy

bench-engine:
	$(PY) -m matching.bench && $(PY) -m matching.bench --quotas

bench-pages:
	$(PY) -m tools.bench_pages --database postgresql

bench-bids:
	$(PY) -m tools.bench_bids

statement-counts:
	$(PY) -m tools.statement_counts

bench-close:
	$(PY) -m tools.bench_close
