"""Every rowsum variant vs the float64 per-channel sum over pixels."""

from __future__ import annotations

import numpy as np
import pytest
from testers.common import assert_close, require, tile_sizes, variant_params

from movicore import _core


@pytest.mark.parametrize("kernel", variant_params("rowsum"))
def test_rowsum_matches_definition(kernel: dict, rng: np.random.Generator, seed: int):
    require(kernel)
    for pixels in (1, 2, 3, 5, 8, 36, 121, 1001):
        for c in [*tile_sizes(kernel["tile_n"], 47), 600]:
            x = rng.uniform(-1, 1, (pixels, c)).astype(np.float32)
            got = _core._kernels.run_rowsum(kernel["name"], x)
            want = x.astype(np.float64).sum(axis=0)
            assert_close(
                got,
                want,
                1e-6 + 4e-7 * pixels,
                1e-5,
                f"{kernel['name']} pixels={pixels} c={c} seed={seed}",
            )


@pytest.mark.parametrize("kernel", variant_params("rowsum"))
def test_rowsum_zero_pixels(kernel: dict):
    require(kernel)
    got = _core._kernels.run_rowsum(kernel["name"], np.zeros((0, 19), np.float32))
    np.testing.assert_array_equal(got, np.zeros(19, np.float32))


def test_rowsum_rejects_bad_shapes():
    with pytest.raises(ValueError):
        _core._kernels.run_rowsum("f32_rowsum__reference", np.zeros(5, np.float32))
