"""Every act variant vs the float64 definition, over tails and all activations."""

from __future__ import annotations

import numpy as np
import pytest
from testers.common import ACTS, act_ref, assert_close, require, tile_sizes, variant_params

from movicore import _core


@pytest.mark.parametrize("kernel", variant_params("act"))
@pytest.mark.parametrize("act", ACTS)
def test_act_matches_definition(kernel: dict, act: str, rng: np.random.Generator, seed: int):
    require(kernel)
    for n in tile_sizes(kernel["tile_m"]):
        x = rng.uniform(-9, 9, n).astype(np.float32)
        x[: min(n, 2)] = [-100.0, 100.0][: min(n, 2)]  # saturation of exp
        y = _core._kernels.run_act(kernel["name"], x, act)
        assert_close(y, act_ref(x, act), 1e-6, 3e-6, f"{kernel['name']} {act} n={n} seed={seed}")


def test_dispatch_picks_a_supported_variant():
    chosen = [k for k in _core._kernels.list("act") if k["selected"]]
    assert len(chosen) == 1
    assert chosen[0]["supported"]
    assert chosen[0]["isa"] == _core.cpu_info()["isa"]
