"""Inference on local worker threads: each worker carries whole streams (one single-thread
engine per stream on a shared Model) and steps whichever of its streams has a frame, so
workers never wait on each other; the engine releases the GIL, so workers use separate cores.
A new stream goes to the worker with the least measured load."""

from __future__ import annotations

import threading
import time
from typing import Any

from movicore.serve.streams import Stream
from movicore.video.api import make_engine


class _Worker(threading.Thread):
    def __init__(self, index: int, host: Any) -> None:
        super().__init__(name=f"infer-{index}", daemon=True)
        self.label = f"worker-{index}"
        self.host = host
        self.streams: dict[str, tuple[Stream, Any]] = {}
        self.lock = threading.Lock()
        self.event = threading.Event()
        self.stopping = False

    def load(self) -> tuple[float, int]:
        with self.lock:
            return sum(s.load for s, _ in self.streams.values()), len(self.streams)

    def step_once(self) -> bool:
        with self.lock:
            items = list(self.streams.values())
        worked = False
        for stream, engine in items:
            frame = stream.queue.get_nowait()
            if frame is None:
                continue
            worked = True
            with self.lock:
                if stream.id not in self.streams:
                    continue
                t0 = time.perf_counter()
                try:
                    logits = engine.step(frame.image)
                except ValueError as exc:  # a frame the model cannot take
                    self.host.on_error(stream, str(exc))
                    continue
                seconds = time.perf_counter() - t0
                state = engine.state_dict() if self.host.snapshot_due(stream) else None
            self.host.on_result(stream, frame, logits, seconds)
            if state is not None:
                self.host.on_snapshot(stream, state, frame.seq)
        return worked

    def run(self) -> None:
        while not self.stopping:
            self.event.clear()
            if not self.step_once():
                self.event.wait(0.05)


class LocalExecutor:
    kind = "local"

    def __init__(self, host: Any, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self._workers = [_Worker(i, host) for i in range(workers)]
        self._where: dict[str, _Worker] = {}

    def start(self) -> None:
        for w in self._workers:
            w.start()

    def add(self, stream: Stream, state: dict[str, Any] | None) -> None:
        engine = make_engine(stream.model)
        if state is not None:
            engine.load_state_dict(state)
        worker = min(self._workers, key=lambda w: w.load())
        stream.wake = worker.event.set
        stream.placement = worker.label
        with worker.lock:
            worker.streams[stream.id] = (stream, engine)
        self._where[stream.id] = worker

    def remove(self, stream: Stream) -> dict[str, Any] | None:
        """Stop inferring ``stream``; returns its final state."""
        worker = self._where.pop(stream.id, None)
        if worker is None:
            return None
        with worker.lock:
            _, engine = worker.streams.pop(stream.id)
            return engine.state_dict() if stream.frames else None

    def placements(self) -> list[dict[str, Any]]:
        out = []
        for w in self._workers:
            load, n = w.load()
            out.append({"name": w.label, "streams": n, "load": round(load, 3), "alive": True})
        return out

    def stop(self) -> None:
        for w in self._workers:
            w.stopping = True
            w.event.set()
        for w in self._workers:
            w.join(timeout=10)
