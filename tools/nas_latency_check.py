"""Latency-model accuracy: predicted vs measured engine latency of random architectures.

Usage (from the repository root, after tools/dev_build.sh):

  PYTHONPATH=$PWD OMP_NUM_THREADS=1 python tools/nas_latency_check.py \\
      --table runs/nas/latency.json --models 30 [--threads 1] [--size S] [--json OUT.json]

The architectures are drawn from the space stored in the table (``movicore nas profile``) with
seeds the profile did not use; each is timed like the profile (every frame timed, the mean of
the fastest quarter of 60 frames, random weights). Prints one line per architecture, the median
and p90 absolute error, and the load average, which matters on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

from movicore.benchmark.measure import cpu_model
from movicore.nas import space as S
from movicore.nas.latency import LatencyModel, measure


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--table", required=True)
    p.add_argument("--models", type=int, default=30)
    p.add_argument("--threads", type=int, default=None, help="default: the table's")
    p.add_argument("--size", type=int, default=None, help="default: the space's sizes")
    p.add_argument("--seed", type=int, default=10_000)
    p.add_argument("--json", help="write the rows and summary here")
    args = p.parse_args()
    model = LatencyModel.load(args.table)
    space = S.Space.from_json(model.table["space"])
    threads = args.threads or model.threads
    load_before = os.getloadavg()
    rows = []
    for i in range(args.models):
        c = S.sample(args.seed + i, space, num_classes=(10, 600)[i % 2])
        if args.size:
            c = c.replace(input_size=args.size)
        measured = measure(c, threads=threads, frames=60, seed=i)["ms"]
        predicted = model.predict(c)
        err = (predicted - measured) / measured
        layers = sum(len(b.expand) for b in c.spec.blocks)
        rows.append({"seed": args.seed + i, "size": c.input_size, "layers": layers,
                     "measured_ms": measured, "predicted_ms": predicted, "error": err})
        print(f"{i + 1:3d}: {c.input_size}px {layers:2d} layers  measured {measured:8.4f} ms  "
              f"predicted {predicted:8.4f} ms  error {100 * err:+6.1f}%", flush=True)
    errs = np.abs([r["error"] for r in rows])
    summary = {"models": len(rows), "threads": threads, "median_abs_error": float(np.median(errs)),
               "p90_abs_error": float(np.percentile(errs, 90)),
               "mean_signed_error": float(np.mean([r["error"] for r in rows])),
               "cpu": cpu_model(), "load_average_before": list(load_before),
               "load_average_after": list(os.getloadavg())}
    print(f"median |error| {100 * summary['median_abs_error']:.1f}%, p90 "
          f"{100 * summary['p90_abs_error']:.1f}%, mean signed "
          f"{100 * summary['mean_signed_error']:+.1f}% over {len(rows)} architectures, "
          f"{threads} thread(s); {summary['cpu']}; load average {load_before[0]:.2f} -> "
          f"{summary['load_average_after'][0]:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "rows": rows}, indent=1),
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
