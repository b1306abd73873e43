"""``movicore classify`` on a real video (bikes.mp4) and its error paths."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("movicore._core")
av = pytest.importorskip("av")

from full_disk import run_cli_on_full_disk
from test_video import find_test_video, write_video

from movicore.cli.main import main
from movicore.data import synthetic


def test_classify_real_video_json_and_plot(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    path = find_test_video("bikes.mp4")  # 25 fps
    js, png = tmp_path / "out.json", tmp_path / "out.png"
    rc = main(["classify", str(path), "--top", "3", "--every", "10", "--fps", "12.5",
               "--max-frames", "60", "--json", str(js), "--plot", str(png), "--quiet"])
    out = capsys.readouterr().out
    assert rc == 0, out
    res = json.loads(js.read_text())
    assert res["schema"] == "movicore.classify/1"
    assert res["frames"] == 60 and res["fps"] == pytest.approx(12.5)
    assert 119 <= res["frames_decoded"] <= 130  # every 2nd frame of 25 fps (+ read-ahead)
    assert res["labels"] == list(synthetic.CLASSES)
    timeline = res["timeline"]
    assert [e["frame"] for e in timeline] == list(range(1, 61))
    np.testing.assert_allclose([e["time"] for e in timeline], np.arange(60) * 0.08, atol=1e-3)
    for e in [*timeline, res["final"]]:  # one schema for timeline and final entries
        assert set(e) == {"time", "frame", "top"}
        probs = [t["probability"] for t in e["top"]]
        assert len(probs) == 3 and probs == sorted(probs, reverse=True)
        assert 0.0 < sum(probs) <= 1.0 + 1e-6
    assert res["final"] == timeline[-1]
    assert out.count(" frame ") == 6 and "final (60 frames" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "out.png"]


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
        hits += res["final"]["top"][0]["label"] == synthetic.CLASSES[int(y)]
    assert hits >= 2


def test_classify_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                         rng: np.random.Generator) -> None:
    assert main(["classify", str(tmp_path / "missing.mp4")]) == 1
    err = capsys.readouterr().err
    assert "error: video not found" in err and len(err.strip().splitlines()) == 1
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00garbage" * 64)
    assert main(["classify", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "cannot open" in err and "not a video file, or cut short" in err
    assert "Errno" not in err  # FFmpeg's error number is noise to the user
    cut = tmp_path / "cut.mp4"  # an MP4 cut before its index (moov atom at the end)
    cut.write_bytes(find_test_video("bikes.mp4").read_bytes()[:100_000])
    assert main(["classify", str(cut)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == (f"movicore classify: error: cannot open {cut}: Invalid data found "
                           "when processing input (not a video file, or cut short)")
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


def test_classify_model_directory_and_max_frames_zero(capsys: pytest.CaptureFixture[str],
                                                      tmp_path: Path) -> None:
    path = find_test_video("bikes.mp4")
    assert main(["classify", str(path), "--model", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "got a directory" in err and "not found" not in err
    assert main(["classify", str(path), "--max-frames", "0"]) == 1
    assert "--max-frames must be >= 1" in capsys.readouterr().err


def test_output_paths_are_checked_before_decoding(capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from movicore.video import api

    def no_decoding(*a: object, **k: object) -> None:
        raise AssertionError("decoding started before the output paths were checked")

    monkeypatch.setattr(api.VideoSource, "__init__", no_decoding)
    path = find_test_video("bikes.mp4")
    for flag, out in (("--json", tmp_path / "missing" / "o.json"),
                      ("--plot", tmp_path / "missing" / "o.png"), ("--json", tmp_path)):
        assert main(["classify", str(path), flag, str(out)]) == 1
        err = capsys.readouterr().err
        assert err.startswith("movicore classify: error:") and len(err.splitlines()) == 1
        assert ("does not exist" in err) or ("is a directory" in err)


@pytest.mark.parametrize("flag", ["--json", "--plot"])
def test_full_disk_leaves_no_partial_output(tmp_path: Path, flag: str) -> None:
    pytest.importorskip("matplotlib")
    path = find_test_video("bikes.mp4")
    out = tmp_path / ("o.json" if flag == "--json" else "o.png")
    other = ["--plot", str(tmp_path / "p.png")] if flag == "--json" else []
    proc = run_cli_on_full_disk(["classify", str(path), "--max-frames", "20", "--quiet", flag, str(out),
                           *other], limit=4096)
    assert proc.returncode == 1, proc.stderr
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1 and str(out) in err and ".tmp" not in err, err
    assert list(tmp_path.iterdir()) == []  # no output, no temp file, no half of a pair


def test_progress_bar_is_cleared_before_printed_lines() -> None:
    import io

    from movicore.train.progress import Progress

    buf = io.StringIO()
    with Progress(10, "classify", stream=buf) as bar:
        bar.update(3)
        bar.print("frame 3  still 0.9", file=buf)
        bar.update(1)
    text = buf.getvalue()
    before, after = text.split("frame 3  still 0.9\n")
    assert before.endswith("\r\x1b[K")  # the bar's line is erased, then the text
    assert "\r" + "classify [" in after  # and the bar is redrawn below it
