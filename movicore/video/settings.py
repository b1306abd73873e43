"""The frame rate and eval resize a model expects: the ``"video"`` model-file metadata key.

Value (a JSON string in ``__metadata__``): ``{"fps": <float or null>, "resize": <int>}`` —
``fps`` the frames per second the model was trained on (null = every frame of the source),
``resize`` the short side frames are resized to before the center crop to the model size.
Files without the key get the official values of their model id when their input size is the
official one (the official eval pipeline: every ``temporal_stride``-th frame of 25 fps
Kinetics video, short side resized to ``min_image_size``; movinet-reference.md §1.3, §8);
other files (our own trained models) get every frame and ``resize`` = the input size, which
is what the trainer's eval transform does.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from typing import Any

from movicore.errors import ModelFormatError

METADATA_KEY = "video"
KINETICS_FPS = 25.0

# model id -> (temporal_stride, min_image_size, official input size)
_OFFICIAL = {"a0": (5, 192, 172), "a1": (5, 192, 172), "a2": (5, 256, 224),
             "a3": (2, 288, 256), "a4": (3, 320, 290), "a5": (2, 368, 320),
             "t0": (10, 176, 160)}


@dataclasses.dataclass(frozen=True)
class VideoSettings:
    """``fps``: frames per second fed to the model (None = every source frame);
    ``resize``: short side before the center crop."""

    fps: float | None
    resize: int

    def __post_init__(self) -> None:
        if self.fps is not None and not (math.isfinite(self.fps) and self.fps > 0):
            raise ValueError(f"fps must be a positive number, got {self.fps}")
        if isinstance(self.resize, bool) or not isinstance(self.resize, int) or self.resize < 1:
            raise ValueError(f"resize must be a positive integer, got {self.resize!r}")

    def to_json(self) -> str:
        return json.dumps({"fps": self.fps, "resize": self.resize}, sort_keys=True)


def official(model_id: str) -> VideoSettings:
    """The official eval settings of ``model_id`` (a0..a5, t0)."""
    stride, min_size, _ = _OFFICIAL[model_id]
    return VideoSettings(KINETICS_FPS / stride, min_size)


def default_for(model_id: str, input_size: int) -> VideoSettings:
    """Settings for a file without the key (see the module docstring)."""
    if model_id in _OFFICIAL and _OFFICIAL[model_id][2] == input_size:
        return official(model_id)
    return VideoSettings(None, input_size)


def parse(text: str) -> VideoSettings:
    """Parse the metadata value; ModelFormatError for anything malformed."""
    try:
        d = json.loads(text)
    except (ValueError, RecursionError):
        raise ModelFormatError(f"__metadata__ {METADATA_KEY} is not valid JSON") from None
    if not isinstance(d, dict) or set(d) != {"fps", "resize"}:
        raise ModelFormatError(f'__metadata__ {METADATA_KEY} must be {{"fps": ..., '
                               f'"resize": ...}}, got {text[:80]!r}')
    fps, resize = d["fps"], d["resize"]
    if fps is not None and (isinstance(fps, bool) or not isinstance(fps, (int, float))):
        raise ModelFormatError(f"__metadata__ {METADATA_KEY} fps must be a number or null")
    try:
        return VideoSettings(None if fps is None else float(fps), resize)
    except ValueError as exc:
        raise ModelFormatError(f"__metadata__ {METADATA_KEY}: {exc}") from None


def for_model(model: Any) -> VideoSettings:
    """Settings of a ``Model`` / ``ModelFile`` / ``EnsembleModel`` (its first member's)."""
    members = getattr(model, "members", None)
    if members:
        model = members[0]
    meta: Mapping[str, str] = getattr(model, "metadata", None) or {}
    if METADATA_KEY in meta:
        return parse(meta[METADATA_KEY])
    c = model.config
    return default_for(c.model_id, c.input_size)


def parse_fps(text: str | float | None) -> float | str | None:
    """A ``--fps`` value: a positive number, or 'source' (every frame); None = not given."""
    if text is None:
        return None
    if isinstance(text, str) and text.strip().lower() == "source":
        return "source"
    try:  # numbers from the Python API are checked too: fps=float("nan") is no rate
        v = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"--fps must be a positive number or 'source', got {text!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"--fps must be a positive number or 'source', got {text!r}")
    return v


def resolve(model: Any | None, fps: float | str | None = None,
            resize: int | None = None) -> tuple[float | None, int | None]:
    """(fps, resize) to use: the model's settings (none without a model) with the overrides;
    ``fps`` a number or 'source' (every frame). ``resize`` None = keep the decoded size."""
    base = for_model(model) if model is not None else None
    out_fps = base.fps if base is not None else None
    if fps is not None:
        given = parse_fps(fps)
        out_fps = None if given == "source" else float(given)  # type: ignore[arg-type]
    if resize is not None:
        VideoSettings(None, resize)  # validates
        return out_fps, resize
    return out_fps, base.resize if base is not None else None
