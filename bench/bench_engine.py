"""Engine per-frame step latency, A0-A3 stream at native size, 1 and 2 threads; and the
many-streams baselines (N engines on one model: sequential, and one Python thread each)."""

from __future__ import annotations

import threading

import pytest
from conftest import MODEL_IDS, QUICK, THREADS, bench_size, frame, run_timed

from movicore import arch


@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("model_id", MODEL_IDS)
def test_engine_step(benchmark, model_files, isa, model_id, threads) -> None:
    import movicore

    size = bench_size(model_id)
    model = movicore.load(model_files(model_id))
    engine = movicore.Engine(model, threads=threads, height=size, width=size)
    x = frame(size)
    logits = run_timed(benchmark, engine.step, x,
                       macs=arch.count_macs(model.config, 1, size, size), threads=threads,
                       isa=isa, model=f"{model_id}-stream", size=size,
                       state_bytes=engine.state_bytes)
    assert logits.shape == (model.num_classes,)


STREAMS = (1, 2) if QUICK else (1, 8)


@pytest.mark.parametrize("mode", ["sequential", "threads"])
@pytest.mark.parametrize("n", STREAMS)
def test_many_streams_a0(benchmark, model_files, isa, n, mode) -> None:
    """One round = one frame of each of N streams; extra_info has frames/s per core."""
    import os

    import movicore

    size = bench_size("a0")
    model = movicore.load(model_files("a0"))
    engines = [movicore.Engine(model, threads=1, height=size, width=size) for _ in range(n)]
    x = frame(size)

    def sequential() -> None:
        for e in engines:
            e.step(x)

    def threaded() -> None:
        ts = [threading.Thread(target=e.step, args=(x,)) for e in engines]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    run_timed(benchmark, sequential if mode == "sequential" else threaded,
              macs=n * arch.count_macs(model.config, 1, size, size), threads=1, isa=isa,
              streams=n, mode=mode, size=size)
    cores = 1 if mode == "sequential" else min(n, len(os.sched_getaffinity(0)))
    benchmark.extra_info["fps_per_core"] = round(n / benchmark.stats.stats.median / cores, 1)
