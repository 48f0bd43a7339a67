# The two commands a user needs are `make demo` and `make test`; both create .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint bench bench-pipeline clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/ytempire video --topic "How black holes evaporate" --minutes 1

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) runs .pytest_cache .mypy_cache .ruff_cache

# The issue's render benchmark: one line on stdout (details on stderr).
bench: $(STAMP)
	$(BIN)/python benchmarks/render.py --minutes 5 --vmaf-subsample 3

# Stage timings and peak memory of a demo run (`make bench-pipeline MINUTES=60`).
MINUTES ?= 1
bench-pipeline: $(STAMP)
	$(BIN)/python benchmarks/pipeline.py --minutes $(MINUTES)
