"""Benchmark: XGBoost (moe_ids.baselines.XGBoostBaseline, default parameters) on the full real CICIDS2017 sample
(`random` protocol) and on the UNSW-NB15 file (`random` protocol, TTL features dropped; and kept, for comparison): test
F1 at the validation-chosen threshold, fit wall and CPU time on this machine (with the load average: wall time is
unreliable on a shared box). Prints JSON.

    python benchmarks/bench_baselines.py [DATA_ROOT] [--seeds 0 1 2]
"""

import argparse, json, os, resource, time

from moe_ids.baselines import XGBoostBaseline
from moe_ids.evaluation import machine_description
from moe_ids.data import feature_spec, find_data_root, load_flows, split_flows
from moe_ids.metrics import binary_metrics, choose_threshold


def _cpu_s() -> float:
    "CPU seconds of this process, all threads (user + system): steadier than wall time on a shared machine."
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def bench(root, dataset: str, seed: int, keep_shortcuts: bool = False) -> dict:
    df = load_flows(root / dataset, dataset=dataset)
    tr, va, te = split_flows(
        df, protocol="random", seed=seed, spec=feature_spec(dataset, keep_shortcuts=keep_shortcuts)
    )
    spec = feature_spec(dataset, tr, keep_shortcuts=keep_shortcuts)
    t0, c0 = time.perf_counter(), _cpu_s()
    model = XGBoostBaseline(spec, seed=seed).fit(tr, va)
    fit_s, fit_cpu_s = time.perf_counter() - t0, _cpu_s() - c0
    thr = choose_threshold(va["label"], model.predict_proba(va))
    m = binary_metrics(te["label"], model.predict_proba(te), thr)
    return dict(
        dataset=dataset,
        protocol="random",
        seed=seed,
        keep_shortcuts=keep_shortcuts,
        shortcuts_dropped=sorted(k for k, v in spec.dropped.items() if "shortcut" in v),
        n_train=len(tr),
        n_val=len(va),
        n_test=len(te),
        n_features=len(spec.features),
        threshold=round(thr, 6),
        test_f1=round(m["f1"], 5),
        test_precision=round(m["precision"], 5),
        test_recall=round(m["recall"], 5),
        test_roc_auc=round(m["roc_auc"], 6),
        fn=m["fn"],
        fp=m["fp"],
        best_iteration=model.best_iteration,
        fit_s=round(fit_s, 2),
        fit_cpu_s=round(fit_cpu_s, 2),
        load_average_1min=round(os.getloadavg()[0], 1),
    )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("root", nargs="?", default=None)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    a = ap.parse_args(argv)
    root = find_data_root(a.root)
    if root is None:
        print(json.dumps({"skipped": "no data root found (set MOE_IDS_DATA)"}))
        return
    out = {
        "machine": machine_description(details=True),
        "runs": [
            bench(root, ds, s, keep)
            for ds, keep in (("cicids2017", False), ("unsw-nb15", False), ("unsw-nb15", True))
            for s in a.seeds
        ],
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
