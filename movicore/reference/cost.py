"""MACs and parameter counts of reference models (delegates to ``movicore.arch``)."""

from __future__ import annotations

from typing import Any

from movicore import arch


def _config(model_or_id: Any, variant: str) -> arch.Config:
    if isinstance(model_or_id, str):
        return arch.default_config(model_or_id, variant)
    if isinstance(model_or_id, arch.Config):
        return model_or_id
    config = getattr(model_or_id, "config", None)
    if not isinstance(config, arch.Config):
        raise ValueError(f"expected a model id, an arch.Config or a MoViNet, got "  # noqa: TRY004
                         f"{type(model_or_id).__name__}")
    return config


def count_macs(model_or_id: Any, frames: int, height: int, width: int,
               variant: str = "base") -> int:
    """Multiply-accumulates of one forward pass over ``frames`` frames (see arch.count_macs)."""
    return arch.count_macs(_config(model_or_id, variant), frames, height, width)


def parameter_count(model_or_id: Any, variant: str = "base") -> int:
    """Trainable parameters as Keras counts them (BN moving statistics excluded)."""
    return arch.parameter_count(_config(model_or_id, variant))
