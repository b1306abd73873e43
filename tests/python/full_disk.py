"""Run the CLI in a subprocess whose writes fail past a size, as on a full disk."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path


def run_cli_on_full_disk(args: list[str], limit: int) -> subprocess.CompletedProcess[str]:
    """``python -m movicore *args`` with a file-size limit: writes past ``limit`` bytes fail
    as on a full disk (EFBIG instead of ENOSPC; SIGXFSZ ignored so the write returns the
    error)."""
    def limit_size() -> None:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    with contextlib.suppress(ImportError):  # matplotlib's font cache: built here, not
        import matplotlib.font_manager  # noqa: F401  # under the limit on first use
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "movicore", *args], capture_output=True,
                          text=True, timeout=300, env=env, preexec_fn=limit_size, check=False)
