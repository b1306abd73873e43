"""Engine vs the OFFICIAL TensorFlow implementation: checkpoints made by the official code
(committed compact fixtures in tests/data/official, and ../shared's A0-stream fixture) are
converted with `movicore convert` and run by the engine, no torch involved."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA, shared_fixture

import movicore
from movicore.cli.main import main

REL = 2e-5  # max abs diff <= REL * max |official logit|


def _fixtures() -> list[Path]:
    root = DATA / "official"
    return sorted(d for d in root.iterdir() if (d / "config.json").exists()) if root.is_dir() \
        else []


def _convert(d: Path, out: Path, flags: list[str]) -> movicore.Model:
    assert main(["convert", str(d), "-o", str(out), *flags]) == 0
    return movicore.load(out)


def _flags(d: Path) -> list[str]:
    cfg = json.loads((d / "config.json").read_text())
    bb, head = cfg["backbone"], cfg["classifier"]
    return ["--model", bb["model_id"], "--variant", "stream" if bb["causal"] else "base",
            "--activation", bb["activation"], "--gate", bb["gating_activation"],
            "--classifier-activation", head["activation"]]


def _check(model: movicore.Model, d: Path) -> dict[str, float]:
    clip = np.load(d / "input_clip.npy")[0]
    _, h, w, _ = clip.shape
    engine = movicore.Engine(model, height=h, width=w)
    want_clip = np.load(d / "clip_logits.npy")[0]
    errs = {}
    got = engine.run(clip)
    errs["clip"] = float(np.abs(got - want_clip).max() / np.abs(want_clip).max())
    if model.causal:
        want = np.load(d / "stream_logits.npy")
        engine.reset()
        got_frames = np.stack([engine.step(f) for f in clip])
        errs["stream"] = float(np.abs(got_frames - want).max() / np.abs(want).max())
    assert max(errs.values()) <= REL, errs
    return errs


@pytest.mark.parametrize("d", _fixtures(), ids=lambda d: d.name)
def test_engine_matches_official_fixture(d: Path, tmp_path: Path, capsys):
    errs = _check(_convert(d, tmp_path / "m.safetensors", _flags(d)), d)
    print(d.name, "max |engine - official| / max|official|:", errs)


def test_engine_matches_official_a0_stream_172(tmp_path: Path, capsys):
    d = shared_fixture("a0_stream_ckpt")
    model = _convert(d, tmp_path / "a0.safetensors", ["--model", "a0", "--variant", "stream"])
    errs = _check(model, d)
    print("a0 stream 172 max |engine - official| / max|official|:", errs)


def test_committed_fixtures_present():
    names = {d.name for d in _fixtures()}
    assert {"a0_stream_pe", "a0_base", "t0_stream_3d2plus1d", "a0_causal_3d"} <= names
