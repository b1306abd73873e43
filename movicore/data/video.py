"""Whole-file video helpers for datasets and tests (decoding: ``movicore.video.sources``;
the eval transform: ``movicore.video.preprocess``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator

import numpy as np

from movicore.video.preprocess import preprocess
from movicore.video.sources import AvSource, open_source

VIDEO_EXTENSIONS = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg")


@dataclasses.dataclass(frozen=True)
class VideoInfo:
    path: str
    width: int
    height: int
    fps: float
    frames: int  # container's frame count, or an estimate from the duration (0 = unknown)
    codec: str


def _open_file(path: str | os.PathLike[str]) -> AvSource:
    src = open_source(os.fspath(path))
    assert isinstance(src, AvSource)
    return src


def probe(path: str | os.PathLike[str]) -> VideoInfo:
    """Size, frame rate, frame count (estimated if the container does not say) and codec."""
    src = _open_file(path)
    try:
        i = src.info
        return VideoInfo(i.name, i.width, i.height, i.fps, i.frames, i.codec)
    finally:
        src.close()


def iter_frames(path: str | os.PathLike[str], *, stride: int = 1, size: int | None = None,
                max_frames: int | None = None) -> Iterator[np.ndarray]:
    """Decode RGB uint8 frames (H, W, 3) lazily, every ``stride``-th frame (rotation applied).

    With ``size``, the eval transform: short side resized to ``size`` (official bilinear),
    center crop ``size`` x ``size``. Raises VideoSourceError (a ValueError) for a
    missing/unreadable file, no video stream, an unsupported codec or no decodable frame.
    """
    if stride < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    src = _open_file(path)
    count = 0
    try:
        for i, (_, frame) in enumerate(src.frames()):
            if i % stride:
                continue
            rgb = src.rgb(frame)
            yield preprocess(rgb, size, size) if size else np.ascontiguousarray(rgb)
            count += 1
            if max_frames is not None and count >= max_frames:
                return
    finally:
        src.close()


def iter_timed_frames(path: str | os.PathLike[str]) -> Iterator[tuple[float, np.ndarray]]:
    """``(seconds since the first frame, RGB uint8 (H, W, 3))`` for every decoded frame
    (rotation applied); same errors as ``iter_frames``."""
    src = _open_file(path)
    try:
        for t, frame in src.frames():
            yield t, np.ascontiguousarray(src.rgb(frame))
    finally:
        src.close()


def read_video(path: str | os.PathLike[str], *, stride: int = 1, size: int | None = None,
               max_frames: int | None = None) -> np.ndarray:
    """All (selected) frames as uint8 [T, H, W, 3]; see ``iter_frames``."""
    return np.stack(list(iter_frames(path, stride=stride, size=size, max_frames=max_frames)))


def crop(img: np.ndarray, size: int, top: int | None = None, left: int | None = None
         ) -> np.ndarray:
    """size x size crop at (top, left); centered by default. Works on [..., H, W, C]."""
    h, w = img.shape[-3], img.shape[-2]
    if h < size or w < size:
        raise ValueError(f"cannot crop {size}x{size} from {h}x{w}")
    top = (h - size) // 2 if top is None else top
    left = (w - size) // 2 if left is None else left
    return img[..., top:top + size, left:left + size, :]
