"""Official TF MoViNet checkpoint keys -> canonical tensor names (numpy only, no torch).

Keys are object-graph paths (reference doc 7.1): backbone variables under
``model/layer_with_weights-0/layer_with_weights-K/...`` or ``backbone/layer_with_weights-K/...``
(K = 0 stem, 1..N layers, N+1 head), classifier under ``model/layer_with_weights-1/...``.
Handles the ``3d``, ``3d_2plus1d`` and ``2plus1d`` layouts and permutes kernels to the
canonical PyTorch Conv3d layout ``[out, in/groups, kt, kh, kw]``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from movicore import arch

_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"
_IGNORED = ("_CHECKPOINTABLE_OBJECT_GRAPH", "save_counter", "global_step")
_BACKBONE = re.compile(r"^(?:model/layer_with_weights-0|backbone)/layer_with_weights-(\d+)/(.+)$")
_CLASSIFIER = re.compile(r"^model/layer_with_weights-1/(.+)$")

_VAR = {"gamma": "weight", "beta": "bias", "moving_mean": "running_mean",
        "moving_variance": "running_var", "kernel": "weight", "depthwise_kernel": "weight",
        "bias": "bias"}

# module path inside a TF layer -> canonical module (relative)
_LAYER_MODULES = {
    "_expansion/_conv": "expand.conv", "_expansion/_batch_norm": "expand.bn",
    "_feature/_conv": "feature.conv", "_feature/_batch_norm": "feature.bn",
    "_feature/_conv_temporal": "feature.conv_t", "_feature/_batch_norm_temporal": "feature.bn_t",
    "_attention/_se_reduce/_conv": "se.reduce", "_attention/_se_expand/_conv": "se.expand",
    "_projection/_conv": "project.conv", "_projection/_batch_norm": "project.bn",
    "_skip/_projection/_conv": "skip.conv", "_skip/_projection/_batch_norm": "skip.bn",
}
_LAYER_SCALARS = {"_mobile_bottleneck/_rezero/scale": "rezero",
                  "_attention/_pos_encoding/_rezero/scale": "se.pos_scale"}
_STEM_MODULES = {"_stem/_conv": "stem.conv", "_stem/_batch_norm": "stem.bn"}
_HEAD_MODULES = {"_project/_conv": "head.conv", "_project/_batch_norm": "head.bn"}
_CLASSIFIER_MODULES = {"_head/_conv": "classifier.hidden", "_classifier/_conv": "classifier.logits"}


def is_ignored(key: str) -> bool:
    """Bookkeeping / optimizer entries that carry no model weights."""
    root = key.split("/", 1)[0]
    return (root in _IGNORED or root == "optimizer" or "/.OPTIMIZER_SLOT/" in key
            or key.startswith("_CHECKPOINTABLE"))


def _match_module(rest: str, table: Mapping[str, str]) -> str | None:
    """'<module>[/_conv]/<var>' -> '<canonical module>.<param>' (longest module wins)."""
    for mod in sorted(table, key=len, reverse=True):
        if not rest.startswith(mod + "/"):
            continue
        tail = rest[len(mod) + 1:]
        tail = tail.removeprefix("_conv/")  # 2plus1d wraps the Keras op once more
        if tail in _VAR:
            return f"{table[mod]}.{_VAR[tail]}"
    return None


def canonical_name(config: arch.Config, key: str) -> str | None:
    """Canonical name of one TF checkpoint key, or None if it is not a model variable."""
    key = key.removesuffix(_SUFFIX)
    m = _BACKBONE.match(key)
    if m:
        k, rest = int(m.group(1)), m.group(2)
        plan = arch.layer_plan(config)
        if k == 0:
            return _match_module(rest, _STEM_MODULES)
        if k == len(plan) + 1:
            return _match_module(rest, _HEAD_MODULES)
        if 1 <= k <= len(plan):
            prefix = f"blocks.{plan[k - 1].name}"
            if rest in _LAYER_SCALARS:
                return f"{prefix}.{_LAYER_SCALARS[rest]}"
            sub = _match_module(rest, _LAYER_MODULES)
            return None if sub is None else f"{prefix}.{sub}"
        return None
    m = _CLASSIFIER.match(key)
    if m:
        return _match_module(m.group(1), _CLASSIFIER_MODULES)
    return None


def to_canonical_layout(name: str, value: np.ndarray) -> np.ndarray:
    """TF kernel layout -> PyTorch Conv3d layout; other tensors unchanged."""
    if not name.endswith(".weight") or value.ndim < 4:
        return value
    if value.ndim == 5:  # Conv3D [kt,kh,kw,in,out] (depthwise: in=1, out=C)
        return np.ascontiguousarray(value.transpose(4, 3, 0, 1, 2))
    if name.endswith("feature.conv_t.weight"):  # 2plus1d temporal [kt,1,C,1] -> [C,1,kt,1,1]
        return np.ascontiguousarray(value.transpose(2, 3, 0, 1)[..., None])
    if name.endswith("feature.conv.weight"):  # DepthwiseConv2D [kh,kw,C,1] -> [C,1,1,kh,kw]
        return np.ascontiguousarray(value.transpose(2, 3, 0, 1)[:, :, None])
    # Conv2D [kh,kw,in,out] -> [out,in,1,kh,kw]
    return np.ascontiguousarray(value.transpose(3, 2, 0, 1)[:, :, None])


def convert_variables(config: arch.Config, variables: Mapping[str, np.ndarray]
                      ) -> dict[str, np.ndarray]:
    """Map every checkpoint variable onto the canonical names of ``arch.expected_tensors``.

    Raises ValueError naming unknown, duplicated, missing or mis-shaped variables.
    """
    expected = arch.expected_tensors(config)
    out: dict[str, np.ndarray] = {}
    source: dict[str, str] = {}
    unknown: list[str] = []
    problems: list[str] = []
    for key in sorted(variables):
        if is_ignored(key):
            continue
        name = canonical_name(config, key)
        if name is None or name not in expected:
            unknown.append(key if name is None else f"{key} (-> {name})")
            continue
        value = to_canonical_layout(name, np.asarray(variables[key]))
        if name in out:
            if out[name].shape == value.shape and np.array_equal(out[name], value):
                continue  # same object saved under two roots
            problems.append(f"{name}: given twice ({source[name]} and {key}) with different values")
            continue
        if tuple(value.shape) != expected[name]:
            problems.append(f"{key} -> {name}: shape {tuple(value.shape)} (TF "
                            f"{tuple(np.shape(variables[key]))}), expected {expected[name]} "
                            f"for {config.model_id}/{config.conv_type}/{config.se_type}")
            continue
        out[name] = value.astype(np.float32)
        source[name] = key
    missing = sorted(set(expected) - set(out) - {p.split(" ")[0] for p in problems})
    msgs = []
    if unknown:
        msgs.append(f"{len(unknown)} unknown variable(s): {unknown[:8]}"
                    f"{' ...' if len(unknown) > 8 else ''}")
    if problems:
        msgs.append(f"{len(problems)} mis-shaped/conflicting: {problems[:8]}"
                    f"{' ...' if len(problems) > 8 else ''}")
    if missing:
        msgs.append(f"{len(missing)} missing tensor(s): {missing[:8]}"
                    f"{' ...' if len(missing) > 8 else ''}")
    if msgs:
        raise ValueError("TF checkpoint does not match config "
                         f"{config.model_id}-{config.variant} ({config.conv_type}, "
                         f"se={config.se_type}, pe={config.positional_encoding}, "
                         f"classes={config.num_classes}): " + "; ".join(msgs))
    return out


def detect_conv_type(variables: Mapping[str, np.ndarray]) -> str:
    """Layout of a checkpoint: '2plus1d', '3d_2plus1d' or '3d' (doc 7.4)."""
    keys = [k.removesuffix(_SUFFIX) for k in variables]
    if any(k.endswith("_feature/_conv/_conv/depthwise_kernel") for k in keys):
        return "2plus1d"
    if any(k.endswith("_feature/_conv_temporal/kernel") for k in keys):
        return "3d_2plus1d"
    return "3d"


def tf_checkpoint_to_state_dict(config: arch.Config, path: str | Path,
                                verify: bool = True) -> dict[str, np.ndarray]:
    """Read an official checkpoint (dir or prefix) into canonical numpy tensors."""
    from movicore import tfckpt

    return convert_variables(config, tfckpt.read_checkpoint(path, verify=verify))
