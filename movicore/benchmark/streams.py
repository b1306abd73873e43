"""Many streams on one model: frames/s per machine and per core for N concurrent streams.

* ``sequential``: N engines sharing one :class:`movicore.Model`, stepped one after another
  on the calling thread (one core);
* ``threads``: the same N engines, each on its own Python thread (the engine releases the
  GIL), so up to ``min(N, cores)`` cores work at once;
* ``many``: one stream-parallel engine, ``Engine(streams=N, threads=min(N, cores))``, one
  ``step_many`` call per frame of all streams (whole streams per worker thread);
* ``serve``: ``movicore serve``'s pipeline end to end (decode threads, bounded queues,
  inference workers) on N looping video files, counted in frames inferred
  (see :mod:`movicore.serve.bench`).
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import numpy as np

from movicore.benchmark import measure
from movicore.benchmark.frames import frame_pool

MODES = ("sequential", "threads", "many", "serve")


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def measure_streams(job: dict[str, Any]) -> dict[str, Any]:
    """job: model_path, height, width, streams (N), mode, frames, warmup, seed."""
    import movicore

    n, mode = int(job["streams"]), job["mode"]
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if mode == "serve":
        from movicore.serve.bench import measure_serve

        return measure_serve(job)
    pool = frame_pool(job["height"], job["width"], job["seed"])
    reset_ok = measure.reset_peak_rss()
    base = measure.rss_mib()
    model = movicore.load(job["model_path"])
    kind = movicore.Ensemble if isinstance(model, movicore.EnsembleModel) else movicore.Engine
    warmup, frames = int(job["warmup"]), int(job["frames"])
    if mode == "many":
        if kind is not movicore.Engine:
            raise ValueError("mode 'many' needs a single model, not an ensemble")
        return _measure_many(job, model, pool, n, warmup, frames, base, reset_ok)
    engines = [kind(model, threads=1, height=job["height"], width=job["width"])
               for _ in range(n)]

    def loop(engine: movicore.Engine, start: int, count: int, offset: int) -> None:
        for i in range(start, start + count):
            engine.step(pool[(i + offset) % len(pool)])

    if mode == "sequential":
        for i in range(warmup):
            for s, e in enumerate(engines):
                e.step(pool[(i + s) % len(pool)])
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(warmup, warmup + frames):
            for s, e in enumerate(engines):
                e.step(pool[(i + s) % len(pool)])
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        cores_used = 1
    else:
        barrier = threading.Barrier(n + 1)
        done = threading.Barrier(n + 1)

        def worker(s: int) -> None:
            loop(engines[s], 0, warmup, s)
            barrier.wait()
            loop(engines[s], warmup, frames, s)
            done.wait()

        threads = [threading.Thread(target=worker, args=(s,), daemon=True) for s in range(n)]
        for t in threads:
            t.start()
        barrier.wait()
        t0, c0 = time.perf_counter(), time.process_time()
        done.wait()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        for t in threads:
            t.join()
        cores_used = min(n, _cores())
    peak = measure.peak_rss_mib()
    fps = n * frames / wall
    return {
        "kind": "streams", "mode": mode, "streams": n, "status": "ok",
        "frames_per_stream": frames, "wall_s": wall, "fps_total": fps,
        "cores_used": cores_used, "fps_per_core": fps / cores_used,
        "ms_per_stream_frame": 1e3 * wall / (n * frames),
        "cpu_ms_per_frame": 1e3 * cpu / (n * frames),
        "state_bytes_total": int(sum(e.state_bytes for e in engines)),
        "rss": {"baseline_mib": base, "peak_mib": peak,
                "increment_mib": peak - base if reset_ok else None},
        "logits_finite": bool(np.isfinite(engines[-1].step(pool[0])).all()),
    }


def _measure_many(job: dict[str, Any], model: Any, pool: np.ndarray, n: int, warmup: int,
                  frames: int, base: float, reset_ok: bool) -> dict[str, Any]:
    import movicore

    cores = min(n, _cores())
    engine = movicore.Engine(model, threads=cores, height=job["height"], width=job["width"],
                             streams=n)
    batches = [np.stack([pool[(i + s) % len(pool)] for s in range(n)])
               for i in range(min(len(pool), warmup + frames))]
    for i in range(warmup):
        engine.step_many(batches[i % len(batches)])
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(warmup, warmup + frames):
        logits = engine.step_many(batches[i % len(batches)])
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = measure.peak_rss_mib()
    fps = n * frames / wall
    return {
        "kind": "streams", "mode": "many", "streams": n, "status": "ok",
        "frames_per_stream": frames, "wall_s": wall, "fps_total": fps,
        "cores_used": cores, "fps_per_core": fps / cores,
        "ms_per_stream_frame": 1e3 * wall / (n * frames),
        "cpu_ms_per_frame": 1e3 * cpu / (n * frames),
        "state_bytes_total": int(engine.state_bytes * n),
        "rss": {"baseline_mib": base, "peak_mib": peak,
                "increment_mib": peak - base if reset_ok else None},
        "logits_finite": bool(np.isfinite(logits).all()),
    }
