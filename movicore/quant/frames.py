"""Frame streams for quantization reports: videos (looped) or synthetic clips (numpy; video
decoding needs PyAV)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np


def eval_frame(img: np.ndarray, size: int, resize: int) -> np.ndarray:
    """The official eval transform: short side to ``resize``, center crop ``size``."""
    from movicore.video.preprocess import preprocess

    return preprocess(img, resize, size)


def video_paths(sources: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Video files given directly or found (sorted) in the given directories."""
    from movicore.data.video import VIDEO_EXTENSIONS

    out: list[Path] = []
    for s in sources:
        p = Path(s)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.suffix.lower() in VIDEO_EXTENSIONS)
            if not found:
                raise ValueError(f"no video files ({', '.join(VIDEO_EXTENSIONS)}) in {p}")
            out += found
        elif p.is_file():
            out.append(p)
        else:
            raise ValueError(f"calibration source not found: {p}")
    if not out:
        raise ValueError("no calibration videos given")
    return out


def _half_start(path: Path) -> int:
    """Index of the first frame of a video's second half (the calibration/report split)."""
    from movicore.data.video import iter_frames, probe

    n = probe(path).frames or sum(1 for _ in iter_frames(path))
    if n < 2:
        raise ValueError(f"{path}: {n} frame(s); static calibration needs at least 2 per video "
                         "(the first half calibrates, the second half is held out for the report)")
    return (n + 1) // 2


def video_frames(paths: Sequence[Path], size: int, count: int, resize: int,
                 part: str = "all") -> Iterator[np.ndarray]:
    """``count`` frames of the videos in order through the eval transform (``resize``: the
    model's eval short side). ``part``: ``all`` = every frame, looped from the start when they
    run out; ``second_half`` = only each video's second half, looped (the report frames held
    out from calibration); ``first_half`` = each video's first half, once (calibration: fewer
    than ``count`` frames if the halves are shorter)."""
    from movicore.data.video import iter_frames

    if part not in ("all", "first_half", "second_half"):
        raise ValueError(f"unknown part {part!r}")
    starts = {p: _half_start(p) for p in paths} if part != "all" else {}
    produced = 0
    while produced < count:
        for p in paths:
            for i, frame in enumerate(iter_frames(p)):
                if part == "first_half" and i >= starts[p]:
                    break
                if part == "second_half" and i < starts[p]:
                    continue
                yield eval_frame(frame, size, resize)
                produced += 1
                if produced >= count:
                    return
        if part == "first_half":
            return


def synthetic_frames(size: int, count: int, seed: int) -> Iterator[np.ndarray]:
    """``count`` frames of consecutive synthetic clips (16 frames each) as one stream."""
    from movicore.data.synthetic import generate

    produced, start = 0, 0
    while produced < count:
        clips, _ = generate(8, seed, frames=16, size=size, start=start)
        start += 8
        for frame in clips.reshape(-1, size, size, 3):
            yield frame
            produced += 1
            if produced >= count:
                return
