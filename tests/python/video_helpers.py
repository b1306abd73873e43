"""Helpers for the video tests: clips made by the ffmpeg CLI (Debian's, independent of PyAV),
decoding with the ffmpeg CLI, and an independent numpy version of the official transform."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest


def need_ffmpeg() -> str:
    exe = shutil.which("ffmpeg")
    if exe is None:
        pytest.skip("the ffmpeg command is not installed (apt-get install ffmpeg)")
    return exe


def make_clip(path: Path, *, size: str = "160x120", rate: float = 30, seconds: float = 1.0,
              pix_fmt: str = "yuv420p", codec: str = "libx264", extra: tuple[str, ...] = ()
              ) -> Path:
    """A test-pattern clip (moving) written by the ffmpeg CLI; odd sizes kept as they are
    (testsrc2 rounds them down to even, testsrc does not). Skips without PyAV too: every
    clip is made for movicore to decode."""
    pytest.importorskip("av")
    w, h = (int(v) for v in size.split("x"))
    pattern = "testsrc2" if w % 2 == 0 and h % 2 == 0 else "testsrc"
    cmd = [need_ffmpeg(), "-v", "error", "-y", "-f", "lavfi", "-i",
           f"{pattern}=size={size}:rate={rate}", "-t", str(seconds), "-pix_fmt", pix_fmt,
           "-c:v", codec, *extra, str(path)]
    subprocess.run(cmd, check=True, timeout=60)
    return path


def ffmpeg_rgb_frames(path: Path, frames: int) -> np.ndarray:
    """The first ``frames`` frames as RGB24, decoded (and auto-rotated) by the ffmpeg CLI."""
    exe = need_ffmpeg()
    out = subprocess.run([exe, "-v", "error", "-i", str(path), "-frames:v", str(frames),
                          "-f", "image2pipe", "-pix_fmt", "rgb24", "-c:v", "ppm", "-"],
                         capture_output=True, check=True, timeout=60).stdout
    imgs = []
    pos = 0
    while pos < len(out):  # PPM: "P6\n<w> <h>\n255\n" + data
        parts = out[pos:pos + 64].split(maxsplit=4)
        w, h = int(parts[1]), int(parts[2])
        header = len(b" ".join(parts[:4])) + 1
        data = np.frombuffer(out, np.uint8, w * h * 3, pos + header)
        imgs.append(data.reshape(h, w, 3))
        pos += header + w * h * 3
    return np.stack(imgs)


def official_eval_numpy(img: np.ndarray, min_size: int, crop: int) -> np.ndarray:
    """Independent plain-numpy version of the official eval transform (movinet-reference.md
    §8): tf.image.resize bilinear (half-pixel centers, no antialias) of the whole frame to
    short side ``min_size`` (other side floored), cast to uint8, then center crop/pad."""
    h, w = img.shape[:2]
    oh, ow = max(min_size, h * min_size // w), max(min_size, w * min_size // h)
    x = img.astype(np.float32)
    if (oh, ow) != (h, w):
        def axis(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            scale = np.float32(n_in) / np.float32(n_out)
            pos = (np.arange(n_out, dtype=np.float32) + np.float32(0.5)) * scale
            pos = pos - np.float32(0.5)
            lo = np.maximum(np.floor(pos), 0).astype(int)
            hi = np.minimum(np.ceil(pos), n_in - 1).astype(int)
            return lo, hi, (pos - np.floor(pos)).astype(np.float32)

        ylo, yhi, ly = axis(h, oh)
        xlo, xhi, lx = axis(w, ow)
        out = np.empty((oh, ow, 3), np.float32)
        for r in range(oh):
            top = x[ylo[r], xlo] + (x[ylo[r], xhi] - x[ylo[r], xlo]) * lx[:, None]
            bot = x[yhi[r], xlo] + (x[yhi[r], xhi] - x[yhi[r], xlo]) * lx[:, None]
            out[r] = top + (bot - top) * ly[r]
        x = out
    x = x.astype(np.uint8)
    canvas = np.zeros((max(crop, oh), max(crop, ow), 3), np.uint8)
    py, px = (canvas.shape[0] - oh) // 2, (canvas.shape[1] - ow) // 2
    canvas[py:py + oh, px:px + ow] = x
    t, left = (canvas.shape[0] - crop) // 2, (canvas.shape[1] - crop) // 2
    return canvas[t:t + crop, left:left + crop]
