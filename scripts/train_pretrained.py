"""Train a pretrained model shipped in the package (`moe_ids/models/<dataset>/`) and write its model card.

    python scripts/train_pretrained.py --dataset cicids2017        # then: git add moe_ids/models/cicids2017
    python scripts/train_pretrained.py --dataset unsw-nb15

It trains the library's default (seed-sized) MoE with the project's training defaults on every real flow of the dataset
found under the data root (deduplicated), holding out a stratified validation part (early stopping, threshold) and a
test part (the in-distribution numbers of the card). For CICIDS2017 it also scores the other CICFlowMeter extraction
(`moe_ids.transfer.EXTRACTIONS`), zero-shot and after `moe_ids.adapt.adapt` on those flows. Every number of the card is
written by this script into `card.json` and `MODEL_CARD.md`; nothing is typed by hand.
"""
import argparse, json, sys, time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from moe_ids.adapt import ADAPT_DEFAULTS, adapt
from moe_ids.checkpoint import PRETRAINED
from moe_ids.data import find_data_root, load_flows, split_flows
from moe_ids.experts import n_params
from moe_ids.metrics import binary_metrics, jsonable, per_family_detection
from moe_ids.report import relative_path
from moe_ids.training import train_moe
from moe_ids.transfer import EXTRACTIONS, _recipe_options, dedup_sources, load_extraction

# the flows each model is trained on: an extraction of moe_ids.transfer, or folders of the data root
TRAINING_DATA = {"cicids2017": dict(extraction="improved", other="original"),
                 "unsw-nb15": dict(folders=["unsw-nb15", "unsw-nb15/raw-format"])}


def flows(dataset: str, root: Path) -> tuple:
    "All real flows of `dataset` (deduplicated across their folders) and the folders read."
    spec = TRAINING_DATA[dataset]
    if "extraction" in spec:
        df = load_extraction(spec["extraction"], root)
        return df, df.attrs["sources"]
    frames, sources = [], {}
    for folder in spec["folders"]:
        if (root / folder).is_dir():
            frames.append(load_flows(root / folder, dataset=dataset))
            sources[folder] = len(frames[-1])
    return dedup_sources(frames, dataset), sources


def scores(ck, df: pd.DataFrame) -> dict:
    "Metrics of `ck` at its threshold on labelled flows `df`, with the recall per family."
    p = ck.predict_proba(df)
    m = binary_metrics(df["label"], p, ck.threshold)
    keep = ("f1", "precision", "recall", "fpr", "roc_auc", "pr_auc", "tp", "fp", "tn", "fn")
    return {**{k: m[k] for k in keep if k in m}, "n": len(df),
            "per_family": per_family_detection(df["attack"], p >= ck.threshold)}


def chosen_recipe(metrics_file) -> dict:
    "The training recipe the cross-extraction run chose on its development part (`selection.recipe`), as options."
    cx = json.loads(Path(metrics_file).read_text())["cicids2017"]["cross_extraction"]
    return dict(cx["setup"]["recipes"][cx["selection"]["recipe"]])


def card_markdown(c: dict) -> str:
    "The model card, every number from `c` (card.json)."
    t, x = c["test"], c.get("cross_extraction")
    fam = "\n".join(f"| {f} | {v:.3f} |" for f, v in t["per_family"].items())
    lines = [
        f"# moe_ids pretrained model: `{c['dataset']}`", "",
        f"{c['about']}. Written by `scripts/train_pretrained.py` on {c['trained_on']}; do not edit by hand.", "",
        "## Training data and protocol", "",
        f"- Flows: every real {c['dataset']} flow found in the project's data ({', '.join(c['sources'])}), "
        f"deduplicated: {c['rows']:,} flows, split at random stratified by attack family into train "
        f"{c['split']['train']:,} / validation {c['split']['val']:,} / test {c['split']['test']:,} (seed {c['seed']}); "
        "no feature vector is in two splits.",
        f"- Dropped features (and why): {', '.join(f'`{k}`' for k in c['dropped'])}; see `config.json`.",
        f"- Model: the library's default MoE when it was trained ({c['trained_on']}; {c['n_params']:,} parameters; "
        f"experts {', '.join(c['experts'])}; every option is in `config.json`, which later changes of the library's "
        "defaults do not reach), "
        f"training options {c['train_options']}, recipe {c.get('recipe') or 'the library defaults'} (chosen by the "
        "cross-extraction protocol on its development part, see `runs/cicids2017-transfer`); "
        f"{c['epochs_run']} epochs ({c['stop_reason']})" + (f" after {c['pretrain_epochs']} epoch(s) of masked-feature "
        "pretraining (stage 1), " if c.get("pretrain_epochs") else ", no stage 1 (masked-feature pretraining), ") +
        f"{c['train_seconds']:.0f} s on {c['machine']}.",
        f"- Decision threshold {c['threshold']:.4f}, chosen on the validation split.", "",
        "## In-distribution results (test split)", "",
        f"F1 {t['f1']:.4f}, precision {t['precision']:.4f}, recall {t['recall']:.4f}, benign false-positive rate "
        f"{t['fpr']:.4f}, PR-AUC {t['pr_auc']:.4f} on {t['n']:,} test flows. Share of each family flagged "
        "(BENIGN: share not flagged):", "", "| family | rate |", "|---|---|", fam]
    if x:
        z, a = x["zero_shot"], x["adapt"]
        lines += ["", "## Another extractor: cross-extraction results", "",
                  f"Scored on every flow of the `{x['extraction']}` extraction ({x['about']}; {z['n']:,} flows, "
                  "deduplicated), which the model never saw:", "",
                  "| | F1 | precision | recall | benign FPR | PR-AUC |", "|---|---|---|---|---|---|",
                  f"| zero-shot | {z['f1']:.4f} | {z['precision']:.4f} | {z['recall']:.4f} | {z['fpr']:.4f} | "
                  f"{z['pr_auc']:.4f} |",
                  f"| after `moe-ids adapt` on those flows (max_shift {x['max_shift']}, {len(x['masked'])} features "
                  f"masked) | {a['f1']:.4f} | {a['precision']:.4f} | {a['recall']:.4f} | {a['fpr']:.4f} | "
                  f"{a['pr_auc']:.4f} |", "",
                  f"Masked by `adapt`: {', '.join(f'`{m}`' for m in x['masked']) or 'none'}. The cross-extraction "
                  "chapter (`nbs/06b_transfer.ipynb`, `runs/cicids2017-transfer`) measures the same protocol over "
                  "three seeds, with `calibrate` and `finetune`."]
    lines += ["", "## Known limits", "",
              "- Trained on one testbed's traffic (a 2017 lab network for CICIDS2017, a 2015 one for UNSW-NB15). On "
              "another network or another extractor, expect many more false positives and missed attack families: "
              "transfer without adaptation is weak (see the cross-extraction results above and in the README).",
              "- Attack families the data does not hold (or holds a few flows of) are not learned; identifiers "
              "(addresses, ports, timestamps) are never features, by design.",
              "- Flow features must come from the extractor family it was trained on (CICFlowMeter-style for "
              "`cicids2017`, Argus/Bro-style for `unsw-nb15`); other names are mapped by the alias table, absent "
              "features are read as missing (`mask`).", "",
              "## How to adapt it to your network", "",
              "```bash",
              "moe-ids adapt --checkpoint CK --unlabeled local_flows.csv --out ck-adapted/       # no labels",
              "moe-ids calibrate --checkpoint ck-adapted/ --benign known_benign.csv --max-fpr 0.01 --out ck-cal/",
              "moe-ids finetune --checkpoint ck-cal/ --data labelled_flows.csv --out ck-tuned/     # a few labels",
              "```", "",
              "Each command writes a new checkpoint folder and records what it did in its `config.json` "
              "(`train_config.adaptations`)."]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dataset", required=True, choices=sorted(TRAINING_DATA))
    ap.add_argument("--data-root", default=None)
    ap.add_argument("--out", default=None, help="default: moe_ids/models/<dataset>")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--pretrain-epochs", type=int, default=0, help="stage 1 (masked-feature pretraining) epochs; "
                    "0, the library default: benchmarks/study_pretraining.py measures no gain from it")
    ap.add_argument("--time-budget", type=float, default=1500.0, help="seconds of training at most")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--card-only", action="store_true", help="rewrite MODEL_CARD.md from card.json, no training")
    ap.add_argument("--recipe-from", default=str(ROOT / "runs/cicids2017-transfer/metrics.json"),
                    help="metrics.json of the cross-extraction run whose chosen recipe to train with")
    a = ap.parse_args(argv)
    out = Path(a.out or ROOT / "moe_ids" / "models" / a.dataset)
    if a.card_only:
        (out / "MODEL_CARD.md").write_text(card_markdown(json.loads((out / "card.json").read_text())))
        return 0
    root = find_data_root(a.data_root)
    if root is None:
        print("train_pretrained: no data root found", file=sys.stderr)
        return 2
    df, sources = flows(a.dataset, Path(root))
    df.attrs["dataset"] = a.dataset
    train, val, test = split_flows(df, protocol="random", seed=a.seed)
    t0 = time.perf_counter()
    log = lambda m: print(f"[{time.perf_counter() - t0:6.0f}s] {m}", file=sys.stderr, flush=True)
    other = TRAINING_DATA[a.dataset].get("other")
    tgt = load_extraction(other, root) if other else None
    recipe = chosen_recipe(a.recipe_from) if other else {}
    opts = _recipe_options(recipe, train, tgt.drop(columns=["label", "attack"]), a.dataset) if other else {}
    log(f"recipe {recipe}: {({k: v for k, v in opts.items() if k != 'spec'})}")
    ck = train_moe(train, val, dataset=a.dataset, epochs=a.epochs, pretrain_epochs=a.pretrain_epochs, seed=a.seed,
                   device="cpu", progress=False, log=log, time_budget_s=a.time_budget, **opts)
    import os, platform
    card = dict(dataset=a.dataset, about=PRETRAINED[a.dataset], trained_on=time.strftime("%Y-%m-%d"),
                sources={relative_path(str(Path(root) / k), ROOT): v for k, v in sources.items()}, rows=len(df),
                split={"train": len(train), "val": len(val), "test": len(test)}, seed=a.seed,
                dropped=sorted(ck.spec.dropped), n_params=n_params(ck.model), experts=ck.expert_names,
                train_options={k: ck.train_config[k] for k in ("feature_dropout", "group_dropout", "lr", "batch_size")},
                pretrain_epochs=ck.train_config["pretrain_epochs"], epochs_run=ck.metrics["epochs_run"],
                stop_reason=ck.metrics["stop_reason"],
                train_seconds=ck.metrics["wall_seconds"], threshold=float(ck.threshold),
                machine=f"{platform.machine()}, {os.cpu_count()} CPU cores, CPU only", test=scores(ck, test),
                validation={k: ck.metrics[k] for k in ("f1", "precision", "recall")})
    card["recipe"] = recipe
    if other:
        adapted, rep = adapt(ck, tgt.drop(columns=["label", "attack"]))
        card["cross_extraction"] = dict(extraction=other, about=EXTRACTIONS[other]["about"],
                                        max_shift=ADAPT_DEFAULTS["max_shift"], masked=rep["masked"],
                                        zero_shot=scores(ck, tgt), adapt=scores(adapted, tgt))
    ck.train_config.update(pretrained={k: card[k] for k in ("trained_on", "sources", "rows", "split", "seed")},
                           split_recipe=None)
    ck.save(out)
    (out / "card.json").write_text(json.dumps(jsonable(card), indent=1) + "\n")
    (out / "MODEL_CARD.md").write_text(card_markdown(jsonable(card)))
    log(f"wrote {out}: test F1 {card['test']['f1']:.4f}"
        + (f", cross-extraction zero-shot F1 {card['cross_extraction']['zero_shot']['f1']:.4f}" if other else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
