"""Decode threads: one per stream, reading its source into the stream's frame queue.

A source is a file, URL or webcam (``movicore.VideoSource``: sampled at the model's frame
rate and preprocessed for it) or, for tests and benchmarks, a callable returning an iterable
of ``(timestamp_s, uint8 frame)``. A source that fails or a live source that ends is reopened
with exponential backoff (status ``reconnecting``); a file ends the stream (``finished``)
unless looped. Files are paced at their timestamps by default, so they stand in for cameras;
unpaced files are read losslessly, as fast as inference takes the frames.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from movicore.serve.frames import Frame, FrameQueue

SourceSpec = Any  # str (path, URL, /dev/videoN) or a callable returning (t, frame) pairs


def is_file(source: SourceSpec) -> bool:
    return isinstance(source, str) and Path(source).is_file()


def describe(source: SourceSpec) -> str:
    return source if isinstance(source, str) else getattr(source, "__name__", repr(source))


def open_frames(source: SourceSpec, model: Any, loop: bool) -> Iterator[tuple[float, Any]]:
    """(timestamp_s, uint8 HxWx3 frame at the model's input size) from ``source``."""
    if callable(source):
        return iter(source())
    from movicore.video.api import VideoSource

    src = VideoSource(source, model, loop=loop and is_file(source))

    def frames() -> Iterator[tuple[float, Any]]:
        with src:
            yield from src

    return frames()


class SourceReader(threading.Thread):
    """Reads one source into ``queue`` until stopped; reports through ``on_status``."""

    def __init__(self, source: SourceSpec, model: Any, queue: FrameQueue, *, loop: bool,
                 pace: bool, on_frame: Callable[[], None],
                 on_status: Callable[[str, str | None], None], backoff: float = 0.5,
                 max_backoff: float = 10.0, name: str = "source") -> None:
        super().__init__(name=name, daemon=True)
        self.source, self.model, self.queue = source, model, queue
        self.loop, self.pace = loop, pace and is_file(source)
        self.on_frame, self.on_status = on_frame, on_status
        self.backoff, self.max_backoff = backoff, max_backoff
        self.reconnects = 0
        self.seq = 0
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def _feed(self, frames: Iterable[tuple[float, Any]]) -> bool:
        """Queue every frame; True if the source ended by itself."""
        wall0 = t0 = None
        first = self.seq
        for ts, image in frames:
            if self._stop_event.is_set():
                return False
            if self.pace:
                if wall0 is None:
                    wall0, t0 = time.monotonic(), ts
                delay = wall0 + (ts - t0) - time.monotonic()
                if delay > 0 and self._stop_event.wait(delay):
                    return False
            image = np.ascontiguousarray(image)
            if not self.queue.put(Frame(self.seq, float(ts), image, time.monotonic())):
                return False
            if self.seq == first:
                self.on_status("running", None)  # (re)connected
            self.seq += 1
            self.on_frame()
        return True

    def run(self) -> None:
        delay = self.backoff
        while not self._stop_event.is_set():
            seq = self.seq
            try:
                ended = self._feed(open_frames(self.source, self.model, self.loop))
                if not ended:
                    return
                if not callable(self.source) and not is_file(self.source):
                    raise ConnectionError("live source ended")
                self.on_status("finished", None)
                return
            except Exception as exc:  # noqa: BLE001 - any source failure: reconnect
                if self._stop_event.is_set():
                    return
                if self.seq > seq:
                    delay = self.backoff  # it ran: start the backoff over
                self.reconnects += 1
                self.on_status("reconnecting", f"{type(exc).__name__}: {exc}")
                if self._stop_event.wait(delay):
                    return
                delay = min(delay * 2, self.max_backoff)

