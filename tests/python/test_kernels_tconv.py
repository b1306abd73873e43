"""Every tconv variant vs the float64 NumPy definition: pixel counts around the 4-pixel tile,
channel tails, kt 1..5, every activation, fused channel sums (binding checks guard bands)."""

from __future__ import annotations

import numpy as np
import pytest
from testers.common import ACTS, assert_close, require, variant_params
from testers.conv import tconv_ref

from movicore import _core

CHANNELS = (1, 3, 7, 8, 9, 15, 16, 17, 33, 100)
PIXELS = (1, 2, 3, 4, 5, 7, 8, 9, 13, 121)


@pytest.mark.parametrize("kernel", variant_params("tconv"))
def test_tconv_matches_definition(kernel: dict, rng: np.random.Generator, seed: int):
    require(kernel)
    name = kernel["name"]
    i = 0
    for c in CHANNELS:
        for p in PIXELS:
            kt = (3, 5, 2, 1, 4)[i % 5]
            act = ACTS[i % len(ACTS)]
            i += 1
            shape = (p, c) if i % 2 else (1, p, c)
            frames = [rng.uniform(-3, 3, shape).astype(np.float32) for _ in range(kt)]
            w = rng.uniform(-1, 1, (kt, c)).astype(np.float32)
            b = rng.uniform(-1, 1, c).astype(np.float32)
            want = tconv_ref(frames, w, b, act)
            what = f"{name} P={p} C={c} kt={kt} {act} seed={seed}"
            out, csum = _core._kernels.run_tconv(name, frames, w, b, act, want_sum=True)
            assert out.shape == shape
            assert_close(out, want, 1e-6 * kt, 1e-5, what)
            assert_close(csum, want.reshape(-1, c).sum(axis=0), 1e-5 * kt * p, 1e-5, what + " sum")
            out2 = _core._kernels.run_tconv(name, frames, w, b, act)
            np.testing.assert_array_equal(out2, out, err_msg=what)


@pytest.mark.parametrize("kernel", variant_params("tconv"))
def test_tconv_layer_shapes(kernel: dict, rng: np.random.Generator, seed: int):
    require(kernel)
    for p, c, kt in [(20 * 20, 96, 3), (10 * 10, 240, 5), (40 * 40, 16, 3)]:
        frames = [rng.uniform(-3, 3, (p, c)).astype(np.float32) for _ in range(kt)]
        w = rng.uniform(-1, 1, (kt, c)).astype(np.float32)
        b = rng.uniform(-1, 1, c).astype(np.float32)
        out, csum = _core._kernels.run_tconv(kernel["name"], frames, w, b, "hard_swish", True)
        want = tconv_ref(frames, w, b, "hard_swish")
        assert_close(out, want, 1e-6 * kt, 1e-5, f"{kernel['name']} P={p} C={c} seed={seed}")
        assert_close(csum, want.sum(axis=0), 1e-5 * kt * np.sqrt(p), 1e-5,
                     f"{kernel['name']} P={p} C={c} sum seed={seed}")


def test_tconv_binding_validates_shapes():
    name = next(k for k in _core._kernels.list("tconv") if k["selected"])["name"]
    f = np.zeros((5, 8), np.float32)
    w = np.zeros((3, 8), np.float32)
    b = np.zeros(8, np.float32)
    run = _core._kernels.run_tconv
    with pytest.raises(ValueError, match="frames"):
        run(name, [f, f], w, b, "relu")
    with pytest.raises(ValueError, match="frame"):
        run(name, [f, f, np.zeros((4, 8), np.float32)], w, b, "relu")
    with pytest.raises(ValueError, match="frame"):
        run(name, [np.zeros((5, 7), np.float32)] * 3, w, b, "relu")
    with pytest.raises(ValueError, match="bias"):
        run(name, [f] * 3, w, np.zeros(9, np.float32), "relu")
    with pytest.raises((ValueError, TypeError)):
        run(name, [f, None, f], w, b, "relu")
