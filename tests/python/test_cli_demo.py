"""``movicore demo``: the embedded model on synthetic clips through the engine (no torch)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

pytest.importorskip("movicore._core")

from movicore.assets import DEMO_MODEL


def test_demo_runs_without_torch_and_is_accurate() -> None:
    if not DEMO_MODEL.is_file():
        pytest.fail(f"embedded model missing: {DEMO_MODEL}")
    # A fresh interpreter that cannot import torch: the demo must not need it.
    code = ("import sys; sys.modules['torch'] = None; from movicore.cli.main import main; "
            "sys.exit(main(['demo', '--clips', '20']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert len(re.findall(r"truth \S+ +pred \S+", out)) == 20, out
    m = re.search(r"accuracy (\d+)/20", out)
    assert m and int(m.group(1)) >= 17, out  # >= 85% on 20 clips (model: ~>= 95%)
    assert re.search(r"median latency [\d.]+ ms/frame", out), out
