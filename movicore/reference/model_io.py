"""Reference model <-> movicore model file (needs torch).

The file stores exactly the reference ``state_dict`` (BN unfolded, ``num_batches_tracked``
dropped), so ``from_file(to_file(m))`` reproduces ``m``'s outputs bit for bit.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
import torch

from movicore import modelfile
from movicore.quant.scheme import dequantize_tensors
from movicore.reference.model import MoViNet
from movicore.reference.tf_load import load_numpy_state_dict


def state_dict_to_numpy(state_dict: Mapping[str, torch.Tensor]) -> dict[str, np.ndarray]:
    """float32 numpy copies of a reference state_dict, without BN ``num_batches_tracked``."""
    out = {}
    for name, value in state_dict.items():
        if name.endswith("num_batches_tracked"):
            continue
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"state_dict entry {name!r} is a {type(value).__name__}, "
                             f"not a tensor")
        if not value.is_floating_point():
            raise ValueError(f"state_dict entry {name!r} has dtype {value.dtype}, expected "
                             f"a float tensor")
        out[name] = value.detach().cpu().to(torch.float32).contiguous().numpy()
    return out


def to_file(model: MoViNet, path: str | os.PathLike[str], labels: list[str] | None = None,
            extra_metadata: Mapping[str, str] | None = None) -> None:
    """Write ``model`` (its config and weights) to a model file, atomically."""
    if not isinstance(model, MoViNet):
        raise TypeError(f"model must be a movicore.reference.MoViNet, got "
                         f"{type(model).__name__}")
    modelfile.write_model_file(path, model.config, state_dict_to_numpy(model.state_dict()),
                               labels, extra_metadata)


def from_file(path: str | os.PathLike[str], *, check_finite: bool = True) -> MoViNet:
    """Build ``MoViNet(config)`` from a model file and load its tensors (eval mode).

    The file's labels are kept as ``model.labels``. An int8 file loads its dequantized weights
    (int8 x scale): the float model the int8 engine approximates apart from its activation
    quantization.
    """
    mf = modelfile.read_model_file(path, check_finite=check_finite)
    model = MoViNet(mf.config)
    tensors = mf.tensors if mf.quant is None else dequantize_tensors(mf.tensors, mf.quant)
    load_numpy_state_dict(model, tensors, strict=True)
    model.labels = list(mf.labels)  # type: ignore[assignment]
    return model.eval()
