"""movicore: streaming MoViNet video recognition on the CPU.

>>> import movicore
>>> model = movicore.load("a0_stream.safetensors")
>>> engine = movicore.Engine(model)
>>> logits = engine.step(frame)  # (H, W, 3) uint8 or float32 in [0, 1]
"""

from __future__ import annotations

from movicore._cpu import cpu_info
from movicore.engine import Engine
from movicore.ensemble import Ensemble
from movicore.errors import ModelFormatError, MovicoreError, StateError, VideoSourceError
from movicore.model import EnsembleModel, Model, load
from movicore.quant.quantize import quantize
from movicore.video.api import VideoSource, classify

__version__ = "0.1.0"

__all__ = ["Engine", "Ensemble", "EnsembleModel", "Model", "ModelFormatError", "MovicoreError",
           "StateError", "VideoSource", "VideoSourceError", "__version__", "classify", "cpu_info",
           "load", "quantize"]
