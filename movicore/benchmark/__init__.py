"""Benchmarks: movicore's engine against PyTorch eager, ONNX Runtime and LiteRT.

``movicore bench`` (``movicore.cli.bench``) drives :func:`movicore.benchmark.suite.run`.
Each engine is measured in a fresh subprocess (``movicore.benchmark.worker``) so that its
peak-RSS increment is its own; every engine sees the same frames, warm-up is excluded and
per-frame medians are reported. Importing this package needs numpy only; torch,
onnxruntime and ai-edge-litert are imported inside the runners that use them.
"""

from __future__ import annotations

from movicore.benchmark.models import MODEL_IDS, random_model_tensors, resolve_model
from movicore.benchmark.suite import ENGINES, BenchSettings, run

__all__ = ["ENGINES", "MODEL_IDS", "BenchSettings", "random_model_tensors", "resolve_model",
           "run"]
