"""How a model was trained, as model-file metadata (torch-free; the trainer and ``convert``).

Two keys: ``"training"`` (JSON: data, classes and clip counts, clip geometry — frames, fps,
stride, size, eval resize —, the init model, the recipe settings, and the exported epoch
with its metrics) and ``"video"`` (``{"fps", "resize"}``, the frame rate and eval resize the
model expects, read by ``eval``, ``classify`` and ``VideoSource``). See docs/model-file.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

TRAINING_KEY = "training"
VIDEO_KEY = "video"
METRICS = ("train_loss", "train_top1", "val_loss", "val_top1", "val_top5")


def epoch_summary(rec: Mapping[str, Any]) -> str:
    """'epoch 7 (step 28): val_loss 0.31 val_top1 1.00 ...' for logs and ``convert``."""
    metrics = " ".join(f"{k} {rec[k]:.4f}" for k in METRICS if k in rec)
    return f"epoch {int(rec['epoch']) + 1} (step {int(rec.get('step', 0))}): {metrics}"


def file_metadata(training: Mapping[str, Any] | None, video: Mapping[str, Any] | None,
                  rec: Mapping[str, Any] | None, selected: str) -> dict[str, str]:
    """``__metadata__`` entries for a model exported at history record ``rec``."""
    out: dict[str, str] = {}
    if training is not None:
        t = dict(training)
        if rec is not None:
            t["epoch"] = int(rec["epoch"]) + 1
            t["step"] = int(rec.get("step", 0))
            t["metrics"] = {k: round(float(rec[k]), 6) for k in METRICS if k in rec}
        t["selected"] = selected
        out[TRAINING_KEY] = json.dumps(t, sort_keys=True, ensure_ascii=False)
    if video is not None:
        fps = video.get("fps")
        out[VIDEO_KEY] = json.dumps({"fps": None if fps is None else float(fps),
                                     "resize": int(video["resize"])}, sort_keys=True)
    return out


def read_training(metadata: Mapping[str, str]) -> dict[str, Any]:
    """The ``"training"`` entry of a file's metadata ({} when absent or not a JSON object)."""
    text = metadata.get(TRAINING_KEY)
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
