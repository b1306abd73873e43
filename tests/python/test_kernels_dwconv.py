"""Every dwconv variant vs the float64 NumPy definition: odd planes, channel tails, strides 1/2,
kernels 3/5 (plus 1x1 and non-square), kt 1/3/5 with null frames, every activation, row
ranges (two halves == whole, other rows untouched) and fused channel sums. The binding checks
guard bands past both ends of every output after each call."""

from __future__ import annotations

import numpy as np
import pytest
from testers.common import ACTS, assert_close, require, variant_params
from testers.conv import dwconv_ref, same

from movicore import _core

SIZES = (1, 2, 3, 5, 7, 8, 11, 16, 17, 26)
CHANNELS = (1, 3, 7, 8, 9, 15, 16, 17, 33, 100)


def _case(rng, h, w, c, kt, kh, kw, s, null_p=0.3):
    frames = [None if (kt > 1 and rng.random() < null_p) else
              rng.uniform(-2, 2, (h, w, c)).astype(np.float32) for _ in range(kt)]
    if all(f is None for f in frames):
        frames[-1] = rng.uniform(-2, 2, (h, w, c)).astype(np.float32)
    wt = rng.uniform(-1, 1, (kt, kh, kw, c)).astype(np.float32)
    b = rng.uniform(-1, 1, c).astype(np.float32)
    oh, pt = same(h, kh, s)
    ow, pl = same(w, kw, s)
    return frames, wt, b, (s, pt, pl, oh, ow)


def _check(kernel, frames, wt, b, geo, act, rng, what):
    name = kernel["name"]
    s, pt, pl, oh, ow = geo
    kt, kh, kw, _ = wt.shape
    taps = kt * kh * kw
    want = dwconv_ref(frames, wt, b, s, pt, pl, oh, ow, act)
    out, csum = _core._kernels.run_dwconv(name, frames, wt, b, s, pt, pl, oh, ow, act,
                                          want_sum=True)
    assert_close(out, want, 1e-6 * taps, 1e-5, f"{name} {what}")
    assert_close(csum, want.sum(axis=(0, 1)), 1e-5 * taps * oh * ow, 1e-5, f"{name} {what} sum")
    mid = int(rng.integers(0, oh + 1))
    top = _core._kernels.run_dwconv(name, frames, wt, b, s, pt, pl, oh, ow, act, 0, mid)
    bot, bsum = _core._kernels.run_dwconv(name, frames, wt, b, s, pt, pl, oh, ow, act, mid, -1,
                                          want_sum=True)
    assert np.isnan(top[mid:]).all() and np.isnan(bot[:mid]).all(), f"{name} {what}: rows"
    np.testing.assert_array_equal(np.concatenate([top[:mid], bot[mid:]]), out,
                                  err_msg=f"{name} {what} mid={mid}")
    assert_close(bsum, bot[mid:].astype(np.float64).sum(axis=(0, 1)), 1e-5 * taps * oh * ow,
                 1e-5, f"{name} {what} half sum mid={mid}")


@pytest.mark.parametrize("kernel", variant_params("dwconv"))
def test_dwconv_spatial(kernel: dict, rng: np.random.Generator, seed: int):
    """kt = 1 (the (2+1)D spatial half): every channel count x kernel 3/5 x stride 1/2."""
    require(kernel)
    i = 0
    for c in CHANNELS:
        for k in (3, 5):
            for s in (1, 2):
                h, w = int(rng.choice(SIZES)), int(rng.choice(SIZES))
                act = ACTS[i % len(ACTS)]
                i += 1
                frames, wt, b, geo = _case(rng, h, w, c, 1, k, k, s)
                _check(kernel, frames, wt, b, geo, act, rng,
                       f"{h}x{w}x{c} k={k} s={s} {act} seed={seed}")


@pytest.mark.parametrize("kernel", variant_params("dwconv"))
def test_dwconv_3d(kernel: dict, rng: np.random.Generator, seed: int):
    """kt 3/5 with null (causal padding) frames, odd kernels, every activation."""
    require(kernel)
    for i in range(48):
        h, w, c = int(rng.choice(SIZES)), int(rng.choice(SIZES)), int(rng.choice(CHANNELS))
        kt = (1, 3, 5)[i % 3]
        kh, kw = [(3, 3), (5, 5), (3, 3), (1, 1), (3, 1), (2, 4)][i % 6]
        s = 1 + (i // 6) % 2
        act = ACTS[i % len(ACTS)]
        frames, wt, b, geo = _case(rng, h, w, c, kt, kh, kw, s)
        nulls = "".join("0" if f is None else "1" for f in frames)
        _check(kernel, frames, wt, b, geo, act, rng,
               f"{h}x{w}x{c} kt={kt} k={kh}x{kw} s={s} frames={nulls} {act} seed={seed}")


@pytest.mark.parametrize("kernel", variant_params("dwconv"))
def test_dwconv_movinet_shapes(kernel: dict, rng: np.random.Generator, seed: int):
    """A few real layer shapes (long interior rows, channels multiple of 8)."""
    require(kernel)
    for h, c, k, s, kt in [(22, 80, 3, 1, 1), (43, 24, 5, 2, 1), (12, 56, 3, 1, 3),
                           (9, 104, 5, 1, 5)]:
        frames, wt, b, geo = _case(rng, h, h, c, kt, k, k, s, null_p=0.2)
        _check(kernel, frames, wt, b, geo, "hard_swish", rng,
               f"{h}x{h}x{c} kt={kt} k={k} s={s} seed={seed}")


def test_dwconv_variants_agree_with_reference(rng: np.random.Generator, seed: int):
    ref = next(k for k in _core._kernels.list("dwconv") if k["reference"])
    frames, wt, b, geo = _case(rng, 13, 10, 17, 3, 3, 3, 2)
    want = _core._kernels.run_dwconv(ref["name"], frames, wt, b, *geo, "swish")
    for k in _core._kernels.list("dwconv"):
        if k["supported"]:
            got = _core._kernels.run_dwconv(k["name"], frames, wt, b, *geo, "swish")
            assert_close(got, want.astype(np.float64), 27e-6, 1e-5, f"{k['name']} seed={seed}")


def test_dwconv_binding_validates_shapes():
    name = next(k for k in _core._kernels.list("dwconv") if k["selected"])["name"]
    x = np.zeros((4, 4, 8), np.float32)
    w = np.zeros((1, 3, 3, 8), np.float32)
    b = np.zeros(8, np.float32)
    run = _core._kernels.run_dwconv
    with pytest.raises(ValueError, match="bias"):
        run(name, [x], w, np.zeros(7, np.float32), 1, 1, 1, 4, 4, "relu")
    with pytest.raises(ValueError, match="frames"):
        run(name, [x, x], w, b, 1, 1, 1, 4, 4, "relu")
    with pytest.raises(ValueError, match="frame"):
        run(name, [np.zeros((4, 4, 7), np.float32)], w, b, 1, 1, 1, 4, 4, "relu")
    with pytest.raises(ValueError, match="at least one"):
        run(name, [None], w, b, 1, 1, 1, 4, 4, "relu")
    with pytest.raises(ValueError, match="row range"):
        run(name, [x], w, b, 1, 1, 1, 4, 4, "relu", 3, 5)
    with pytest.raises(ValueError, match="activation"):
        run(name, [x], w, b, 1, 1, 1, 4, 4, "gelu")
    with pytest.raises(ValueError, match="unknown kernel"):
        run("nope", [x], w, b, 1, 1, 1, 4, 4, "relu")
