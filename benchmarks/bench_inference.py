"""Inference throughput of the reference-sized MoE (the library's default model options) on real CICIDS2017 flows:
`moe_ids.bench.bench` on every model path, `predict`, the JSON-lines stream, the REST server and XGBoost, with the
accuracy change of each model path on the test split and the speed goals of the issue checked against the roofline
of the same run. Writes `benchmarks/results/inference_bench_cpu.json` (paths relative to the repository), from which
`moe-ids report` writes the README's table.

    python benchmarks/bench_inference.py                    # train (or reuse) the model, then benchmark
    python benchmarks/bench_inference.py --paths eager,onnx --rest-seconds 2

The model is trained once on the random split of `<data root>/cicids2017` (short: the speed does not depend on how
well it is trained, the accuracy change of each path is measured against the same model's eager fp32) and kept in
`benchmarks/.cache/` (not committed), so that a re-run only benchmarks. Run it on an idle machine: the load average is
recorded before and after.
"""

import argparse, json, sys, time
from pathlib import Path

from moe_ids.accelerate import MODEL_PATHS
from moe_ids.bench import bench
from moe_ids.checkpoint import load_checkpoint
from moe_ids.data import dataset_info, find_data_root, load_flows, split_flows
from moe_ids.training import train_moe

ROOT = Path(__file__).resolve().parents[1]


def checkpoint(train, val, cache: Path, epochs: int, budget: float, device: str = "cpu", seed: int = 0):
    "The cached reference-sized checkpoint, trained on `train`/`val` if it is not there yet."
    if (cache / "config.json").exists():
        print(f"reusing {cache}", file=sys.stderr)
        return load_checkpoint(cache, device=device)
    t0 = time.perf_counter()
    log = lambda m: print(f"[train {time.perf_counter() - t0:5.0f}s] {m}", file=sys.stderr, flush=True)
    ck = train_moe(train, val, dataset="cicids2017", epochs=epochs, pretrain_epochs=1, seed=seed, device=device,
                   progress=False, log=log, time_budget_s=budget)
    ck.save(cache)
    return ck


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=None, help="CICIDS2017 folder (default: <data root>/cicids2017)")
    ap.add_argument("--cache", default=str(ROOT / "benchmarks/.cache/cicids2017-reference-sized"))
    ap.add_argument("--epochs", type=int, default=2, help="stage-2 epochs of the benchmark model")
    ap.add_argument("--time-budget", type=float, default=300, help="training seconds at most")
    ap.add_argument("--paths", default=",".join(MODEL_PATHS), help="model paths to time, comma-separated")
    ap.add_argument("--device", default="cpu", help="cpu or cuda (scripts/gpu_bench.sh)")
    ap.add_argument("--batch-sizes", default="1,32,256,4096", help="comma-separated batch sizes")
    ap.add_argument("--min-time", type=float, default=1.0, help="seconds of repetitions per measurement")
    ap.add_argument("--stream-lines", type=int, default=8192)
    ap.add_argument("--rest-seconds", type=float, default=5.0)
    ap.add_argument("-o", "--output", default=str(ROOT / "benchmarks/results/inference_bench_cpu.json"))
    a = ap.parse_args(argv)
    root = find_data_root()
    data = Path(a.data) if a.data else (root / dataset_info("cicids2017").folder if root else None)
    if data is None or not data.exists():
        print("bench_inference: no CICIDS2017 data found (pass --data or set MOE_IDS_DATA)", file=sys.stderr)
        return 2
    train, val, test = split_flows(load_flows(data, dataset="cicids2017"), protocol="random", seed=0)
    ck = checkpoint(train, val, Path(a.cache), a.epochs, a.time_budget, a.device)
    sizes = tuple(int(b) for b in a.batch_sizes.split(","))
    n = max(sizes)
    rows = test.sample(n, replace=len(test) < n, random_state=0).reset_index(drop=True)
    rows.attrs["source"] = f"{Path(data).name}: test split of the random protocol, seed 0"
    r = bench(Path(a.cache), rows, sizes, min_time=a.min_time, device=a.device, paths=tuple(a.paths.split(",")),
              accuracy=test, stream_lines=a.stream_lines, rest_seconds=a.rest_seconds)
    r["model_training"] = {k: ck.metrics.get(k) for k in ("f1", "epochs_run", "wall_seconds", "stop_reason")}
    Path(a.output).write_text(json.dumps(r, indent=1) + "\n")
    print(json.dumps(r["goals"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
