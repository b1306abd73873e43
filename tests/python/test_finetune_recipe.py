"""The fine-tuning recipe: plan scaled to the data, frozen BatchNorm / layers, selection of
the exported epoch by validation loss (ties: later) with early stopping, provenance."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from movicore.train import recipe
from movicore.train.provenance import file_metadata, read_training


def test_plan_scales_with_the_dataset() -> None:
    tiny = recipe.plan(13, finetune=True)
    assert tiny.batch_size == 3 and tiny.steps == recipe.MIN_STEPS
    assert tiny.epochs == 12 and tiny.warmup_steps == 6 and tiny.patience == 3
    assert tiny.lr == recipe.FINETUNE_LR and tiny.head_lr is None
    big = recipe.plan(15000, finetune=True)
    assert big.batch_size == 16 and big.steps == 10 * 938 and big.epochs == 10
    assert big.warmup_steps == 938 and big.patience == 3
    mid = recipe.plan(400, finetune=True)
    assert (mid.batch_size, mid.steps, mid.epochs) == (16, 250, 10)
    # Given values win; --steps and --epochs exclusive; from scratch keeps the old defaults.
    given = recipe.plan(13, finetune=True, batch_size=4, epochs=2, lr=0.01, patience=0)
    assert (given.batch_size, given.steps, given.epochs, given.lr) == (4, 8, 2, 0.01)
    assert given.patience is None
    assert recipe.plan(13, finetune=True, steps=7).steps == 7
    with pytest.raises(ValueError, match="not both"):
        recipe.plan(13, finetune=True, steps=7, epochs=2)
    with pytest.raises(ValueError, match="batch size"):
        recipe.plan(13, finetune=True, batch_size=0)
    scratch = recipe.plan(100, finetune=False)
    assert (scratch.batch_size, scratch.epochs, scratch.steps, scratch.lr) == (16, 8, 56, 3e-3)
    assert scratch.patience is None and scratch.head_lr is None
    assert "60 steps" in tiny.describe(13)


def test_parse_freeze() -> None:
    assert recipe.parse_freeze(None) is None and recipe.parse_freeze("none") is None
    assert recipe.parse_freeze("backbone") == "backbone" and recipe.parse_freeze("2") == 2
    assert recipe.parse_freeze("0") is None
    for bad in ("-1", "head"):
        with pytest.raises(ValueError, match="--freeze"):
            recipe.parse_freeze(bad)


def test_file_metadata_round_trip() -> None:
    rec = {"epoch": 4, "step": 20, "train_loss": 0.5, "val_loss": 0.25, "val_top1": 1.0,
           "clips_per_s": 3.0}
    meta = file_metadata({"frames": 12, "fps": 25.0}, {"fps": 25, "resize": 110}, rec, "best")
    t = read_training(meta)
    assert t["epoch"] == 5 and t["step"] == 20 and t["selected"] == "best"
    assert t["metrics"] == {"train_loss": 0.5, "val_loss": 0.25, "val_top1": 1.0}
    assert json.loads(meta["video"]) == {"fps": 25.0, "resize": 110}
    assert read_training({}) == {} and read_training({"training": "[1]"}) == {}


torch = pytest.importorskip("torch")

from movicore import modelfile
from movicore.train import loop
from movicore.train.model_init import make_model


class _Data:
    def __init__(self, n: int, seed: int) -> None:
        self.labels = ["a", "b", "c"]
        rng = np.random.default_rng(seed)
        self.x = rng.integers(0, 256, (n, 5, 16, 16, 3), dtype=np.uint8)
        self.y = np.arange(n) % 3

    def __len__(self) -> int:
        return len(self.y)

    def batches(self, epoch: int, batch_size: int, shuffle: bool = False):
        for s in range(0, len(self.y), batch_size):
            yield self.x[s:s + batch_size], self.y[s:s + batch_size]


def _bn_stats(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in model.state_dict().items()
            if k.endswith(("running_mean", "running_var"))}


def test_frozen_batchnorm_and_layers_do_not_move(seed: int) -> None:
    model = make_model("t0", "stream", 3, size=16)
    stats = _bn_stats(model)
    params = {k: v.clone() for k, v in model.named_parameters()}
    opts = loop.TrainOptions(epochs=1, batch_size=3, lr=1e-2, seed=seed, threads=1,
                             progress=False, freeze_bn=True, freeze=1, warmup_frames=1,
                             log=lambda s: None)
    loop.train_loop(model, _Data(6, seed), None, opts)
    after = _bn_stats(model)
    assert all(torch.equal(stats[k], after[k]) for k in stats), "BN statistics moved"
    now = dict(model.named_parameters())
    for k, v in params.items():
        fixed = k.startswith(("stem.", "blocks.block0_"))
        assert torch.equal(v, now[k]) == fixed, k
    # Without freezing, the statistics do move (the check above can fail).
    model = make_model("t0", "stream", 3, size=16)
    opts.freeze_bn, opts.freeze = False, None
    loop.train_loop(model, _Data(6, seed), None, opts)
    assert not all(torch.equal(stats[k], v) for k, v in _bn_stats(model).items())
    assert loop.freeze_layers(make_model("t0", "stream", 3, size=16), "backbone") == sum(
        1 for k, _ in model.named_parameters() if not k.startswith("classifier."))


def test_best_epoch_by_val_loss_ties_later_and_early_stop(tmp_path: Path, seed: int,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    losses = iter([0.5, 0.3, 0.3, 0.4, 0.4, 0.4, 0.1, 0.1])
    top1 = iter([0.9, 0.5, 0.4, 1.0, 1.0, 1.0, 1.0, 1.0])  # top-1 would pick epoch 4

    def scripted(model, source, batch_size=32, *, progress=False):
        return {"top1": next(top1), "top5": 1.0, "loss": next(losses), "n": 3}

    monkeypatch.setattr(loop, "evaluate", scripted)
    lines: list[str] = []
    opts = loop.TrainOptions(epochs=8, batch_size=3, seed=seed, threads=1, progress=False,
                             patience=3, warmup_frames=1, out_dir=str(tmp_path),
                             export=str(tmp_path / "best.safetensors"), log=lines.append,
                             training_meta={"frames": 5}, video_meta={"fps": 10.0,
                                                                      "resize": 18})
    res = loop.train_loop(make_model("t0", "stream", 3, size=16), _Data(3, seed),
                          _Data(3, seed + 1), opts)
    assert res.best_epoch == 2 and res.best_loss == 0.3  # tie with epoch 2: the later one
    assert res.stopped_early and len(res.history) == 6  # 3 epochs without a lower loss
    assert any(line.startswith("early stop") and "epoch 3" in line for line in lines)
    mf = modelfile.read_model_file(tmp_path / "best.safetensors")
    t = read_training(mf.metadata)
    assert t["epoch"] == 3 and t["metrics"]["val_loss"] == 0.3 and t["frames"] == 5
    assert json.loads(mf.metadata["video"]) == {"fps": 10.0, "resize": 18}
    assert res.history[-1]["step"] == 6
    ck = torch.load(tmp_path / "checkpoint.pt", weights_only=False)
    assert ck["best_epoch"] == 2 and ck["epoch"] == 5 and ck["stopped_early"]


def test_imprinted_classifier_is_the_nearest_class_mean(seed: int) -> None:
    from movicore.train.imprint import final_features, imprint

    model = make_model("t0", "stream", 3, size=16).eval()
    data = _Data(9, seed)
    lr = imprint(model, data, 3)
    h = final_features(model, data.x)
    means = torch.stack([h[torch.from_numpy(data.y) == c].mean(0) for c in range(3)])
    nearest = torch.cdist(h, means).argmin(1)
    with torch.no_grad():
        logits, _ = model(torch.from_numpy(data.x).float() / 255)
    assert torch.equal(logits.argmax(1), nearest)
    gap = [float((means[a] - means[b]).square().sum()) for a, b in ((0, 1), (0, 2), (1, 2))]
    k = 4 / np.mean(gap)
    with torch.no_grad():
        at_mean = (model.classifier.logits.weight.reshape(3, -1) @ means[0]
                   + model.classifier.logits.bias)
    assert float(at_mean[0] - at_mean[1]) == pytest.approx(k * gap[0] / 2, rel=1e-3)
    assert lr == pytest.approx(0.05 / float(h.abs().sum(1).mean()), rel=1e-4)
