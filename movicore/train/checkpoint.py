"""Checkpoints (torch pickles, ours only) and export to a movicore model file."""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from movicore import arch


def save_checkpoint(path: str | os.PathLike[str], payload: Mapping[str, Any]) -> None:
    """Atomic write (tmp + rename) so an interrupted run never leaves a torn checkpoint."""
    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(dict(payload), tmp)
        tmp.replace(path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno is not None:
            # Name the checkpoint, not the temporary file beside it.
            raise type(exc)(exc.errno, f"cannot write {path}: {exc.strerror or exc}") from exc
        raise


def load_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Load a checkpoint written by ``save_checkpoint`` (trusted: our own files)."""
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"checkpoint not found: {p}")
    ck = torch.load(p, map_location="cpu", weights_only=False)
    need = {"config", "state_dict", "optimizer", "epoch", "labels", "rng"}
    if not isinstance(ck, dict) or not need <= set(ck):
        raise ValueError(f"{p} is not a movicore training checkpoint (needs keys {sorted(need)})")
    return ck


def export_model(model: torch.nn.Module, state: Mapping[str, torch.Tensor],
                 path: str | os.PathLike[str], labels: list[str],
                 metadata: Mapping[str, str] | None = None) -> None:
    """Write ``model``'s architecture with weights ``state`` as a movicore model file."""
    from movicore.reference import to_file

    m = copy.deepcopy(model)
    m.load_state_dict(dict(state))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    to_file(m.eval(), path, list(labels), metadata)


def model_from_checkpoint(ck: Mapping[str, Any], *, best: bool = True) -> torch.nn.Module:
    from movicore.reference import MoViNet

    model = MoViNet(arch.Config.from_dict(ck["config"]))
    model.load_state_dict(ck["best_state"] if best and "best_state" in ck else ck["state_dict"])
    return model.eval()
