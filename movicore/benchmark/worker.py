"""Measure one engine in this process: ``python -m movicore.benchmark.worker JOB.json``.

Prints one JSON line (prefixed with ``RESULT ``) to stdout. Order matters for memory: the
engine's libraries and the input frames come first, then the peak-RSS mark is reset and the
baseline taken, then the model and engine are created and stepped; the increment is the peak
RSS during load + warm-up + timed loop minus that baseline.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import numpy as np

from movicore.benchmark import measure
from movicore.benchmark.frames import frame_pool
from movicore.benchmark.runners import RUNNERS

RESULT_PREFIX = "RESULT "


def measure_job(job: dict[str, Any]) -> dict[str, Any]:
    """Run ``job`` (engine, model_path, height, width, threads, frames, warmup, seed, ...)."""
    cls = RUNNERS[job["engine"]]
    cls.imports()
    pool = frame_pool(job["height"], job["width"], job["seed"])
    reset_ok = measure.reset_peak_rss()
    base = measure.rss_mib()
    t0 = time.perf_counter()
    runner = cls(job)
    setup_s = time.perf_counter() - t0
    after_load = measure.rss_mib()
    warmup, frames = int(job["warmup"]), int(job["frames"])
    logits = None
    for i in range(warmup):
        logits = runner.step(pool[i % len(pool)])
    times = []
    clock = time.perf_counter
    for i in range(warmup, warmup + frames):
        frame = pool[i % len(pool)]
        t = clock()
        logits = runner.step(frame)
        times.append(clock() - t)
    peak = measure.peak_rss_mib()
    logits = np.asarray(logits)
    return {
        "engine": job["engine"],
        "threads": job["threads"],
        "status": "ok",
        "ms_per_frame": measure.stats_ms(times),
        "setup_s": setup_s,
        "state_bytes": int(runner.state_bytes),
        "version": runner.version,
        "rss": {"baseline_mib": base, "after_load_mib": after_load, "peak_mib": peak,
                "increment_mib": peak - base if reset_ok else None,
                "peak_reset": reset_ok},
        "logits_finite": bool(np.isfinite(logits).all()),
        "logits_absmax": float(np.abs(logits).max()),
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    with open(argv[0], encoding="utf-8") as f:
        job = json.load(f)
    if job.get("kind") == "streams":
        from movicore.benchmark.streams import measure_streams

        result = measure_streams(job)
    else:
        result = measure_job(job)
    sys.stdout.write(RESULT_PREFIX + json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
