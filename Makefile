# Parley: two commands on a fresh machine with Python 3.11 -- `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_OUT ?= out/demo

.PHONY: demo test lint eval bench clean install

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Parley needs Python 3.11 (set PYTHON=/path/to/python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

demo: $(STAMP)
	$(BIN)/parley batch --input samples/articles --output $(DEMO_OUT) --overwrite

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache

eval: $(STAMP)
	$(BIN)/parley eval --json out/eval/report.json

# Benchmarks: pytest-benchmark on the hot pure functions, then the side-by-side runs (ratios, not seconds,
# are what compare across machines). N=300 articles by default: make bench ARTICLES=600.
ARTICLES ?= 300
bench: $(STAMP)
	mkdir -p out/bench
	$(BIN)/python -m pytest -q benchmarks --benchmark-enable --benchmark-only -p no:cacheprovider
	$(BIN)/python benchmarks/throughput.py --articles $(ARTICLES) --json out/bench/throughput.json
	$(BIN)/python benchmarks/stream_latency.py --json out/bench/stream.json
	$(BIN)/python benchmarks/remote_writes.py
