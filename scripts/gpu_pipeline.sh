#!/usr/bin/env bash
# Run the research pipeline on a GPU machine (CUDA; bf16 autocast is used automatically on CUDA).
#   MOE_IDS_DATA=/path/to/data scripts/gpu_pipeline.sh [NAME ...]   (default: cicids2017-full unsw-nb15-full;
#   NAME is a parameter file of params/, e.g. cicids2017-sample)
# Each run writes runs/<name>/ (executed notebooks; metrics.json with the machine, the seconds per notebook and paths
# relative to the repository) and figures/<name>/. `moe-ids report` then rewrites the README's results section from the
# runs it reports (moe_ids.readme.REPORTED_RUNS).
# Environment:
#   PYTHON=python3   use this interpreter as it is (its torch, the project importable through PYTHONPATH) instead of
#                    `make install` into .venv: for a machine with its own CUDA build of torch and no registry
#   SUFFIX=h200      run as <name>-<suffix>: runs/<name>-<suffix>/ and figures/<name>-<suffix>/, so that the GPU run of
#                    a parameter file sits beside its CPU run instead of replacing it
#   DEVICE=cuda      the device the notebooks train on (cpu to try this script on a machine without a GPU)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PYTHON:-}" ]; then make install; PYTHON=.venv/bin/python; fi
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(cicids2017-full unsw-nb15-full)
nvidia-smi --query-gpu=name,memory.total --format=csv || echo "warning: nvidia-smi not found"
tmp=$(mktemp -d)
for n in "${names[@]}"; do
  params="params/$n.yaml"
  if [ -n "${SUFFIX:-}" ]; then
    params="$tmp/$n-$SUFFIX.yaml"
    "$PYTHON" -c "import sys, yaml; p = yaml.safe_load(open(sys.argv[1])); p['name'] = sys.argv[3]
p['description'] = p.get('description', '') + ' Run on a GPU machine as ' + sys.argv[3] + ' (scripts/gpu_pipeline.sh).'
yaml.safe_dump(p, open(sys.argv[2], 'w'), sort_keys=False)" "params/$n.yaml" "$params" "$n-$SUFFIX"
  fi
  "$PYTHON" -c "import sys; from moe_ids.cli import main; sys.exit(main())" \
    pipeline --params "$params" --device "${DEVICE:-cuda}"
done
rm -rf "$tmp"
