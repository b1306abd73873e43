"""The kernel bindings' `repeat` argument (used by `movicore bench --layers` to time kernels
without each binding call's output allocation and copy): the result of one run, and
validated."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from movicore._native import core

K = core()._kernels
OPS = ["dwconv", "tconv", "scale", "avgpool", "conv2d"]


def _selected(op: str) -> str:
    return next(d["name"] for d in K.list(op) if d["selected"])


def _call(op: str) -> Callable[[int], Any]:
    """The op on fixed random inputs, as a function of `repeat`."""
    rng = np.random.default_rng(1)

    def arr(*shape: int) -> np.ndarray:
        return np.asarray(rng.standard_normal(shape) * 0.5, np.float32)

    x, w, b = arr(9, 7, 24), arr(1, 3, 3, 24), arr(24)
    frames, tw = [arr(9, 7, 24) for _ in range(3)], arr(3, 24)
    x3, w3, b3 = arr(9, 7, 3), arr(3, 3, 3, 8), arr(8)
    name = _selected(op)
    return {
        "dwconv": lambda r: K.run_dwconv(name, [x], w, b, 2, 1, 1, 5, 4, "hard_swish", 0, -1,
                                         True, r),
        "tconv": lambda r: K.run_tconv(name, frames, tw, b, "hard_swish", True, r),
        "scale": lambda r: K.run_scale(name, x.reshape(63, 24), b, False, r),
        "avgpool": lambda r: K.run_avgpool(name, x, 3, 3, 2, 1, 1, 5, 4, 0, -1, r),
        "conv2d": lambda r: K.run_conv2d(name, x3, w3, b3, 2, 1, 1, 5, 4, "hard_swish", 0, -1,
                                         r),
    }[op]


@pytest.mark.parametrize("op", OPS)
def test_repeat_gives_the_result_of_one_run(op: str) -> None:
    fn = _call(op)
    once, many = fn(1), fn(5)
    once = once if isinstance(once, tuple) else (once,)
    many = many if isinstance(many, tuple) else (many,)
    assert len(once) == len(many)
    for a, b in zip(once, many):
        assert np.isfinite(a).all()
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("bad", [0, -1])
def test_repeat_must_be_positive(op: str, bad: int) -> None:
    with pytest.raises(ValueError, match="repeat"):
        _call(op)(bad)
