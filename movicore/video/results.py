"""Class probabilities to top-k lists, and the one JSON shape of a classification entry.

Entry (timeline items and the final result alike; docs/video.md)::

    {"time": <seconds since the first frame>, "frame": <frames fed to the model so far>,
     "top": [{"label": <str>, "probability": <float>}, ...]}   # best first
"""

from __future__ import annotations

from typing import Any

import numpy as np

SCHEMA = "movicore.classify/1"


def softmax(logits: np.ndarray) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64)
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def top_k(probs: np.ndarray, labels: list[str], k: int) -> list[tuple[str, float]]:
    """The ``k`` most likely (label, probability), best first (k clipped to the classes)."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    idx = np.argsort(-probs, kind="stable")[:min(k, len(labels))]
    return [(labels[i], float(probs[i])) for i in idx]


def entry(time_s: float, frame: int, top: list[tuple[str, float]]) -> dict[str, Any]:
    return {"time": round(float(time_s), 6), "frame": int(frame),
            "top": [{"label": a, "probability": b} for a, b in top]}


def fmt_top(top: list[tuple[str, float]]) -> str:
    return "  ".join(f"{name} {p:.3f}" for name, p in top)
