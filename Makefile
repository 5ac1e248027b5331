# Tremor — one command to set up and run the demo, one to set up and run the tests.
#   make demo   creates .venv, installs Tremor, runs `tremor demo` on the bundled corpus
#   make test   creates .venv, installs Tremor with test extras, runs pytest
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# torch==2.13.0 must be the CPU build: use pip's configured find-links folder when the
# machine has one (offline machines of this project do), else PyTorch's CPU index.
FIND_LINKS := $(shell $(PYTHON) -m pip config get global.find-links 2>/dev/null)
TORCH_SRC  := $(if $(FIND_LINKS),--find-links $(FIND_LINKS),--extra-index-url https://download.pytorch.org/whl/cpu --index-strategy unsafe-best-match)
export HF_HUB_OFFLINE=1
export TRANSFORMERS_OFFLINE=1
export DO_NOT_TRACK=1
export PREFECT_SERVER_ANALYTICS_ENABLED=false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS=120

.PHONY: setup demo test chromium lint clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv

$(VENV)/.installed: pyproject.toml requirements-nodeps.txt models/trained/sentiment-e5-v1/meta.json models/trained/sentiment-e5-v2/meta.json | $(BIN)/uv
	$(BIN)/uv pip install -q --python $(BIN)/python --compile-bytecode $(TORCH_SRC) -e '.[dev]'
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -r requirements-nodeps.txt
	$(BIN)/tremor models --prepare
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(BIN)/tremor demo --db tremor.duckdb

# The report's rendering test (tests/tremor/test_report.py) needs headless Chromium at /usr/bin/chromium
# and skips, saying so, without it. `make test` does not install it: Debian's chromium package needs root
# and the network (~350 MB, ~50 packages here), so it is neither cheap nor offline-safe. Opt in with
# `make chromium` (Debian/Ubuntu, as root).
test: setup
	$(BIN)/python -m pytest

chromium:
	apt-get install -y --no-install-recommends chromium

clean:
	rm -rf $(VENV) tremor.duckdb
