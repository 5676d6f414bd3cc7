"""Does masked-feature pretraining (stage 1) help, and where (issue 13)? Stage 1 needs no labels, so the setting where
self-supervised pretraining is expected to pay is the one with few labelled flows and many unlabelled ones.

For each fraction of labelled flows (drawn per attack family from the training and validation splits of the `random`
protocol; the test split stays whole) the library's default MoE is trained four ways on the same labelled flows and
seed: no stage 1; stage 1 on the labelled training flows only (the pipeline's recipe); stage 1 on every training
flow, its labels unused (`train_moe(pretrain_df=...)`); and a control for "stage 1 only adds optimiser steps": no stage
1, but as many stage-2 epochs as it takes to match the optimiser steps of the `all_flows` arm (stage 1 + stage 2; the
cosine schedule spans them; early stopping as usual). Validation F1 (the basis of any choice) and test F1 at the
validation-chosen threshold are written with the training time to
`benchmarks/results/pretraining_<dataset>.json`. Resumable: finished (fraction, arm, seed) triples are kept.

    python benchmarks/study_pretraining.py --dataset cicids2017 --fractions 0.01 0.1 --seeds 0 1 2
"""
import argparse, math, time
from pathlib import Path

import torch
from study_common import Study

from moe_ids.data import load_splits
from moe_ids.evaluation import subsample
from moe_ids.experts import EXPERTS
from moe_ids.metrics import binary_metrics, summarise_seeds
from moe_ids.training import TRAIN_DEFAULTS, train_moe
ARMS = ("none", "labelled", "all_flows", "none_long")   # stage 1: none / labelled flows / every training flow / none,
# with the stage-2 epochs raised to the optimiser steps of `all_flows` (a control)


def long_epochs(epochs: int, pretrain_epochs: int, n_labelled: int, n_all: int) -> int:
    "Stage-2 epochs of `none_long`: `epochs` plus the stage-1 steps of the `all_flows` arm in epochs of `n_labelled`."
    return epochs + math.ceil(pretrain_epochs * min(n_all, TRAIN_DEFAULTS["pretrain_rows"]) / n_labelled)


def summarise(runs: list) -> dict:
    """Per (fraction, arm): `metrics.summarise_seeds` of validation F1, test F1 and training time over the seeds, the
    labelled training flows, and the gain of each stage-1 arm over no stage 1 (F1 points)."""
    by = {}
    for r in runs:
        by.setdefault(str(r["fraction"]), {}).setdefault(r["arm"], []).append(r)
    summary = {}
    for frac, arms in by.items():
        s = {arm: {**summarise_seeds([{k: x[k] for k in ("val_f1", "test_f1", "train_seconds")} for x in rs]),
                   "n_train_labelled": rs[0]["n_train"]} for arm, rs in arms.items()}
        for arm in ("labelled", "all_flows", "none_long"):
            if arm in s and "none" in s:
                s[arm]["val_gain_pt"] = 100 * (s[arm]["val_f1_mean"] - s["none"]["val_f1_mean"])
                s[arm]["test_gain_pt"] = 100 * (s[arm]["test_f1_mean"] - s["none"]["test_f1_mean"])
        summary[frac] = s
    return summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="cicids2017")
    ap.add_argument("--fractions", type=float, nargs="+", default=[0.01, 0.1])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--epochs", type=int, default=10, help="stage-2 epochs (early stopping on validation F1)")
    ap.add_argument("--pretrain-epochs", type=int, default=5, help="stage-1 epochs of `pretrain_rows` flows each")
    ap.add_argument("--arms", nargs="+", default=list(ARMS), choices=ARMS)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--tag", default="", help="suffix of the results file")
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    study = Study(f"pretraining_{a.dataset}{a.tag}", key=("fraction", "arm", "seed"))
    for seed in a.seeds:
        train, val, test, source = load_splits(a.dataset, seed=seed)
        for frac in a.fractions:
            tr = subsample(train, round(frac * len(train)), seed=seed, min_per_family=2)
            va = subsample(val, round(frac * len(val)), seed=seed, min_per_family=2)
            for arm in a.arms:
                if study.done(frac, arm, seed): continue
                t = time.perf_counter()
                ep = long_epochs(a.epochs, a.pretrain_epochs, len(tr), len(train)) if arm == "none_long" else a.epochs
                ck = train_moe(tr, va, dataset=a.dataset, epochs=ep, seed=seed, progress=False, log=None,
                               pretrain_epochs=0 if arm.startswith("none") else a.pretrain_epochs,
                               pretrain_df=train.drop(columns=["label"]) if arm == "all_flows" else None)
                test_f1 = binary_metrics(test["label"], ck.predict_proba(test), ck.threshold)["f1"]
                study.add(dict(fraction=frac, arm=arm, seed=seed, val_f1=ck.metrics["f1"], test_f1=test_f1,
                               n_train=len(tr), n_val=len(va), n_pretrain=ck.metrics["n_pretrain"],
                               best_epoch=ck.metrics["best_epoch"], epochs_run=ck.metrics["epochs_run"], epochs=ep,
                               train_seconds=time.perf_counter() - t, n_test=len(test)), summarise,
                          dict(dataset=a.dataset, source=str(Path(source).name) if source else None,
                               protocol="random", model="the library's default (seed-sized) MoE",
                               epochs=a.epochs, pretrain_epochs=a.pretrain_epochs,
                               labelled_draw="per attack family in proportion, at least 2 flows each "
                                             "(evaluation.subsample), train and validation alike",
                               train_defaults=TRAIN_DEFAULTS, tabular_defaults=EXPERTS["tabular"].defaults))
                print(frac, arm, seed, round(ck.metrics["f1"], 4), round(test_f1, 4),
                      round(time.perf_counter() - t), "s", flush=True)


if __name__ == "__main__":
    main()
