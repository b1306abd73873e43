"""PyTorch reference MoViNet (needs torch: ``movicore[torch]``).

Torch-free parts (``tf_mapping``, ``cost``) are imported eagerly so that the converter can
use them without torch; torch-backed names are resolved lazily on first access.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from movicore.reference.cost import count_macs, parameter_count
from movicore.reference.tf_mapping import tf_checkpoint_to_state_dict

if TYPE_CHECKING:
    from movicore.reference.ensemble import (
        Ensemble,
        detach_ensemble_state,
        ensemble_from_file,
        ensemble_to_file,
    )
    from movicore.reference.model import MoViNet, build, default_dropout, detach_state
    from movicore.reference.model_io import from_file, to_file
    from movicore.reference.tf_load import load_numpy_state_dict, load_tf_checkpoint

_LAZY = {
    "Ensemble": "movicore.reference.ensemble",
    "detach_ensemble_state": "movicore.reference.ensemble",
    "ensemble_from_file": "movicore.reference.ensemble",
    "ensemble_to_file": "movicore.reference.ensemble",
    "MoViNet": "movicore.reference.model",
    "build": "movicore.reference.model",
    "default_dropout": "movicore.reference.model",
    "detach_state": "movicore.reference.model",
    "load_tf_checkpoint": "movicore.reference.tf_load",
    "load_numpy_state_dict": "movicore.reference.tf_load",
    "from_file": "movicore.reference.model_io",
    "to_file": "movicore.reference.model_io",
}

__all__ = [
    "Ensemble",
    "MoViNet",
    "build",
    "count_macs",
    "default_dropout",
    "detach_ensemble_state",
    "detach_state",
    "ensemble_from_file",
    "ensemble_to_file",
    "from_file",
    "load_numpy_state_dict",
    "load_tf_checkpoint",
    "parameter_count",
    "tf_checkpoint_to_state_dict",
    "to_file",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'movicore.reference' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
