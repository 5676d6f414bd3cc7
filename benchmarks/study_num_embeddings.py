"""Which numeric tokenizer for the tabular expert (issue 13): rtdl's linear embeddings (the FT-Transformer's own), or
the periodic or piecewise-linear (quantile or decision-tree bins) embeddings of `rtdl_num_embeddings`, chosen on the
VALIDATION split only (the test split is not scored here).

Each candidate trains the MoE at the width of the committed sample runs (d_block 64, 2 blocks, no pretraining) on the
random protocol of one dataset, for a few seeds; the validation F1 at the validation-chosen threshold is written with
the training time to `benchmarks/results/num_embeddings_<dataset>.json`. Resumable: finished (candidate, seed) pairs
in that file are kept.

    python benchmarks/study_num_embeddings.py --dataset unsw-nb15 --seeds 0 1 --epochs 5
    python benchmarks/study_num_embeddings.py --dataset unsw-nb15 --seeds 0 1 2 --epochs 3 --tag _3epochs
"""
import argparse, time

import torch
from study_common import Study, best_validation

from moe_ids.data import load_splits
from moe_ids.experts import EXPERTS
from moe_ids.training import TRAIN_DEFAULTS, train_moe

CANDIDATES = {"linear": {"num_embeddings": "linear"},
              "periodic_0.01": {"num_embeddings": "periodic", "n_frequencies": 16, "frequency_init_scale": 0.01},
              "periodic_0.1": {"num_embeddings": "periodic", "n_frequencies": 16, "frequency_init_scale": 0.1},
              "piecewise_quantile": {"num_embeddings": "piecewise", "n_bins": 48},
              "piecewise_tree": {"num_embeddings": "piecewise", "n_bins": 48, "bin_labels": True}}


def summarise(runs: list) -> dict:
    "Per candidate: the mean validation F1 over its seeds and the number of seeds."
    by = {}
    for r in runs: by.setdefault(r["candidate"], []).append(r["val_f1"])
    return {k: {"val_f1_mean": sum(v) / len(v), "seeds": len(v)} for k, v in by.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="unsw-nb15")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--candidates", nargs="+", default=list(CANDIDATES))
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--tag", default="", help="suffix of the results file (e.g. a different --epochs)")
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    study = Study(f"num_embeddings_{a.dataset}{a.tag}", key=("candidate", "seed"))
    for seed in a.seeds:
        train, val, _, source = load_splits(a.dataset, seed=seed)
        for name in a.candidates:
            if study.done(name, seed): continue
            t = time.perf_counter()
            ck = train_moe(train, val, dataset=a.dataset, epochs=a.epochs, pretrain_epochs=0, seed=seed,
                           model_options={"d_block": 64, "n_blocks": 2, **CANDIDATES[name]}, progress=False, log=None)
            run = dict(candidate=name, seed=seed, options=CANDIDATES[name], val_f1=ck.metrics["f1"],
                       epochs_run=ck.metrics["epochs_run"], best_epoch=ck.metrics.get("best_epoch"),
                       train_seconds=time.perf_counter() - t, n_train=len(train), n_val=len(val))
            study.add(run, summarise, dict(dataset=a.dataset, epochs=a.epochs, protocol="random",
                                           model="d_block 64, 2 blocks", train_defaults=TRAIN_DEFAULTS,
                                           chosen_on="validation F1 at the validation-chosen threshold (test never "
                                                     "scored)", tabular_defaults=EXPERTS["tabular"].defaults),
                      choose=best_validation)
            print(name, seed, round(ck.metrics["f1"], 4), round(time.perf_counter() - t), "s", flush=True)


if __name__ == "__main__":
    main()
