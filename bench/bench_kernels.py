"""Kernel micro-benchmarks on the exact layer shapes of MoViNet A0-stream (1 thread).

Each case is one kernel call of the stream step (``movicore.benchmark.layers``); the sum
over cases is the kernel-level estimate of a frame (see docs/benchmarks.md).
"""

from __future__ import annotations

import pytest
from conftest import QUICK, run_timed

from movicore import arch

SIZE = 64 if QUICK else 172
_CALLS = None


def _calls():  # built lazily: needs the compiled core
    global _CALLS
    if _CALLS is None:
        from movicore.benchmark.layers import kernel_calls

        _CALLS = kernel_calls(arch.default_config("a0"), SIZE, SIZE)
    return _CALLS


def _ids() -> list[str]:
    return [f"{c.layer}-{c.part}" for c in _calls()]


@pytest.mark.parametrize("index", range(len(_ids())), ids=_ids())
def test_kernel_a0(benchmark, isa, index) -> None:
    call = _calls()[index]
    run_timed(benchmark, call.fn, macs=call.macs, threads=1, isa=isa, op=call.op,
              shape=call.shape, layer=call.layer, part=call.part, size=SIZE)
