"""The plumbing shared by the resumable study scripts of `benchmarks/` (`study_*.py`): a results file
`benchmarks/results/<name>.json` holding one dict per finished fit (`runs`), their `summary` and the `setup`, rewritten
after every fit so that a killed study resumes where it stopped; and the machine line recorded with the results."""
import json
from pathlib import Path

from moe_ids.evaluation import machine_description
from moe_ids.metrics import summarise_seeds

ROOT = Path(__file__).resolve().parents[1]


class Study:
    """A resumable study's results file, `benchmarks/results/<name>.json`. `key` names the fields of a run that identify
    it (e.g. `("epochs", "seed")`): `done(...)` says whether such a run is already in the file."""

    def __init__(self, name: str, key: tuple, root: Path = ROOT):
        self.path, self.key = Path(root) / "benchmarks" / "results" / f"{name}.json", tuple(key)
        self.res = json.loads(self.path.read_text()) if self.path.exists() else {"runs": []}

    def done(self, *values) -> bool:
        "Whether a run with these key values (in the order of `key`) is in the file."
        return tuple(values) in {tuple(r.get(k) for k in self.key) for r in self.res["runs"]}

    def add(self, run: dict, summarise, setup: dict, choose=None, **extra) -> None:
        """Append `run`, recompute `summary` with `summarise(runs)`, record `setup` (plus the machine line), `chosen`
        (`choose(summary)`, when given) and any `extra` top-level entries, and rewrite the file."""
        self.res["runs"].append(run)
        self.res["summary"] = summarise(self.res["runs"])
        if choose: self.res["chosen"] = choose(self.res["summary"])
        self.res.update(extra)
        self.res["setup"] = {**setup, "machine": machine_description(details=True)}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.res, indent=1))


def best_validation(summary: dict) -> str:
    "The key of `summary` with the highest mean validation F1 (what the studies choose on; the test is never scored)."
    return max(summary, key=lambda k: summary[k]["val_f1_mean"])


def summarise_by(runs: list, label) -> dict:
    """Per `label(run)` (in the order the runs come): `metrics.summarise_seeds` of validation F1, best epoch and
    training time over its runs (seeds)."""
    by = {}
    for r in runs: by.setdefault(label(r), []).append({f: r[f] for f in ("val_f1", "best_epoch", "train_seconds")})
    return {k: summarise_seeds(v) for k, v in by.items()}
