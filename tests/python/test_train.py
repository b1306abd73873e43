"""Trainer: a tiny run reduces the loss, exports a loadable file, resumes, fine-tunes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from movicore import modelfile
from movicore.data.synthetic import CLASSES, SyntheticActions
from movicore.train.loop import TrainOptions, evaluate, seed_everything, train_loop
from movicore.train.model_init import make_model
from movicore.train.schedule import warmup_cosine


class _Fixed:
    """A fixed batch repeated: the loss on it must go down (memorisation)."""

    def __init__(self, clips: np.ndarray, labels: np.ndarray, names: list[str]) -> None:
        self.clips, self.y, self.labels = clips, labels, names

    def __len__(self) -> int:
        return len(self.y)

    def batches(self, epoch: int, batch_size: int, shuffle: bool = False):
        for s in range(0, len(self.y), batch_size):
            yield self.clips[s:s + batch_size], self.y[s:s + batch_size]


def _tiny(variant: str = "stream", classes: int = 3) -> torch.nn.Module:
    return make_model("t0", variant, classes, size=16)


def test_schedule_warmup_then_cosine() -> None:
    lrs = [warmup_cosine(s, 100, 10) for s in range(100)]
    assert lrs[0] == pytest.approx(0.1) and lrs[9] == pytest.approx(1.0)
    assert all(a >= b for a, b in zip(lrs[10:], lrs[11:]))
    assert lrs[-1] < 0.05


@pytest.mark.parametrize("variant", ["stream", "base"])
def test_tiny_run_reduces_loss_and_exports(tmp_path: Path, seed: int, variant: str) -> None:
    clips, _ = SyntheticActions(8, seed, frames=6, size=16).batches(0, 8).__next__()
    labels = np.arange(8) % 3
    data = _Fixed(clips, labels, ["a", "b", "c"])
    model = _tiny(variant)
    before = evaluate(model, data, 8)["loss"]
    opts = TrainOptions(epochs=12, batch_size=8, lr=3e-3, warmup_epochs=0, weight_decay=0.0,
                        label_smoothing=0.0, seed=seed, threads=1, progress=False,
                        bn_momentum=1.0,  # eval-mode BN stats = the (fixed) batch stats
                        warmup_frames=2, out_dir=str(tmp_path), log=lambda s: None,
                        export=str(tmp_path / "best.safetensors"))
    res = train_loop(model, data, data, opts)
    after = evaluate(model, data, 8)["loss"]
    assert after < 0.7 * before, f"seed={seed} loss {before:.3f} -> {after:.3f}"
    assert res.steps == 12 and len(res.history) == 12
    mf = modelfile.read_model_file(tmp_path / "best.safetensors")
    assert mf.labels == ["a", "b", "c"] and mf.config.variant == variant
    assert mf.config.input_size == 16 and mf.config.num_classes == 3
    ck = torch.load(tmp_path / "checkpoint.pt", weights_only=False)
    assert {"config", "state_dict", "optimizer", "epoch", "labels", "rng"} <= set(ck)
    assert ck["epoch"] == 11 and ck["labels"] == ["a", "b", "c"]


def test_seeded_runs_are_identical_and_resume_continues(tmp_path: Path, seed: int) -> None:
    train = SyntheticActions(8, seed, frames=5, size=16, fresh=True)
    val = SyntheticActions(8, seed + 1, frames=5, size=16)

    def run(out: Path, epochs: int, resume: str | None = None) -> dict:
        seed_everything(seed, 1)
        model = make_model("t0", "stream", len(CLASSES), size=16)
        opts = TrainOptions(epochs=epochs, batch_size=4, seed=seed, threads=1, progress=False,
                            warmup_frames=2, out_dir=str(out), resume=resume,
                            log=lambda s: None)
        train_loop(model, train, val, opts)
        return {k: v.clone() for k, v in model.state_dict().items()}

    a = run(tmp_path / "a", 2)
    b = run(tmp_path / "b", 2)
    assert all(torch.equal(a[k], b[k]) for k in a), f"seed={seed}: not deterministic"
    run(tmp_path / "c", 1)
    c = run(tmp_path / "c", 2, resume=str(tmp_path / "c" / "checkpoint.pt"))
    diff = max(float((a[k].float() - c[k].float()).abs().max()) for k in a)
    assert diff < 1e-5, f"seed={seed}: resume differs by {diff}"


def test_fine_tune_replaces_classifier(tmp_path: Path) -> None:
    from movicore.reference import to_file

    src = _tiny(classes=5)
    to_file(src, tmp_path / "src.safetensors", [f"c{i}" for i in range(5)])
    ft = make_model("t0", "stream", 3, init=str(tmp_path / "src.safetensors"), num_classes=3)
    assert ft.config.num_classes == 3 and ft.config.input_size == 16
    s, f = src.state_dict(), ft.state_dict()
    assert torch.equal(s["stem.conv.weight"], f["stem.conv.weight"])
    assert f["classifier.logits.weight"].shape[0] == 3
    with pytest.raises(ValueError, match="num-classes"):
        make_model("t0", "stream", 3, init=str(tmp_path / "src.safetensors"), num_classes=4)


def test_label_count_mismatch_is_an_error(seed: int) -> None:
    data = SyntheticActions(4, seed, frames=4, size=16)
    with pytest.raises(ValueError, match="classes"):
        train_loop(_tiny(classes=3), data, None, TrainOptions(epochs=1, progress=False))


def test_cli_train_synthetic_and_video_folder(tmp_path: Path, rng: np.random.Generator,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from movicore.cli.main import main

    common = ["--size", "16", "--frames", "4", "--epochs", "1", "--batch-size", "4",
              "--threads", "1", "--quiet", "--warmup-frames", "1"]
    assert main(["train", "--synthetic", "--train-clips", "8", "--val-clips", "10",
                 "--out", str(tmp_path / "syn"), *common]) == 0
    mf = modelfile.read_model_file(tmp_path / "syn" / "best.safetensors")
    assert mf.labels == list(CLASSES) and mf.config.input_size == 16
    assert "exported epoch 1 " in capsys.readouterr().out

    pytest.importorskip("av")
    from test_video import write_video

    for name in ("a", "b"):
        (tmp_path / "vids" / name).mkdir(parents=True)
        for i in range(3):
            frames = rng.integers(0, 255, (5, 20, 24, 3), dtype=np.uint8)
            write_video(tmp_path / "vids" / name / f"{i}.avi", frames)
    assert main(["train", "--data", str(tmp_path / "vids"), "--val-fraction", "0.34",
                 "--out", str(tmp_path / "vid"), *common]) == 0
    assert modelfile.read_model_file(tmp_path / "vid" / "best.safetensors").labels == ["a", "b"]
    ft = ["train", "--data", str(tmp_path / "vids"), "--init",
          str(tmp_path / "syn" / "best.safetensors"), "--num-classes", "2",
          "--out", str(tmp_path / "ft"), *common]
    assert main(ft) == 0
    assert main(["train", "--data", str(tmp_path / "nope"), *common]) == 1
    assert "not found" in capsys.readouterr().err
