"""``movicore.Engine``: one stream (or clip) on a shared :class:`movicore.Model`."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from movicore.model import Model

_META_KEY = "__meta__"


def check_top_k(k: Any) -> int:
    """``top_k``/``predict``'s ``k`` as an int >= 1 (ValueError otherwise, e.g. for 0)."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be an int >= 1 (how many classes to return), got {k!r}")
    return int(k)


def top_k_of(logits: np.ndarray, labels: list[str], k: int) -> list[tuple[str, float]]:
    """Top-``k`` ``(label, probability)`` of one logits row (softmax in float64); ``k`` >= 1,
    more than the class count gives every class."""
    k = min(check_top_k(k), logits.shape[-1])
    z = logits.astype(np.float64) - logits.max()
    p = np.exp(z) / np.exp(z).sum()
    top = np.argsort(-p, kind="stable")[:k]
    return [(labels[i], float(p[i])) for i in top]


class Engine:
    """Runs a model on frames, keeping the stream state of one video.

    Parameters
    ----------
    model
        A :class:`movicore.Model` from :func:`movicore.load`; many engines may share it.
    threads
        Worker threads for this engine (1 = the calling thread only).
    height, width
        Input frame size; defaults to the model's native size.
    streams
        Number of independent streams this engine carries (stream models only). With
        ``streams > 1`` use :meth:`step_many`: one frame of every stream per call. On one
        thread the streams are batched into one GEMM per pointwise layer (weights read once
        for all streams); with ``streams >= threads > 1`` they run whole, one group of
        streams per worker thread (stream-parallel: no thread waits on another within a
        frame), which is what scales with cores.

    Frames are RGB, channels last: ``(H, W, 3)`` or ``(T, H, W, 3)``, either ``uint8``
    (0..255) or ``float32`` in [0, 1]. Float frames containing NaN or infinity, or values
    outside [0, 1] (0.05 slack; e.g. 0..255 not divided by 255), are rejected with a
    ``ValueError`` before any state changes. The GIL is released while computing, so engines on
    different Python threads run in parallel.
    """

    def __init__(self, model: Model, threads: int = 1, height: int | None = None,
                 width: int | None = None, streams: int = 1) -> None:
        from movicore._native import core

        _core = core()

        if not isinstance(model, Model):
            raise TypeError(f"model must be a movicore.Model (from movicore.load), got "
                            f"{type(model).__name__}")
        size = model.config.input_size
        self._model = model
        self._height = int(height if height is not None else size)
        self._width = int(width if width is not None else size)
        for name, value in (("threads", threads), ("streams", streams)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"{name} must be an int, got {type(value).__name__}")
        self._core = _core.Engine(model._core, self._height, self._width, int(threads),
                                  int(streams))
        # Logits after the latest frame of each stream (None until one is fed), so reading the
        # prediction (top_k) never advances the stream.
        self._latest: list[np.ndarray | None] = [None] * int(self._core.streams)

    # ------------------------------------------------------------------ properties
    @property
    def model(self) -> Model:
        return self._model

    @property
    def height(self) -> int:
        return self._height

    @property
    def width(self) -> int:
        return self._width

    @property
    def threads(self) -> int:
        return int(self._core.threads)

    @property
    def streams(self) -> int:
        return int(self._core.streams)

    @property
    def state_bytes(self) -> int:
        """Bytes of one stream's state (ring buffers, pool sums, counters); constant."""
        return int(self._core.state_bytes)

    # ------------------------------------------------------------------ running
    def _frames(self, frames: Any) -> np.ndarray:
        a = np.asarray(frames)
        if a.dtype not in (np.uint8, np.float32):
            raise ValueError(f"frames: dtype must be uint8 (0..255) or float32 (0..1), got "
                             f"{a.dtype}")
        if a.ndim == 3:
            a = a[None]
        if a.ndim != 4 or a.shape[1:] != (self._height, self._width, 3):
            raise ValueError(f"frames: expected shape (H, W, 3) or (T, H, W, 3) with H, W = "
                             f"{self._height}, {self._width}, got {a.shape}")
        if a.shape[0] == 0:
            raise ValueError("frames: need at least one frame")
        return np.ascontiguousarray(a)

    def step(self, frames: Any, all_frames: bool = False) -> np.ndarray:
        """Feed frames to the stream; returns the logits after the last frame ``(classes,)``,
        or after every frame ``(T, classes)`` with ``all_frames=True``.

        Only for causal (stream) models; base models use :meth:`run`.
        """
        if not self._model.causal:
            raise ValueError(f"step() needs a causal (stream) model; {self._model!r} is a "
                             "base model: use run(clip)")
        if self.streams != 1:
            raise ValueError(f"this engine carries {self.streams} streams: use step_many()")
        out = self._core.step(self._frames(frames), bool(all_frames))
        self._latest[0] = (out[-1] if all_frames else out).copy()
        return out

    def step_many(self, frames: Any) -> np.ndarray:
        """One frame for each stream, ``(streams, H, W, 3)`` -> logits ``(streams, classes)``
        (stream models). Equivalent to stepping ``streams`` separate engines, faster."""
        if not self._model.causal:
            raise ValueError("step_many() needs a causal (stream) model")
        a = self._frames(frames)
        if a.shape[0] != self.streams:
            raise ValueError(f"frames: expected one frame per stream ({self.streams}), got "
                             f"{a.shape[0]}")
        out = self._core.step_streams(a)
        self._latest = [row.copy() for row in out]
        return out

    def run(self, clip: Any) -> np.ndarray:
        """Logits of a whole clip ``(T, H, W, 3)`` -> ``(classes,)``.

        Base models see the clip at once (non-causal); for stream models this resets the
        stream and steps through the clip (the stream state then holds the clip).
        """
        if self.streams != 1:
            raise ValueError(f"this engine carries {self.streams} streams: use step_many()")
        out = self._core.run(self._frames(clip))
        self._latest[0] = out.copy()
        return out

    def top_k(self, k: int = 5, stream: int = 0) -> list[tuple[str, float]]:
        """Top-``k`` ``(label, probability)`` of the latest logits (after the last frame fed
        by ``step``/``step_many``/``run``). Reads only: the stream does not advance.
        ValueError before the first frame (and after ``reset``/``load_state_dict``)."""
        latest = self._latest[self._stream_index(stream)]
        if latest is None:
            raise ValueError("no logits yet: feed a frame with step() (or run()) first")
        return top_k_of(latest, self._model.labels, k)

    def predict(self, frames: Any, k: int = 5) -> list[tuple[str, float]]:
        """Feed ``frames`` and return the top-``k`` ``(label, probability)`` after the last one.

        This STEPS the stream (stream models; base models run the clip): it is
        ``step(frames)`` followed by ``top_k(k)``. To read the current prediction without
        feeding a frame, call :meth:`top_k`. ``k`` >= 1 (a larger ``k`` than the class count
        gives every class); ``k`` < 1 raises ``ValueError`` before any frame is fed.
        """
        check_top_k(k)
        if self._model.causal:
            self.step(frames)
        else:
            self.run(frames)
        return self.top_k(k)

    def reset(self, stream: int | None = None) -> None:
        """Forget the stream (or one of ``streams``): back to the initial (all-zero) state."""
        index = -1 if stream is None else self._stream_index(stream)
        self._core.reset(index)
        if index < 0:
            self._latest = [None] * len(self._latest)
        else:
            self._latest[index] = None

    def _stream_index(self, stream: int) -> int:
        if isinstance(stream, bool) or not isinstance(stream, (int, np.integer)) or not (
                0 <= stream < self.streams):
            raise ValueError(f"stream must be an int in [0, {self.streams}), got {stream!r}")
        return int(stream)

    # ------------------------------------------------------------------ profiling
    def set_profiling(self, enabled: bool) -> None:
        """Turn per-layer, per-op timing on or off (clears what was collected)."""
        self._core.set_profiling(bool(enabled))

    def profile(self) -> list[dict[str, Any]]:
        """Collected timings: rows of ``layer`` (``"network"`` for stem/head/classifier),
        ``op``, total ``seconds`` and ``calls`` since profiling was turned on."""
        return list(self._core.profile())

    # ------------------------------------------------------------------ snapshots
    def _meta(self) -> str:
        c = self._model.config
        meta = {"model_id": c.model_id, "variant": c.variant, "conv_type": c.conv_type,
                "se_type": c.se_type, "num_classes": c.num_classes,
                "height": self._height, "width": self._width}
        if c.blocks is not None:  # custom architectures differ by their table
            meta["blocks"] = c.blocks.to_json()
        return json.dumps(meta, sort_keys=True)

    def state_dict(self, stream: int = 0) -> dict[str, Any]:
        """Snapshot of the stream: official state names -> arrays (batch 1, NTHWC), plus
        ``"__meta__"`` naming the model and input size. Restoring it continues the stream
        exactly; it is also interchangeable with ``movicore.reference`` states."""
        out: dict[str, Any] = dict(self._core.get_state(self._stream_index(stream)))
        out[_META_KEY] = self._meta()
        return out

    def load_state_dict(self, state: dict[str, Any], stream: int = 0) -> None:
        """Restore a snapshot; a state of another model or input size raises ``ValueError``."""
        if not isinstance(state, dict):
            raise TypeError(f"state must be a dict from state_dict(), got {type(state).__name__}")
        tensors = dict(state)
        meta = tensors.pop(_META_KEY, None)
        if meta is not None and meta != self._meta():
            raise ValueError(f"state belongs to another model or input size: {meta} != "
                             f"{self._meta()}")
        arrays = {}
        for name, value in tensors.items():
            if hasattr(value, "detach"):  # torch tensor from the reference
                value = value.detach().cpu().numpy()
            arrays[name] = np.asarray(value)
        index = self._stream_index(stream)
        self._core.set_state(arrays, index)
        self._latest[index] = None  # the snapshot holds no logits

    def __repr__(self) -> str:
        streams = f", streams={self.streams}" if self.streams != 1 else ""
        return (f"Engine({self._model!r}, {self._height}x{self._width}, "
                f"threads={self.threads}{streams})")
