"""Every range_check and u8_to_unit variant vs NumPy: the frame-input kernels."""

from __future__ import annotations

import numpy as np
import pytest
from testers.common import require, variant_params

from movicore import _core

LENGTHS = (0, 1, 7, 15, 16, 17, 33, 1023, 1024, 1025, 4097)


@pytest.mark.parametrize("kernel", variant_params("range_check"))
def test_range_check_matches_numpy(kernel: dict, rng: np.random.Generator):
    require(kernel)
    run = _core._kernels.run_range_check
    lo, hi = np.float32(-0.05), np.float32(1.05)
    for n in LENGTHS:
        x = rng.uniform(lo, hi, n).astype(np.float32)
        assert run(kernel["name"], x, lo, hi), n
        for at in {0, n // 2, n - 1} if n else ():
            for bad in (np.nextafter(hi, np.float32(2)), -1.0, 255.0, np.nan, np.inf, -np.inf):
                y = x.copy()
                y[at] = bad
                assert not run(kernel["name"], y, lo, hi), (n, at, bad)


@pytest.mark.parametrize("kernel", variant_params("u8_to_unit"))
def test_u8_to_unit_is_numpy_division_bit_for_bit(kernel: dict, rng: np.random.Generator):
    require(kernel)
    every = np.arange(256, dtype=np.uint8)
    got = _core._kernels.run_u8_to_unit(kernel["name"], every)
    np.testing.assert_array_equal(got, every.astype(np.float32) / np.float32(255))
    for n in LENGTHS:
        x = rng.integers(0, 256, (n,), dtype=np.uint8)
        got = _core._kernels.run_u8_to_unit(kernel["name"], x)
        np.testing.assert_array_equal(got, x.astype(np.float32) / np.float32(255))
