"""Fold a model file's canonical tensors into the engine's kernel-ready arrays.

BatchNorm (inference form) is folded into the preceding conv, ReZero into the projection,
and every conv weight is transposed to the layout its kernel reads (numpy only, float64
arithmetic, rounded once to float32):

* pointwise ``[out, in, 1, 1, 1]`` -> ``w[in, out]`` (GEMM, packed by the core);
* depthwise spatial ``[E, 1, 1, kh, kw]`` -> ``[kh, kw, E]``; full 3D ``[E, 1, kt, kh, kw]`` ->
  ``[kt, kh, kw, E]``; temporal ``[E, 1, kt, 1, 1]`` -> ``[kt, E]``;
* stem ``[F, 3, 1, 3, 3]`` -> ``[kh, kw, 3, F]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from movicore import arch
from movicore.quant.scheme import INPUT_SUFFIX, SCALE_SUFFIX


def _bn_scale_shift(t: Mapping[str, np.ndarray], prefix: str) -> tuple[np.ndarray, np.ndarray]:
    gamma = t[f"{prefix}.weight"].astype(np.float64)
    beta = t[f"{prefix}.bias"].astype(np.float64)
    mean = t[f"{prefix}.running_mean"].astype(np.float64)
    var = t[f"{prefix}.running_var"].astype(np.float64)
    scale = gamma / np.sqrt(var + arch.BN_EPSILON)
    return scale, beta - mean * scale


def _f32(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float32)


def _pointwise(t: Mapping[str, np.ndarray], conv: str, bn: str | None = None,
               bias: str | None = None, mult: float = 1.0) -> dict[str, Any]:
    """Float layer {w[in, out], b}; an int8 layer of a quantized file (movicore.quant.scheme)
    keeps its int8 weights and folds BN and ReZero into the per-channel scale instead."""
    w = t[conv]
    if bn is not None:
        scale, shift = _bn_scale_shift(t, bn)
        b = shift
    else:
        scale = np.ones(w.shape[0])
        b = t[bias].astype(np.float64) if bias is not None else np.zeros(w.shape[0])
    if w.dtype == np.int8:
        out = {"qw": np.ascontiguousarray(w[:, :, 0, 0, 0].T),
               "w_scale": _f32(t[conv + SCALE_SUFFIX].astype(np.float64) * scale * mult),
               "b": _f32(b * mult)}
        if conv + INPUT_SUFFIX in t:
            s, zp = (float(v) for v in t[conv + INPUT_SUFFIX])
            out["input_scale"], out["input_zero_point"] = s, int(zp)
        return out
    w64 = w.astype(np.float64)[:, :, 0, 0, 0] * scale[:, None]  # [out, in]
    return {"w": _f32(w64.T * mult), "b": _f32(b * mult)}


def fold_for_engine(config: arch.Config, t: Mapping[str, np.ndarray], *,
                    bf16_classifier: bool = False, bf16_ring: bool = False) -> dict[str, Any]:
    """Kernel-ready spec for ``movicore._core.Model`` (``bf16_classifier``: the classifier's
    float weights packed as bfloat16; ``bf16_ring``: the temporal ring buffers hold bfloat16;
    see movicore.quant.scheme.QuantSpec)."""
    spec = config.spec
    scale, shift = _bn_scale_shift(t, "stem.bn")
    stem_w = t["stem.conv.weight"].astype(np.float64)[:, :, 0] * scale[:, None, None, None]
    out: dict[str, Any] = {
        "config": config.to_dict(),
        "stem": {"channels": spec.stem, "w": _f32(stem_w.transpose(2, 3, 1, 0)), "b": _f32(shift)},
        "layers": [],
    }
    for lp in arch.layer_plan(config):
        p = f"blocks.{lp.name}"
        kt, kh, kw = lp.kernel
        alpha = float(t[f"{p}.rezero"])
        layer: dict[str, Any] = {
            "name": lp.name, "in_c": lp.in_channels, "out_c": lp.out_channels,
            "expand": lp.expand, "kt": kt, "kh": kh, "kw": kw, "stride": lp.stride,
            "skip": lp.skip, "se_in": lp.se_in, "se_hidden": lp.se_hidden,
            "expand_w": _pointwise(t, f"{p}.expand.conv.weight", f"{p}.expand.bn"),
            "project": _pointwise(t, f"{p}.project.conv.weight", f"{p}.project.bn", mult=alpha),
        }
        scale, shift = _bn_scale_shift(t, f"{p}.feature.bn")
        w = t[f"{p}.feature.conv.weight"].astype(np.float64)[:, 0]  # [E, kt', kh, kw]
        w = w * scale[:, None, None, None]
        if config.spatial_2plus1d:
            layer["feature"] = {"w": _f32(w[:, 0].transpose(1, 2, 0)), "b": _f32(shift)}
            if kt > 1:
                s_t, b_t = _bn_scale_shift(t, f"{p}.feature.bn_t")
                wt = t[f"{p}.feature.conv_t.weight"].astype(np.float64)[:, 0, :, 0, 0]
                layer["temporal"] = {"w": _f32((wt * s_t[:, None]).T), "b": _f32(b_t)}
        else:
            layer["feature"] = {"w": _f32(w.transpose(1, 2, 3, 0)), "b": _f32(shift)}
        if config.se_type != "none":
            layer["se_reduce"] = _pointwise(t, f"{p}.se.reduce.weight", bias=f"{p}.se.reduce.bias")
            layer["se_expand"] = _pointwise(t, f"{p}.se.expand.weight", bias=f"{p}.se.expand.bias")
            if config.positional_encoding:
                layer["pos_scale"] = float(t[f"{p}.se.pos_scale"])
        if lp.skip != "identity":
            layer["skip_w"] = _pointwise(t, f"{p}.skip.conv.weight", f"{p}.skip.bn")
        out["layers"].append(layer)
    out["head"] = {"channels": spec.head, **_pointwise(t, "head.conv.weight", "head.bn")}
    out["cls_hidden"] = {"channels": spec.hidden,
                         **_pointwise(t, "classifier.hidden.weight",
                                      bias="classifier.hidden.bias")}
    out["cls_logits"] = _pointwise(t, "classifier.logits.weight", bias="classifier.logits.bias")
    if bf16_classifier:
        out["cls_hidden"]["bf16"] = out["cls_logits"]["bf16"] = True
    if bf16_ring:
        out["bf16_ring"] = True
    return out
