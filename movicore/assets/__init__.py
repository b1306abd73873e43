"""Files shipped inside the package: the embedded demo model and how it was trained.

``demo_t0_stream.safetensors`` is a MoViNet-T0 stream model trained with ``movicore train``
on the synthetic motion dataset (``movicore.data.synthetic``); see ``docs/training.md``.
"""

from __future__ import annotations

import os
from pathlib import Path

DEMO_MODEL = Path(__file__).resolve().parent / "demo_t0_stream.safetensors"
# Clip geometry the demo model was trained on (its input size is in the file's config).
DEMO_FRAMES = 8
# Synthetic seeds: training used seed 0 (train) and -1 (validation); the demo and the
# evaluation tests use seeds never seen in training.
DEMO_SEED = 2024


# The name that means the embedded model wherever a model file is expected (movicore.load,
# every CLI command). Only the exact string: a file literally named "demo" is "./demo".
DEMO_NAME = "demo"


def resolve_model_path(path: str | os.PathLike[str]) -> str | os.PathLike[str]:
    """``path``, or the embedded model's path when ``path`` is the string ``"demo"``."""
    return demo_model_path() if isinstance(path, str) and path == DEMO_NAME else path


def demo_model_path() -> Path:
    """Path of the embedded model; a clear error if the package was built without it."""
    if not DEMO_MODEL.is_file():
        raise ValueError(f"the embedded demo model is missing ({DEMO_MODEL}); reinstall "
                         f"movicore or pass --model FILE")
    return DEMO_MODEL
