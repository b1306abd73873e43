"""Accuracy of an int8 model against its float original, frame by frame over one stream.

Both models are stepped on the same frames from a fresh state; per frame we compare the
logits: top-1 agreement, top-5 overlap, and max / mean |delta logit| divided by max |float
logit| of that frame. Because the stream carries state (cumulative pools, ring buffers), the
same figures at frames 1, 16, 64 and 1024 show whether the error grows with time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

CHECKPOINTS = (1, 16, 64, 1024)


def compare_streams(float_model: Any, int8_model: Any, frames: Iterable[np.ndarray], *,
                    threads: int = 1, checkpoints: Sequence[int] = CHECKPOINTS
                    ) -> dict[str, Any]:
    """Step both models over ``frames`` (uint8 [H, W, 3] each) and summarise the drift."""
    from movicore.engine import Engine

    ef = Engine(float_model, threads=threads)
    eq = Engine(int8_model, threads=threads)

    def pairs() -> Iterable[tuple[np.ndarray, np.ndarray]]:
        for frame in frames:
            x = np.ascontiguousarray(frame[None])
            yield ef.step(x), eq.step(x)

    return drift_summary(pairs(), checkpoints=checkpoints)


def drift_summary(pairs: Iterable[tuple[np.ndarray, np.ndarray]], *,
                  checkpoints: Sequence[int] = CHECKPOINTS) -> dict[str, Any]:
    """The report's figures from (reference logits, other logits) per frame, in stream order
    (also used for other runtimes' logits, tools/litert_int8_accuracy.py)."""
    rel_max, rel_mean, top1, top5 = [], [], [], []
    for lf, lq in pairs:
        scale = float(np.abs(lf).max()) or 1.0
        d = np.abs(lq.astype(np.float64) - lf)
        rel_max.append(float(d.max()) / scale)
        rel_mean.append(float(d.mean()) / scale)
        top1.append(int(np.argmax(lf)) == int(np.argmax(lq)))
        k = min(5, lf.shape[0])
        top5.append(len(set(np.argsort(-lf)[:k]) & set(np.argsort(-lq)[:k])) / k)
    n = len(rel_max)
    if n == 0:
        raise ValueError("no frames to compare")
    quarter = max(1, n // 4)
    return {
        "frames": n,
        "top1_agreement": float(np.mean(top1)),
        "top5_overlap": float(np.mean(top5)),
        "max_rel_err": float(max(rel_max)),
        "mean_rel_err": float(np.mean(rel_mean)),
        "max_rel_err_first_quarter": float(max(rel_max[:quarter])),
        "max_rel_err_last_quarter": float(max(rel_max[-quarter:])),
        "at": {int(t): {"max_rel_err": rel_max[t - 1], "mean_rel_err": rel_mean[t - 1],
                        "top1_agree": top1[t - 1]}
               for t in checkpoints if 1 <= t <= n},
        "per_frame_max_rel_err": rel_max,
    }


def format_report(r: dict[str, Any]) -> str:
    lines = [
        (f"accuracy of the int8 model vs float over {r['frames']} frames of one stream "
         f"({r.get('source', 'frames')}):"),
        (f"  top-1 agreement {100 * r['top1_agreement']:.2f} %, top-5 overlap "
         f"{100 * r['top5_overlap']:.2f} %"),
        (f"  |dlogit| / max|logit|: max {100 * r['max_rel_err']:.3f} %, mean "
         f"{100 * r['mean_rel_err']:.4f} %; max in the first quarter "
         f"{100 * r['max_rel_err_first_quarter']:.3f} %, last quarter "
         f"{100 * r['max_rel_err_last_quarter']:.3f} %"),
    ]
    for t, v in r["at"].items():
        lines.append(f"  frame {t:>5}: max {100 * v['max_rel_err']:.3f} %, mean "
                     f"{100 * v['mean_rel_err']:.4f} %, top-1 "
                     f"{'same' if v['top1_agree'] else 'DIFFERENT'}")
    d = r.get("dynamic")
    if d is not None:
        lines.append(
            f"  dynamic (per-row) activations on the same frames, for comparison: top-1 "
            f"{100 * d['top1_agreement']:.2f} %, top-5 {100 * d['top5_overlap']:.2f} %, max "
            f"{100 * d['max_rel_err']:.3f} %, mean {100 * d['mean_rel_err']:.4f} %, last quarter "
            f"max {100 * d['max_rel_err_last_quarter']:.3f} %")
    lines.append("  (speed: movicore bench MODEL --against int8)")
    return "\n".join(lines)
