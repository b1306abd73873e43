"""Building blocks of the PyTorch reference with TF-faithful numerics.

Activations inside the model are NCTHW tensors (PyTorch ``Conv3d`` layout); the public API
converts from/to NTHWC at the edges. Spatial padding is TF ``SAME`` (asymmetric for stride 2,
see ``arch.same_pads``), temporal padding is causal or symmetric.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from movicore import arch

BN_MOMENTUM = 0.01  # torch convention; = Keras momentum 0.99
HARD_SIGMOID_SCALE = 0.16667  # literal constant of the Model Garden hard_sigmoid


def _hard_sigmoid(x: torch.Tensor) -> torch.Tensor:
    return F.relu6(x + 3.0) * HARD_SIGMOID_SCALE


def _hard_sigmoid_keras(x: torch.Tensor) -> torch.Tensor:
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


_ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "hard_swish": F.hardswish,  # x * relu6(x + 3) / 6
    "swish": F.silu,
    "relu": F.relu,
    "relu6": F.relu6,
    "identity": lambda x: x,
    "sigmoid": torch.sigmoid,
    "hard_sigmoid": _hard_sigmoid,
    "hard_sigmoid_keras": _hard_sigmoid_keras,
}


def activation(name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """Activation or gate function by its config name."""
    try:
        return _ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; expected one of {sorted(_ACTIVATIONS)}"
                         ) from None


def batch_norm(channels: int) -> nn.BatchNorm3d:
    return nn.BatchNorm3d(channels, eps=arch.BN_EPSILON, momentum=BN_MOMENTUM)


def conv3d(cin: int, cout: int, kernel: tuple[int, int, int], *, groups: int = 1,
           bias: bool = False) -> nn.Conv3d:
    """Conv3d without built-in padding (padding is applied explicitly, TF style)."""
    conv = nn.Conv3d(cin, cout, kernel, groups=groups, bias=bias)
    fan_in = (cin // groups) * math.prod(kernel)
    nn.init.normal_(conv.weight, 0.0, math.sqrt(2.0 / fan_in))  # Keras HeNormal scale
    if conv.bias is not None:
        nn.init.zeros_(conv.bias)
    return conv


def same_spatial_pad(x: torch.Tensor, kh: int, kw: int, stride: int) -> torch.Tensor:
    """Zero-pad H and W (the last two axes: NCTHW or NCHW) like TF SAME (odd extra pixel after)."""
    ph = arch.same_pads(x.shape[-2], kh, stride)
    pw = arch.same_pads(x.shape[-1], kw, stride)
    if ph == (0, 0) and pw == (0, 0):
        return x
    return F.pad(x, (pw[0], pw[1], ph[0], ph[1]))


def spatial_conv(conv: nn.Conv3d, x: torch.Tensor, stride: int) -> torch.Tensor:
    """Conv with kernel (1, kh, kw), SAME spatial padding and spatial stride."""
    _, kh, kw = conv.kernel_size
    x = same_spatial_pad(x, kh, kw, stride)
    return F.conv3d(x, conv.weight, conv.bias, (1, stride, stride), 0, 1, conv.groups)


def pointwise(conv: nn.Conv3d, x: torch.Tensor) -> torch.Tensor:
    return F.conv3d(x, conv.weight, conv.bias, 1, 0, 1, conv.groups)


class AvgPoolSame(nn.Module):
    """1x3x3 average pool, stride 1x2x2, TF SAME: padded cells are not counted."""

    def __init__(self) -> None:
        super().__init__()
        self._divisors: dict[tuple[int, int, torch.dtype], torch.Tensor] = {}

    def _divisor(self, h: int, w: int, like: torch.Tensor) -> torch.Tensor:
        key = (h, w, like.dtype)
        div = self._divisors.get(key)
        if div is None or div.device != like.device:
            ones = torch.ones((1, 1, 1, h, w), dtype=like.dtype, device=like.device)
            div = self._sum_pool(ones)
            self._divisors[key] = div
        return div

    @staticmethod
    def _sum_pool(x: torch.Tensor) -> torch.Tensor:
        x = same_spatial_pad(x, 3, 3, 2)
        return F.avg_pool3d(x, (1, 3, 3), (1, 2, 2), divisor_override=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._sum_pool(x) / self._divisor(x.shape[3], x.shape[4], x)


def positional_encoding(channels: int, positions: torch.Tensor) -> torch.Tensor:
    """Sinusoidal encoding [T, channels]: all sines then all cosines (official order).

    ``positions`` are absolute frame indices (float32). Angle k uses 10000^(-2k/channels).
    """
    half = channels // 2
    power = torch.arange(0, 2 * half, 2, dtype=torch.float32, device=positions.device) / channels
    inv = 1.0 / torch.pow(torch.tensor(10000.0, device=positions.device), power)  # TF op order
    ang = positions[:, None].to(torch.float32) * inv[None, :]
    enc = torch.cat([torch.sin(ang), torch.cos(ang)], dim=1)
    if enc.shape[1] < channels:  # odd widths never occur in official models; pad with zeros
        enc = F.pad(enc, (0, channels - enc.shape[1]))
    return enc
