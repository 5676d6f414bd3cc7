#!/usr/bin/env bash
# All the GPU work of one lease of a device machine, in one go (DEVELOPERS.md: a GPU is lent for minutes, not hours):
#   1. the two sample pipelines (params/cicids2017-sample.yaml, params/unsw-nb15-sample.yaml) at the same time (their
#      times are those of two runs sharing the GPU and the CPU cores, so upper bounds of a run alone), as
#      runs/<name>-<card>/ beside their CPU runs (scripts/gpu_pipeline.sh with SUFFIX=<card>);
#   2. if time is left, the CUDA inference benchmark (scripts/gpu_bench.sh:
#      benchmarks/results/inference_bench_cuda.json);
#   3. if time is still left, params/unsw-nb15-zero-day.yaml as unsw-nb15-zero-day-<card> (cut off at the deadline,
#      it still returns its per-fit cache, from which a later pass resumes).
# Each step that finishes is packed into $OUT at once (when OUT is set), so a lease that ends early still returns it.
#   PYTHON=python3 MOE_IDS_DATA=/path/to/data SECONDS_LEFT=560 scripts/gpu_session.sh
# (put the data at ../shared/data, as on the CPU machine, so that the runs record the same relative data paths)
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHON=${PYTHON:-python3} PYTHONUNBUFFERED=1
OUT=${OUT:-$(mktemp -d)}
deadline=$((SECONDS + ${SECONDS_LEFT:-560}))
left() { echo $((deadline - SECONDS)); }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
"$PYTHON" -c "import importlib; print(*(f'{m} {importlib.import_module(m).__version__}' for m in
  ('torch', 'pandas', 'sklearn', 'numpy', 'xgboost')), 'on', __import__('torch').cuda.get_device_name(0))" \
  || exit 1
card=$("$PYTHON" -c "import re, torch; print(re.sub('[^a-z0-9]+', '-', torch.cuda.get_device_name(0).lower()
  .replace('nvidia', '')).strip('-'))")
echo "card slug: $card; uptime: $(uptime)"
one() {   # one pipeline as <name>-<card>, packed into $OUT when it ends
  echo "== $1-$card: starts, $(left) s left"
  SUFFIX=$card timeout "$(left)" scripts/gpu_pipeline.sh "$1" > "$OUT/$1-$card.log" 2>&1
  echo "== $1-$card: exit $?, $(left) s left"
  tar -czf "$OUT/$1-$card.tar.gz" "runs/$1-$card" "figures/$1-$card" 2>/dev/null
}
steps=${STEPS:-pipelines bench zero-day}   # a shorter lease: STEPS=pipelines
[[ $steps == *pipelines* ]] && { one cicids2017-sample & one unsw-nb15-sample & wait; }
if [[ $steps == *bench* ]] && [ "$(left)" -gt 150 ]; then
  echo "== inference benchmark: $(left) s left"
  timeout "$(( $(left) - 10 ))" scripts/gpu_bench.sh --time-budget 60
  echo "== inference benchmark: exit $?, $(left) s left"
  cp benchmarks/results/inference_bench_cuda.json "$OUT/" 2>/dev/null
fi
# what is left of the lease: the UNSW-NB15 zero-day run, resumable from its per-fit cache
if [[ $steps == *zero-day* ]] && [ "$(left)" -gt 90 ]; then
  one unsw-nb15-zero-day
fi
