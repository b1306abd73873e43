"""Peers on the same architecture and frames: PyTorch reference (eager), ONNX Runtime on
the exported reference, LiteRT on the official A0-stream .tflite (172x172 only)."""

from __future__ import annotations

import importlib.util

import pytest
from conftest import MODEL_IDS, QUICK, TFLITE, THREADS, bench_size, frame, run_timed

from movicore import arch


def _need(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed")


def _job(model_files, model_id: str, threads: int, **extra) -> dict:
    size = bench_size(model_id)
    return {"model_path": str(model_files(model_id)), "height": size, "width": size,
            "threads": threads, "config": arch.default_config(model_id).to_dict(), **extra}


@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("model_id", MODEL_IDS)
def test_torch_eager(benchmark, model_files, isa, model_id, threads) -> None:
    _need("torch")
    import torch

    from movicore.benchmark.runners import TorchRunner

    old = torch.get_num_threads()
    try:
        runner = TorchRunner(_job(model_files, model_id, threads))
        size = bench_size(model_id)
        run_timed(benchmark, runner.step, frame(size),
                  macs=arch.count_macs(runner.model.config, 1, size, size), threads=threads,
                  isa=isa, engine="torch", model=f"{model_id}-stream", size=size)
    finally:
        torch.set_num_threads(old)


@pytest.fixture(scope="session")
def onnx_files(model_files, tmp_path_factory):
    cache: dict[str, str] = {}

    def get(model_id: str) -> str:
        if model_id not in cache:
            from movicore.reference import from_file
            from movicore.reference.onnx_export import export_stream_onnx

            size = bench_size(model_id)
            out = tmp_path_factory.mktemp("onnx") / f"{model_id}.onnx"
            export_stream_onnx(from_file(model_files(model_id)), out, height=size, width=size)
            cache[model_id] = str(out)
        return cache[model_id]

    return get


@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("model_id", MODEL_IDS)
def test_onnxruntime(benchmark, model_files, onnx_files, isa, model_id, threads) -> None:
    for m in ("torch", "onnx", "onnxruntime"):
        _need(m)
    from movicore.benchmark.runners import OnnxRuntimeRunner

    runner = OnnxRuntimeRunner(_job(model_files, model_id, threads,
                                    onnx_path=onnx_files(model_id)))
    size = bench_size(model_id)
    run_timed(benchmark, runner.step, frame(size),
              macs=arch.count_macs(arch.default_config(model_id), 1, size, size),
              threads=threads, isa=isa, engine="onnxruntime", model=f"{model_id}-stream",
              size=size)


@pytest.mark.parametrize("threads", THREADS)
def test_litert_a0(benchmark, isa, threads) -> None:
    _need("ai_edge_litert")
    if QUICK:
        pytest.skip("the official .tflite is 172x172; quick mode runs 64x64")
    if not TFLITE.exists():
        pytest.skip(f"{TFLITE} not found (set MOVICORE_TFLITE)")
    from movicore.benchmark.runners import LiteRTRunner

    runner = LiteRTRunner({"tflite_path": str(TFLITE), "height": 172, "width": 172,
                           "threads": threads})
    run_timed(benchmark, runner.step, frame(172),
              macs=arch.count_macs(arch.default_config("a0"), 1, 172, 172), threads=threads,
              isa=isa, engine="litert", model="a0-stream", size=172)
