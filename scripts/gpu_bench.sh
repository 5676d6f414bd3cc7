#!/usr/bin/env bash
# The inference benchmark on a CUDA GPU (run it whenever a device machine is lent): every model path that runs on
# CUDA (eager fp32, bf16 autocast), predict, stream and REST, and bf16 throughput up to batch 65,536, against the
# GPU's own bf16/fp32 matmul roofline. Writes benchmarks/results/inference_bench_cuda.json (commit it; the JSON names
# the card). The benchmark model is trained on the GPU first if benchmarks/.cache/ does not hold it.
#   MOE_IDS_DATA=/path/to/data scripts/gpu_bench.sh [more bench_inference.py options, e.g. --time-budget 60]
# PYTHON=python3 uses that interpreter as it is instead of `make install` into .venv (as in scripts/gpu_pipeline.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PYTHON:-}" ]; then make install TORCH_SPEC="${TORCH_SPEC:-torch>=2.2}"; PYTHON=.venv/bin/python; fi
nvidia-smi --query-gpu=name,memory.total --format=csv || echo "warning: nvidia-smi not found"
"$PYTHON" benchmarks/bench_inference.py --device cuda --batch-sizes 1,32,256,4096,65536 \
  --cache benchmarks/.cache/cicids2017-reference-sized-cuda -o benchmarks/results/inference_bench_cuda.json "$@"
