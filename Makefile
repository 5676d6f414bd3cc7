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

# pytest exits 5 when it collects no tests: that is reported, not a failure
pytest: $(STAMP)
	@$(BIN)/python -m pytest -q tests; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest: no tests collected"; elif [ $$rc -ne 0 ]; then exit $$rc; fi

smoke: $(STAMP)
	$(BIN)/moe-ids pipeline --params params/smoke.yaml --out runs/smoke

# The notebooks must go through nbdev's docs processing (the step Quarto rendering needs), into _proc/ only.
# nbdev_proc_nbs/nbdev_docs are not used: without Quarto they download and sudo-install it and run `pip install -e`
# with whatever pip is first on PATH, and they regenerate the tracked nbs/nbdev.yml and nbs/sidebar.yml.
# proc_nbs alone writes nothing outside _proc/; Quarto renders _proc/ when it is installed, never installed here.
docs-check: $(STAMP)
	@rm -rf _proc
	$(BIN)/python -c "from nbdev.serve import proc_nbs; proc_nbs(force=True)" >/dev/null || { rm -rf _proc; exit 1; }
	@if command -v quarto >/dev/null 2>&1; then \
	  (cd _proc && quarto render --no-cache --quiet) || { rm -rf _proc; exit 1; }; \
	  echo "docs-check: notebooks processed and rendered by Quarto"; \
	else echo "docs-check: Quarto not installed, rendering skipped (notebooks processed OK)"; fi
	@rm -rf _proc

test: check-sync nbtest pytest smoke docs-check

pipeline: $(STAMP)
	$(BIN)/moe-ids pipeline --params $(PARAMS)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_data.py > benchmarks/results/data_bench_cpu.json && cat benchmarks/results/data_bench_cpu.json

clean:
	rm -rf $(VENV) _proc _docs build dist *.egg-info
