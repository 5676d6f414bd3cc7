"""Soak test of `moe-ids serve`: a bounded loopback load (64 concurrent single-flow clients by default, 5 minutes) in
rounds, with the server process's resident memory read from /proc after each round. Memory must stay flat: the
batching queue is bounded (overload is answered with 503 + Retry-After), so nothing grows with the load. Writes
`benchmarks/results/soak_serve_cpu.json` with the RSS series, requests/s and statuses per round.

    python benchmarks/soak_serve.py --checkpoint benchmarks/.cache/cicids2017-reference-sized
    python benchmarks/soak_serve.py --minutes 1 --clients 8      # a shorter run

Without `--checkpoint` it uses the model that `benchmarks/bench_inference.py` trained (run that first). Traffic goes
to 127.0.0.1 only, and every loop is bounded in time.
"""

import argparse, json, os, sys, time
from pathlib import Path

import numpy as np

from moe_ids.bench import bench_rows, rest_load, running_server
from moe_ids.checkpoint import load_checkpoint
from moe_ids.metrics import jsonable
from moe_ids.report import relative_path

ROOT = Path(__file__).resolve().parents[1]


def rss_mib(pid: int) -> float:
    "Resident memory of process `pid` in MiB (Linux /proc)."
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"): return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkpoint", default=str(ROOT / "benchmarks/.cache/cicids2017-reference-sized"))
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--round-seconds", type=float, default=10.0)
    ap.add_argument("--model-path", default="auto")
    ap.add_argument("-o", "--output", default=str(ROOT / "benchmarks/results/soak_serve_cpu.json"))
    a = ap.parse_args(argv)
    if not (Path(a.checkpoint) / "config.json").exists():
        print(f"soak_serve: no checkpoint in {a.checkpoint} (run benchmarks/bench_inference.py first)", file=sys.stderr)
        return 2
    df = bench_rows(load_checkpoint(a.checkpoint).spec.dataset, rows=512)
    rounds, t_end = [], time.monotonic() + 60 * a.minutes
    load_before = os.getloadavg()[0]
    with running_server(a.checkpoint, a.model_path) as (port, proc):
        rest_load(port, df, 1, 0.5)
        rss0 = rss_mib(proc.pid)
        while time.monotonic() < t_end:
            r = rest_load(port, df, a.clients, a.round_seconds)
            rounds.append(dict(rss_mib=rss_mib(proc.pid), requests_per_s=r["requests_per_s"], p99_ms=r["p99_ms"],
                               statuses=r["statuses"]))
            print(f"round {len(rounds)}: {rounds[-1]}", file=sys.stderr, flush=True)
    rss = np.array([r["rss_mib"] for r in rounds])
    half = max(1, len(rss) // 2)
    out = dict(checkpoint=relative_path(a.checkpoint, ROOT), data=df.attrs.get("source"), clients=a.clients,
               minutes=a.minutes, model_path=a.model_path, load_average_1m=[load_before, os.getloadavg()[0]],
               rss_mib_after_warmup=rss0, rss_mib_max=float(rss.max()), rss_mib_last=float(rss[-1]),
               rss_growth_second_half_mib=float(rss[half:].max() - rss[:half].max()),
               requests=int(sum(sum(r["statuses"].values()) for r in rounds)),
               errors=int(sum(sum(v for k, v in r["statuses"].items() if k != "200") for r in rounds)), rounds=rounds)
    Path(a.output).write_text(json.dumps(jsonable(out), indent=1) + "\n")
    print(json.dumps({k: v for k, v in out.items() if k != "rounds"}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
