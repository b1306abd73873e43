"""Learning-rate schedule: linear warmup then cosine decay to ``final`` x base (per step)."""

from __future__ import annotations

import math


def warmup_cosine(step: int, total: int, warmup: int, final: float = 0.01) -> float:
    """Multiplier of the base learning rate at optimizer step ``step`` (0-based)."""
    if total <= 0:
        return 1.0
    if warmup > 0 and step < warmup:
        return (step + 1) / warmup
    span = max(total - warmup, 1)
    p = min(max(step - warmup, 0) / span, 1.0)
    return final + (1.0 - final) * 0.5 * (1.0 + math.cos(math.pi * p))
