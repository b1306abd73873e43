"""Every int8 gemm variant vs the exact integer definition: tile and panel tails, k groups,
saturating inputs, every epilogue; the activation quantizer vs its numpy definition."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from testers.common import ACTS, require, tile_sizes, variant_params
from testers.qgemm import QGemmTester, round_k

from movicore import _core

NR = 16
NS = [*range(1, 2 * NR + 2), 47, 600]
KS = [1, 2, 3, 4, 5, 7, 8, 9, 17, 80, 257]
MAX_K = 32768


@pytest.mark.parametrize("kernel", variant_params("qgemm"))
def test_qgemm_shapes_bit_exact(kernel: dict, rng: np.random.Generator, seed: int):
    """m over the row tile x n over panel tails x k over the 4-wide groups, subsampled."""
    require(kernel)
    cases = list(itertools.product(tile_sizes(kernel["tile_m"], 37), NS, KS))
    picked = rng.choice(len(cases), size=min(len(cases), 150), replace=False)
    for idx, ci in enumerate(sorted(picked)):
        m, n, k = cases[ci]
        (QGemmTester().m(m).n(n).k(k).bias(idx % 5 != 0).residual(idx % 2 == 1)
         .pads(a_pad=idx % 3, c_pad=5 * (idx % 2)).check(kernel, rng, seed))


@pytest.mark.parametrize("kernel", variant_params("qgemm"))
@pytest.mark.parametrize("act", ACTS)
def test_qgemm_every_activation(kernel: dict, act: str, rng: np.random.Generator, seed: int):
    require(kernel)
    mr = kernel["tile_m"]
    for m, n, k, res in [(1, 5, 3, False), (mr, 16, 40, True), (2 * mr + 1, 33, 17, True)]:
        QGemmTester().m(m).n(n).k(k).act(act).residual(res).pads(1, 3).check(kernel, rng, seed)


@pytest.mark.parametrize("kernel", variant_params("qgemm"))
def test_qgemm_extremes_and_gemv(kernel: dict, rng: np.random.Generator, seed: int):
    """Largest |products| (no int16 saturation anywhere), the int32 bound at k = MAX_K, GEMV."""
    require(kernel)
    for m, n, k in [(kernel["tile_m"] + 1, 19, 64), (3, 17, 1023), (2, 17, MAX_K)]:
        QGemmTester().m(m).n(n).k(k).extreme().check(kernel, rng, seed)
    QGemmTester().m(1).n(600).k(2048).act("swish").check(kernel, rng, seed)


def _quantize_ref(x: np.ndarray, params: tuple[float, int] | None):
    m, k = x.shape
    if params is None:
        lo = np.minimum(x.min(axis=1), 0).astype(np.float32)
        hi = np.maximum(x.max(axis=1), 0).astype(np.float32)
        scale = ((hi - lo) / np.float32(255)).astype(np.float32)
        zero = scale == 0
        scale[zero] = 1
        zp = np.clip(np.rint(-lo / scale), 0, 255).astype(np.int32)
        zp[zero] = 0
    else:
        scale = np.full(m, params[0], np.float32)
        zp = np.full(m, params[1], np.int32)
    inv = (np.float32(1) / scale).astype(np.float32)
    v = x * inv[:, None] + zp[:, None].astype(np.float32)
    q = np.zeros((m, round_k(k)), np.uint8)
    q[:, :k] = np.rint(np.clip(v, 0, 255))
    return q, zp, scale


@pytest.mark.parametrize("kernel", variant_params("quantize"))
@pytest.mark.parametrize("params", [None, (0.02, 131)])
def test_quantize_rows(kernel: dict, params, rng: np.random.Generator, seed: int):
    require(kernel)
    for m, k in [(1, 1), (3, 5), (3, 16), (3, 17), (7, 64), (2, 333)]:
        x = (rng.standard_normal((m, k)) * rng.uniform(0.1, 5)).astype(np.float32)
        x[0, 0] = 0.0
        if m > 2:
            x[1] = np.abs(x[1])  # all positive: the range still includes 0
            x[2] = 0.0           # all zero: scale 1, zero point 0
        q, zp, sc = _core._kernels.run_quantize(kernel["name"], x, params)
        wq, wzp, wsc = _quantize_ref(x, params)
        what = f"{kernel['name']} m={m} k={k} params={params} seed={seed}"
        np.testing.assert_array_equal(zp, wzp, err_msg=what)
        np.testing.assert_array_equal(sc, wsc, err_msg=what)
        np.testing.assert_array_equal(q, wq, err_msg=what)
        g = rng.uniform(0, 1, k).astype(np.float32)  # the fused SE gate: rows scaled first
        gq, gzp, gsc = _core._kernels.run_quantize(kernel["name"], x, params, g)
        wq, wzp, wsc = _quantize_ref(x * g, params)
        np.testing.assert_array_equal(gzp, wzp, err_msg=what)
        np.testing.assert_array_equal(gsc, wsc, err_msg=what)
        np.testing.assert_array_equal(gq, wq, err_msg=what)
        if params is None:  # round trip within half a step; zero exact
            back = sc[:, None] * (q[:, :k].astype(np.float32) - zp[:, None])
            assert (np.abs(back - x) <= 0.5001 * sc[:, None]).all(), what
            assert (back[x == 0] == 0).all(), what


def test_quantized_gemm_close_to_float(rng: np.random.Generator, seed: int):
    """End to end (quantize rows, per-channel int8 weights, selected kernel) vs float gemm."""
    m, k, n = 50, 96, 40
    x = rng.standard_normal((m, k)).astype(np.float32)
    wf = rng.standard_normal((k, n)).astype(np.float32)
    sw = (np.abs(wf).max(axis=0) / 127).astype(np.float32)
    w8 = np.clip(np.rint(wf / sw), -127, 127).astype(np.int8)
    qname = next(v["name"] for v in _core._kernels.list("quantize") if v["selected"])
    q, zp, sa = _core._kernels.run_quantize(qname, x)
    name = next(v["name"] for v in _core._kernels.list("qgemm") if v["selected"])
    got = _core._kernels.run_qgemm(name, q, k, zp, sa, _core._kernels.pack_qgemm(w8, sw), n)
    want = x.astype(np.float64) @ wf
    rel = np.abs(got - want).max() / np.abs(want).max()
    assert rel < 0.02, f"relative error {rel:.4f} seed={seed}"


def test_qgemm_rejects_bad_input():
    ref = next(v["name"] for v in _core._kernels.list("qgemm") if v["reference"])
    w = np.ones((3, 5), np.int8)
    packed = _core._kernels.pack_qgemm(w, np.ones(5, np.float32))
    a = np.zeros((2, 4), np.uint8)
    zp, sc = np.zeros(2, np.int32), np.ones(2, np.float32)
    with pytest.raises(ValueError, match="-127"):
        _core._kernels.pack_qgemm(np.full((3, 5), -128, np.int8), np.ones(5, np.float32))
    with pytest.raises(ValueError, match="scale"):
        _core._kernels.pack_qgemm(w, np.ones(4, np.float32))
    with pytest.raises(ValueError, match="round_up"):
        _core._kernels.run_qgemm(ref, np.zeros((2, 3), np.uint8), 3, zp, sc, packed, 5)
    with pytest.raises(ValueError, match="packed"):
        _core._kernels.run_qgemm(ref, a, 3, zp, sc, packed, 17)
    with pytest.raises(ValueError, match="zero_points"):
        _core._kernels.run_qgemm(ref, a, 3, zp[:1], sc, packed, 5)
    qref = next(v["name"] for v in _core._kernels.list("quantize") if v["reference"])
    with pytest.raises(ValueError, match="static"):
        _core._kernels.run_quantize(qref, np.ones((2, 3), np.float32), (0.0, 3))
    with pytest.raises(ValueError, match="finite"):
        _core._kernels.run_quantize(qref, np.full((2, 3), np.nan, np.float32))


def test_int8_dispatch_respects_the_isa():
    info = _core.cpu_info()
    chosen = [v for v in _core._kernels.list("qgemm") if v["selected"]]
    assert len(chosen) == 1 and chosen[0]["supported"]
    assert chosen[0]["isa"] in (info["int8_isa"], info["isa"], "scalar")
