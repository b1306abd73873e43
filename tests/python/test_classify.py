"""``movicore classify`` on a real video (bikes.mp4) and its error paths."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("movicore._core")
av = pytest.importorskip("av")

from test_video import find_test_video, write_video

from movicore.cli.main import main
from movicore.data import synthetic


def test_classify_real_video_json_and_plot(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    path = find_test_video("bikes.mp4")
    js, png = tmp_path / "out.json", tmp_path / "out.png"
    rc = main(["classify", str(path), "--top", "3", "--every", "10", "--stride", "2",
               "--max-frames", "60", "--json", str(js), "--plot", str(png), "--quiet"])
    out = capsys.readouterr().out
    assert rc == 0, out
    res = json.loads(js.read_text())
    assert res["frames"] == 60 and res["stride"] == 2 and res["fps"] == pytest.approx(12.5)
    assert res["labels"] == list(synthetic.CLASSES)
    assert [t["frame"] for t in res["timeline"]] == [10, 20, 30, 40, 50, 60]
    assert len(res["per_frame_top"]) == 60
    for tops in res["per_frame_top"]:
        probs = [p for _, p in tops]
        assert len(tops) == 3 and probs == sorted(probs, reverse=True)
        assert 0.0 < sum(probs) <= 1.0 + 1e-6
    assert res["final"][0]["label"] == res["per_frame_top"][-1][0][0]
    assert out.count("frame ") >= 6 and "final (60 frames)" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_classify_synthetic_video_file_is_right(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    """A synthetic clip written to a lossless file and decoded back gets its class."""
    import movicore
    from movicore.assets import DEMO_FRAMES, DEMO_MODEL

    size = movicore.load(DEMO_MODEL).config.input_size
    clips, labels = synthetic.generate(3, 4242, frames=DEMO_FRAMES, size=size)
    hits = 0
    for i, (clip, y) in enumerate(zip(clips, labels)):
        path = tmp_path / f"c{i}.mkv"
        with av.open(str(path), mode="w") as c:
            s = c.add_stream("ffv1", rate=10)
            s.width = s.height = clip.shape[1]
            s.pix_fmt = "bgr0"
            for f in clip:
                for pkt in s.encode(av.VideoFrame.from_ndarray(f, "rgb24")):
                    c.mux(pkt)
            for pkt in s.encode():
                c.mux(pkt)
        assert main(["classify", str(path), "--json", "-", "--every", "0", "--quiet"]) == 0
        res = json.loads(capsys.readouterr().out)
        hits += res["final"][0]["label"] == synthetic.CLASSES[int(y)]
    assert hits >= 2


def test_classify_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                         rng: np.random.Generator) -> None:
    assert main(["classify", str(tmp_path / "missing.mp4")]) == 1
    err = capsys.readouterr().err
    assert "error: video not found" in err and len(err.strip().splitlines()) == 1
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00garbage" * 64)
    assert main(["classify", str(bad)]) == 1
    assert "cannot read video" in capsys.readouterr().err
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    assert main(["classify", str(empty)]) == 1
    assert "empty" in capsys.readouterr().err
    ok = write_video(tmp_path / "ok.avi", rng.integers(0, 255, (3, 32, 32, 3), dtype=np.uint8))
    labels = tmp_path / "labels.txt"
    labels.write_text("one\ntwo\n")
    assert main(["classify", str(ok), "--labels", str(labels)]) == 1
    assert "model/label mismatch" in capsys.readouterr().err
    assert main(["classify", str(ok), "--model", str(tmp_path / "nope.safetensors")]) == 1
    assert "not found" in capsys.readouterr().err
