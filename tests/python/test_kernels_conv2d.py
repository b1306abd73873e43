"""Every conv2d (stem) variant vs the float64 NumPy definition: in_c 1..4, out_c around the
channel tiles (8/16/24/32/48 and tails), kernels 1/3/5, strides 1/2, TF SAME, every activation, row
ranges (binding checks guard bands)."""

from __future__ import annotations

import numpy as np
import pytest
from testers.common import ACTS, assert_close, require, variant_params
from testers.conv import conv2d_ref, same

from movicore import _core

SIZES = (1, 2, 3, 5, 7, 8, 11, 16, 17)
OUT_C = (1, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 48)


def _run(kernel, rng, h, w, ic, oc, k, s, act, what):
    name = kernel["name"]
    x = rng.uniform(-2, 2, (h, w, ic)).astype(np.float32)
    wt = rng.uniform(-1, 1, (k, k, ic, oc)).astype(np.float32)
    b = rng.uniform(-1, 1, oc).astype(np.float32)
    oh, pt = same(h, k, s)
    ow, pl = same(w, k, s)
    want = conv2d_ref(x, wt, b, s, pt, pl, oh, ow, act)
    out = _core._kernels.run_conv2d(name, x, wt, b, s, pt, pl, oh, ow, act)
    assert_close(out, want, 1e-6 * k * k * ic, 1e-5, f"{name} {what}")
    mid = int(rng.integers(0, oh + 1))
    top = _core._kernels.run_conv2d(name, x, wt, b, s, pt, pl, oh, ow, act, 0, mid)
    bot = _core._kernels.run_conv2d(name, x, wt, b, s, pt, pl, oh, ow, act, mid)
    assert np.isnan(top[mid:]).all() and np.isnan(bot[:mid]).all(), f"{name} {what}: rows"
    np.testing.assert_array_equal(np.concatenate([top[:mid], bot[mid:]]), out, err_msg=what)


@pytest.mark.parametrize("kernel", variant_params("conv2d"))
def test_conv2d_matches_definition(kernel: dict, rng: np.random.Generator, seed: int):
    require(kernel)
    for i in range(60):
        h, w = int(rng.choice(SIZES)), int(rng.choice(SIZES))
        ic = 3 if i % 4 else int(rng.integers(1, 5))
        oc = OUT_C[i % len(OUT_C)]
        k = (3, 3, 1, 5)[i % 4]
        s = 1 + i % 2
        act = ACTS[i % len(ACTS)]
        _run(kernel, rng, h, w, ic, oc, k, s, act,
             f"{h}x{w}x{ic}->{oc} k={k} s={s} {act} seed={seed}")


@pytest.mark.parametrize("kernel", variant_params("conv2d"))
def test_conv2d_stem_shapes(kernel: dict, rng: np.random.Generator, seed: int):
    require(kernel)
    for h, oc in [(50, 8), (33, 16), (40, 24)]:
        _run(kernel, rng, h, h + 3, 3, oc, 3, 2, "hard_swish", f"stem {h} oc={oc} seed={seed}")


def test_conv2d_binding_validates_shapes():
    name = next(k for k in _core._kernels.list("conv2d") if k["selected"])["name"]
    x = np.zeros((8, 8, 3), np.float32)
    w = np.zeros((3, 3, 3, 8), np.float32)
    b = np.zeros(8, np.float32)
    run = _core._kernels.run_conv2d
    with pytest.raises(ValueError, match="w expected"):
        run(name, x, np.zeros((3, 3, 4, 8), np.float32), b, 2, 0, 0, 4, 4, "relu")
    with pytest.raises(ValueError, match="bias"):
        run(name, x, w, np.zeros(7, np.float32), 2, 0, 0, 4, 4, "relu")
    with pytest.raises(ValueError, match="x expected"):
        run(name, np.zeros((8, 8), np.float32), w, b, 2, 0, 0, 4, 4, "relu")
    with pytest.raises(ValueError, match="row range"):
        run(name, x, w, b, 2, 0, 0, 4, 4, "relu", 2, 1)
