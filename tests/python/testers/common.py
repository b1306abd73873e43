"""Helpers shared by the kernel testers."""

from __future__ import annotations

import numpy as np
import pytest

from movicore import _core

ACTS = ("identity", "relu", "relu6", "hard_swish", "swish", "sigmoid", "hard_sigmoid",
        "hard_sigmoid_keras")


def variants(op: str, *, include_reference: bool = True) -> list[dict]:
    """Every registered variant of `op` (pytest params; unsupported ISAs are skipped)."""
    return [k for k in _core._kernels.list(op) if include_reference or not k["reference"]]


def variant_params(op: str) -> list:
    return [pytest.param(k, id=k["name"]) for k in variants(op)]


def require(kernel: dict) -> None:
    if not kernel["supported"]:
        pytest.skip(f"{kernel['name']}: ISA {kernel['isa']} not supported on this CPU "
                    "(or capped by MOVICORE_MAX_ISA)")


def act_ref(x: np.ndarray, act: str) -> np.ndarray:
    """Float64 definitions (official MoViNet formulas)."""
    x = x.astype(np.float64)
    relu6 = lambda v: np.clip(v, 0.0, 6.0)
    if act == "identity":
        return x
    if act == "relu":
        return np.maximum(x, 0.0)
    if act == "relu6":
        return relu6(x)
    if act == "hard_swish":
        return x * relu6(x + 3.0) / 6.0
    if act == "swish":
        return x / (1.0 + np.exp(-x))
    if act == "sigmoid":
        return 1.0 / (1.0 + np.exp(-x))
    if act == "hard_sigmoid":
        return relu6(x + 3.0) * 0.16667
    if act == "hard_sigmoid_keras":
        return np.clip(0.2 * x + 0.5, 0.0, 1.0)
    raise ValueError(act)


def tile_sizes(tile: int, large: int = 257) -> list[int]:
    """1..2*tile+1 (tails, main loop + tail), a few multiples, one large odd size."""
    return [*range(1, 2 * tile + 2), 3 * tile, 4 * tile - 1, large]


def assert_close(got: np.ndarray, want: np.ndarray, atol: float, rtol: float, what: str) -> None:
    err = np.abs(got.astype(np.float64) - want) - (atol + rtol * np.abs(want))
    if np.isnan(got).any() or (err > 0).any():
        i = int(np.nanargmax(np.where(np.isnan(got), np.inf, err)))
        raise AssertionError(f"{what}: mismatch at flat index {i}: got {got.flat[i]!r}, "
                             f"want {want.flat[i]!r} (atol={atol}, rtol={rtol})")
