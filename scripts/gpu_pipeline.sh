#!/usr/bin/env bash
# Run the full research pipeline on a GPU machine (CUDA; bf16 autocast is used automatically on CUDA).
#   MOE_IDS_DATA=/path/to/full/data scripts/gpu_pipeline.sh [NAME ...]   (default: cicids2017-full unsw-nb15-full;
#   NAME is a parameter file of params/, e.g. cicids2017-sample)
# Each run writes runs/<name>/ (executed notebooks; metrics.json with the machine, the seconds per notebook and paths
# relative to the repository) and figures/<name>/. `moe-ids report` then rewrites the README's results section from the
# runs it reports (moe_ids.report.REPORTED_RUNS).
set -euo pipefail
cd "$(dirname "$0")/.."
make install
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(cicids2017-full unsw-nb15-full)
nvidia-smi --query-gpu=name,memory.total --format=csv || echo "warning: nvidia-smi not found"
for n in "${names[@]}"; do
  .venv/bin/moe-ids pipeline --params "params/$n.yaml" --device cuda
done
