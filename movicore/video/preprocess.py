"""The official MoViNet eval transform on one RGB uint8 frame (movinet-reference.md §8).

Resize so the short side is ``resize`` (other side ``in_other * resize // in_short``, at
least ``resize``; skipped when the size already matches) with ``tf.image.resize`` bilinear
semantics: no antialiasing, half-pixel centers, float32 interpolation, cast back to uint8
by truncation. Then center-crop (or zero-pad) to ``crop`` x ``crop``. Only the pixels that
survive the crop are computed. The compiled kernel (``movicore._core``) does the work when
the extension is built; the numpy path gives the same bytes (up to float rounding order).

``preprocess_yuv420`` does the same straight from a decoder's 8-bit YUV 4:2:0 planes and
converts only the source pixels the crop reads (compiled kernel only), instead of the whole
frame: the libswscale conversion of a 1080p frame costs more than the rest of the transform.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def resized_size(height: int, width: int, resize: int) -> tuple[int, int]:
    """(height, width) after the official short-side resize."""
    return (max(resize, height * resize // width), max(resize, width * resize // height))


def center_offset(size: int, crop: int) -> int:
    """Where the crop starts in a dimension of ``size``; negative = zero padding."""
    return (size - crop) // 2 if size >= crop else -((crop - size) // 2)


def preprocess(frame: np.ndarray, resize: int | None, crop: int | None = None) -> np.ndarray:
    """Official eval transform of an (H, W, 3) uint8 frame (any strides, e.g. a rotated view).

    ``resize`` None keeps the size; ``crop`` None keeps the whole resized frame.
    Returns a new C-contiguous uint8 array, (crop, crop, 3) or (H', W', 3).
    """
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) uint8 frame, got {frame.dtype} "
                         f"{tuple(frame.shape)}")
    h, w = frame.shape[:2]
    if h < 1 or w < 1:
        raise ValueError(f"empty frame {h}x{w}")
    rh, rw = resized_size(h, w, resize) if resize else (h, w)
    if crop is None:
        return resize_region(frame, rh, rw, 0, 0, rh, rw)
    return resize_region(frame, rh, rw, center_offset(rh, crop), center_offset(rw, crop),
                         crop, crop)


def resize_region(frame: np.ndarray, out_h: int, out_w: int, top: int, left: int,
                  rows: int, cols: int) -> np.ndarray:
    """Rows ``top..top+rows`` x columns ``left..left+cols`` of ``frame`` resized to
    (out_h, out_w) (TF bilinear, half-pixel, uint8 truncation); zeros outside the image."""
    kernel = _kernel()
    if kernel is not None:
        return kernel(frame, out_h, out_w, top, left, rows, cols)
    return resize_region_numpy(frame, out_h, out_w, top, left, rows, cols)


def _core_function(name: str) -> Any:
    try:
        from movicore._native import core

        return getattr(core(), name, None)
    except ImportError:
        return None


def _kernel() -> Any:
    return _core_function("resize_region_u8")


# (y0, ys, rv, gu, gv, bu, bias) by (matrix, range); values follow libswscale's conversion,
# which PyAV's to_ndarray("rgb24") uses, so both paths agree (mean |diff| ~0.2 per pixel).
_LIMITED = 255 / 219
YUV_TO_RGB = {
    ("bt601", "limited"): (16.0, _LIMITED, 1.596027, 0.391762, 0.812968, 2.017232, -0.5),
    ("bt709", "limited"): (16.0, _LIMITED, 1.792741, 0.213249, 0.532909, 2.112402, -0.5),
    ("bt601", "full"): (0.0, 1.0, 1.402, 0.344136, 0.714136, 1.772, 0.0),
    ("bt709", "full"): (0.0, 1.0, 1.5748, 0.187324, 0.468124, 1.8556, 0.0),
}


def yuv420_available() -> bool:
    """Whether ``preprocess_yuv420`` can run (the compiled core is built)."""
    return _core_function("yuv420_resize_region_u8") is not None


def preprocess_yuv420(y: np.ndarray, u: np.ndarray, v: np.ndarray,
                      coeffs: tuple[float, ...], resize: int | None, crop: int | None
                      ) -> np.ndarray:
    """``preprocess`` of an 8-bit YUV 4:2:0 frame given as its three planes (2-D uint8,
    row strides free); ``coeffs`` from ``YUV_TO_RGB``."""
    fn = _core_function("yuv420_resize_region_u8")
    if fn is None:
        raise ImportError("preprocess_yuv420 needs the compiled core (movicore._core)")
    h, w = y.shape
    rh, rw = resized_size(h, w, resize) if resize else (h, w)
    if crop is None:
        return fn(y, u, v, list(coeffs), rh, rw, 0, 0, rh, rw)
    return fn(y, u, v, list(coeffs), rh, rw, center_offset(rh, crop),
              center_offset(rw, crop), crop, crop)


def _taps(n_in: int, n_out: int, start: int, count: int
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Source indices (lo, hi), weights and validity for outputs start..start+count."""
    o = np.arange(start, start + count)
    valid = (o >= 0) & (o < n_out)
    if n_in == n_out:  # TF skips the resize when the size already matches
        idx = np.clip(o, 0, n_in - 1)
        return idx, idx, np.zeros(count, np.float32), valid
    scale = np.float32(n_in) / np.float32(n_out)
    x = (o.astype(np.float32) + np.float32(0.5)) * scale - np.float32(0.5)
    f = np.floor(x)
    lo = np.clip(f, 0, n_in - 1).astype(np.intp)
    hi = np.clip(np.ceil(x), 0, n_in - 1).astype(np.intp)
    return lo, hi, (x - f).astype(np.float32), valid


def resize_region_numpy(frame: np.ndarray, out_h: int, out_w: int, top: int, left: int,
                        rows: int, cols: int) -> np.ndarray:
    """The numpy implementation of ``resize_region``."""
    y0, y1, wy, vy = _taps(frame.shape[0], out_h, top, rows)
    x0, x1, wx, vx = _taps(frame.shape[1], out_w, left, cols)
    r0, r1 = frame[y0], frame[y1]
    tl, tr = r0[:, x0].astype(np.float32), r0[:, x1].astype(np.float32)
    bl, br = r1[:, x0].astype(np.float32), r1[:, x1].astype(np.float32)
    wx3 = wx[None, :, None]
    top_row = tl + (tr - tl) * wx3
    bottom = bl + (br - bl) * wx3
    out = np.ascontiguousarray((top_row + (bottom - top_row) * wy[:, None, None]).astype(np.uint8))
    if not (vy.all() and vx.all()):
        out[~vy] = 0
        out[:, ~vx] = 0
    return out
