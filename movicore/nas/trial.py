"""One search trial: train a candidate briefly, score it on the search split, time it.

``run_trial(spec)`` is a pure function of a JSON-able ``spec`` (genome, space, data and
training settings, seed) so that it runs the same in a local worker process or as a Ray task.
Accuracy comes from the regular trainer (``movicore.train.loop.train_loop``) on the train split
and ``evaluate`` on the search split; latency is the engine's, measured on a random-weight
copy of the architecture (weights do not change the arithmetic), in ms per *input video
frame* (per processed frame / frame stride).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from movicore.nas import space as S


@dataclasses.dataclass
class DataSpec:
    """Where the clips come from. Synthetic: seeds of the three splits (train clips are fresh
    every epoch; ``search`` scores trials; ``test`` is held out for the final report)."""

    synthetic: bool = True
    root: str | None = None  # video folder (ROOT/<class>/... or ROOT/train + ROOT/val)
    frames: int = 8  # frames the network sees per clip
    train_seed: int = 0
    search_seed: int = -1000
    test_seed: int = -2000
    search_clips: int = 200
    test_clips: int = 500
    clutter: float = 1.0  # synthetic clutter of every split (1 = full dataset, 0 = easiest)
    curriculum: int = 0  # synthetic: epochs of clutter ramp (trainer's curriculum)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def num_classes(self) -> int:
        if self.synthetic:
            from movicore.data.synthetic import NUM_CLASSES

            return NUM_CLASSES
        from movicore.data.folder import scan

        root = Path(str(self.root))
        return len(scan(root / "train" if (root / "train").is_dir() else root)[0])


@dataclasses.dataclass
class TrainSpec:
    steps: int = 200
    batch_size: int = 16
    lr: float = 3e-3
    epochs: int = 1  # the steps are split into this many epochs (curriculum, checkpoints)
    threads: int = 1

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class Strided:
    """A clip source seen at frame stride ``stride``: every ``stride``-th frame of clips
    rendered ``stride`` times longer (synthetic)."""

    def __init__(self, source: Any, stride: int) -> None:
        self.source, self.stride = source, stride
        self.labels = source.labels

    def __len__(self) -> int:
        return len(self.source)

    def batches(self, epoch: int, batch_size: int, shuffle: bool = False
                ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for clips, labels in self.source.batches(epoch, batch_size, shuffle):
            yield np.ascontiguousarray(clips[:, ::self.stride]), labels


def sources(data: DataSpec, size: int, frame_stride: int, train_clips: int
            ) -> tuple[Any, Any, Any]:
    """(train, search, test) clip sources at ``size`` and ``frame_stride``."""
    if data.synthetic:
        from movicore.data.synthetic import SyntheticActions

        n = data.frames * frame_stride
        train = SyntheticActions(train_clips, data.train_seed, n, size, fresh=True,
                                 clutter=data.clutter, curriculum=data.curriculum)
        search = SyntheticActions(data.search_clips, data.search_seed, n, size,
                                  clutter=data.clutter)
        test = SyntheticActions(data.test_clips, data.test_seed, n, size, clutter=data.clutter)
        return (Strided(train, frame_stride), Strided(search, frame_stride),
                Strided(test, frame_stride))
    from movicore.data.folder import VideoFolder

    if data.root is None:
        raise ValueError("a video-folder data spec needs root")
    train, val = VideoFolder.split(data.root, frames=data.frames, stride=frame_stride,
                                   size=size, seed=data.train_seed)
    return train, val, val


def train_candidate(cand: S.Candidate, data: DataSpec, train: TrainSpec, seed: int, *,
                    export: str | None = None, log: Any = None) -> dict[str, Any]:
    """Train ``cand`` with the regular trainer; returns search/test top-1 and the model."""
    from movicore import reference
    from movicore.train.loop import TrainOptions, evaluate, seed_everything, train_loop

    size = cand.config.input_size
    per_epoch = max(1, train.steps // train.epochs) * train.batch_size
    tr, search, test = sources(data, size, cand.frame_stride, per_epoch)
    config = cand.config.replace(num_classes=len(tr.labels))
    seed_everything(seed, train.threads)
    model = reference.MoViNet(config)
    opts = TrainOptions(epochs=train.epochs, batch_size=train.batch_size, lr=train.lr,
                        warmup_epochs=0.1 * train.epochs, seed=seed, threads=train.threads,
                        rezero_init=1.0, warmup_frames=min(3, data.frames - 2),
                        max_steps=train.steps, progress=False, export=export,
                        log=log or (lambda _line: None))
    res = train_loop(model, tr, search, opts, tr.labels)
    model.load_state_dict(res.best_state)
    out = {"search_top1": float(res.best_top1), "steps": res.steps,
           "train_seconds": res.seconds, "config": config}
    if export is not None:
        out["test_top1"] = float(evaluate(model, test, batch_size=32)["top1"])
    return out


def run_trial(spec: dict[str, Any]) -> dict[str, Any]:
    """Train, score and time one genome; returns a JSON-able result row."""
    from movicore.nas.latency import measure

    t0 = time.perf_counter()
    space = S.Space.from_json(spec["space"])
    genome = S.Genome.from_json(spec["genome"])
    data = DataSpec(**spec["data"])
    train = TrainSpec(**spec["train"])
    cand = S.candidate(space, genome)
    trained = train_candidate(cand, data, train, int(spec["seed"]))
    config = trained["config"]
    ms = measure(config, threads=int(spec["threads"]), seed=int(spec["seed"]))["ms"]
    row = {"index": int(spec["index"]), "key": genome.key(), "genome": genome.to_json(),
           "config": config.to_dict(), "frame_stride": genome.frame_stride,
           "top1": trained["search_top1"], "steps": trained["steps"],
           "latency_ms": ms / genome.frame_stride, "ms_per_step": ms,
           "seconds": time.perf_counter() - t0}
    return row
