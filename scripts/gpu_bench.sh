#!/usr/bin/env bash
# The inference benchmark on a CUDA GPU (run it whenever a device machine is lent): every model path that runs on
# CUDA (eager fp32, bf16 autocast), predict, stream and REST, and bf16 throughput up to batch 65,536, against the
# GPU's own bf16/fp32 matmul roofline. Writes benchmarks/results/inference_bench_cuda.json (commit it; the JSON names
# the card). The benchmark model is trained on the GPU first if benchmarks/.cache/ does not hold it.
#   MOE_IDS_DATA=/path/to/data scripts/gpu_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
make install TORCH_SPEC="${TORCH_SPEC:-torch>=2.2}"
nvidia-smi --query-gpu=name,memory.total --format=csv || echo "warning: nvidia-smi not found"
.venv/bin/python benchmarks/bench_inference.py --device cuda --batch-sizes 1,32,256,4096,65536 \
  --cache benchmarks/.cache/cicids2017-reference-sized-cuda -o benchmarks/results/inference_bench_cuda.json
