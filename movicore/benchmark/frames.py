"""The benchmark's input frames: identical for every engine, generated from a seed.

A small pool of distinct frames is cycled (frame i = pool[i % pool]) so that long runs at
large sizes do not allocate hundreds of MB of input (which would also distort RSS).
"""

from __future__ import annotations

import numpy as np

POOL = 16


def frame_pool(height: int, width: int, seed: int = 0, pool: int = POOL) -> np.ndarray:
    """``pool`` float32 frames ``[pool, H, W, 3]`` in [0, 1] (uint8 values / 255, as a
    decoder would give), smooth enough to look like video rather than white noise."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, size=(pool, height // 4 + 1, width // 4 + 1, 3), dtype=np.uint8)
    up = base.repeat(4, axis=1).repeat(4, axis=2)[:, :height, :width]
    noise = rng.integers(-8, 9, size=up.shape)
    frames = np.clip(up.astype(np.int16) + noise, 0, 255).astype(np.float32) / 255.0
    return np.ascontiguousarray(frames)
