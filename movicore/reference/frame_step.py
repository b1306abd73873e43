"""One stream step of a causal model in 2-D operations only (needs torch).

Runtimes whose CPU delegates take no 5-D tensors (ExecuTorch with XNNPACK) cannot run the
reference as it is: every tensor there is NCTHW. With one frame per step, T is always 1, so
the step can be written on NCHW tensors:

* 1xkxk convolutions are conv2d; kx1x1 causal temporal convolutions are k multiply-adds over
  the buffered frames; a full kt x kh x kw depthwise kernel is kt depthwise conv2d, one per
  buffered frame;
* batch norm (eval), the ReZero scale and nothing else are folded into the convolutions;
* the stream state is a tuple of 4-D tensors: for each temporal kernel the kt-1 previous
  inputs stacked on the batch axis, for each cumulative pool the running sum [1, C, 1, 1],
  and one float frame count [1, 1, 1, 1] shared by every pool (all see the same frames).

:class:`FrameStep` ``(frame [1, H, W, 3], *state) -> (logits [1, classes], *new_state)`` equals
the reference fed the same frames one by one (tests/python/test_frame_step.py).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from movicore import arch
from movicore.reference.layers import activation, positional_encoding, same_spatial_pad
from movicore.reference.model import ConvBN, MoViNet, MovinetLayer


def _fold(conv: nn.Conv3d, bn: nn.BatchNorm3d | None, scale: torch.Tensor | float = 1.0
          ) -> tuple[torch.Tensor, torch.Tensor]:
    """Weight [O, I, kt, kh, kw] and bias [O] of conv -> bn -> * scale (eval statistics)."""
    w = conv.weight.detach()
    b = conv.bias.detach() if conv.bias is not None else torch.zeros(w.shape[0])
    if bn is not None:
        g = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
        w = w * g.view(-1, 1, 1, 1, 1)
        b = (b - bn.running_mean) * g + bn.bias.detach()
    return w * scale, b * scale


class _Conv(nn.Module):
    """conv2d (+ folded BN) with TF SAME padding, then an optional activation."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor, stride: int = 1,
                 groups: int = 1, act: str | None = None) -> None:
        super().__init__()
        self.weight = nn.Parameter(weight.contiguous(), requires_grad=False)
        self.bias = nn.Parameter(bias.contiguous(), requires_grad=False)
        self.stride, self.groups = stride, groups
        self.k = int(weight.shape[-1])
        self._act = activation(act) if act else None

    @classmethod
    def folded(cls, conv: nn.Conv3d, bn: nn.BatchNorm3d | None, stride: int = 1,
               act: str | None = None, scale: torch.Tensor | float = 1.0) -> _Conv:
        """From a (1, kh, kw) Conv3d and the BN after it (or none), times ``scale``."""
        w, b = _fold(conv, bn, scale)
        return cls(w[:, :, 0], b, stride, conv.groups, act)

    @classmethod
    def of(cls, m: ConvBN, stride: int = 1, act: str | None = None) -> _Conv:
        return cls.folded(m.conv, m.bn, stride, act)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = same_spatial_pad(x, self.k, self.k, self.stride)
        x = F.conv2d(x, self.weight, self.bias, self.stride, 0, 1, self.groups)
        return x if self._act is None else self._act(x)


class _Temporal(nn.Module):
    """Causal depthwise kernel over the kt-1 buffered frames and the current one: a kx1x1
    kernel (w [kt, C, 1, 1], multiply-adds) or a full one (kt depthwise conv2d)."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor, stride: int, act: str) -> None:
        super().__init__()
        self.kt = int(weight.shape[2])
        self.full = weight.shape[-1] > 1 or stride > 1  # a spatial kernel or stride: conv2d
        w = weight if self.full else weight[:, 0, :, 0, 0].t().reshape(self.kt, -1, 1, 1)
        self.weight = nn.Parameter(w.contiguous(), requires_grad=False)
        self.bias = nn.Parameter(bias.view(1, -1, 1, 1).contiguous(), requires_grad=False)
        self.stride = stride
        self._act = activation(act)

    def forward(self, x: torch.Tensor, past: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        frames = torch.cat([past, x], dim=0)  # [kt, C, H, W], oldest first
        if self.full:
            k, c = int(self.weight.shape[-1]), int(self.weight.shape[0])
            out = self.bias
            for t in range(self.kt):
                out = out + F.conv2d(same_spatial_pad(frames[t:t + 1], k, k, self.stride),
                                     self.weight[:, :, t], None, self.stride, 0, 1, c)
        else:
            out = self.bias
            for t in range(self.kt):
                out = out + frames[t:t + 1] * self.weight[t:t + 1]
        return self._act(out), frames[1:]


class _AvgPoolSame(nn.Module):
    """3x3 average, stride 2, TF SAME without the padded cells (a constant per output pixel)."""

    def __init__(self, h: int, w: int) -> None:
        super().__init__()
        ones = same_spatial_pad(torch.ones(1, 1, h, w), 3, 3, 2)
        count = F.avg_pool2d(ones, 3, 2) * 9.0
        self.scale = nn.Parameter(9.0 / count, requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.avg_pool2d(same_spatial_pad(x, 3, 3, 2), 3, 2) * self.scale


class _Layer(nn.Module):
    def __init__(self, config: arch.Config, lp: arch.LayerPlan, ref: MovinetLayer,
                 in_hw: tuple[int, int]) -> None:
        super().__init__()
        act = config.activation
        self.expand = _Conv.of(ref.expand, act=act)
        f = ref.feature
        self.kt = lp.kt
        # (2+1)D: spatial conv2d, then kx1x1 over time; 3D: one kt x kh x kw kernel over time
        full_3d = not f.split and lp.kt > 1
        self.spatial = None if full_3d else _Conv.folded(f.conv, f.bn, lp.stride, act)
        self.temporal = None
        if full_3d:
            self.temporal = _Temporal(*_fold(f.conv, f.bn), lp.stride, act)
        elif lp.kt > 1:
            self.temporal = _Temporal(*_fold(f.conv_t, f.bn_t), 1, act)
        se = ref.se
        self.se = se is not None
        if se is not None:
            self.se_type = config.se_type
            self.reduce = _Conv.folded(se.reduce, None, act=config.activation)
            self.gate = _Conv.folded(se.expand, None, act=config.gate)
            self.pos_scale = float(se.pos_scale.detach()) if se.use_pe else None
        self.project = _Conv.folded(ref.project.conv, ref.project.bn,
                                    scale=ref.rezero.detach())
        self.skip = None
        self.pool = None
        if ref.skip is not None:
            self.skip = _Conv.folded(ref.skip.conv, ref.skip.bn)
            if ref.skip.pool is not None:
                self.pool = _AvgPoolSame(*in_hw)

    def forward(self, x: torch.Tensor, buf: torch.Tensor | None, pool: torch.Tensor | None,
                n: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        y = self.expand(x)
        if self.spatial is not None:
            y = self.spatial(y)
        new_buf = None
        if self.temporal is not None:
            y, new_buf = self.temporal(y, buf)
        new_pool = None
        if self.se:
            s = y.mean(dim=(2, 3), keepdim=True)
            if self.se_type == "2d":
                z = s
            else:
                new_pool = pool + s
                cg = new_pool / n
                z = cg if self.se_type == "3d" else torch.cat([cg, s], dim=1)
            if self.pos_scale is not None:
                pe = positional_encoding(int(z.shape[1]), (n - 1.0).reshape(1))
                z = z + self.pos_scale * pe.reshape(1, -1, 1, 1)
            y = y * self.gate(self.reduce(z))
        y = self.project(y)
        shortcut = x
        if self.skip is not None:
            shortcut = self.skip(x if self.pool is None else self.pool(x))
        return shortcut + y, new_buf, new_pool


class FrameStep(nn.Module):
    """One-frame stream step of ``ref`` (a causal reference model in eval mode) at
    ``height`` x ``width``, in 2-D ops. See the module docstring for the state layout."""

    def __init__(self, ref: MoViNet, height: int, width: int) -> None:
        super().__init__()
        config = ref.config
        if not config.causal:
            raise ValueError("FrameStep needs a causal (stream) model")
        self.config = config
        self.size = (height, width)
        self.stem = _Conv.of(ref.stem, 2, config.activation)
        sizes = arch.spatial_sizes(config, height, width)
        prev = sizes["stem"]
        self.layers = nn.ModuleList()
        self.state_shapes: list[tuple[int, ...]] = []
        for lp in arch.layer_plan(config):
            layer = _Layer(config, lp, ref.blocks[lp.name], prev)
            self.layers.append(layer)
            out = sizes[lp.name]
            if layer.temporal is not None:
                hw = out if config.spatial_2plus1d else prev
                self.state_shapes.append((lp.kt - 1, lp.expand, *hw))
            if layer.se and config.se_type != "2d":
                self.state_shapes.append((1, lp.expand, 1, 1))
            prev = out
        self.head = _Conv.of(ref.head, act=config.activation)
        self.hidden = _Conv.folded(ref.classifier.hidden, None,
                                   act=config.classifier_activation)
        self.logits = _Conv.folded(ref.classifier.logits, None)
        self.state_shapes += [(1, config.spec.head, 1, 1), (1, 1, 1, 1)]

    def zero_state(self) -> tuple[torch.Tensor, ...]:
        return tuple(torch.zeros(s) for s in self.state_shapes)

    def forward(self, frame: torch.Tensor, *state: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """frame [1, H, W, 3] float in [0, 1]; returns (logits [1, classes], *new_state)."""
        n = state[-1] + 1.0  # frames seen, this one included
        x = self.stem(frame.permute(0, 3, 1, 2))
        new: list[torch.Tensor] = []
        i = 0
        for layer in self.layers:
            buf = pool = None
            if layer.temporal is not None:
                buf, i = state[i], i + 1
            if layer.se and layer.se_type != "2d":
                pool, i = state[i], i + 1
            x, buf, pool = layer(x, buf, pool, n)
            new += [t for t in (buf, pool) if t is not None]
        head_sum = state[i] + self.head(x).mean(dim=(2, 3), keepdim=True)
        logits = self.logits(self.hidden(head_sum / n))
        return (logits.flatten(1), *new, head_sum, n)
