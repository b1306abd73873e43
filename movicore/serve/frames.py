"""A stream's bounded frame queue: live sources drop the oldest frame when inference falls
behind (counted), lossless ones (files read as fast as inference takes them) wait."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any, NamedTuple


class Frame(NamedTuple):
    seq: int  # index of the frame in the stream (0, 1, ...), gaps = dropped frames
    timestamp: float  # source timestamp (s)
    image: Any  # uint8 (H, W, 3)
    queued_at: float  # time.monotonic() when decoded and queued (latency starts here)


class FrameQueue:
    def __init__(self, maxsize: int, drop_oldest: bool = True) -> None:
        if maxsize < 1:
            raise ValueError(f"queue size must be >= 1, got {maxsize}")
        self.maxsize = maxsize
        self.drop_oldest = drop_oldest
        self._items: deque[Frame] = deque()
        self._cv = threading.Condition()
        self._closed = False
        self.pushed = 0
        self.dropped = 0

    def put(self, frame: Frame) -> bool:
        """Queue a frame; False once the queue is closed."""
        with self._cv:
            if self.drop_oldest:
                if len(self._items) >= self.maxsize:
                    self._items.popleft()
                    self.dropped += 1
            else:
                while len(self._items) >= self.maxsize and not self._closed:
                    self._cv.wait(0.1)
            if self._closed:
                return False
            self._items.append(frame)
            self.pushed += 1
            return True

    def get_nowait(self) -> Frame | None:
        with self._cv:
            if not self._items:
                return None
            item = self._items.popleft()
            self._cv.notify_all()  # a waiting lossless producer
            return item

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._items.clear()
            self._cv.notify_all()

    def __len__(self) -> int:
        return len(self._items)
