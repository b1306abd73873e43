"""Frames are picked by presentation time: constant and variable frame rates, gaps."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from movicore.video import settings
from movicore.video.sampling import TimeSampler


def kept(times: list[float], fps: float | None) -> list[int]:
    s = TimeSampler(fps)
    return [i for i, t in enumerate(times) if s.keep(t)]


def test_constant_rates() -> None:
    assert kept([i / 30 for i in range(600)], 5.0) == list(range(0, 600, 6))  # 20 s -> 100
    assert kept([i / 25 for i in range(100)], 5.0) == list(range(0, 100, 5))  # official
    assert kept([i / 25 for i in range(100)], 12.5) == list(range(0, 100, 2))
    assert kept([i / 25 for i in range(99)], 25 / 3) == list(range(0, 99, 3))
    ntsc = [i * 1001 / 30000 for i in range(300)]  # 29.97 fps: 1 in 6 with an occasional 5
    got = kept(ntsc, 5.0)
    assert len(got) == 50 and set(np.diff(got)) <= {5, 6}
    assert kept([i / 10 for i in range(10)], 30.0) == list(range(10))  # slower source
    assert kept([0.5, 0.6, 0.7], None) == [0, 1, 2]  # 'source': every frame


def test_variable_rate_and_gaps() -> None:
    times = [0.0, 0.01, 0.02, 0.25, 0.26, 0.41, 0.42, 0.99, 1.0, 1.01, 1.2]
    # 5 fps slots [0, .2), [.2, .4), [.4, .6), ... : first frame in each slot
    assert kept(times, 5.0) == [0, 3, 5, 7, 8, 10]
    offset = [t + 100.0 for t in times]  # a live stream's first pts is not 0
    assert kept(offset, 5.0) == [0, 3, 5, 7, 8, 10]
    # a restarted live stream (time jumps back): sampling restarts instead of stalling
    assert kept([0.0, 0.2, 0.4, 0.6, 0.0, 0.2, 0.4], 5.0) == [0, 1, 2, 3, 4, 5, 6]


def test_bad_fps() -> None:
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="fps"):
            TimeSampler(bad)


def _write_vfr(path: Path, pts_ms: list[int]) -> None:
    av = pytest.importorskip("av")
    with av.open(str(path), mode="w") as c:
        s = c.add_stream("ffv1", rate=1000)
        s.width, s.height, s.pix_fmt = 32, 24, "yuv420p"
        s.time_base = Fraction(1, 1000)
        for i, t in enumerate(pts_ms):
            f = av.VideoFrame.from_ndarray(np.full((24, 32, 3), i * 5 % 256, np.uint8),
                                           format="rgb24")
            f.pts, f.time_base = t, Fraction(1, 1000)
            for pkt in s.encode(f):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)


def test_variable_frame_rate_file(tmp_path: Path) -> None:
    from movicore.video.api import VideoSource

    # 0.5 s at 50 fps, a 0.7 s hole (dropped frames), then 10 fps
    pts = [i * 20 for i in range(25)] + [1200 + i * 100 for i in range(10)]
    path = tmp_path / "vfr.mkv"
    _write_vfr(path, pts)
    got = [t for t, _ in VideoSource(path, fps=5)]
    want = [pts[i] / 1000 for i in kept([p / 1000 for p in pts], 5.0)]
    np.testing.assert_allclose(got, want, atol=1e-6)
    assert got[:3] == pytest.approx([0.0, 0.2, 0.4]) and 1.2 in [round(t, 3) for t in got]
    every = [t for t, _ in VideoSource(path, fps="source")]
    np.testing.assert_allclose(every, [p / 1000 for p in pts], atol=1e-6)


def test_official_a0_stream_gets_100_frames_from_20s_at_30fps(tmp_path: Path) -> None:
    from video_helpers import make_clip

    from movicore.video.api import VideoSource

    clip = make_clip(tmp_path / "c.mp4", size="64x48", rate=30, seconds=20)
    a0 = settings.official("a0")
    assert (a0.fps, a0.resize) == (5.0, 192)
    src = VideoSource(clip, fps=a0.fps)
    n = sum(1 for _ in src)
    assert n == 100 and src.frames_decoded == 600


def test_model_settings_defaults_and_overrides(tmp_path: Path) -> None:
    from movicore import arch, modelfile

    off = {m: settings.official(m) for m in arch.MODEL_IDS}
    assert {m: (s.fps, s.resize) for m, s in off.items()} == {
        "a0": (5.0, 192), "a1": (5.0, 192), "a2": (5.0, 256), "a3": (12.5, 288),
        "a4": (25 / 3, 320), "a5": (12.5, 368), "t0": (2.5, 176)}
    assert settings.default_for("a2", 224) == off["a2"]
    assert settings.default_for("t0", 32) == settings.VideoSettings(None, 32)
    cfg = arch.default_config("t0", num_classes=3, input_size=32)
    from movicore.benchmark.models import random_model_tensors

    tensors = random_model_tensors(cfg, 0)
    plain, tagged = tmp_path / "plain.safetensors", tmp_path / "tagged.safetensors"
    modelfile.write_model_file(plain, cfg, tensors)
    modelfile.write_model_file(tagged, cfg, tensors, extra_metadata={
        "video": settings.VideoSettings(7.5, 40).to_json()})
    assert settings.for_model(modelfile.read_model_file(plain)) == settings.VideoSettings(None, 32)
    t = modelfile.read_model_file(tagged)
    assert settings.for_model(t) == settings.VideoSettings(7.5, 40)
    assert settings.resolve(t) == (7.5, 40)
    assert settings.resolve(t, "source") == (None, 40)
    assert settings.resolve(t, 3, 64) == (3.0, 64)
    assert settings.resolve(None) == (None, None)
    for bad in ("0", "-2", "fast", "nan"):
        with pytest.raises(ValueError, match="--fps"):
            settings.resolve(t, bad)
    from movicore.cli.inspect import format_text, summary

    shown = summary(tagged)
    assert shown["video"] == {"fps": 7.5, "resize": 40, "from": "file"}
    assert "video" not in shown["metadata"]
    assert "video in:        7.5 frames/s, short side 40 then center crop 32x32" in \
        format_text(shown)
    assert summary(plain)["video"] == {"fps": None, "resize": 32, "from": "default"}
    broken = tmp_path / "broken.safetensors"
    modelfile.write_model_file(broken, cfg, tensors, extra_metadata={"video": '{"fps": -1, '
                                                                                '"resize": 8}'})
    with pytest.raises(modelfile.ModelFormatError, match="video"):
        modelfile.read_model_file(broken)


def test_loop_restarts_a_file_with_increasing_timestamps(tmp_path: Path) -> None:
    from video_helpers import make_clip

    from movicore.video.api import VideoSource

    clip = make_clip(tmp_path / "c.mp4", size="32x24", rate=10, seconds=1)  # 10 frames
    with VideoSource(clip, fps="source", loop=True) as src:
        times = []
        for t, _ in src:
            times.append(t)
            if len(times) == 25:
                break
    np.testing.assert_allclose(times, np.arange(25) / 10, atol=1e-6)
    assert src.frames_decoded >= 25


def test_video_source_checks_fps_loop_and_takes_demo() -> None:
    """Numbers from the Python API are checked like --fps (a float NaN or -1.0 used to pass
    until the first frame); loop must be a bool (bool("false") is True); "demo" names the
    embedded model, as in movicore.load."""
    pytest.importorskip("av")
    from test_video import find_test_video

    from movicore.video.api import VideoSource, classify

    path = find_test_video("bikes.mp4")
    for bad in (float("nan"), float("inf"), -1.0, 0.0, [5]):
        with pytest.raises(ValueError, match="must be a positive number or 'source'"):
            VideoSource(path, fps=bad)
    with pytest.raises(TypeError, match="loop must be True or False, got 'false'"):
        VideoSource(path, loop="false")
    t, top = next(iter(classify(path, "demo")))
    assert t == 0.0 and len(top) == 5
