"""Shared pieces of the serve tests: a small video file, deterministic frame sources and
bounded waits."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from movicore.serve.bench import write_video

__all__ = ["frame_source", "wait_for", "write_video"]


def frame_source(frames: np.ndarray, delay: float = 0.0, lossless: bool = True) -> Any:
    """A callable source over fixed frames (timestamps 0.1 s apart)."""

    def source() -> Iterator[tuple[float, np.ndarray]]:
        for i, f in enumerate(frames):
            if delay:
                time.sleep(delay)
            yield 0.1 * i, f

    source.lossless = lossless  # type: ignore[attr-defined]
    return source


def wait_for(pred: Callable[[], Any], timeout: float, what: str, step: float = 0.05) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = pred()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
