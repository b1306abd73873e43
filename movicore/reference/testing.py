"""Test helpers: realistic random weights for the reference (non-trivial BN, ReZero, biases).

Freshly built models have ReZero scales of 0 (every residual branch off) and identity BN
statistics, which would make numerical comparisons weak; tests and benchmarks use this.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from movicore.reference.model import MoViNet


@torch.no_grad()
def randomize_weights(model: MoViNet, seed: int = 0) -> MoViNet:
    """Deterministically fill every tensor of ``model`` with plausible trained-like values."""
    g = torch.Generator().manual_seed(seed)

    def normal(t: torch.Tensor, std: float, mean: float = 0.0) -> None:
        t.copy_(torch.randn(t.shape, generator=g) * std + mean)

    def uniform(t: torch.Tensor, lo: float, hi: float) -> None:
        t.copy_(torch.rand(t.shape, generator=g) * (hi - lo) + lo)

    for module in model.modules():
        if isinstance(module, nn.Conv3d):
            fan_in = module.weight[0].numel()
            normal(module.weight, math.sqrt(2.0 / fan_in))
            if module.bias is not None:
                normal(module.bias, 0.1)
        elif isinstance(module, nn.BatchNorm3d):
            normal(module.running_mean, 0.1)
            uniform(module.running_var, 0.5, 1.5)
            uniform(module.weight, 0.5, 1.5)
            normal(module.bias, 0.1)
    for name, p in model.named_parameters():
        if p.ndim == 0:  # ReZero and positional-encoding scales
            uniform(p, 0.5, 1.0)
        elif name == "classifier.logits.weight":
            normal(p, 0.05)
    return model
