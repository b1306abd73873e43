"""Folder of videos as a clip source: ``root/<class>/*.{mp4,avi,mov,mkv,webm}``.

Either ``root/train/<class>/...`` + ``root/val/<class>/...`` or one ``root/<class>/...`` tree
split per class deterministically (seeded). Implements the trainer's clip-source protocol
(``labels``, ``__len__``, ``batches(epoch, batch_size, shuffle)``), a pure function of
``(seed, epoch)``.

Frames are picked by time at ``fps`` (the first frame in every ``1/fps`` slot, as the video
input does at inference; ``None`` = every decoded frame), then every ``stride``-th. A clip is
``frames`` consecutive picked frames: a random window for training, the central one for
evaluation. A video with fewer picked frames than ``frames`` is an error that names it
(nothing is repeated or padded; the inference input, ``movicore.VideoSource``, loops short
files only when asked).

Training transform (the official one, movinet-reference.md §8): one random resized crop per
clip (area 8-100 % of the frame, aspect 1/2-2, log-uniform), resized to ``size`` x ``size``,
and a random horizontal flip (``flip``; on by default in the CLI, off where a class is
defined by a left/right direction). Evaluation transform: the official one
(``movicore.video.preprocess``): short side resized to ``resize``, center crop ``size``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from movicore.data.video import VIDEO_EXTENSIONS, VideoInfo, iter_timed_frames, probe
from movicore.video.preprocess import preprocess, resize_region
from movicore.video.sampling import TimeSampler

CROP_AREA = (0.08, 1.0)
CROP_ASPECT = (0.5, 2.0)
# Decoded training frames are kept in memory (short side at most CACHE_SHORT_SIDE x size)
# while the cache stays under this many bytes: small fine-tuning sets decode once.
CACHE_BYTES = 1 << 30
CACHE_SHORT_SIDE = 2


def scan(root: str | os.PathLike[str]) -> tuple[list[str], list[tuple[Path, int]]]:
    """Class names (sorted sub-folder names) and (file, label) pairs under ``root``."""
    r = Path(root)
    if not r.is_dir():
        raise ValueError(f"dataset folder not found: {r}")
    classes = sorted(d.name for d in r.iterdir() if d.is_dir() and not d.name.startswith("."))
    items = []
    for label, name in enumerate(classes):
        files = sorted(f for f in (r / name).rglob("*")
                       if f.is_file() and f.suffix.lower() in VIDEO_EXTENSIONS)
        items += [(f, label) for f in files]
    if not classes or not items:
        raise ValueError(f"no videos found in {r} (expected {r}/<class>/*.mp4, "
                         f"extensions {', '.join(VIDEO_EXTENSIONS)})")
    return classes, items


# (path, size, mtime_ns) -> the header's VideoInfo, or the error opening it raised: each file
# is opened once per process (the split, the data defaults and the lowest frame rate ask).
_HEADERS: dict[tuple[str, int, int], VideoInfo | ValueError] = {}


def _header(path: Path) -> VideoInfo | ValueError:
    """``probe(path)``, or the VideoSourceError it raised (empty, not a video, no video stream,
    no decoder), cached."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _HEADERS:
        try:
            _HEADERS[key] = probe(path)
        except ValueError as exc:
            _HEADERS[key] = exc
    return _HEADERS[key]


def why_unreadable(path: Path) -> str | None:
    """None if the video opens (a container with a video stream of a known codec), else why
    not. The header only: damage further in is met (and kept up to) at decode time."""
    header = _header(path)
    return str(header) if isinstance(header, ValueError) else None


def video_fps(path: Path) -> float:
    """The frame rate in the video's header (0 = unknown), from the same cached opening."""
    header = _header(path)
    if isinstance(header, ValueError):
        raise header
    return float(header.fps)


def scan_readable(root: str | os.PathLike[str]
                  ) -> tuple[list[str], list[tuple[Path, int]], list[tuple[Path, str]]]:
    """``scan`` without the videos that cannot be opened: (classes, items, skipped with why).
    A broken download among thousands should not end a training run an hour in, but a class
    left with no readable video is an error (the model would learn a label it never saw)."""
    classes, items = scan(root)
    good, skipped = drop_unreadable(classes, items)
    return classes, good, skipped


def drop_unreadable(classes: list[str], items: list[tuple[Path, int]]
                    ) -> tuple[list[tuple[Path, int]], list[tuple[Path, str]]]:
    """(readable items, skipped videos with why) of a ``scan``; see ``scan_readable``."""
    why = {path: why_unreadable(path) for path, _ in items}
    good = [(path, label) for path, label in items if why[path] is None]
    present = {label for _, label in good}
    for label, name in enumerate(classes):
        if label not in present:
            first = next(p for p, c in items if c == label)
            raise ValueError(f"class {name!r}: none of its videos can be read "
                             f"(e.g. {why[first]})")
    return good, [(path, why[path]) for path, _ in items if why[path] is not None]


def describe_skipped(skipped: list[tuple[Path, str]], most: int = 3) -> str:
    """'skipped 2 unreadable videos: <why 1>; <why 2>' (the first ``most``; every reason
    names its file)."""
    shown = "; ".join(why for _, why in skipped[:most])
    more = f"; and {len(skipped) - most} more" if len(skipped) > most else ""
    noun = "video" if len(skipped) == 1 else "videos"
    return f"skipped {len(skipped)} unreadable {noun}: {shown}{more}"


def pick_by_time(times: list[float], fps: float | None) -> list[int]:
    """Indices of the frames kept at ``fps`` (``movicore.video.sampling.TimeSampler``: the
    first frame in each ``1/fps`` slot, as at inference; all frames for ``None``)."""
    sampler = TimeSampler(fps)
    return [i for i, t in enumerate(times) if sampler.keep(t)]


def random_resized_box(h: int, w: int, rng: np.random.Generator) -> tuple[int, int, int, int]:
    """(top, left, height, width) of a random crop with area in CROP_AREA of the frame and
    aspect (w/h) log-uniform in CROP_ASPECT; the whole frame if 10 draws do not fit."""
    lo, hi = math.log(CROP_ASPECT[0]), math.log(CROP_ASPECT[1])
    for _ in range(10):
        area = h * w * rng.uniform(*CROP_AREA)
        aspect = math.exp(rng.uniform(lo, hi))
        cw = round(math.sqrt(area * aspect))
        ch = round(math.sqrt(area / aspect))
        if 1 <= cw <= w and 1 <= ch <= h:
            return int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1)), ch, cw
    return 0, 0, h, w


class VideoFolder:
    """Clips of ``frames`` frames at ``fps`` (every ``stride``-th) at ``size`` x ``size``.

    ``balanced``: training draws every class equally often (each epoch is ``len(self)``
    clips, class first, then a clip of it), for uneven class sizes. See the module docstring
    for the transforms.
    """

    def __init__(self, items: list[tuple[Path, int]], labels: list[str], *, frames: int = 16,
                 stride: int = 1, size: int = 172, resize: int | None = None,
                 fps: float | None = None, train: bool = False, flip: bool = False,
                 balanced: bool = False, seed: int = 0,
                 skipped: list[tuple[Path, str]] | None = None) -> None:
        if frames < 1 or stride < 1 or size < 8:
            raise ValueError(f"need frames >= 1, stride >= 1, size >= 8; got {frames}, "
                             f"{stride}, {size}")
        if fps is not None and not (math.isfinite(fps) and fps > 0):
            raise ValueError(f"fps must be a positive number, got {fps}")
        self.items, self.labels = list(items), list(labels)
        self.frames, self.stride, self.size = frames, stride, size
        self.resize = size if resize is None else int(resize)
        if self.resize < size:
            raise ValueError(f"resize (short side {self.resize}) must be >= size {size}")
        self.fps, self.train, self.flip, self.seed = fps, train, flip, seed
        self.balanced = balanced
        self.skipped = list(skipped or [])  # unreadable videos left out (scan_readable)
        self._cache: dict[int, list[np.ndarray]] = {}
        self._cached_bytes = 0

    @classmethod
    def split(cls, root: str | os.PathLike[str], *, val_fraction: float = 0.2,
              seed: int = 0, flip: bool = False, balanced: bool = False, **kw: object
              ) -> tuple[VideoFolder, VideoFolder]:
        """(train, val) sources; ``kw`` (frames, stride, fps, size, resize) go to both."""
        r = Path(root)
        if (r / "train").is_dir() and (r / "val").is_dir():
            labels, train, skipped = scan_readable(r / "train")
            vlabels, val, vskipped = scan_readable(r / "val")
            skipped += vskipped
            if vlabels != labels:
                raise ValueError(f"{r}/train and {r}/val have different classes: "
                                 f"{labels} vs {vlabels}")
        else:
            if not 0.0 < val_fraction < 1.0:
                raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
            labels, items, skipped = scan_readable(r)
            train, val = [], []
            for c in range(len(labels)):
                files = [it for it in items if it[1] == c]
                perm = np.random.default_rng([seed & 0xFFFFFFFF, c]).permutation(len(files))
                n_val = round(val_fraction * len(files)) if len(files) > 1 else 0
                n_val = max(n_val, 1) if len(files) > 1 else 0
                val += [files[i] for i in sorted(perm[:n_val])]
                train += [files[i] for i in sorted(perm[n_val:])]
        return (cls(train, labels, train=True, flip=flip, balanced=balanced, seed=seed,
                    skipped=skipped, **kw),  # type: ignore[arg-type]
                cls(val, labels, train=False, seed=seed, skipped=skipped,
                    **kw))  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self.items)

    def class_counts(self) -> list[int]:
        return np.bincount([y for _, y in self.items], minlength=len(self.labels)).tolist()

    def _picked(self, i: int) -> list[np.ndarray]:
        """The video's frames at ``fps`` / ``stride`` (training: downscaled, cached)."""
        if i in self._cache:
            return self._cache[i]
        path = self.items[i][0]
        decoded = list(iter_timed_frames(path))
        keep = pick_by_time([t for t, _ in decoded], self.fps)[::self.stride]
        frames = [decoded[k][1] for k in keep]
        if len(frames) < self.frames:
            rate = f"{self.fps:g} fps" if self.fps else "every frame"
            raise ValueError(
                f"{path}: {len(frames)} frames at {rate}"
                f"{f', stride {self.stride}' if self.stride > 1 else ''}, but a clip needs "
                f"{self.frames}: use shorter clips (--frames), a lower --fps, or remove the "
                f"video (clips are never padded)")
        if self.train:
            cap = CACHE_SHORT_SIDE * self.size
            if min(frames[0].shape[:2]) > cap:
                frames = [preprocess(f, cap) for f in frames]
            nbytes = sum(f.nbytes for f in frames)
            if self._cached_bytes + nbytes <= CACHE_BYTES:
                self._cache[i] = frames
                self._cached_bytes += nbytes
        return frames

    def load(self, i: int, rng: np.random.Generator | None = None) -> tuple[np.ndarray, int]:
        """Clip ``i`` as uint8 [T, size, size, 3] and its label."""
        label = self.items[i][1]
        frames = self._picked(i)
        n, t = len(frames), self.frames
        train = self.train and rng is not None
        start = int(rng.integers(0, n - t + 1)) if train else (n - t) // 2  # type: ignore[union-attr]
        sel = frames[start:start + t]
        if not train:
            clip = np.stack([preprocess(f, self.resize, self.size) for f in sel])
            return np.ascontiguousarray(clip), label
        h, w = sel[0].shape[:2]
        top, left, ch, cw = random_resized_box(h, w, rng)  # type: ignore[arg-type]
        n = self.size
        clip = np.stack([resize_region(f[top:top + ch, left:left + cw], n, n, 0, 0, n, n)
                         for f in sel])
        if self.flip and rng.random() < 0.5:  # type: ignore[union-attr]
            clip = clip[:, :, ::-1]
        return np.ascontiguousarray(clip), label

    def order(self, epoch: int, shuffle: bool) -> np.ndarray:
        """Clip indices of one epoch (a pure function of seed and epoch)."""
        rng = np.random.default_rng([self.seed & 0xFFFFFFFF, epoch, 7])
        if not shuffle:
            return np.arange(len(self))
        if not self.balanced:
            return rng.permutation(len(self))
        labels = np.asarray([y for _, y in self.items])
        present = np.unique(labels)
        classes = rng.choice(present, size=len(self))
        return np.asarray([rng.choice(np.flatnonzero(labels == c)) for c in classes])

    def batches(self, epoch: int, batch_size: int, shuffle: bool = False
                ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        rng = np.random.default_rng([self.seed & 0xFFFFFFFF, epoch, 11])
        order = self.order(epoch, shuffle)
        for s in range(0, len(order), batch_size):
            out = [self.load(int(i), rng if self.train else None) for i in order[s:s + batch_size]]
            yield (np.stack([c for c, _ in out]),
                   np.asarray([y for _, y in out], dtype=np.int64))
