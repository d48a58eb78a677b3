# The RNN Book: `make book` builds the HTML book, `make test` checks everything.
# Both create .venv and install requirements.txt and the helpers on first use.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PYTHON ?= python3
INSTALLED := $(VENV)/.installed
JUPYTER_CACHE := _build/.jupyter_cache
HELPERS := $(shell find rnn_helpers -name "*.py")

# Notebook kernels and tools come from the project's own environment.
export PATH := $(BIN):$(PATH)
# Executed notebooks are rendered as static pages: progress bars print one line.
export RNN_BOOK_STATIC := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# pip installs without compiling every module of the requirements to bytecode
# (about half of the install time); Python compiles the ones the book imports
# when they are first imported and keeps them, even where the shell asks it
# not to write bytecode.
unexport PYTHONDONTWRITEBYTECODE
# pip warns once per package about find-links folders some machines configure.
PIP_QUIET := 2> >(grep -v "^WARNING: Location '.*' is ignored" >&2)

.PHONY: help install book test lint unit notebooks colab colab-stack render \
	quick-book browser chromium bench portability clean distclean

help:
	@echo "make book       build the HTML book (full mode) into _build/html"
	@echo "make test       lint; unit tests and every notebook (once, nbval, quick mode, on"
	@echo "                Colab's versions with live output) on both cores; the quick-mode"
	@echo "                book rendered from those runs and checked in headless Chromium"
	@echo "make portability  every chapter under several floating-point paths (OpenBLAS"
	@echo "                kernels, oneDNN settings, one thread): pass/fail and margins"
	@echo "make bench      speed comparisons, printed as tables"
	@echo "make clean      remove _build and caches (make distclean: also .venv)"

# The wall time of one step of a recipe, printed when it ends.
timed = TIMEFORMAT="== $(1): %0R s"; time

$(INSTALLED): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing requirements into $(VENV) (first run takes a few minutes)"
	@$(call timed,install) { \
		$(BIN)/python -m pip install --quiet --no-compile -r requirements.txt \
			$(PIP_QUIET) && \
		$(BIN)/python -m pip install --quiet --no-deps -e . $(PIP_QUIET); }
	@touch $@

install: $(INSTALLED)

# jupyter-cache and Sphinx's incremental build key on notebook sources only:
# when the helpers change, forget both so that every chapter runs again.
$(JUPYTER_CACHE)/.helpers: $(HELPERS)
	rm -rf $(JUPYTER_CACHE) _build/.doctrees _build/jupyter_execute
	mkdir -p $(JUPYTER_CACHE)
	touch $@

# The results page lists what the chapters recorded in this build: Sphinx
# re-reads (and so re-executes) it only when it looks changed, so it always does.
book: $(INSTALLED) $(JUPYTER_CACHE)/.helpers
	touch results.ipynb
	RNN_BOOK_MODE=full $(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The book is at file://$(CURDIR)/_build/html/index.html"

lint: $(INSTALLED)
	@$(call timed,lint) { $(BIN)/ruff check . && $(BIN)/ruff format --check . && \
		$(BIN)/actionlint $(wildcard .github/workflows/*.yml .github/workflows/*.yaml); }

# Every notebook runs once, under nbval, and is written with its outputs to
# QUICK_BOOK (conftest.py); the results page runs last, after every chapter.
QUICK_BOOK := _build/quick
PYTEST := RNN_BOOK_MODE=quick $(BIN)/python -m pytest
# The chapters run on Colab's own versions, with live output as in Colab and
# another OpenBLAS kernel than the machine's (tests/colab/stack.py).
COLAB_RUN := _build/colab
export RNN_BOOK_COLAB_RUN := $(CURDIR)/$(COLAB_RUN)
export JUPYTER_PATH := $(CURDIR)/$(COLAB_RUN)/share/jupyter
NBVAL := --nbval-lax --nbval-kernel-name rnn-book-colab \
	--executed-notebooks $(QUICK_BOOK)
# Both cores: one notebook (or test file) per worker, the longest first.
XDIST := -n 2 --dist loadfile --no-loadscope-reorder

test: lint colab-stack
	@rm -rf $(QUICK_BOOK)
	@$(call timed,unit tests + notebooks + Colab-stack tests) \
		$(PYTEST) $(XDIST) $(NBVAL) tests chapters
	@$(call timed,results page) $(PYTEST) --nbval-lax --nbval-current-env \
		--executed-notebooks $(QUICK_BOOK) results.ipynb
	@$(MAKE) --no-print-directory render browser

# Colab's stack (cached in ~/.cache/rnn-book), a copy with the helpers installed
# by the chapters' install cell, and the kernel that runs the chapters.
colab-stack: $(INSTALLED)
	@$(call timed,Colab stack) $(BIN)/python tests/colab/stack.py prepare \
		$(COLAB_RUN) $(PIP_QUIET)

unit: $(INSTALLED)
	$(PYTEST) $(XDIST) -m "not colab" tests

colab: colab-stack
	$(PYTEST) $(XDIST) -m colab tests

notebooks: colab-stack
	rm -rf $(QUICK_BOOK)
	$(PYTEST) $(XDIST) $(NBVAL) chapters
	$(PYTEST) --nbval-lax --nbval-current-env --executed-notebooks $(QUICK_BOOK) \
		results.ipynb

# The book as readers see it, rendered from the notebooks the tests executed
# (nothing runs again), then every page opened in headless Chromium
# (screenshots in _build/screenshots).
render: $(INSTALLED)
	@$(call timed,book render) { \
		$(BIN)/python tests/browser/quickbook.py $(QUICK_BOOK) && \
		$(BIN)/jupyter-book build $(QUICK_BOOK) -W -n --keep-going --quiet; }

quick-book: notebooks render

browser: chromium
	@$(call timed,browser checks) $(BIN)/python -m pytest -n 2 --dist loadgroup \
		tests/browser --book=$(QUICK_BOOK)/_build/html --screenshots=_build/screenshots

chromium:
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing Debian's chromium for the browser checks"; \
			$(call timed,install chromium) { apt-get update -qq && \
				DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends chromium >/dev/null; }; \
		else \
			echo "The browser checks need Chromium: sudo apt-get install chromium"; \
			exit 1; \
		fi; }

# Every chapter (quick mode) under several floating-point paths: a chapter x
# path table and each asserted threshold's worst margin (tests/portability.py).
portability: $(INSTALLED)
	@$(call timed,portability) $(BIN)/python tests/portability.py

bench: $(INSTALLED)
	@for script in benchmarks/bench_*.py; do \
		echo "== $$script"; $(BIN)/python "$$script"; \
	done

clean:
	rm -rf _build .pytest_cache .ruff_cache
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) *.egg-info
