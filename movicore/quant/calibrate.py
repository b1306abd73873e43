"""Static activation ranges: run the float model over calibration frames and record, for each
int8 layer, the range of the values entering it; one uint8 (scale, zero point) per layer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from movicore.quant.scheme import static_params


def calibrate_ranges(float_model: Any, frames: Iterable[np.ndarray], layers: Sequence[str]
                     ) -> dict[str, tuple[float, int]]:
    """``layers`` (canonical weight names) -> (scale, zero point) covering every value their
    inputs took while the float model stepped over ``frames`` (uint8 [H, W, 3] each, one
    stream). Raises ValueError if there are no frames."""
    from movicore.engine import Engine

    engine = Engine(float_model, threads=1)
    engine._core.set_observing_ranges(True)
    count = 0
    for frame in frames:
        engine.step(np.ascontiguousarray(frame[None]))
        count += 1
    if count == 0:
        raise ValueError("no calibration frames")
    seen = engine._core.input_ranges()
    missing = [n for n in layers if n not in seen]
    if missing:  # every pointwise layer runs on every frame: this is a bug, not bad input
        raise RuntimeError(f"calibration saw no input for {missing[:3]}")
    return {n: static_params(*seen[n]) for n in layers}
