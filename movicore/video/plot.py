"""The ``classify --plot`` picture (matplotlib, imported lazily).

Top: a strip of frames sampled evenly over the video (what the model saw), each with the
top class and its probability at that moment. Bottom: the probabilities over time of the
final top-k classes on an axis scaled to the data (with 600 classes they are far below 1).
"""

from __future__ import annotations

import io

import numpy as np

from movicore.extras import require


class FrameStrip:
    """Keeps at most ``2 * n`` evenly spaced thumbnails of a stream of unknown length:
    when full, every other one is dropped and the keep interval doubles."""

    def __init__(self, n: int = 8, thumb: int = 96) -> None:
        self.n, self.thumb = n, thumb
        self.items: list[tuple[float, np.ndarray, str, float]] = []
        self._every, self._seen = 1, 0

    def add(self, t: float, frame: np.ndarray, label: str, p: float) -> None:
        if self._seen % self._every == 0:
            step = max(1, frame.shape[0] // self.thumb)
            self.items.append((t, np.ascontiguousarray(frame[::step, ::step]), label, p))
            if len(self.items) >= 2 * self.n:
                self.items = self.items[::2]
                self._every *= 2
        self._seen += 1

    def pick(self) -> list[tuple[float, np.ndarray, str, float]]:
        if len(self.items) <= self.n:
            return list(self.items)
        idx = np.linspace(0, len(self.items) - 1, self.n).round().astype(int)
        return [self.items[i] for i in idx]


def render_png(times: np.ndarray, probs: np.ndarray, labels: list[str], k: int,
               strip: list[tuple[float, np.ndarray, str, float]], title: str = "") -> bytes:
    """PNG bytes of the strip and the top-k curves (``probs`` [T, C], ``times`` [T] s)."""
    require("matplotlib", "plot", "--plot")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = max(len(strip), 1)
    fig = plt.figure(figsize=(max(8.0, 1.3 * n), 5.2), dpi=100)
    grid = fig.add_gridspec(2, n, height_ratios=(1.0, 1.8), hspace=0.35, top=0.9, bottom=0.1)
    for i, (t, img, label, p) in enumerate(strip):
        ax = fig.add_subplot(grid[0, i])
        ax.imshow(img)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"{t:.1f} s", fontsize="x-small")
        ax.set_xlabel(f"{_short(label)}\n{p:.3f}", fontsize="x-small")
    ax = fig.add_subplot(grid[1, :])
    final = probs[-1]
    classes = np.argsort(-final, kind="stable")[:max(1, min(k, probs.shape[1]))]
    for c in classes:
        ax.plot(times, probs[:, c], label=f"{labels[c]} ({final[c]:.3f})",
                marker="o" if len(times) == 1 else None)
    top = float(probs[:, classes].max()) if len(times) else 1.0
    ax.set_ylim(0.0, min(1.0, top * 1.1) or 1.0)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("probability")
    ax.legend(loc="best", fontsize="small", title="final top classes")
    ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def _short(label: str, n: int = 18) -> str:
    return label if len(label) <= n else label[:n - 1] + "…"
