"""Every scale variant vs y = x * s per channel (exact: one rounding), in and out of place."""

from __future__ import annotations

import numpy as np
import pytest
from testers.common import require, tile_sizes, variant_params

from movicore import _core


@pytest.mark.parametrize("kernel", variant_params("scale"))
@pytest.mark.parametrize("in_place", [False, True])
def test_scale_matches_definition(
    kernel: dict, in_place: bool, rng: np.random.Generator, seed: int
):
    require(kernel)
    for pixels in (1, 2, 3, 7, 36):
        for c in [*tile_sizes(kernel["tile_n"], 47), 600]:
            x = rng.uniform(-4, 4, (pixels, c)).astype(np.float32)
            s = rng.uniform(0, 1, c).astype(np.float32)
            got = _core._kernels.run_scale(kernel["name"], x, s, in_place)
            np.testing.assert_array_equal(
                got, x * s, err_msg=f"{kernel['name']} pixels={pixels} c={c} seed={seed}"
            )


def test_scale_rejects_bad_shapes():
    with pytest.raises(ValueError):
        _core._kernels.run_scale(
            "f32_scale__reference", np.zeros((2, 3), np.float32), np.zeros(4, np.float32)
        )
