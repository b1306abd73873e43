"""Every avgpool variant vs the float64 NumPy definition (TF SAME, padded cells excluded from
the divisor): 3x3 stride 2 (MoViNet skip path) and other windows, channel tails, row ranges
(binding checks guard bands)."""

from __future__ import annotations

import numpy as np
import pytest
from testers.common import assert_close, require, variant_params
from testers.conv import avgpool_ref, same

from movicore import _core

SIZES = (1, 2, 3, 5, 7, 8, 11, 16, 17)
CHANNELS = (1, 3, 7, 8, 9, 15, 16, 17, 33, 100, 192)


@pytest.mark.parametrize("kernel", variant_params("avgpool"))
def test_avgpool_matches_definition(kernel: dict, rng: np.random.Generator, seed: int):
    require(kernel)
    name = kernel["name"]
    for i in range(70):
        h, w = int(rng.choice(SIZES)), int(rng.choice(SIZES))
        c = CHANNELS[i % len(CHANNELS)]
        kh, kw = [(3, 3), (3, 3), (3, 3), (2, 2), (1, 3), (5, 5)][i % 6]
        s = 2 if i % 3 else 1
        x = rng.uniform(-2, 2, (h, w, c)).astype(np.float32)
        oh, pt = same(h, kh, s)
        ow, pl = same(w, kw, s)
        want = avgpool_ref(x, kh, kw, s, pt, pl, oh, ow)
        what = f"{name} {h}x{w}x{c} k={kh}x{kw} s={s} seed={seed}"
        out = _core._kernels.run_avgpool(name, x, kh, kw, s, pt, pl, oh, ow)
        assert_close(out, want, 1e-6, 1e-5, what)
        mid = int(rng.integers(0, oh + 1))
        top = _core._kernels.run_avgpool(name, x, kh, kw, s, pt, pl, oh, ow, 0, mid)
        bot = _core._kernels.run_avgpool(name, x, kh, kw, s, pt, pl, oh, ow, mid)
        assert np.isnan(top[mid:]).all() and np.isnan(bot[:mid]).all(), what
        np.testing.assert_array_equal(np.concatenate([top[:mid], bot[mid:]]), out, err_msg=what)


def test_avgpool_excludes_padding():
    """2x2 input, 3x3 stride 2 SAME: one output = mean of all 4 (pad 0 top/left, 1 bottom/right)."""
    x = np.arange(4, dtype=np.float32).reshape(2, 2, 1)
    for k in _core._kernels.list("avgpool"):
        if k["supported"]:
            out = _core._kernels.run_avgpool(k["name"], x, 3, 3, 2, 0, 0, 1, 1)
            assert out.shape == (1, 1, 1) and abs(out[0, 0, 0] - 1.5) < 1e-6, k["name"]


def test_avgpool_binding_validates():
    name = next(k for k in _core._kernels.list("avgpool") if k["selected"])["name"]
    run = _core._kernels.run_avgpool
    with pytest.raises(ValueError, match="x expected"):
        run(name, np.zeros((4, 4), np.float32), 3, 3, 2, 0, 0, 2, 2)
    with pytest.raises(ValueError, match="stride"):
        run(name, np.zeros((4, 4, 2), np.float32), 3, 3, 0, 0, 0, 2, 2)
    with pytest.raises(ValueError, match="row range"):
        run(name, np.zeros((4, 4, 2), np.float32), 3, 3, 2, 0, 0, 2, 2, 0, 3)
