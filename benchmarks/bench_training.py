"""Benchmark the two-stage MoE training on the real data: the CICIDS2017 sample and the UNSW-NB15 partition file, each
with the `random` protocol of `split_flows` (deduplicated, no feature vector in two splits; UNSW's TTL shortcut features
dropped by the default feature spec). Prints one JSON document: test F1 at the validation-chosen threshold, seconds per
epoch of each stage, wall times and machine information. The goal it checks is
`moe_ids.bench_report.TRAINING_GOAL` (issue 13: the library's default MoE on the CICIDS2017 sample); `moe-ids report`
states it on the means over seeds, beside the time the epochs' matrix products alone take at the matmul rate measured
in the same run (from `train_flops_per_row` and `eval_flops_per_row`: the roofline of the training; the matmul rates
are measured at the start and at the end of the run, and the faster of the two is the roofline). The committed
3-seed results pass `--threads` (every core of the idle machine) rather than leave it to `auto_threads()`.

    python benchmarks/bench_training.py                      # both datasets, the library's default hyper-parameters
    python benchmarks/bench_training.py --datasets cicids2017 --epochs 6 --d-block 96
    python benchmarks/bench_training.py --datasets cicids2017 --model moe_tabm_piecewise --seeds 0 1 2

`--model` names a gated model of the comparison's registry (`moe_ids.baselines.TORCH_MODELS`, one without an ablated
expert); its `model_options` are the base that `--model-options`, `--d-block` and `--n-blocks` extend. One result per
dataset and seed.
"""

import argparse, json, os, sys, time
from pathlib import Path

import torch

from moe_ids.baselines import TORCH_MODELS
from moe_ids.bench import flops_per_flow, matmul_gflops, train_step_flops
from moe_ids.checkpoint import to_tensors
from moe_ids.data import DATASETS, find_data_root, load_flows, split_flows
from moe_ids.evaluation import machine_description
from moe_ids.experts import n_params
from moe_ids.moe import MoEClassifier
from moe_ids.metrics import binary_metrics
from moe_ids.training import TRAIN_DEFAULTS, auto_threads, cpu_has_bf16, train_moe


GATED_MODELS = sorted(k for k, v in TORCH_MODELS.items() if not v.get("ablate") and not v.get("all_features"))


def resolved_config(model) -> dict:
    "The model's configuration as built (every option resolved), without the piecewise bins (arrays of numbers)."
    cfg = json.loads(json.dumps(model.config, default=str))
    for e in cfg["experts"].values():
        e["options"].pop("bins", None)
    return cfg


def is_library_default(ck) -> bool:
    "Whether `ck`'s model is built exactly as the library's default MoE would be for the same features."
    pre = ck.preprocessor
    default = MoEClassifier.from_spec(pre.spec, cat_cardinalities=pre.cat_cardinalities)
    return resolved_config(ck.model) == resolved_config(default)


def training_flops(model, arrays: dict) -> dict:
    """FLOPs per row of `model` (`moe_ids.bench`): one training step (forward and backward) and one forward (the
    per-epoch validation pass), counted on the first 64 rows of the model arrays `arrays`."""
    t = to_tensors({k: v[:64] for k, v in arrays.items()})
    return dict(train_flops_per_row=train_step_flops(model, t), eval_flops_per_row=flops_per_flow(model, t))


def bench(dataset: str, root: Path, a, seed: int) -> dict:
    "Load, split (random protocol, `seed`), train both stages with `seed`, evaluate on the test split."
    t0 = time.perf_counter()
    df = load_flows(root / DATASETS[dataset].folder, dataset=dataset)
    train, val, test = split_flows(df, protocol="random", seed=seed)
    t_data = time.perf_counter() - t0
    load_before = os.getloadavg()[0]
    opts = {
        k: v
        for k, v in dict(
            batch_size=a.batch_size,
            lr=a.lr,
            pretrain_rows=a.pretrain_rows,
            time_budget_s=a.time_budget,
            feature_dropout=a.feature_dropout,
            group_dropout=a.group_dropout,
            precision=a.precision,
        ).items()
        if v is not None
    }
    model_options = dict(TORCH_MODELS[a.model].get("model_options", {}))
    model_options.update({k: v for k, v in dict(d_block=a.d_block, n_blocks=a.n_blocks).items() if v is not None})
    model_options.update(json.loads(a.model_options))
    kw = {k: v for k, v in dict(epochs=a.epochs, pretrain_epochs=a.pretrain_epochs).items() if v is not None}
    log = lambda m: print(f"[{dataset} {time.perf_counter() - t0:6.0f}s] {m}", file=sys.stderr, flush=True)
    ck = train_moe(
        train,
        val,
        dataset=dataset,
        device=a.device,
        seed=seed,
        model_options=model_options,
        progress=False,
        log=log,
        **kw,
        **opts,
    )
    t_train = ck.metrics["wall_seconds"]
    t1 = time.perf_counter()
    p = ck.predict_proba(test)
    t_pred = time.perf_counter() - t1
    m = binary_metrics(test["label"], p, ck.threshold)
    h = ck.history
    per_stage = {
        f"stage{s}_seconds_per_epoch": (
            sum(x["seconds"] for x in h if x["stage"] == s and x["epoch"] > 0)
            / max(1, sum(1 for x in h if x["stage"] == s and x["epoch"] > 0))
        )
        for s in (1, 2)
    }
    s1 = [x["val_loss"] for x in h if x["stage"] == 1]
    return dict(
        dataset=dataset,
        protocol="random",
        model=a.model,
        seed=seed,
        split_sizes=dict(train=len(train), val=len(val), test=len(test)),
        test_f1=m["f1"],
        test_precision=m["precision"],
        test_recall=m["recall"],
        test_accuracy=m["accuracy"],
        val_f1=ck.metrics["f1"],
        threshold=ck.threshold,
        **per_stage,
        stage1_epochs=sum(1 for x in h if x["stage"] == 1 and x["epoch"] > 0),
        stage2_epochs=ck.metrics["epochs_run"],
        best_epoch=ck.metrics["best_epoch"],
        stop_reason=ck.metrics["stop_reason"],
        train_precision=ck.metrics["train_precision"],
        cpu_capability=torch.backends.cpu.get_cpu_capability(),
        mfm_heldout_loss=s1,
        val_f1_per_epoch=[round(x["val_f1"], 5) for x in h if x["stage"] == 2],
        data_seconds=t_data,
        train_wall_seconds=t_train,
        predict_seconds=t_pred,
        total_wall_seconds=time.perf_counter() - t0,
        n_params=n_params(ck.model),
        **training_flops(ck.model, ck.arrays(train.iloc[:64])),
        library_default=is_library_default(ck),
        model_config=resolved_config(ck.model),
        train_config={
            k: ck.train_config[k]
            for k in (
                "epochs",
                "pretrain_epochs",
                "batch_size",
                "lr",
                "pretrain_rows",
                "feature_dropout",
                "group_dropout",
                "time_budget_s",
                "precision",
                "model_options",
                "device",
            )
        },
        load_average_before=round(load_before, 2),
        load_average_after=round(os.getloadavg()[0], 2),
    )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--datasets", nargs="+", default=["cicids2017", "unsw-nb15"], choices=sorted(DATASETS))
    ap.add_argument(
        "--data-root", default=None, help="folder holding cicids2017/ and unsw-nb15/ (default: find_data_root())"
    )
    ap.add_argument("--epochs", type=int, default=None, help="stage-2 epochs (default: train_moe's)")
    ap.add_argument("--pretrain-epochs", type=int, default=None, help="stage-1 epochs (default: train_moe's)")
    ap.add_argument("--batch-size", type=int, default=None)
    ap.add_argument("--lr", type=float, default=None)
    ap.add_argument("--pretrain-rows", type=int, default=None, help="rows per stage-1 epoch")
    ap.add_argument("--feature-dropout", type=float, default=None, help="per-feature dropout in stage 2")
    ap.add_argument(
        "--group-dropout", type=float, default=None, help="share of rows losing one expert's whole view in stage 2"
    )
    ap.add_argument("--precision", default=None, choices=["auto", "bf16", "fp32"], help="training-step precision")
    ap.add_argument("--model-options", default="{}", help="more model options as JSON, e.g. '{\"ffn_dropout\": 0}'")
    ap.add_argument("--d-block", type=int, default=None)
    ap.add_argument("--n-blocks", type=int, default=None)
    ap.add_argument("--time-budget", type=float, default=None, help="seconds for both stages (default: the library's)")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0], help="one training per seed (split and model)")
    ap.add_argument("--model", default="moe", choices=GATED_MODELS, help="the registry's gated model to train")
    ap.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch threads (default: auto_threads(): all cores when idle, fewer on a busy machine)",
    )
    ap.add_argument("--out", default=None, help="also write the JSON here")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads or auto_threads())
    root = find_data_root(a.data_root)
    if root is None:
        sys.exit("no data root found (set MOE_IDS_DATA or pass --data-root): this benchmark needs the real data")
    t0 = time.perf_counter()
    dtypes = (torch.float32, torch.bfloat16)
    # 2048x2048 products, but 512 for bf16 where the CPU only emulates it (2048 would take 64x the work at that rate)
    sizes = {dt: 2048 if dt == torch.float32 or cpu_has_bf16() else 512 for dt in dtypes}
    rates = lambda: {str(dt).replace("torch.", ""): round(matmul_gflops(n, dtype=dt), 1) for dt, n in sizes.items()}
    start = rates()
    res = dict(machine=machine_description(details=True), matmul_gflops=start, matmul_gflops_start=start,
               matmul_sizes={str(dt).replace("torch.", ""): n for dt, n in sizes.items()},
               train_defaults=TRAIN_DEFAULTS)
    res["results"] = []
    for d in a.datasets:
        for seed in a.seeds:
            res["results"].append(bench(d, root, a, seed))
            res["total_wall_seconds"] = time.perf_counter() - t0
            if a.out:  # after every training: a killed run keeps what it finished
                Path(a.out).write_text(json.dumps(res, indent=1, default=str))
    # measured again at the end: one measurement can catch a slow moment; the roofline is the faster of the two
    res["matmul_gflops_end"] = end = rates()
    res["matmul_gflops"] = {k: max(v, end[k]) for k, v in start.items()}
    res["total_wall_seconds"] = time.perf_counter() - t0
    if a.out:
        Path(a.out).write_text(json.dumps(res, indent=1, default=str))
    print(json.dumps(res, indent=1, default=str))


if __name__ == "__main__":
    main()
