"""Video decoding (PyAV, optional extra ``movicore[video]``) and frame resizing (numpy only).

Why numpy resizing: the engine needs fixed-size RGB uint8 frames and we do not want PIL or
OpenCV as dependencies; a separable bilinear resize (with box pre-filtering when shrinking by
2x or more, against aliasing) is a few lines and fast enough for model-size frames.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

VIDEO_EXTENSIONS = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg")


def _av() -> Any:
    try:
        import av
    except ImportError as exc:
        raise ImportError("video decoding needs PyAV: pip install movicore[video]") from exc
    return av


@dataclasses.dataclass(frozen=True)
class VideoInfo:
    path: str
    width: int
    height: int
    fps: float
    frames: int  # container's frame count, or an estimate from the duration (0 = unknown)
    codec: str


def _check_path(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    if not p.exists():
        raise ValueError(f"video not found: {p}")
    if not p.is_file():
        raise ValueError(f"not a file: {p}")
    return p


def _open(path: Path) -> tuple[Any, Any]:
    """Open the container and its first video stream, mapping FFmpeg errors to ValueError."""
    av = _av()
    if path.stat().st_size == 0:
        raise ValueError(f"video file is empty: {path}")
    try:
        container = av.open(str(path), mode="r")
    except av.EOFError as exc:
        raise ValueError(f"video is empty (no frames before the end of file): {path}") from exc
    except av.FFmpegError as exc:
        raise ValueError(f"cannot read video {path}: {exc}") from exc
    if not container.streams.video:
        container.close()
        raise ValueError(f"no video stream in {path}")
    stream = container.streams.video[0]
    codec = getattr(stream.codec_context, "name", None) if stream.codec_context else None
    if not codec or codec == "none":
        container.close()
        raise ValueError(f"unsupported video codec in {path} (no FFmpeg decoder)")
    stream.thread_type = "AUTO"
    return container, stream


def probe(path: str | os.PathLike[str]) -> VideoInfo:
    """Size, frame rate, frame count (estimated if the container does not say) and codec."""
    p = _check_path(path)
    container, stream = _open(p)
    try:
        fps = float(stream.average_rate or stream.guessed_rate or 0.0)
        frames = int(stream.frames or 0)
        if frames <= 0 and stream.duration is not None and stream.time_base and fps:
            frames = round(float(stream.duration * stream.time_base) * fps)
        if frames <= 0 and container.duration and fps:
            frames = round(container.duration / 1e6 * fps)
        cc = stream.codec_context
        return VideoInfo(str(p), int(cc.width), int(cc.height), fps, max(frames, 0), cc.name)
    finally:
        container.close()


def iter_frames(path: str | os.PathLike[str], *, stride: int = 1, size: int | None = None,
                max_frames: int | None = None) -> Iterator[np.ndarray]:
    """Decode RGB uint8 frames (H, W, 3) lazily, every ``stride``-th frame.

    With ``size``, frames are resized (short side = size) and center-cropped to size x size.
    Raises ValueError for a missing/unreadable file, no video stream, an unsupported codec
    or a video without any decodable frame.
    """
    if stride < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    av = _av()
    p = _check_path(path)
    container, stream = _open(p)
    count = 0
    try:
        try:
            for i, frame in enumerate(container.decode(stream)):
                if i % stride:
                    continue
                rgb = frame.to_ndarray(format="rgb24")
                yield fit(rgb, size) if size else rgb
                count += 1
                if max_frames is not None and count >= max_frames:
                    return
        except av.FFmpegError as exc:
            if count == 0:
                raise ValueError(f"cannot decode video {p}: {exc}") from exc
            return  # truncated tail: keep what was decoded
        if count == 0:
            raise ValueError(f"video has no frames: {p}")
    finally:
        container.close()


def iter_timed_frames(path: str | os.PathLike[str]) -> Iterator[tuple[float, np.ndarray]]:
    """``(seconds, RGB uint8 (H, W, 3))`` for every decoded frame, times from the container
    (frame index / frame rate when a frame has none). Same errors as ``iter_frames``."""
    av = _av()
    p = _check_path(path)
    container, stream = _open(p)
    rate = float(stream.average_rate or stream.guessed_rate or 25.0)
    count = 0
    try:
        try:
            for i, frame in enumerate(container.decode(stream)):
                t = frame.time if frame.time is not None else i / rate
                yield float(t), frame.to_ndarray(format="rgb24")
                count += 1
        except av.FFmpegError as exc:
            if count == 0:
                raise ValueError(f"cannot decode video {p}: {exc}") from exc
            return
        if count == 0:
            raise ValueError(f"video has no frames: {p}")
    finally:
        container.close()


def read_video(path: str | os.PathLike[str], *, stride: int = 1, size: int | None = None,
               max_frames: int | None = None) -> np.ndarray:
    """All (selected) frames as uint8 [T, H, W, 3]; see ``iter_frames``."""
    return np.stack(list(iter_frames(path, stride=stride, size=size, max_frames=max_frames)))


# --------------------------------------------------------------------------- resizing

def _box_shrink(img: np.ndarray, fy: int, fx: int) -> np.ndarray:
    """Average non-overlapping fy x fx blocks (crops the remainder)."""
    if fy == 1 and fx == 1:
        return img
    h, w = img.shape[0] // fy * fy, img.shape[1] // fx * fx
    x = img[:h, :w].reshape(h // fy, fy, w // fx, fx, -1)
    return x.mean(axis=(1, 3))


def _axis_weights(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bilinear source indices and weights (pixel centers aligned, edge clamped)."""
    pos = (np.arange(n_out, dtype=np.float64) + 0.5) * (n_in / n_out) - 0.5
    pos = np.clip(pos, 0.0, n_in - 1)
    i0 = np.floor(pos).astype(np.int64)
    i1 = np.minimum(i0 + 1, n_in - 1)
    return i0, i1, (pos - i0).astype(np.float32)


def resize(img: np.ndarray, height: int, width: int) -> np.ndarray:
    """Bilinear resize of an (H, W, C) image to (height, width), same dtype as the input."""
    if img.ndim != 3:
        raise ValueError(f"expected an (H, W, C) image, got shape {img.shape}")
    if height < 1 or width < 1:
        raise ValueError(f"target size must be positive, got {height}x{width}")
    h, w = img.shape[:2]
    if (h, w) == (height, width):
        return img.copy()
    x = img.astype(np.float32)
    x = _box_shrink(x, max(h // height, 1) if h >= 2 * height else 1,
                    max(w // width, 1) if w >= 2 * width else 1)
    y0, y1, wy = _axis_weights(x.shape[0], height)
    x = x[y0] * (1 - wy)[:, None, None] + x[y1] * wy[:, None, None]
    x0, x1, wx = _axis_weights(x.shape[1], width)
    x = x[:, x0] * (1 - wx)[None, :, None] + x[:, x1] * wx[None, :, None]
    if img.dtype == np.uint8:
        return np.clip(x + 0.5, 0, 255).astype(np.uint8)
    return x.astype(img.dtype)


def resize_short_side(img: np.ndarray, size: int) -> np.ndarray:
    h, w = img.shape[:2]
    if h <= w:
        return resize(img, size, max(1, round(w * size / h)))
    return resize(img, max(1, round(h * size / w)), size)


def crop(img: np.ndarray, size: int, top: int | None = None, left: int | None = None
         ) -> np.ndarray:
    """size x size crop at (top, left); centered by default. Works on [..., H, W, C]."""
    h, w = img.shape[-3], img.shape[-2]
    if h < size or w < size:
        raise ValueError(f"cannot crop {size}x{size} from {h}x{w}")
    top = (h - size) // 2 if top is None else top
    left = (w - size) // 2 if left is None else left
    return img[..., top:top + size, left:left + size, :]


def fit(img: np.ndarray, size: int) -> np.ndarray:
    """Resize (short side = size) then center-crop to size x size: the model input frame."""
    return np.ascontiguousarray(crop(resize_short_side(img, size), size))


def fit_clip(clip: np.ndarray, size: int) -> np.ndarray:
    """``fit`` applied to each frame of [T, H, W, 3]."""
    return np.stack([fit(f, size) for f in clip])


def scale_for(size: int, short: int) -> float:
    """Scale factor that maps a short side ``short`` to ``size`` (for callers' messages)."""
    return size / short if short else math.nan
