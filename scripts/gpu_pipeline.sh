#!/usr/bin/env bash
# Run the full research pipeline on a GPU machine (CUDA; bf16 autocast is used automatically on CUDA).
#   MOE_IDS_DATA=/path/to/full/data scripts/gpu_pipeline.sh [cicids2017-full|unsw-nb15-full|cicids2017-sample|unsw-nb15-sample]
# Each run writes runs/<name>/ (executed notebooks, metrics.json with the machine and the seconds per notebook) and figures/<name>/.
set -euo pipefail
cd "$(dirname "$0")/.."
make install
names=("$@"); [ ${#names[@]} -gt 0 ] || names=(cicids2017-full unsw-nb15-full)
nvidia-smi --query-gpu=name,memory.total --format=csv || echo "warning: nvidia-smi not found"
for n in "${names[@]}"; do
  .venv/bin/moe-ids pipeline --params "params/$n.yaml" --device cuda
done
