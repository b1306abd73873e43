"""Shared helpers for engine tests: random-weight reference models written to model files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import movicore


def make_model(tmp: Path, model_id: str, variant: str = "stream", *, size: int = 48,
               num_classes: int = 7, seed: int = 0, **overrides: Any):
    """(torch reference in eval mode, movicore.Model) with the same random weights."""
    import torch

    from movicore import reference
    from movicore.reference.testing import randomize_weights

    torch.manual_seed(seed)
    ref = reference.build(model_id, variant, num_classes, input_size=size, **overrides)
    randomize_weights(ref, seed=seed).eval()
    # Keep deep random networks well conditioned: with ReZero scales U(0.5, 1) the residual
    # stream of a4/a5 grows to logits of ~1e4 and float32 itself (reference vs a float64 run)
    # drifts by 1e-3 relative, which would hide real errors. A quarter of that keeps logits
    # O(10) and float32 agreement ~1e-6 for every model id (measured).
    with torch.no_grad():
        for name, p in ref.named_parameters():
            if name.endswith("rezero"):
                p.mul_(0.25)
    path = tmp / f"{model_id}_{variant}_{seed}.safetensors"
    reference.to_file(ref, path)
    return ref, movicore.load(path)


def ref_logits(ref, clip: np.ndarray, all_frames: bool = False) -> np.ndarray:
    """Reference logits for a (T, H, W, 3) float32 clip (batch of one)."""
    import torch

    with torch.no_grad():
        out, _ = ref(torch.from_numpy(clip[None]), all_frames=all_frames)
    return out[0].numpy()


def assert_logits_close(got: np.ndarray, want: np.ndarray, rel: float = 2e-5,
                        what: str = "") -> float:
    """max |got - want| <= rel * max |want|; returns the measured ratio."""
    scale = float(np.abs(want).max())
    err = float(np.abs(got.astype(np.float64) - want).max())
    assert err <= rel * scale, f"{what}: max abs diff {err:.3g} > {rel} x max|logit| {scale:.3g}"
    return err / scale
