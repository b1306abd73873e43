"""Folder of videos as a clip source: ``root/<class>/*.{mp4,avi,mov,mkv,webm}``.

Either ``root/train/<class>/...`` + ``root/val/<class>/...`` or one ``root/<class>/...`` tree
split per class deterministically (seeded). Implements the trainer's clip-source protocol
(``labels``, ``__len__``, ``batches(epoch, batch_size, shuffle)``), a pure function of
``(seed, epoch)``. Horizontal flip is opt-in: it is only label-preserving when no class is
defined by a left/right direction (it would swap ``move_left`` / ``move_right``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from movicore.data.video import VIDEO_EXTENSIONS, crop, iter_frames
from movicore.video.preprocess import preprocess


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


class VideoFolder:
    """Clips of ``frames`` frames (every ``stride``-th decoded frame) at ``size`` x ``size``.

    Training clips (``train=True``) start at a random frame, use a random crop from a frame
    resized to ``1.15 * size`` (short side) and optionally a random horizontal flip; evaluation
    clips are the centered clip through the official eval transform (short side ``resize``,
    default ``size``, then center crop). Short videos repeat their last frame.
    """

    def __init__(self, items: list[tuple[Path, int]], labels: list[str], *, frames: int = 16,
                 stride: int = 1, size: int = 172, train: bool = False, flip: bool = False,
                 seed: int = 0, resize: int | None = None) -> None:
        if frames < 1 or stride < 1 or size < 8:
            raise ValueError(f"need frames >= 1, stride >= 1, size >= 8; got {frames}, "
                             f"{stride}, {size}")
        self.items, self.labels = list(items), list(labels)
        self.frames, self.stride, self.size = frames, stride, size
        self.train, self.flip, self.seed = train, flip, seed
        if resize is not None and resize < 1:
            raise ValueError(f"need resize >= 1, got {resize}")
        self.resize = resize or size  # eval: short side before the center crop

    @classmethod
    def split(cls, root: str | os.PathLike[str], *, frames: int = 16, stride: int = 1,
              size: int = 172, val_fraction: float = 0.2, seed: int = 0, flip: bool = False
              ) -> tuple[VideoFolder, VideoFolder]:
        r = Path(root)
        kw = {"frames": frames, "stride": stride, "size": size, "seed": seed}
        if (r / "train").is_dir() and (r / "val").is_dir():
            labels, train = scan(r / "train")
            vlabels, val = scan(r / "val")
            if vlabels != labels:
                raise ValueError(f"{r}/train and {r}/val have different classes: "
                                 f"{labels} vs {vlabels}")
        else:
            if not 0.0 < val_fraction < 1.0:
                raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
            labels, items = scan(r)
            train, val = [], []
            for c in range(len(labels)):
                files = [it for it in items if it[1] == c]
                perm = np.random.default_rng([seed & 0xFFFFFFFF, c]).permutation(len(files))
                n_val = round(val_fraction * len(files)) if len(files) > 1 else 0
                n_val = max(n_val, 1) if len(files) > 1 else 0
                val += [files[i] for i in sorted(perm[:n_val])]
                train += [files[i] for i in sorted(perm[n_val:])]
        return (cls(train, labels, train=True, flip=flip, **kw),
                cls(val, labels, train=False, **kw))

    def __len__(self) -> int:
        return len(self.items)

    def load(self, i: int, rng: np.random.Generator | None = None) -> tuple[np.ndarray, int]:
        """Clip ``i`` as uint8 [T, size, size, 3] and its label."""
        path, label = self.items[i]
        train = self.train and rng is not None
        short = round(self.size * 1.15) if train else self.resize
        decoded = list(iter_frames(path, stride=self.stride))
        n = len(decoded)
        start = 0
        if n > self.frames:
            start = int(rng.integers(0, n - self.frames + 1)) if train else (n - self.frames) // 2
        sel = [decoded[min(start + t, n - 1)] for t in range(self.frames)]
        # Eval: the official eval transform (movicore.video.preprocess).
        clip = np.stack([preprocess(f, short, None if train else self.size) for f in sel])
        if train:
            h, w = clip.shape[1:3]
            top = int(rng.integers(0, h - self.size + 1))
            left = int(rng.integers(0, w - self.size + 1))
            clip = crop(clip, self.size, top, left)
            if self.flip and rng.random() < 0.5:
                clip = clip[:, :, ::-1]
        return np.ascontiguousarray(clip), label

    def batches(self, epoch: int, batch_size: int, shuffle: bool = False
                ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        rng = np.random.default_rng([self.seed & 0xFFFFFFFF, epoch, 11])
        order = rng.permutation(len(self)) if shuffle else np.arange(len(self))
        for s in range(0, len(order), batch_size):
            out = [self.load(int(i), rng if self.train else None) for i in order[s:s + batch_size]]
            yield (np.stack([c for c, _ in out]),
                   np.asarray([y for _, y in out], dtype=np.int64))
