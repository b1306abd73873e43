"""PyTorch reference MoViNet (A0-A5, T0; base and stream), numerically faithful to TF.

Module and parameter names equal ``arch.expected_tensors``; the stream state uses the
official names of ``arch.state_shapes`` (NTHWC buffers, int32 counters).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from movicore import arch
from movicore.reference.layers import (
    AvgPoolSame,
    activation,
    batch_norm,
    conv3d,
    pointwise,
    positional_encoding,
    spatial_conv,
)

State = dict[str, torch.Tensor]

_SMALL_DROPOUT = ("a0", "t0")


def default_dropout(config: arch.Config) -> float:
    """Official classifier dropout: 0.2 for a0, a0-stream, a1-stream, t0; else 0.5."""
    if config.model_id in _SMALL_DROPOUT or (config.model_id == "a1" and config.variant == "stream"):
        return 0.2
    return 0.5


def _to_ncthw(x: torch.Tensor) -> torch.Tensor:
    return x.permute(0, 4, 1, 2, 3)


def _to_nthwc(x: torch.Tensor) -> torch.Tensor:
    return x.permute(0, 2, 3, 4, 1)


class _Ctx:
    """Per-call state bookkeeping: reads incoming state, collects the new one."""

    def __init__(self, state: Mapping[str, torch.Tensor] | None) -> None:
        self.state = state
        self.new: State = {}

    def get(self, name: str) -> torch.Tensor | None:
        return None if self.state is None else self.state[name]


def _counter(ctx: _Ctx, name: str, device: torch.device) -> torch.Tensor:
    n = ctx.get(name)
    return torch.zeros(1, dtype=torch.int32, device=device) if n is None else n


class ConvBN(nn.Module):
    """Conv (no bias) + BN + optional activation; pointwise or spatial SAME conv."""

    def __init__(self, cin: int, cout: int, kernel: tuple[int, int, int] = (1, 1, 1),
                 act: str | None = None, groups: int = 1) -> None:
        super().__init__()
        self.conv = conv3d(cin, cout, kernel, groups=groups)
        self.bn = batch_norm(cout)
        self._act = activation(act) if act else None

    def forward(self, x: torch.Tensor, stride: int = 1) -> torch.Tensor:
        if self.conv.kernel_size == (1, 1, 1) and stride == 1:
            x = pointwise(self.conv, x)
        else:
            x = spatial_conv(self.conv, x, stride)
        x = self.bn(x)
        return x if self._act is None else self._act(x)


class Feature(nn.Module):
    """Depthwise feature conv: (2+1)D split or full 3D, causal with a stream buffer."""

    def __init__(self, config: arch.Config, lp: arch.LayerPlan) -> None:
        super().__init__()
        e = lp.expand
        kt, kh, kw = lp.kernel
        self.kt, self.stride, self.causal = kt, lp.stride, config.causal
        self.split = config.spatial_2plus1d
        self._act = activation(config.activation)
        if self.split:
            self.conv = conv3d(e, e, (1, kh, kw), groups=e)
            self.bn = batch_norm(e)
            if kt > 1:
                self.conv_t = conv3d(e, e, (kt, 1, 1), groups=e)
                self.bn_t = batch_norm(e)
        else:
            self.conv = conv3d(e, e, (kt, kh, kw), groups=e)
            self.bn = batch_norm(e)

    def _temporal_input(self, x: torch.Tensor, ctx: _Ctx, key: str) -> tuple[torch.Tensor, int]:
        """Prepend causal history (or return the symmetric temporal pad for non-causal)."""
        if self.kt == 1:
            return x, 0
        if not self.causal:
            return x, (self.kt - 1) // 2
        buf = ctx.get(key)
        if buf is None:
            shape = (x.shape[0], x.shape[1], self.kt - 1, x.shape[3], x.shape[4])
            past = x.new_zeros(shape)
        else:
            past = _to_ncthw(buf).to(x.dtype)
        full = torch.cat([past, x], dim=2)
        ctx.new[key] = _to_nthwc(full[:, :, -(self.kt - 1):])
        return full, 0

    def forward(self, x: torch.Tensor, ctx: _Ctx, prefix: str) -> torch.Tensor:
        key = f"{prefix}_stream_buffer"
        if self.split:
            x = self._act(self.bn(spatial_conv(self.conv, x, self.stride)))
            if self.kt == 1:
                return x
            x, pt = self._temporal_input(x, ctx, key)
            x = nn.functional.conv3d(x, self.conv_t.weight, None, 1, (pt, 0, 0), 1, self.conv_t.groups)
            return self._act(self.bn_t(x))
        x, pt = self._temporal_input(x, ctx, key)
        if pt:
            x = nn.functional.pad(x, (0, 0, 0, 0, pt, pt))
        return self._act(self.bn(spatial_conv(self.conv, x, self.stride)))


def _cumulative_mean(m: torch.Tensor, ctx: _Ctx, prefix: str) -> torch.Tensor:
    """Causal CGAP of per-frame means m [B,C,T,1,1] with running sum + frame count state."""
    buf_key, n_key = f"{prefix}_pool_buffer", f"{prefix}_pool_frame_count"
    total = ctx.get(buf_key)
    n = _counter(ctx, n_key, m.device)
    c = torch.cumsum(m, dim=2)
    if total is not None:
        c = c + _to_ncthw(total).to(m.dtype)
    t = m.shape[2]
    div = n.to(m.dtype) + torch.arange(1, t + 1, dtype=m.dtype, device=m.device)
    ctx.new[buf_key] = _to_nthwc(c[:, :, -1:])
    ctx.new[n_key] = n + t
    return c / div.view(1, 1, t, 1, 1)


class SqueezeExcitation(nn.Module):
    """SE with descriptor per se_type (3d, 2d, 2plus3d), optional positional encoding."""

    def __init__(self, config: arch.Config, lp: arch.LayerPlan) -> None:
        super().__init__()
        self.se_type, self.causal = config.se_type, config.causal
        self.use_pe = config.positional_encoding
        self.reduce = conv3d(lp.se_in, lp.se_hidden, (1, 1, 1), bias=True)
        self.expand = conv3d(lp.se_hidden, lp.expand, (1, 1, 1), bias=True)
        if self.use_pe:
            self.pos_scale = nn.Parameter(torch.zeros(()))
        self._act = activation(config.activation)
        self._gate = activation(config.gate)

    def forward(self, x: torch.Tensor, ctx: _Ctx, prefix: str) -> torch.Tensor:
        s = x.mean(dim=(3, 4), keepdim=True)  # per-frame spatial means [B,E,T,1,1]
        if self.se_type == "2d":
            z = s
        elif self.causal:
            cg = _cumulative_mean(s, ctx, prefix)
            z = cg if self.se_type == "3d" else torch.cat([cg, s], dim=1)
        else:
            g = s.mean(dim=2, keepdim=True)
            z = g if self.se_type == "3d" else torch.cat([g.expand_as(s), s], dim=1)
        if self.use_pe:
            key = f"{prefix}_pos_enc_frame_count"
            n = _counter(ctx, key, x.device)
            t = z.shape[2]
            pos = n.to(torch.float32) + torch.arange(t, dtype=torch.float32, device=x.device)
            pe = positional_encoding(z.shape[1], pos).to(z.dtype)  # [T, D]
            z = z + self.pos_scale * pe.t().reshape(1, -1, t, 1, 1)
            ctx.new[key] = n + t
        h = self._act(pointwise(self.reduce, z))
        return x * self._gate(pointwise(self.expand, h))


class Skip(nn.Module):
    """Shortcut: (avg pool SAME) + 1x1x1 projection + BN."""

    def __init__(self, lp: arch.LayerPlan) -> None:
        super().__init__()
        self.pool = AvgPoolSame() if lp.skip == "pool_project" else None
        self.conv = conv3d(lp.in_channels, lp.out_channels, (1, 1, 1))
        self.bn = batch_norm(lp.out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.pool is not None:
            x = self.pool(x)
        return self.bn(pointwise(self.conv, x))


class MovinetLayer(nn.Module):
    """Inverted bottleneck: expand -> depthwise feature -> SE -> project; ReZero residual."""

    def __init__(self, config: arch.Config, lp: arch.LayerPlan, drop_rate: float) -> None:
        super().__init__()
        self.name = lp.name
        self.stride = lp.stride
        self.drop_rate = drop_rate
        self.expand = ConvBN(lp.in_channels, lp.expand, act=config.activation)
        self.feature = Feature(config, lp)
        self.se = SqueezeExcitation(config, lp) if config.se_type != "none" else None
        self.project = ConvBN(lp.expand, lp.out_channels)
        self.skip = Skip(lp) if lp.skip != "identity" else None
        self.rezero = nn.Parameter(torch.zeros(()))

    def forward(self, x: torch.Tensor, ctx: _Ctx) -> torch.Tensor:
        prefix = f"state_{self.name}"
        y = self.expand(x)
        y = self.feature(y, ctx, prefix)
        if self.se is not None:
            y = self.se(y, ctx, prefix)
        y = self.project(y) * self.rezero
        if self.training and self.drop_rate > 0.0:
            keep = 1.0 - self.drop_rate
            mask = torch.empty((y.shape[0], 1, 1, 1, 1), dtype=y.dtype, device=y.device)
            y = y * mask.bernoulli_(keep) / keep
        shortcut = x if self.skip is None else self.skip(x)
        return shortcut + y


class Classifier(nn.Module):
    def __init__(self, config: arch.Config, dropout: float) -> None:
        super().__init__()
        spec = config.spec
        self.hidden = conv3d(spec.head, spec.hidden, (1, 1, 1), bias=True)
        self.logits = conv3d(spec.hidden, config.num_classes, (1, 1, 1), bias=True)
        nn.init.normal_(self.logits.weight, 0.0, 0.01)
        self._act = activation(config.classifier_activation)
        self.dropout = nn.Dropout(dropout)

    def forward(self, f: torch.Tensor) -> torch.Tensor:
        """f [B,P,T,1,1] pooled head features -> logits [B,T,classes]."""
        h = self.dropout(self._act(pointwise(self.hidden, f)))
        return pointwise(self.logits, h).flatten(3).squeeze(3).transpose(1, 2)


class MoViNet(nn.Module):
    """MoViNet classifier. Input NTHWC float32 in [0, 1]; see ``forward``."""

    def __init__(self, config: arch.Config, dropout: float | None = None,
                 stochastic_depth: float = 0.0) -> None:
        super().__init__()
        if not isinstance(config, arch.Config):
            raise ValueError(f"config must be a movicore.arch.Config, got {type(config).__name__}")  # noqa: TRY004
        if not 0.0 <= stochastic_depth < 1.0:
            raise ValueError(f"stochastic_depth must be in [0, 1), got {stochastic_depth}")
        self.config = config
        self.dropout_rate = default_dropout(config) if dropout is None else float(dropout)
        if not 0.0 <= self.dropout_rate < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        spec = config.spec
        self.stem = ConvBN(3, spec.stem, (1, 3, 3), act=config.activation)
        plan = arch.layer_plan(config)
        n = len(plan)
        self.blocks = nn.ModuleDict({
            lp.name: MovinetLayer(config, lp, stochastic_depth * (i + 1) / n)
            for i, lp in enumerate(plan)
        })
        self.head = ConvBN(spec.blocks[-1].base, spec.head, act=config.activation)
        self.classifier = Classifier(config, self.dropout_rate)

    # ------------------------------------------------------------------ state

    def init_state(self, batch: int, height: int, width: int) -> State:
        """Zero stream state with the official names/shapes/dtypes (empty if non-causal)."""
        device = self.stem.conv.weight.device
        out: State = {}
        for name, (shape, dtype) in arch.state_shapes(self.config, batch, height, width).items():
            tdt = torch.int32 if dtype == "int32" else torch.float32
            out[name] = torch.zeros(shape, dtype=tdt, device=device)
        return out

    def _check_state(self, state: Mapping[str, torch.Tensor], clip: torch.Tensor) -> None:
        b, _, h, w, _ = clip.shape
        want = arch.state_shapes(self.config, b, h, w)
        missing = sorted(set(want) - set(state))
        extra = sorted(set(state) - set(want))
        if missing or extra:
            raise ValueError(f"state names do not match the model: missing {missing[:5]}"
                             f"{'...' if len(missing) > 5 else ''}, unexpected {extra[:5]}"
                             f"{'...' if len(extra) > 5 else ''}")
        for name, (shape, _) in want.items():
            if tuple(state[name].shape) != shape:
                raise ValueError(f"state {name!r}: expected shape {shape} for input "
                                 f"{tuple(clip.shape)}, got {tuple(state[name].shape)}")

    # ------------------------------------------------------------------ forward

    def _check_clip(self, clip: torch.Tensor) -> None:
        if not isinstance(clip, torch.Tensor):
            raise ValueError(f"clip must be a torch.Tensor, got {type(clip).__name__}")  # noqa: TRY004
        if clip.ndim != 5 or clip.shape[-1] != 3 or min(clip.shape) < 1:
            raise ValueError(f"clip must be [B,T,H,W,3] (NTHWC), got shape {tuple(clip.shape)}")
        if not clip.is_floating_point():
            raise ValueError(f"clip must be float (in [0, 1]), got dtype {clip.dtype}")

    def _backbone(self, clip: torch.Tensor, ctx: _Ctx,
                  endpoints: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
        x = self.stem(_to_ncthw(clip), stride=2)
        if endpoints is not None:
            endpoints["stem"] = _to_nthwc(x)
        for name, layer in self.blocks.items():
            x = layer(x, ctx)
            if endpoints is not None:
                endpoints[name] = _to_nthwc(x)
        return self.head(x)

    def _pooled(self, q: torch.Tensor, ctx: _Ctx, all_frames: bool) -> torch.Tensor:
        """Head GAP with state: mean over every frame seen ([B,P,T or 1,1,1])."""
        m = q.mean(dim=(3, 4), keepdim=True)
        if not self.config.causal:
            return m.mean(dim=2, keepdim=True)
        cm = _cumulative_mean(m, ctx, "state_head")
        return cm if all_frames else cm[:, :, -1:]

    def forward(self, clip: torch.Tensor, state: Mapping[str, torch.Tensor] | None = None,
                all_frames: bool = False) -> tuple[torch.Tensor, State]:
        """Logits and new state.

        clip: [B,T,H,W,3] float in [0, 1], any T >= 1. state: from ``init_state`` or a
        previous call (causal models; ``None`` = zeros); ignored by non-causal models.
        Returns logits [B, classes] (or [B, T, classes] with ``all_frames``, causal only:
        the classifier applied after each frame) and the new state dict.
        """
        self._check_clip(clip)
        if all_frames and not self.config.causal:
            raise ValueError("all_frames=True needs a causal model (per-frame logits)")
        ctx = self._make_ctx(clip, state)
        q = self._backbone(clip, ctx)
        logits = self.classifier(self._pooled(q, ctx, all_frames))
        return (logits if all_frames else logits[:, -1]), ctx.new

    def endpoints(self, clip: torch.Tensor, state: Mapping[str, torch.Tensor] | None = None
                  ) -> tuple[dict[str, torch.Tensor], State]:
        """Official backbone endpoints (NTHWC): ``stem``, ``block{i}_layer{j}``, ``head``
        (pooled head features [B,1,1,1,P]), plus the new state."""
        self._check_clip(clip)
        ctx = self._make_ctx(clip, state)
        eps: dict[str, torch.Tensor] = {}
        q = self._backbone(clip, ctx, eps)
        eps["head"] = _to_nthwc(self._pooled(q, ctx, False))
        return eps, ctx.new

    def _make_ctx(self, clip: torch.Tensor, state: Mapping[str, torch.Tensor] | None) -> _Ctx:
        if not self.config.causal:
            return _Ctx(None)
        if state is not None:
            self._check_state(state, clip)
        return _Ctx(state)


def detach_state(state: Mapping[str, torch.Tensor]) -> State:
    """Cut the autograd graph between chunks (truncated BPTT)."""
    return {k: v.detach() for k, v in state.items()}


def build(model_id: str, variant: str = "stream", num_classes: int = 600, *,
          dropout: float | None = None, stochastic_depth: float = 0.0,
          **overrides: Any) -> MoViNet:
    """Reference model for an official id with official defaults (+ config overrides)."""
    config = arch.default_config(model_id, variant, num_classes, **overrides)
    return MoViNet(config, dropout=dropout, stochastic_depth=stochastic_depth)
