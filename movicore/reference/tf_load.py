"""Load an official TF checkpoint into a reference ``MoViNet`` (torch side of tf_mapping)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import torch

from movicore.reference.model import MoViNet
from movicore.reference.tf_mapping import tf_checkpoint_to_state_dict


def load_numpy_state_dict(model: MoViNet, tensors: Mapping[str, np.ndarray],
                          strict: bool = True) -> None:
    """Copy canonical numpy tensors into the model (BN counters are left alone)."""
    params = model.state_dict()
    unknown = sorted(set(tensors) - set(params))
    missing = sorted(k for k in set(params) - set(tensors) if not k.endswith("num_batches_tracked"))
    if strict and (unknown or missing):
        raise ValueError(f"state dict mismatch: missing {missing[:8]}, unexpected {unknown[:8]}")
    with torch.no_grad():
        for name, value in tensors.items():
            if name not in params:
                continue
            dst = params[name]
            if tuple(dst.shape) != tuple(value.shape):
                raise ValueError(f"{name}: expected shape {tuple(dst.shape)}, got {value.shape}")
            dst.copy_(torch.as_tensor(np.array(value, dtype=np.float32)))


def load_tf_checkpoint(model: MoViNet, path: str | Path, strict: bool = True,
                       verify: bool = True) -> MoViNet:
    """Load official weights (``3d``, ``2plus1d`` or ``3d_2plus1d`` layout) into ``model``.

    With ``strict`` every model tensor must come from the checkpoint and every checkpoint
    variable must be used (ValueError naming the offenders otherwise; the mapping itself is
    always strict about unknown and mis-shaped variables).
    """
    tensors = tf_checkpoint_to_state_dict(model.config, path, verify=verify)
    load_numpy_state_dict(model, tensors, strict=strict)
    return model
