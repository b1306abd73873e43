"""Compound scaling of a searched base into a family (as A0 -> A5 in the paper).

One coefficient ``phi`` scales every dimension of the base at once: depth by ``alpha**phi``
(layers per block, ceil), width by ``beta**phi`` (every base and expansion width, stem, head
and classifier, rounded with ``make_divisible``), input size by ``gamma**phi`` (multiple of 8)
and frame rate by ``delta**phi`` (frame stride divided, at least 1). The default coefficients
are EfficientNet-style guesses, not searched (the paper picks them by a small random search).
``family`` finds, for each latency budget, the largest ``phi`` on a grid whose predicted
latency per input frame meets it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

from movicore import arch
from movicore.nas.latency import LatencyModel
from movicore.nas.space import Candidate


@dataclasses.dataclass(frozen=True)
class Coefficients:
    depth: float = 1.2
    width: float = 1.1
    resolution: float = 1.15
    frame_rate: float = 1.1


def _scale_block(b: arch.BlockSpec, depth: float, width: float) -> arch.BlockSpec:
    n = max(1, math.ceil(len(b.expand) * depth - 1e-9))
    # new layers repeat the block's last layer; removed layers are taken from the end
    idx = [min(i, len(b.expand) - 1) for i in range(n)]
    return arch.BlockSpec(arch.make_divisible(b.base * width, 8),
                          tuple(arch.make_divisible(b.expand[i] * width, 8) for i in idx),
                          tuple(b.kernels[i] for i in idx), b.stride)


def scale(base: Candidate, phi: float, coef: Coefficients = Coefficients()) -> Candidate:
    """``base`` scaled by compound coefficient ``phi`` (0 = unchanged, < 0 shrinks)."""
    c = base.config
    spec = c.spec
    d, w = coef.depth ** phi, coef.width ** phi
    table = arch.ModelSpec(arch.make_divisible(spec.stem * w, 8),
                           arch.make_divisible(spec.head * w, 8),
                           arch.make_divisible(spec.hidden * w, 8), 0,
                           tuple(_scale_block(b, d, w) for b in spec.blocks))
    size = max(16, round(c.input_size * coef.resolution ** phi / 8) * 8)
    stride = max(1, round(base.frame_stride / coef.frame_rate ** phi))
    config = c.replace(model_id=arch.CUSTOM_ID, blocks=table, input_size=size)
    return Candidate(config, stride)


def family(base: Candidate, budgets_ms: Sequence[float], latency: LatencyModel,
           coef: Coefficients = Coefficients(), phis: Sequence[float] | None = None
           ) -> list[dict[str, Any]]:
    """For each budget (ms per input frame) the largest-phi member that meets it."""
    grid = list(phis) if phis is not None else [x / 4 for x in range(-12, 25)]
    members = []
    for budget in budgets_ms:
        best = None
        for phi in sorted(grid):
            cand = scale(base, phi, coef)
            ms = latency.predict(cand.config) / cand.frame_stride
            if ms <= budget:
                best = (phi, cand, ms)
        if best is None:
            members.append({"budget_ms": budget, "phi": None})
            continue
        phi, cand, ms = best
        members.append({"budget_ms": budget, "phi": phi, "predicted_ms": ms,
                        "frame_stride": cand.frame_stride, "config": cand.config.to_dict(),
                        "macs_per_frame": arch.count_macs(cand.config, 1, cand.config.input_size,
                                                          cand.config.input_size)})
    return members
