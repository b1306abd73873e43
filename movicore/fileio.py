"""Atomic file output: a file either appears complete or not at all.

The bytes go to a temporary file in the target's directory, are flushed and fsynced, then
renamed over the target. On any failure (a full disk, a quota, an interrupt) the temporary
file is removed and the error names the target, not the temporary file.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def check_output_path(path: str | os.PathLike[str], what: str = "output") -> Path:
    """Fail early (before any work) when ``path`` cannot be written: its folder is missing or
    not writable, or the path is a folder."""
    p = Path(path)
    parent = p.parent if str(p.parent) else Path()
    if p.is_dir():
        raise ValueError(f"{what} {p} is a directory, expected a file path")
    if not parent.is_dir():
        raise ValueError(f"{what} folder does not exist: {parent} (for {p})")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(f"{what} folder is not writable: {parent} (for {p})")
    return p


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see the module docstring)."""
    p = Path(path)
    parent = p.parent if str(p.parent) else Path()
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        Path(tmp).chmod(0o666 & ~current_umask())
        Path(tmp).replace(p)
        tmp = None
    except OSError as exc:
        raise OSError(f"cannot write {p}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def write_json_atomic(path: str | os.PathLike[str], doc: Any) -> None:
    """``doc`` as indented JSON, written atomically."""
    write_bytes_atomic(path, (json.dumps(doc, indent=1) + "\n").encode("utf-8"))


def save_figure_atomic(fig: Any, path: str | os.PathLike[str], **savefig: Any) -> None:
    """A matplotlib figure rendered in memory (format from the suffix: .png, .svg, .pdf ...;
    PNG without one), then written atomically."""
    buf = io.BytesIO()
    fig.savefig(buf, format=Path(path).suffix.lstrip(".").lower() or "png", **savefig)
    write_bytes_atomic(path, buf.getvalue())


def current_umask() -> int:
    """The process umask, read without changing it (os.umask would race with threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022
