"""Every gemm variant vs the float64 definition: tile tails, panel tails, strides, epilogues."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from testers.common import ACTS, require, tile_sizes, variant_params
from testers.gemm import GemmTester

from movicore import _core

NR = 16  # packed panel width


def column_sizes(tile_n: int) -> list[int]:
    """Every column tail of the register tile (tile_n, a multiple of NR) and of its panels."""
    return [*range(1, 2 * max(tile_n, NR) + 2), 47, 600]

KS = [1, 3, 8, 17, 80, 257]


@pytest.mark.parametrize("kernel", variant_params("gemm"))
def test_gemm_shapes(kernel: dict, rng: np.random.Generator, seed: int):
    """m over the row tile x n over the panel tails x k, subsampled; knobs rotate per case."""
    require(kernel)
    ms, ns = tile_sizes(kernel["tile_m"], 37), column_sizes(kernel["tile_n"])
    cases = list(itertools.product(ms, ns, KS))
    picked = rng.choice(len(cases), size=min(len(cases), 150), replace=False)
    for idx, ci in enumerate(sorted(picked)):
        m, n, k = cases[ci]
        (
            GemmTester()
            .m(m)
            .n(n)
            .k(k)
            .act(ACTS[idx % len(ACTS)])
            .bias(idx % 5 != 0)
            .residual(idx % 2 == 1)
            .strides(a_pad=idx % 3, c_pad=5 * (idx % 2), r_pad=2 * (idx % 4 == 1))
            .check(kernel, rng, seed)
        )


@pytest.mark.parametrize("kernel", variant_params("gemm"))
@pytest.mark.parametrize("act", ACTS)
def test_gemm_every_activation(kernel: dict, act: str, rng: np.random.Generator, seed: int):
    require(kernel)
    mr = kernel["tile_m"]
    for m, n, k, res in [
        (1, 5, 3, False),
        (mr, 16, 40, True),
        (2 * mr + 1, 33, 17, True),
        (mr + 1, 47, 80, False),
    ]:
        GemmTester().m(m).n(n).k(k).act(act).residual(res).strides(3, 7, 1).check(kernel, rng, seed)


@pytest.mark.parametrize("kernel", variant_params("gemm"))
def test_gemm_gemv_and_no_bias(kernel: dict, rng: np.random.Generator, seed: int):
    require(kernel)
    GemmTester().m(1).n(600).k(2048).act("hard_swish").check(kernel, rng, seed)
    GemmTester().m(7).n(19).k(9).bias(False).residual(True).check(kernel, rng, seed)


def test_pack_gemm_layout():
    k, n = 3, 21
    w = np.arange(1, k * n + 1, dtype=np.float32).reshape(k, n)
    b = -np.arange(1, n + 1, dtype=np.float32)
    packed = _core._kernels.pack_gemm(w, b).reshape(2, k + 1, NR)
    wp = np.zeros((k + 1, 2 * NR), np.float32)
    wp[0, :n] = b
    wp[1:, :n] = w
    np.testing.assert_array_equal(packed, wp.reshape(k + 1, 2, NR).transpose(1, 0, 2))
    assert not _core._kernels.pack_gemm(w).reshape(2, k + 1, NR)[:, 0].any()


def test_gemm_rejects_bad_shapes():
    name = next(k["name"] for k in _core._kernels.list("gemm") if k["reference"])
    a = np.zeros((2, 3), np.float32)
    with pytest.raises(ValueError):
        _core._kernels.run_gemm(name, a, np.zeros((4, 5), np.float32))
    with pytest.raises(ValueError):
        _core._kernels.run_gemm(name, a, np.zeros((3, 5), np.float32), np.zeros(4, np.float32))
    with pytest.raises(ValueError):
        _core._kernels.run_gemm(
            name, a, np.zeros((3, 5), np.float32), None, np.zeros((2, 4), np.float32)
        )
    packed = _core._kernels.pack_gemm(np.zeros((3, 5), np.float32))
    with pytest.raises(ValueError):  # c too small for m rows of stride 5
        _core._kernels.run_gemm_strided(name, 2, 5, 3, a, 3, packed, np.zeros(9, np.float32), 5)
    with pytest.raises(ValueError):  # c must be float32 (no silent conversion copy)
        _core._kernels.run_gemm_strided(name, 2, 5, 3, a, 3, packed, np.zeros(10), 5)
    with pytest.raises(ValueError):
        _core._kernels.run_gemm("no_such_kernel", a, np.zeros((3, 5), np.float32))


def test_dispatch_picks_a_supported_variant():
    kernels = _core._kernels.list("gemm")
    chosen = [k for k in kernels if k["selected"]]
    assert len(chosen) == 1 and chosen[0]["supported"]
    assert chosen[0]["isa"] == _core.cpu_info()["isa"]
    assert chosen[0] is next(k for k in kernels if k["supported"] and not k["reference"])
