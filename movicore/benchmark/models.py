"""Benchmark models: a model file, or a random-weight model generated from an id.

Random weights are enough for timing (every engine runs the same arithmetic whatever the
values); they are drawn with numpy straight from ``arch.expected_tensors`` so that
``movicore bench a0`` needs neither torch nor a download. Values are plausible for a trained
network (He-scaled convs, non-trivial BN statistics, ReZero scales in [0.5, 1]) so that
activations stay finite and in a realistic range through all layers.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from movicore import arch, modelfile
from movicore.assets import resolve_model_path

MODEL_IDS = arch.MODEL_IDS


def random_model_tensors(config: arch.Config, seed: int = 0) -> dict[str, np.ndarray]:
    """Deterministic random float32 tensors for every name of ``config``."""
    rng = np.random.default_rng(seed)
    out: dict[str, np.ndarray] = {}
    for name, shape in arch.expected_tensors(config).items():
        if name.endswith((".running_mean", "bias")):
            a = rng.normal(0.0, 0.1, shape)
        elif name.endswith(".running_var") or (name.endswith(".weight") and len(shape) == 1):
            a = rng.uniform(0.5, 1.5, shape)  # BN variance and gamma
        elif len(shape) == 0:  # ReZero / positional-encoding scales
            a = rng.uniform(0.5, 1.0, shape)
        elif name == "classifier.logits.weight":
            a = rng.normal(0.0, 0.05, shape)
        else:  # conv weights [out, in/groups, kt, kh, kw]: He normal
            a = rng.normal(0.0, math.sqrt(2.0 / math.prod(shape[1:])), shape)
        out[name] = np.asarray(a, dtype=np.float32)
    return out


def write_random_model(model_id: str, path: str | os.PathLike[str], *, seed: int = 0,
                       num_classes: int = 600) -> Path:
    """Write a random-weight stream model of ``model_id`` (official stream defaults)."""
    config = arch.default_config(model_id, "stream", num_classes)
    modelfile.write_model_file(path, config, random_model_tensors(config, seed),
                               extra_metadata={"source": f"movicore bench random seed={seed}"})
    return Path(path)


def resolve_model(spec: str, workdir: str | os.PathLike[str], *, seed: int = 0
                  ) -> tuple[Path, arch.Config, str]:
    """``spec`` is a model file, ``demo`` or an id (``a0``..``a5``, ``t0``); returns
    (model file, config, source description)."""
    if spec.lower() in MODEL_IDS and not Path(spec).exists():
        mid = spec.lower()
        path = write_random_model(mid, Path(workdir) / f"{mid}_stream_random.safetensors",
                                  seed=seed)
        return path, arch.default_config(mid, "stream"), f"random {mid}-stream (numpy, seed {seed})"
    path = Path(resolve_model_path(spec))
    if not path.exists():
        raise ValueError(f"MODEL must be a model file, 'demo' or one of {', '.join(MODEL_IDS)}; "
                         f"got {spec!r} (no such file)")
    mf = modelfile.read_any_file(path)
    if isinstance(mf, modelfile.EnsembleFile):  # members share causality and input size
        names = " + ".join(c.model_id for c in mf.configs)
        mf_source = f"file {path} (ensemble {names}, {mf.mode})"
        mf = mf.members[0]
    else:
        mf_source = f"file {path}"
    if not mf.config.causal:
        raise ValueError(f"{path}: the benchmark steps a stream frame by frame and needs a "
                         f"causal (stream) model, got variant {mf.config.variant!r}")
    return path, mf.config, mf_source


def is_ensemble(path: str | os.PathLike[str]) -> bool:
    """True for an ensemble file (docs/ensembles.md); only movicore can run those."""
    return isinstance(modelfile.read_any_file(path, check_finite=False), modelfile.EnsembleFile)


def macs_per_input_frame(path: str | os.PathLike[str], config: arch.Config, size: int) -> int:
    """MACs per input frame: the model's, or for an ensemble the mean of the members'
    (interleave) or their sum (parallel)."""
    f = modelfile.read_any_file(path, check_finite=False)
    if not isinstance(f, modelfile.EnsembleFile):
        return arch.count_macs(config, 1, size, size)
    macs = [arch.count_macs(c, 1, size, size) for c in f.configs]
    return round(sum(macs) / len(macs)) if f.mode == "interleave" else sum(macs)
