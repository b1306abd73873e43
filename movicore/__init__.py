"""movicore: streaming MoViNet video recognition on the CPU."""

from __future__ import annotations

from movicore._cpu import cpu_info
from movicore.errors import ModelFormatError, MovicoreError

__version__ = "0.1.0"

__all__ = ["ModelFormatError", "MovicoreError", "__version__", "cpu_info"]
