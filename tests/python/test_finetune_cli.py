"""``movicore train`` hygiene (--help defaults, --out reuse, --resume alone, interrupts,
--init of checkpoints and bad files, --model/--variant conflicts, short clips) and what the
exported file records (training / video metadata, used by eval and shown by inspect;
``convert --best/--last`` of a trainer checkpoint)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("av")

from test_video import write_video

from movicore import modelfile
from movicore.assets import DEMO_MODEL
from movicore.cli.main import main
from movicore.data.folder import VideoFolder
from movicore.train.provenance import read_training

TINY = ["--size", "16", "--frames", "3", "--threads", "1", "--quiet", "--warmup-frames", "1",
        "--batch-size", "2", "--steps", "4", "--seed", "3"]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two classes (bright / dark noise), 3 videos each of 6 frames at 10 fps."""
    root = tmp_path_factory.mktemp("ftdata")
    rng = np.random.default_rng(5)
    for c, name in enumerate(["bright", "dark"]):
        (root / name).mkdir()
        for i in range(3):
            base = 200 if c == 0 else 40
            frames = np.clip(base + rng.integers(-20, 20, (6, 24, 32, 3)), 0, 255)
            write_video(root / name / f"v{i}.avi", frames.astype(np.uint8))
    return root


def _train(data: Path, out: Path, *extra: str) -> int:
    return main(["train", "--data", str(data), "--init", str(DEMO_MODEL), "--out", str(out),
                 *TINY, *extra])


def test_help_shows_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["train", "--help"])
    assert exc.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for expected in ("(default: t0)", "(default: 64)", "(default: 16)", "(default: 0.05)",
                     "(default: runs/train)", "lowest frame rate", "Fine-tuning recipe",
                     "default: frozen with --init", "default: the recipe"):
        assert expected in text, expected


def test_existing_out_is_refused_unless_force(data: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    assert _train(data, out) == 0
    first = (out / "best.safetensors").read_bytes()
    capsys.readouterr()
    assert _train(data, out) == 1
    err = capsys.readouterr().err
    assert "holds an earlier run" in err and "--resume" in err and "--force" in err
    assert err.count("\n") == 1 and (out / "best.safetensors").read_bytes() == first
    assert _train(data, out, "--force") == 0


def test_interrupt_prints_resume_and_resume_alone_restores_everything(
        data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    flags = ["--steps", "6", "--batch-size", "2", "--patience", "0", "--no-flip"]
    assert _train(data, tmp_path / "full", *flags) == 0
    full = torch.load(tmp_path / "full" / "checkpoint.pt", weights_only=False)

    real = VideoFolder.batches

    def interrupted(self, epoch, batch_size, shuffle=False):
        if self.train and epoch == 1:
            raise KeyboardInterrupt
        return real(self, epoch, batch_size, shuffle)

    monkeypatch.setattr(VideoFolder, "batches", interrupted)
    out = tmp_path / "cut"
    capsys.readouterr()
    assert _train(data, out, *flags) == 130
    err = capsys.readouterr().err
    assert f"resume with: movicore train --resume {out / 'checkpoint.pt'}" in err
    monkeypatch.setattr(VideoFolder, "batches", real)
    ck = str(out / "checkpoint.pt")
    assert main(["train", "--resume", ck, "--frames", "4"]) == 1  # settings are the run's
    assert "differs from the run's" in capsys.readouterr().err
    assert main(["train", "--resume", ck]) == 0  # nothing else given
    done = torch.load(ck, weights_only=False)
    assert done["epoch"] == full["epoch"] and done["step"] == full["step"] == 6
    for k, v in full["state_dict"].items():
        assert torch.equal(v, done["state_dict"][k]), k


def test_init_from_checkpoint_and_bad_files(data: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert _train(data, tmp_path / "a") == 0
    capsys.readouterr()
    ck = tmp_path / "a" / "checkpoint.pt"
    assert main(["train", "--data", str(data), "--init", str(ck), "--out",
                 str(tmp_path / "c"), *TINY]) == 0
    assert "trainer checkpoint, best epoch" in capsys.readouterr().err
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x10" * 64)
    bare = tmp_path / "bare.pt"
    torch.save({"w": torch.zeros(2)}, bare)
    for bad, why in ((junk, "is not a movicore model file"), (bare, "not a movicore trainer")):
        assert main(["train", "--data", str(data), "--init", str(bad), "--out",
                     str(tmp_path / "d"), *TINY]) == 1
        err = capsys.readouterr().err
        assert why in err and "movicore convert" in err and err.count("\n") == 1
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize(("flag", "value"), [("--model", "a0"), ("--variant", "base")])
def test_model_or_variant_conflicting_with_init(data: Path, tmp_path: Path, flag: str,
                                                value: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert _train(data, tmp_path / "x", flag, value) == 1
    err = capsys.readouterr().err
    assert "conflicts with --init" in err and f"drop {flag}" in err


def test_clips_shorter_than_needed_are_an_error(data: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--data", str(data), "--init", str(DEMO_MODEL), "--out",
                 str(tmp_path / "s"), *TINY, "--frames", "7"]) == 1
    err = capsys.readouterr().err
    assert "6 frames at 10 fps, but a clip needs 7" in err and "never padded" in err


def test_exported_file_records_training_and_convert_best_last(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    assert _train(data, out, "--steps", "6", "--patience", "0") == 0
    printed = capsys.readouterr().out
    ck = torch.load(out / "checkpoint.pt", weights_only=False)
    best, last = ck["best_epoch"], ck["epoch"]
    mf = modelfile.read_model_file(out / "best.safetensors")
    t = read_training(mf.metadata)
    assert t["epoch"] == best + 1 and f"exported epoch {best + 1} " in printed
    assert (t["frames"], t["fps"], t["size"], t["resize"]) == (3, 10.0, 16, 18)
    assert t["classes"] == ["bright", "dark"] and t["init"] == DEMO_MODEL.name
    assert t["recipe"]["bn_frozen"] and t["metrics"]["val_loss"] == pytest.approx(
        ck["history"][best]["val_loss"], abs=1e-6)
    assert json.loads(mf.metadata["video"]) == {"fps": 10.0, "resize": 18}

    src = str(out / "checkpoint.pt")
    assert main(["convert", src, "-o", str(tmp_path / "b.safetensors")]) == 0
    err = capsys.readouterr().err
    assert f"exporting the best (lowest validation loss) epoch {best + 1} " in err
    b = modelfile.read_model_file(tmp_path / "b.safetensors")
    assert read_training(b.metadata)["epoch"] == best + 1
    assert all(np.array_equal(b.tensors[k], mf.tensors[k]) for k in mf.tensors)
    assert main(["convert", src, "--last", "-o", str(tmp_path / "l.safetensors")]) == 0
    assert f"exporting the last epoch {last + 1} " in capsys.readouterr().err
    lf = modelfile.read_model_file(tmp_path / "l.safetensors")
    assert read_training(lf.metadata)["epoch"] == last + 1
    assert read_training(lf.metadata)["selected"] == "last epoch"
    bare = tmp_path / "bare.pt"
    torch.save(ck["state_dict"], bare)
    assert main(["convert", str(bare), "--best", "--model", "t0", "--variant", "stream",
                 "-o", str(tmp_path / "x.safetensors")]) == 1
    assert "applies to trainer checkpoints" in capsys.readouterr().err

    assert main(["inspect", str(out / "best.safetensors")]) == 0
    shown = capsys.readouterr().out
    assert "trained:" in shown and f"epoch {best + 1} (best val loss)" in shown
    assert "3 frames at 10 fps" in shown


def test_eval_defaults_to_the_training_clip(data: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("movicore._core")
    out = tmp_path / "run"
    assert _train(data, out, "--frames", "6") == 0
    capsys.readouterr()
    # 6-frame videos: the demo's 8-frame default would be too long; the file says 6.
    assert main(["eval", str(out / "best.safetensors"), str(data), "--quiet"]) == 0
    assert "on 6 clips" in capsys.readouterr().out
    assert main(["eval", str(out / "best.safetensors"), str(data), "--quiet",
                 "--frames", "8"]) == 1
    assert "but a clip needs 8" in capsys.readouterr().err


def test_unreadable_videos_are_left_out_with_a_warning(data: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A broken download (a cut MP4, an empty file) among the videos: train and eval leave
    it out and say so, instead of failing when the loader reaches it; a class with no
    readable video at all is an error."""
    import shutil

    pytest.importorskip("movicore._core")
    root = tmp_path / "data"
    shutil.copytree(data, root)
    (root / "bright" / "cut.mp4").write_bytes((root / "bright" / "v0.avi").read_bytes()[:300])
    (root / "dark" / "empty.mp4").write_bytes(b"")
    out = tmp_path / "run"
    assert _train(root, out, "--frames", "6") == 0
    err = capsys.readouterr().err
    assert "skipped 2 unreadable videos: " in err
    assert f"{root / 'bright' / 'cut.mp4'}" in err and f"{root / 'dark' / 'empty.mp4'}" in err
    trained = read_training(modelfile.read_model_file(out / "best.safetensors").metadata)
    assert trained["train_clips"] + trained["val_clips"] == 6  # the readable ones

    assert main(["eval", str(out / "best.safetensors"), str(root), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "on 6 clips (2 unreadable videos left out)" in captured.out
    assert "skipped 2 unreadable videos" in captured.err

    for f in (root / "dark").glob("*.avi"):
        f.write_bytes(b"not a video")
    assert _train(root, tmp_path / "run2", "--frames", "6") == 1
    err = capsys.readouterr().err
    assert "class 'dark': none of its videos can be read" in err
    assert len(err.strip().splitlines()) == 1
