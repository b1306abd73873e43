"""``movicore inspect``: key lines, JSON output, one-line errors for malformed files."""

from __future__ import annotations

import json
import math
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from movicore import arch, modelfile
from movicore.cli.main import main
from tests.conftest import REPO

CFG = arch.default_config("t0", "stream", num_classes=3, positional_encoding=True)
LABELS = ["waving", "clapping", "jumping"]


@pytest.fixture
def model_path(tmp_path: Path, rng: np.random.Generator) -> Path:
    tensors = {k: rng.standard_normal(s).astype(np.float32)
               for k, s in arch.expected_tensors(CFG).items()}
    path = tmp_path / "m.safetensors"
    modelfile.write_model_file(path, CFG, tensors, LABELS, {"source": "unit-test"})
    return path


def test_text_output(model_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(model_path)]) == 0
    out = capsys.readouterr().out
    fields = dict(line.split(":", 1) for line in out.splitlines())
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    size = CFG.input_size
    shapes = arch.expected_tensors(CFG)
    trainable = sum(math.prod(s) for n, s in shapes.items() if "running_" not in n)
    assert fields["file"].endswith(f"({model_path.stat().st_size:,} bytes)")
    assert fields["format"].startswith(f"movicore v{arch.FORMAT_VERSION}")
    assert f"{len(shapes)} F32 tensors" in fields["format"]
    assert fields["model"].startswith("MoViNet-T0-Stream (t0, stream)")
    assert fields["conv type"] == "2plus1d (causal)"
    assert fields["SE type"] == "2plus3d"
    assert fields["activation"] == "hard_swish"
    assert fields["SE gate"] == "hard_sigmoid"
    assert fields["classifier act."] == "swish"
    assert fields["positional enc."] == "yes"
    assert fields["input"].startswith(f"{size}x{size}")
    assert fields["classes"] == "3"
    assert fields["parameters"].startswith(f"{trainable:,} ")
    assert fields["MACs per frame"].startswith(f"{arch.count_macs(CFG, 1, size, size):,} ")
    assert fields["stream state"].startswith(f"{arch.state_bytes(CFG, size, size):,} bytes")
    assert fields["labels"] == ", ".join(LABELS)
    assert fields["meta source"] == "unit-test"


def test_json_output(model_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "--json", str(model_path)]) == 0
    s = json.loads(capsys.readouterr().out)
    assert arch.Config.from_dict(s["config"]) == CFG
    assert s["labels"] == LABELS
    assert s["format_version"] == arch.FORMAT_VERSION
    assert s["file_bytes"] == model_path.stat().st_size
    assert s["tensors"] == len(arch.expected_tensors(CFG))
    assert s["macs_per_frame"] == arch.count_macs(CFG, 1, CFG.input_size, CFG.input_size)
    assert s["metadata"] == {"source": "unit-test"}


def test_base_model_has_no_state(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = arch.default_config("t0", "base", num_classes=2)
    tensors = {k: np.ones(s, np.float32) for k, s in arch.expected_tensors(cfg).items()}
    path = tmp_path / "b.safetensors"
    modelfile.write_model_file(path, cfg, tensors)
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "non-causal" in out and "stream state:" in out and "none" in out


def _one_line_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert captured.out == "" and len(lines) == 1, captured.err
    assert lines[0].startswith("movicore inspect: error: ")
    return lines[0]


def test_errors(model_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "No such file" in _one_line_error(["inspect", str(tmp_path / "nope")], capsys)
    raw = model_path.read_bytes()
    cut = tmp_path / "cut.safetensors"
    cut.write_bytes(raw[: len(raw) - 10])
    assert "truncated" in _one_line_error(["inspect", str(cut)], capsys)
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(struct.pack("<Q", 2**63) + raw[8:])
    assert "header length" in _one_line_error(["inspect", str(bad)], capsys)
    assert "Is a directory" in _one_line_error(["inspect", str(tmp_path)], capsys)


def test_subprocess_no_traceback(model_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.safetensors"
    raw = bytearray(model_path.read_bytes())
    raw[9] ^= 0xFF  # inside the JSON header
    bad.write_bytes(bytes(raw))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "movicore", "inspect", str(bad)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
