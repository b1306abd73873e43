"""Int8 quantization of model files (numpy only): the scheme, calibration and the accuracy
report of ``movicore quantize`` (see docs/quantization.md)."""

from __future__ import annotations
