"""Run an iterator in a background thread behind a bounded queue.

Decoding, sampling and preprocessing run in the thread; the caller's thread runs the
engine. PyAV, libswscale and the compiled kernels release the GIL, so on two cores the
stages overlap. A full queue blocks the producer (files: every frame is used) or, with
``drop_oldest`` (live sources that must be read at their own pace), discards the oldest
queued item and counts it in ``dropped``.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
_ITEM, _END, _ERROR = 0, 1, 2


class Prefetch(Generic[T]):
    def __init__(self, items: Iterator[T], maxsize: int = 4, *, drop_oldest: bool = False,
                 name: str = "movicore-decode") -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be >= 1, got {maxsize}")
        self._items = items
        self._queue: queue.Queue[tuple[int, object]] = queue.Queue(maxsize)
        self._stop = threading.Event()
        self._drop_oldest = drop_oldest
        self._done = False
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for item in self._items:
                if self._stop.is_set():
                    break
                self._put((_ITEM, item))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            self._put((_ERROR, exc))
        else:
            self._put((_END, None))
        finally:
            close = getattr(self._items, "close", None)
            if close is not None:
                close()  # a generator's finally (closing the container) runs in this thread

    def _put(self, msg: tuple[int, object]) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(msg, timeout=0.1)
                return
            except queue.Full:
                if self._drop_oldest and msg[0] == _ITEM:
                    try:
                        self._queue.get_nowait()
                        self.dropped += 1
                    except queue.Empty:
                        pass

    def __iter__(self) -> Prefetch[T]:
        return self

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        while True:
            try:
                kind, value = self._queue.get(timeout=0.2)  # short waits: Ctrl-C stays live
                break
            except queue.Empty:
                if not self._thread.is_alive() and self._queue.empty():
                    self._done = True
                    raise StopIteration from None
        if kind == _ITEM:
            return value  # type: ignore[return-value]
        self._done = True
        if kind == _ERROR:
            raise value  # type: ignore[misc]
        raise StopIteration

    def close(self, timeout: float = 5.0) -> None:
        """Stop the producer and wait for it (it finishes its current item first)."""
        self._stop.set()
        self._done = True
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._thread.join(timeout)
