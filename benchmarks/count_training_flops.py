"""Add the FLOPs per row of the trained model (`train_flops_per_row`, `eval_flops_per_row`) to committed results of
`benchmarks/bench_training.py` written before it counted them, so that `moe-ids report` can set their epoch times
against the matmul roofline of the same run.

FLOPs depend on the architecture only, not on the weights: for each result that records its `model_config`, the model
is built as `train_moe` builds it (the same dataset, random split of the result's seed, preprocessing fitted on that
train split, model options, piecewise bins from it), untrained, and counted with the same function the benchmark now
uses (`bench_training.training_flops`). A rebuilt model whose configuration differs from the recorded one stops the
script with the file and the difference; results without `model_config` are left as they are. Each filled result says
so (`flops_counted_by`). Needs the real data.

    python benchmarks/count_training_flops.py benchmarks/results/training_*.json
"""

import argparse, json, sys
from pathlib import Path

import torch

from bench_training import resolved_config, training_flops
from moe_ids.data import DATASETS, feature_spec, find_data_root, load_flows, split_flows
from moe_ids.moe import MoEClassifier
from moe_ids.preprocess import Preprocessor
from moe_ids.training import with_piecewise_bins


def rebuilt_model(r: dict, root: Path):
    "(model, train arrays): the untrained model of result `r` as `train_moe` builds it for the same data and split."
    ds = r["dataset"]
    train, _, _ = split_flows(load_flows(root / DATASETS[ds].folder, dataset=ds), protocol="random", seed=r["seed"])
    spec = feature_spec(ds, train)
    pre = Preprocessor(spec).fit(train)
    arrays = pre.transform(train)
    opts = with_piecewise_bins(r["train_config"]["model_options"], arrays, "tabular")
    torch.manual_seed(r["seed"])
    return MoEClassifier.from_spec(spec, cat_cardinalities=pre.cat_cardinalities, **opts), arrays


def fill(path: Path, root: Path) -> int:
    "Count the FLOPs of every result of `path` that records its model and lacks them; the number filled."
    doc = json.loads(path.read_text())
    n = 0
    for r in doc["results"]:
        if "train_flops_per_row" in r or "model_config" not in r:
            continue
        model, arrays = rebuilt_model(r, root)
        if resolved_config(model) != r["model_config"]:
            sys.exit(f"{path}: seed {r['seed']}: the rebuilt model is not the one recorded: "
                     f"{resolved_config(model)} != {r['model_config']}")
        r.update(training_flops(model, arrays), flops_counted_by="benchmarks/count_training_flops.py")
        n += 1
    if n:
        path.write_text(json.dumps(doc, indent=1, default=str))
    return n


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", type=Path, help="results of benchmarks/bench_training.py")
    ap.add_argument("--data-root", default=None, help="folder holding the datasets (default: find_data_root())")
    a = ap.parse_args(argv)
    root = find_data_root(a.data_root)
    if root is None:
        sys.exit("no data root found (set MOE_IDS_DATA or pass --data-root): the FLOPs need the real split")
    for f in a.files:
        print(f"{f}: {fill(f, root)} result(s) filled")


if __name__ == "__main__":
    main()
