"""Which sizes for the TabM tabular expert (issue 13)? Chosen on the VALIDATION split only (the test split is not
scored here).

`moe_tabm` (the MoE with TabM in the FT-Transformer's place) matched the FT-Transformer MoE on UNSW-NB15 at about a
third of its training time, but lost on CICIDS2017 with the registry's sizes (k=16, d_block=256), which were never
tuned. Each candidate below trains that MoE on the random protocol of the enlarged, deduplicated data (`more_data`, as
runs/cicids2017-tabm does) with the same epochs and no pretraining; validation F1 at the validation-chosen threshold,
the best epoch and the training time go to `benchmarks/results/tabm_<dataset>.json`, beside the validation F1 of the
committed run's `moe` and `moe_tabm` (read from its metrics.json) for reference. Resumable: finished (candidate, seed)
pairs in that file are kept.

    python benchmarks/study_tabm.py --dataset cicids2017 --epochs 6 --seeds 0 1
"""
import argparse, json, time

import torch
from study_common import ROOT, Study, best_validation, summarise_by

from moe_ids.baselines import tabm_options
from moe_ids.data import find_data_root, load_dataset, split_flows
from moe_ids.experts import EXPERTS
from moe_ids.training import TRAIN_DEFAULTS, train_moe

CANDIDATES = {"k16_d256": {},                                                   # the registry's sizes
              "k32_d256": {"k": 32},
              "k8_d256": {"k": 8},
              "k16_d512": {"d_block": 512},
              "k16_d256_3blocks": {"n_blocks": 3},
              "k16_d256_piecewise": {"num_embeddings": "piecewise", "n_bins": 48},
              "k16_d256_periodic": {"num_embeddings": "periodic"},
              "mini_k32_d512": {"arch_type": "tabm-mini", "k": 32, "d_block": 512}}


def summarise(runs: list) -> dict:
    "Per candidate: `study_common.summarise_by` over its seeds."
    return summarise_by(runs, lambda r: r["candidate"])


def reference(run: str, dataset: str) -> dict:
    "Validation F1 (mean over its seeds) of `moe` and `moe_tabm` in a committed run's metrics.json, {} if absent."
    path = ROOT / run / "metrics.json"
    if not path.exists(): return {}
    s = json.loads(path.read_text()).get(dataset, {}).get("random", {})
    return {"run": run, "seeds": s.get("setup", {}).get("seeds"),
            **{m: s[m].get("val_f1_mean") for m in ("moe", "moe_tabm") if m in s}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="cicids2017")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--candidates", nargs="+", default=list(CANDIDATES), choices=list(CANDIDATES))
    ap.add_argument("--n-rows", type=int, default=None, help="a random sample of the flows (a quick try; use a --tag)")
    ap.add_argument("--reference", default="runs/cicids2017-tabm", help="committed run whose validation F1 is shown")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--tag", default="", help="suffix of the results file")
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    root = find_data_root()
    if root is None: raise SystemExit("study_tabm: no data root found (set MOE_IDS_DATA)")
    df = load_dataset(root, a.dataset, more_data=True)
    if a.n_rows and len(df) > a.n_rows: df = df.sample(a.n_rows, random_state=0)
    study = Study(f"tabm_{a.dataset}{a.tag}", key=("candidate", "seed"))
    setup = dict(dataset=a.dataset, rows=len(df), more_data=True, protocol="random", epochs=a.epochs,
                 pretrain_epochs=0, model="the library's default MoE with TabM as the tabular expert",
                 tabm_defaults=EXPERTS["tabm"].defaults, train_defaults=TRAIN_DEFAULTS,
                 reference=reference(a.reference, a.dataset),
                 chosen_on="validation F1 at the validation-chosen threshold (test never scored)")
    for seed in a.seeds:
        train, val, _ = split_flows(df, protocol="random", seed=seed)
        for name in a.candidates:
            if study.done(name, seed): continue
            t = time.perf_counter()
            ck = train_moe(train, val, dataset=a.dataset, epochs=a.epochs, pretrain_epochs=0, seed=seed,
                           model_options=tabm_options(**CANDIDATES[name]), progress=False, log=None)
            run = dict(candidate=name, seed=seed, options=CANDIDATES[name], val_f1=ck.metrics["f1"],
                       best_epoch=ck.metrics["best_epoch"], epochs_run=ck.metrics["epochs_run"],
                       train_seconds=time.perf_counter() - t, n_train=len(train), n_val=len(val))
            study.add(run, summarise, setup, choose=best_validation)
            print(name, seed, round(ck.metrics["f1"], 4), round(time.perf_counter() - t), "s", flush=True)


if __name__ == "__main__":
    main()
