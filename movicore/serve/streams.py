"""One served stream: its source, queue, counters and latest prediction (the API's view)."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import deque
from typing import Any

import numpy as np

from movicore.engine import top_k_of
from movicore.serve.frames import Frame, FrameQueue
from movicore.serve.sources import describe

LATENCY_WINDOW = 256  # frames the latency percentiles are taken over
TOP_K = 5


def stream_id(source: Any, taken: set[str]) -> str:
    """A readable id stable across restarts (snapshots are found by id): the source's base
    name plus a short hash of the whole source."""
    text = describe(source)
    stem = re.sub(r"[^A-Za-z0-9]+", "-", text.rstrip("/").rsplit("/", 1)[-1].split(".")[0])
    base = f"{stem.strip('-')[:24] or 'stream'}-{hashlib.sha1(text.encode()).hexdigest()[:6]}"
    sid, n = base, 2
    while sid in taken:
        sid, n = f"{base}-{n}", n + 1
    return sid


def check_id(sid: str) -> str:
    if not isinstance(sid, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", sid):
        raise ValueError(f"stream id must be 1-64 of [A-Za-z0-9_.-], got {sid!r}")
    return sid


class Stream:
    def __init__(self, sid: str, source: Any, model_key: str, model: Any, queue: FrameQueue,
                 loop: bool) -> None:
        self.id, self.source, self.model_key, self.model = sid, source, model_key, model
        self.queue, self.loop = queue, loop
        self.status = "starting"
        self.error: str | None = None
        self.frames = 0  # frames inferred
        self.lost = 0  # frames in flight on a worker that died
        self.placement = ""  # worker or actor carrying the stream
        self.moves: list[dict[str, Any]] = []
        self.snapshot_errors = 0  # snapshots that could not be written (the stream goes on)
        self.resumed_from: dict[str, Any] | None = None  # snapshot the state started from
        self.last_seq = -1
        self.last_logits: np.ndarray | None = None
        self.top: list[tuple[str, float]] = []
        self.reader: Any = None
        self.wake: Any = None  # set by the executor: called when a frame is queued
        # Ray: the latest snapshot in the object store (ref of {id: state}) and its frame.
        self.snapshot_ref: Any = None
        self.snapshot_seq: int | None = None
        self.resumed_ref: Any = None  # the snapshot the latest move resumed from
        self.compute_s = 0.0  # inference seconds (placement uses the measured load)
        self.started = time.monotonic()
        self._latency: deque[float] = deque(maxlen=LATENCY_WINDOW)
        self.lock = threading.Lock()

    @property
    def source_name(self) -> str:
        return describe(self.source)

    @property
    def drops(self) -> int:
        return self.queue.dropped

    @property
    def load(self) -> float:
        """Measured share of one core this stream's inference takes."""
        return self.compute_s / max(1e-3, time.monotonic() - self.started)

    def record(self, frame: Frame, logits: np.ndarray, seconds: float) -> dict[str, Any]:
        """Account one inferred frame; returns its prediction event."""
        latency = time.monotonic() - frame.queued_at
        top = top_k_of(logits, self.labels, TOP_K)
        with self.lock:
            self.frames += 1
            self.compute_s += seconds
            self.last_seq = frame.seq
            self.last_logits = logits
            self.top = top
            self._latency.append(latency)
        return {"event": "prediction", "stream": self.id, "frame": frame.seq,
                "t": round(frame.timestamp, 4), "top": [[n, round(p, 5)] for n, p in top],
                "latency_ms": round(1e3 * latency, 2)}

    @property
    def labels(self) -> list[str]:
        labels = getattr(self, "_labels", None)
        if labels is None:
            labels = self._labels = (list(self.model.labels)
                                     or [f"class_{i}" for i in range(self.model.num_classes)])
        return labels

    def latency_ms(self) -> dict[str, float | None]:
        with self.lock:
            lat = np.array(self._latency) if self._latency else None
        if lat is None:
            return {"p50": None, "p90": None}
        p50, p90 = np.percentile(lat, [50, 90])
        return {"p50": round(1e3 * float(p50), 2), "p90": round(1e3 * float(p90), 2)}

    def to_json(self) -> dict[str, Any]:
        reader = self.reader
        return {
            "id": self.id, "source": self.source_name, "model": self.model_key,
            "status": self.status, "error": self.error, "frames": self.frames,
            "drops": self.drops, "lost": self.lost, "queued": len(self.queue),
            "top": [[n, p] for n, p in self.top], "latency_ms": self.latency_ms(),
            "reconnects": reader.reconnects if reader is not None else 0,
            "placement": self.placement, "moves": list(self.moves),
            "snapshot_errors": self.snapshot_errors,
            "resumed_from": self.resumed_from, "loop": self.loop,
        }
