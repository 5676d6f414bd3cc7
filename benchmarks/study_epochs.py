"""How many stage-2 epochs does the seed-sized MoE need (issue 13: the UNSW-NB15 gap)? Chosen on the VALIDATION split
only (the test split is not scored here).

The library's default (seed-sized) MoE with the numeric embeddings of a parameter file (UNSW-NB15: piecewise-linear,
48 bins) is trained on the random protocol with each epoch budget (the cosine schedule spans the budget; early stopping
on validation F1 with the library's patience); validation F1 at the validation-chosen threshold, the best epoch, the
per-epoch validation F1 and the training time are written to `benchmarks/results/epochs_<dataset>.json`. `--patience`
sets early stopping's patience (default: the library's); a long cosine schedule keeps the rate high for many epochs,
and validation F1 then moves by more than the library's patience forgives. Resumable: finished (epochs, patience,
seed) triples in that file are kept.

    python benchmarks/study_epochs.py --dataset unsw-nb15 --epochs 6 12 20 --seeds 0 1
    python benchmarks/study_epochs.py --dataset unsw-nb15 --epochs 30 --patience 30 --seeds 0 1
"""
import argparse, time
from pathlib import Path

import torch
import yaml
from study_common import ROOT, Study, summarise_by

from moe_ids.data import load_splits
from moe_ids.experts import EXPERTS
from moe_ids.training import TRAIN_DEFAULTS, train_moe


def summarise(runs: list) -> dict:
    """Per epoch budget and patience (`"<epochs> epochs, patience <p>"`): `study_common.summarise_by` over the seeds."""
    return summarise_by(sorted(runs, key=lambda r: (r["epochs"], r["patience"])),
                        lambda r: f"{r['epochs']} epochs, patience {r['patience']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="unsw-nb15")
    ap.add_argument("--params", default="params/unsw-nb15-models.yaml", help="model_options are read from this file")
    ap.add_argument("--epochs", type=int, nargs="+", default=[6, 12, 20])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--patience", type=int, default=TRAIN_DEFAULTS["patience"])
    ap.add_argument("--threads", type=int, default=None)
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    opts = yaml.safe_load((ROOT / a.params).read_text())["parameters"].get("model_options") or {}
    study = Study(f"epochs_{a.dataset}", key=("epochs", "patience", "seed"))
    for r in study.res["runs"]:   # runs written before `--patience` existed ran with the patience of their setup
        r.setdefault("patience", study.res["setup"]["train_defaults"]["patience"])
    for seed in a.seeds:
        train, val, _, source = load_splits(a.dataset, seed=seed)
        for epochs in a.epochs:
            if study.done(epochs, a.patience, seed): continue
            t = time.perf_counter()
            ck = train_moe(train, val, dataset=a.dataset, epochs=epochs, seed=seed, progress=False, log=None,
                           pretrain_epochs=0, model_options=opts, patience=a.patience)
            study.add(dict(epochs=epochs, patience=a.patience, seed=seed, val_f1=ck.metrics["f1"],
                           best_epoch=ck.metrics["best_epoch"],
                           epochs_run=ck.metrics["epochs_run"],
                           val_f1_per_epoch=[h["val_f1"] for h in ck.history if h.get("stage") == 2],
                           train_seconds=time.perf_counter() - t), summarise,
                      dict(dataset=a.dataset, source=str(Path(source).name) if source else None, protocol="random",
                           model="the library's default (seed-sized) MoE", model_options=opts, params=a.params,
                           pretrain_epochs=0, train_defaults=TRAIN_DEFAULTS,
                           tabular_defaults=EXPERTS["tabular"].defaults))
            print(epochs, a.patience, seed, round(ck.metrics["f1"], 4), "best epoch", ck.metrics["best_epoch"],
                  round(time.perf_counter() - t), "s", flush=True)


if __name__ == "__main__":
    main()
