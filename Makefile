# One-command entry points. Each creates .venv (if missing) and installs the project into it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test docs lint bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, pinned: a bare "torch" would resolve a multi-GB CUDA build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[torch,dask,parquet,bench,test,docs]"
	# compile every kernel into src/clusterlab/_numba_cache (as a wheel's build step does),
	# so that neither the tests nor a first fit pay numba's compile time (issue 18)
	$(BIN)/python -m clusterlab._precompile --quiet
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	mkdir -p demo && $(BIN)/clusterlab fit --out demo

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples docs
	$(BIN)/python -m pytest -q

# the documentation site (gallery at the examples' small size), warnings as errors
docs: $(STAMP)
	CLUSTERLAB_EXAMPLE_SMALL=1 $(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html
	$(BIN)/python docs/check_gallery.py docs/_build/html

bench: $(STAMP)
	$(BIN)/python -m benchmarks all

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info docs/_build docs/generated docs/auto_examples \
		src/clusterlab/_numba_cache
