"""Every resize / yuv_resize kernel variant against its reference and the numpy transform:
odd sizes, up/down scaling, padding, negative strides (rotated views), padded plane rows."""

from __future__ import annotations

import numpy as np
import pytest

from movicore.video import preprocess as pre

_core = pytest.importorskip("movicore._core")
K = _core._kernels

CASES = [  # (in_h, in_w, out_h, out_w, top, left, rows, cols)
    (272, 640, 192, 451, 10, 139, 172, 172), (481, 853, 192, 340, 10, 84, 172, 172),
    (7, 5, 3, 3, 0, 0, 3, 3), (5, 7, 11, 15, -2, -1, 15, 17), (1, 1, 2, 2, 0, 0, 2, 2),
    (33, 31, 33, 31, 1, 2, 30, 28), (9, 64, 8, 56, 0, 0, 8, 56), (16, 16, 16, 16, 0, 0, 0, 0)]


def variants(op: str) -> list[str]:
    return [k["name"] for k in K.list(op)]


@pytest.mark.parametrize("name", variants("resize"))
def test_resize_variants(name: str, rng: np.random.Generator) -> None:
    for case in CASES:
        in_h, in_w, *region = case
        img = rng.integers(0, 256, (in_h, in_w, 3), dtype=np.uint8)
        ref = K.run_resize("u8_resize_bilinear_rgb__reference", img, *region)
        got = K.run_resize(name, img, *region)
        np.testing.assert_array_equal(got, ref, err_msg=f"{name} {case}")
        numpy_path = pre.resize_region_numpy(img, *region)
        assert np.abs(got.astype(int) - numpy_path).max(initial=0) <= 1, case  # float order
        view = np.rot90(np.ascontiguousarray(np.rot90(img, -1)))  # same pixels, odd strides
        np.testing.assert_array_equal(K.run_resize(name, view, *region), ref)


def _planes(rng: np.random.Generator, h: int, w: int, pad: int = 5
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """YUV 4:2:0 planes with padded rows (like a decoder's line size)."""
    def plane(ph: int, pw: int) -> np.ndarray:
        return rng.integers(0, 256, (ph, pw + pad), dtype=np.uint8)[:, :pw]
    return plane(h, w), plane((h + 1) // 2, (w + 1) // 2), plane((h + 1) // 2, (w + 1) // 2)


def _yuv_to_rgb_numpy(y: np.ndarray, u: np.ndarray, v: np.ndarray,
                      c: tuple[float, ...]) -> np.ndarray:
    h, w = y.shape
    up = [np.repeat(np.repeat(p.astype(np.float32), 2, 0), 2, 1)[:h, :w] - 128 for p in (u, v)]
    luma = np.float32(c[1]) * (y.astype(np.float32) - np.float32(c[0]))
    rgb = np.stack([luma + c[2] * up[1], luma - c[3] * up[0] - c[4] * up[1], luma + c[5] * up[0]],
                   -1)
    return np.clip(np.floor(rgb + c[6]), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("name", variants("yuv_resize"))
def test_yuv_resize_variants(name: str, rng: np.random.Generator) -> None:
    for coeffs in pre.YUV_TO_RGB.values():
        for case in CASES:
            in_h, in_w, *region = case
            y, u, v = _planes(rng, in_h, in_w)
            ref = K.run_yuv_resize("u8_yuv420_resize_bilinear_rgb__reference", y, u, v,
                                   list(coeffs), *region)
            got = K.run_yuv_resize(name, y, u, v, list(coeffs), *region)
            np.testing.assert_array_equal(got, ref, err_msg=f"{name} {case}")
            # = convert the whole frame (numpy), then the RGB transform
            want = pre.resize_region_numpy(_yuv_to_rgb_numpy(y, u, v, coeffs), *region)
            d = np.abs(got.astype(int) - want)
            assert d.max(initial=0) <= 1 and (d.size == 0 or d.mean() < 0.02), (case, d)


def test_bad_arguments_are_value_errors() -> None:
    img = np.zeros((4, 4, 3), np.uint8)
    name = "u8_resize_bilinear_rgb__scalar"
    with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
        K.run_resize(name, np.zeros((4, 4, 4), np.uint8), 4, 4, 0, 0, 4, 4)
    with pytest.raises(ValueError, match="uint8"):
        K.run_resize(name, img.astype(np.float32), 4, 4, 0, 0, 4, 4)
    with pytest.raises(ValueError, match="size"):
        K.run_resize(name, img, 0, 4, 0, 0, 4, 4)
    y = np.zeros((4, 4), np.uint8)
    with pytest.raises(ValueError, match="chroma"):
        K.run_yuv_resize("u8_yuv420_resize_bilinear_rgb__scalar", y, y[:1], y[:2, :2],
                         [0.0] * 7, 4, 4, 0, 0, 4, 4)
    with pytest.raises(ValueError, match="coefficients"):
        K.run_yuv_resize("u8_yuv420_resize_bilinear_rgb__scalar", y, y[:2, :2], y[:2, :2],
                         [0.0] * 6, 4, 4, 0, 0, 4, 4)
