"""Atomic on-disk stream snapshots: ``DIR/<stream id>.npz`` holds the engine's ``state_dict``
plus what the server needs to resume (source, model, frames). Written to a temporary file in
the same directory and renamed, so a crash leaves the previous snapshot or the new one."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

_SERVE_KEY = "__serve__"
_META_KEY = "__meta__"


def save(directory: str | os.PathLike[str], sid: str, state: dict[str, Any],
         info: dict[str, Any]) -> Path:
    directory = Path(directory)
    arrays = {k: np.asarray(v) for k, v in state.items() if k != _META_KEY}
    arrays[_META_KEY] = np.array(state.get(_META_KEY, ""))
    arrays[_SERVE_KEY] = np.array(json.dumps(info))
    final = directory / f"{sid}.npz"
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{sid}.", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        Path(tmp).replace(final)
        tmp = None
        return final
    except OSError as exc:  # a full disk, a quota, a removed folder: name the snapshot
        raise OSError(exc.errno, f"cannot write snapshot {final}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def load(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(state_dict, serve info) of a snapshot file; ValueError if unreadable."""
    try:
        with np.load(path, allow_pickle=False) as z:
            state: dict[str, Any] = {k: z[k] for k in z.files if k not in (_SERVE_KEY, _META_KEY)}
            meta = str(z[_META_KEY]) if _META_KEY in z.files else ""
            info = json.loads(str(z[_SERVE_KEY])) if _SERVE_KEY in z.files else {}
    except (OSError, ValueError, KeyError) as exc:
        raise ValueError(f"unreadable snapshot {path}: {exc}") from exc
    if meta:
        state[_META_KEY] = meta
    return state, info


def find(directory: str | os.PathLike[str]) -> dict[str, Path]:
    """Stream id -> snapshot file in ``directory``."""
    return {p.stem: p for p in sorted(Path(directory).glob("*.npz")) if not p.name.startswith(".")}


def remove(directory: str | os.PathLike[str], sid: str) -> None:
    (Path(directory) / f"{sid}.npz").unlink(missing_ok=True)
