# moe_ids: `make test` (the CI gate) and `make pipeline` (the research pipeline) both work on a fresh clone
# with nothing but python3 >= 3.10: they create .venv and install the project with its dev extras.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# torch is required as a range (torch>=2.2) by the package. It is installed first so that pip does not pick a
# multi-GB CUDA build on CPU machines; override e.g. `make test TORCH_SPEC="torch>=2.2"` elsewhere.
TORCH_SPEC ?= torch==2.13.0
STAMP := $(VENV)/.installed
PARAMS ?= auto

.PHONY: test install check-sync nbtest pytest smoke docs-check pipeline bench clean

$(STAMP): settings.ini setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install -q "$(TORCH_SPEC)"
	$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

# nbdev_export and nbdev_clean must be no-ops on a committed tree: the library and the notebooks are in sync.
check-sync: $(STAMP)
	@before="$$(git status --porcelain; git diff)"; \
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean; \
	after="$$(git status --porcelain; git diff)"; \
	if [ "$$before" != "$$after" ]; then \
	  echo "ERROR: nbdev_export/nbdev_clean changed files; run them and commit:"; git status --short; exit 1; fi; \
	echo "notebooks and library are in sync"

nbtest: $(STAMP)
	# two notebooks at a time, one thread each: oversubscribed OpenMP threads slow torch and XGBoost down several-fold
	OMP_NUM_THREADS=1 $(BIN)/nbdev_test --n_workers 2 --timing

pytest: $(STAMP)
	$(BIN)/python -m pytest -q tests

smoke: $(STAMP)
	$(BIN)/moe-ids pipeline --params params/smoke.yaml --out runs/smoke

# the processed notebooks must render for the docs (Quarto itself cannot be installed on the CI machines)
docs-check: $(STAMP)
	rm -rf _proc && $(BIN)/nbdev_proc_nbs >/dev/null && rm -rf _proc && echo "nbdev_proc_nbs: notebooks render"

test: check-sync nbtest pytest smoke docs-check

pipeline: $(STAMP)
	$(BIN)/moe-ids pipeline --params $(PARAMS)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_data.py > benchmarks/results/data_bench_cpu.json && cat benchmarks/results/data_bench_cpu.json

clean:
	rm -rf $(VENV) _proc _docs build dist *.egg-info
