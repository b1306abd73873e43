"""Shared fixtures of the pytest-benchmark suites (``pytest bench --benchmark-only``).

``MOVICORE_BENCH_QUICK=1`` shrinks everything (tiny frame sizes, A0 only, few rounds) so
the suites finish in well under a minute, e.g. in CI as a smoke run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

QUICK = os.environ.get("MOVICORE_BENCH_QUICK", "") not in ("", "0")
MODEL_IDS = ("a0",) if QUICK else ("a0", "a1", "a2", "a3")
THREADS = (1,) if QUICK else (1, 2)
ROUNDS = 5 if QUICK else 100
WARMUP = 2 if QUICK else 20
TFLITE = Path(os.environ.get("MOVICORE_TFLITE",
                             Path(__file__).resolve().parents[2] / "shared" / "anchors"
                             / "movinet_a0_stream.tflite"))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Collect ``bench_*.py`` (pytest's default pattern is ``test_*.py``)."""
    if file_path.suffix == ".py" and file_path.name.startswith("bench_"):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


def bench_size(model_id: str) -> int:
    from movicore import arch

    return 64 if QUICK else arch.SPECS[model_id].size


@pytest.fixture(scope="session")
def model_files(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """model id -> a random-weight stream model file (numpy, cached per session)."""
    from movicore.benchmark.models import write_random_model

    root = tmp_path_factory.mktemp("models")
    cache: dict[str, Path] = {}

    def get(model_id: str) -> Path:
        if model_id not in cache:
            cache[model_id] = write_random_model(model_id, root / f"{model_id}.safetensors")
        return cache[model_id]

    return get


@pytest.fixture(scope="session")
def isa() -> str:
    import movicore

    return str(movicore.cpu_info()["isa"])


def frame(size: int, seed: int = 0) -> np.ndarray:
    from movicore.benchmark.frames import frame_pool

    return frame_pool(size, size, seed, pool=1)[0]


def run_timed(benchmark: Any, fn: Callable[..., Any], *args: Any, macs: int = 0,
              threads: int = 1, isa: str = "", **info: Any) -> Any:
    """benchmark.pedantic with the suite's rounds; fills extra_info (GFLOP/s from median)."""
    result = benchmark.pedantic(fn, args=args, rounds=ROUNDS, warmup_rounds=WARMUP,
                                iterations=1)
    median = benchmark.stats.stats.median
    benchmark.extra_info.update(macs=macs, threads=threads, isa=isa, quick=QUICK, **info)
    if macs and median > 0:
        benchmark.extra_info["gflops"] = round(2.0 * macs / median / 1e9, 2)
    return result
