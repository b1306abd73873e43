"""Public video API: ``movicore.VideoSource`` and ``movicore.classify``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Union

import numpy as np

from movicore.video import preprocess as pre
from movicore.video import settings as vs
from movicore.video.prefetch import Prefetch
from movicore.video.results import softmax, top_k
from movicore.video.sampling import TimeSampler
from movicore.video.sources import DEFAULT_TIMEOUT, SourceInfo, open_source

Source = Union[str, "os.PathLike[str]", BinaryIO]  # typing.Union: Python 3.9 has no X | Y


def _load(model: Any) -> Any:
    if model is None or hasattr(model, "config") or hasattr(model, "members"):
        return model
    import movicore

    if model == "demo":  # as movicore.load: the embedded model (a file named demo: ./demo)
        return movicore.load("demo")
    p = Path(model)
    if p.is_dir():
        raise ValueError(f"model must be a model file, got a directory: {p}")
    if not p.is_file():
        raise ValueError(f"model file not found: {p}")
    return movicore.load(p)


class VideoSource:
    """Frames of a video file, URL, webcam or raw stdin, ready for ``engine.step``.

    Iterating gives ``(timestamp_s, frame)``: seconds since the first decoded frame and a
    C-contiguous uint8 (H, W, 3) RGB array. With ``model`` (a ``Model``, a path or "demo")
    frames are sampled at the rate the model expects and preprocessed with the official eval
    transform (short side to the model's eval resize, center crop to its input size); see
    docs/video.md.

    Parameters
    ----------
    source : path, URL (http(s)://, rtsp://, rtmp://, ...), ``/dev/videoN``, ``'-'`` (raw
        RGB24 on stdin) or a binary file object of raw RGB24 frames.
    model : Model, EnsembleModel or model-file path, optional.
    fps : frames per second to keep (a number, or ``'source'`` = every frame); default the
        model's (every frame without a model).
    resize : short side before the center crop; default the model's (no resize without a
        model; without a model there is no crop either).
    loop : restart a file at its end (timestamps keep increasing); not for live sources.
    size : (width, height) of raw RGB input. input_fps : its frame rate (default: arrival
        time). timeout : seconds without data before a live source is declared dead.
    queue_size : decoded frames buffered ahead of the consumer (live sources drop the oldest
        when it is full and count them in ``dropped``).
    yuv_fast_path : preprocess 8-bit YUV 4:2:0 frames straight from their planes (compiled
        core); False converts every used frame to RGB first (libswscale), for comparisons.

    Raises
    ------
    VideoSourceError (a ValueError) for a missing or unreadable source, no video stream, a
    live source that ends or times out.
    """

    def __init__(self, source: Source, model: Any = None, *, fps: float | str | None = None,
                 resize: int | None = None, loop: bool = False,
                 size: tuple[int, int] | None = None, input_fps: float | None = None,
                 timeout: float = DEFAULT_TIMEOUT, queue_size: int = 4,
                 yuv_fast_path: bool = True) -> None:
        self.model = _load(model)
        self.fps, self.resize = vs.resolve(self.model, fps, resize)
        self.crop = self.model.input_size[0] if self.model is not None else None
        if queue_size < 1:
            raise ValueError(f"queue_size must be >= 1, got {queue_size}")
        if not isinstance(loop, bool):  # bool("false") is True: it would loop for ever
            raise TypeError(f"loop must be True or False, got {loop!r}")
        def reopen() -> Any:
            return open_source(source, size=size, input_fps=input_fps, timeout=timeout)

        self._reopen = reopen
        self._src = reopen()
        if loop and self._src.info.live:
            self._src.close()
            raise ValueError("loop=True needs a file, not a live source")
        self.loop = loop
        self.queue_size = queue_size
        self._prefetch: Prefetch[tuple[float, np.ndarray]] | None = None
        self.frames_decoded = 0
        self.frames_used = 0
        self._yuv_ok = pre.yuv420_available() and yuv_fast_path

    @property
    def info(self) -> SourceInfo:
        return self._src.info

    @property
    def dropped(self) -> int:
        """Preprocessed frames a live source discarded because the consumer was behind."""
        return self._prefetch.dropped if self._prefetch is not None else 0

    def _produce(self) -> Iterator[tuple[float, np.ndarray]]:
        sampler = TimeSampler(self.fps)
        offset, src = 0.0, self._src
        while True:
            last = None
            for t, frame in src.frames():
                self.frames_decoded += 1
                last = t
                if not sampler.keep(offset + t):
                    continue  # skipped frames are never converted
                out = self._model_frame(src, frame)
                self.frames_used += 1
                yield offset + t, out
            if not self.loop or last is None:
                return
            step = 1.0 / src.info.fps if src.info.fps else 1.0 / 30
            offset += last + step
            src.close()
            src = self._src = self._reopen()

    def _model_frame(self, src: Any, frame: Any) -> np.ndarray:
        """The decoded frame through the eval transform; straight from YUV when possible."""
        if self.resize and self._yuv_ok:
            planes = src.yuv420(frame) if hasattr(src, "yuv420") else None
            if planes is not None:
                return pre.preprocess_yuv420(*planes, self.resize, self.crop)
        rgb = src.rgb(frame)
        if self.resize:
            return pre.preprocess(rgb, self.resize, self.crop)
        return np.ascontiguousarray(rgb)

    def __iter__(self) -> Iterator[tuple[float, np.ndarray]]:
        if self._prefetch is not None:
            raise RuntimeError("a VideoSource can be iterated once; make a new one")
        self._prefetch = Prefetch(self._produce(), self.queue_size,
                                  drop_oldest=self._src.info.live)
        return self._prefetch

    def close(self) -> None:
        if self._prefetch is not None:
            self._prefetch.close()
        self._src.close()

    def __enter__(self) -> VideoSource:  # noqa: PYI034
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def make_engine(model: Any, threads: int = 1) -> Any:
    """``movicore.Engine`` at the model's input size, or ``movicore.Ensemble``."""
    import movicore

    size = model.input_size[0]
    kind = movicore.Ensemble if isinstance(model, movicore.EnsembleModel) else movicore.Engine
    return kind(model, threads=threads, height=size, width=size)


def classify(source: Source, model: Any, k: int = 5, *, fps: float | str | None = None,
             resize: int | None = None, threads: int = 1, **source_options: Any
             ) -> Iterator[tuple[float, list[tuple[str, float]]]]:
    """Stream ``source`` through ``model``: yields ``(timestamp_s, [(label, p), ...])``,
    the top ``k`` after every frame fed to a stream model, or once at the end for a base
    (non-causal) model, which sees all frames as one clip. Options as for ``VideoSource``.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    model = _load(model)
    labels = list(model.labels) or [f"class_{i}" for i in range(model.num_classes)]
    engine = make_engine(model, threads)
    with VideoSource(source, model, fps=fps, resize=resize, **source_options) as src:
        if model.causal:
            for t, frame in src:
                yield t, top_k(softmax(engine.step(frame)), labels, k)
            return
        frames, last = [], 0.0
        for last, frame in src:  # noqa: B007 - the last timestamp is reported
            frames.append(frame)
        yield last, top_k(softmax(engine.run(np.stack(frames))), labels, k)
