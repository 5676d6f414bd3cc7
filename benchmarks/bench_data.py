"""Benchmark: load, deduplicate, split and preprocess the real CICIDS2017 sample (goal from issue 2: under 10 s on the
2-core development machine). Prints JSON; run with `make bench` or `python benchmarks/bench_data.py [DATA_ROOT]`."""

import json, sys, time

from moe_ids.evaluation import machine_description
from moe_ids.data import feature_spec, find_data_root, load_flows, split_flows
from moe_ids.preprocess import Preprocessor


def main(root=None):
    root = find_data_root(root)
    if root is None:
        print(json.dumps({"skipped": "no data root found (set MOE_IDS_DATA)"}))
        return
    out = {
        "machine": machine_description(details=True)
    }
    t0 = time.perf_counter()
    df = load_flows(root / "cicids2017")
    t1 = time.perf_counter()
    tr, va, te = split_flows(df, seed=0)
    t2 = time.perf_counter()
    pre = Preprocessor(feature_spec("cicids2017", tr)).fit(tr)
    arrays = [pre.transform(d) for d in (tr, va, te)]
    t3 = time.perf_counter()
    out.update(
        rows=len(df),
        rows_after_dedup=len(tr) + len(va) + len(te),
        load_s=round(t1 - t0, 3),
        dedup_split_s=round(t2 - t1, 3),
        preprocess_s=round(t3 - t2, 3),
        total_s=round(t3 - t0, 3),
        goal_s=10,
        goal_met=(t3 - t0) < 10,
    )
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
