"""Minimal progress bar on stderr (no dependency; silent when disabled).

Why our own: tqdm is not a dependency, and we only need ``i/n``, rate and a few live metrics.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """``with Progress(n, "train") as bar: bar.update(k, loss=0.3)``; redraws at most 10x/s."""

    def __init__(self, total: int, desc: str = "", *, unit: str = "it", enabled: bool = True,
                 stream: TextIO | None = None, width: int = 24) -> None:
        self.total = max(int(total), 0)
        self.desc, self.unit, self.enabled, self.width = desc, unit, enabled, width
        self.stream = stream if stream is not None else sys.stderr
        self.count = 0
        self.metrics: dict[str, float] = {}
        self._t0 = time.perf_counter()
        self._last = 0.0

    def __enter__(self) -> Progress:  # noqa: PYI034
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def rate(self) -> float:
        dt = time.perf_counter() - self._t0
        return self.count / dt if dt > 0 else 0.0

    def update(self, n: int = 1, **metrics: float) -> None:
        self.count += n
        self.metrics.update(metrics)
        now = time.perf_counter()
        if now - self._last >= 0.1 or self.count >= self.total:
            self._last = now
            self._draw()

    def _draw(self, end: str = "") -> None:
        if not self.enabled:
            return
        frac = min(self.count / self.total, 1.0) if self.total else 0.0
        fill = round(frac * self.width)
        bar = "#" * fill + "." * (self.width - fill)
        extra = " ".join(f"{k}={v:.4g}" for k, v in self.metrics.items())
        line = (f"\r{self.desc} [{bar}] {self.count}/{self.total} "
                f"{self.rate:.1f} {self.unit}/s {extra}")
        self.stream.write(line + end)
        self.stream.flush()

    def print(self, text: str, file: TextIO | None = None) -> None:
        """Print a line without mixing it into the bar: clear the bar, print, redraw."""
        out = file if file is not None else sys.stdout
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        print(text, file=out, flush=True)
        if self.enabled and self.count:
            self._draw()

    def close(self) -> None:
        self._draw(end="\n")
        self.enabled = False
