"""Training an interleaved member pair (tiny: a few steps at 32 px)."""

from __future__ import annotations

import numpy as np
import pytest

import movicore

torch = pytest.importorskip("torch")

from movicore import reference
from movicore.data.synthetic import SyntheticActions
from movicore.train.ensemble import PhaseSource, train_ensemble
from movicore.train.loop import TrainOptions, seed_everything


def test_phase_source_gives_each_member_its_frames():
    src = SyntheticActions(6, 3, 7, 32)
    (full, y), = list(src.batches(0, 6))
    for phase in (0, 1):
        (part, y2), = list(PhaseSource(src, phase, 2).batches(0, 6))
        np.testing.assert_array_equal(part, full[:, phase::2])
        np.testing.assert_array_equal(y2, y)
    with pytest.raises(ValueError, match="phase"):
        PhaseSource(src, 2, 2)


def test_train_pair_exports_a_working_ensemble(tmp_path, seed):
    train = SyntheticActions(16, seed, 6, 32, fresh=True)
    val = SyntheticActions(8, -1 - seed, 6, 32)
    seed_everything(seed, 1)
    models = [reference.build("t0", "stream", len(train.labels), input_size=32)
              for _ in range(2)]
    opts = TrainOptions(epochs=1, batch_size=8, max_steps=2, threads=1, progress=False,
                        rezero_init=1.0, out_dir=str(tmp_path), log=lambda line: None)
    out = tmp_path / "pair.safetensors"
    res = train_ensemble(models, train, val, opts, export=str(out))
    assert len(res.members) == 2 and all(r.steps == 2 for r in res.members)
    assert res.ensemble_val is not None and res.ensemble_val["n"] == 8
    assert 0.0 <= res.ensemble_val["top1"] <= 1.0
    for i in range(2):
        assert (tmp_path / f"member{i}.safetensors").is_file()
    # The two members were trained on different frames and seeds: different weights.
    w = [m.tensors["classifier.logits.weight"] for m in movicore.load(out).members]
    assert not np.array_equal(w[0], w[1])
    # The exported file runs in the engine like the reference ensemble of the members.
    ref = reference.ensemble_from_file(out)
    clips, _ = next(iter(val.batches(0, 1)))
    x = clips[0].astype(np.float32) / 255.0
    with torch.no_grad():
        want, _ = ref(torch.from_numpy(x[None]))
    got = movicore.Ensemble(movicore.load(out)).run(x)
    assert float(np.abs(got - want[0].numpy()).max()) <= 1e-4 * float(want.abs().max())


def test_cli_train_ensemble(tmp_path, capsys):
    from movicore.cli.main import main

    code = main(["train", "--synthetic", "--model", "t0", "--size", "32", "--frames", "6",
                 "--train-clips", "8", "--val-clips", "8", "--epochs", "1", "--max-steps", "1",
                 "--batch-size", "8", "--threads", "1", "--out", str(tmp_path), "--quiet",
                 "--ensemble"])
    assert code == 0
    out = capsys.readouterr()
    assert "ensemble val top-1" in out.out and "member 2/2" in out.err
    em = movicore.load(tmp_path / "ensemble.safetensors")
    assert isinstance(em, movicore.EnsembleModel) and em.mode == "interleave"
    assert main(["train", "--synthetic", "--out", str(tmp_path), "--ensemble", "1"]) == 1
    assert "at least 2" in capsys.readouterr().err
