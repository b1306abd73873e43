"""Event fan-out: JSON lines on stdout and bounded per-subscriber queues for Server-Sent Events
(a slow SSE client loses its oldest events, never the server's memory)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import threading
from typing import Any, TextIO

SUBSCRIBER_QUEUE = 256
STDOUT_LEVELS = ("all", "status", "none")


class EventHub:
    def __init__(self, stdout: str = "all", out: TextIO | None = None) -> None:
        if stdout not in STDOUT_LEVELS:
            raise ValueError(f"stdout events must be one of {STDOUT_LEVELS}, got {stdout!r}")
        self.stdout = stdout
        self._out = out or sys.stdout
        self._lock = threading.Lock()
        self._subscribers: list[tuple[asyncio.AbstractEventLoop, asyncio.Queue[str]]] = []
        self.published = 0
        self.sse_dropped = 0

    def publish(self, event: dict[str, Any]) -> None:
        with self._lock:
            self.published += 1
            subscribers = list(self._subscribers)
            to_stdout = self.stdout == "all" or (self.stdout == "status" and
                                                 event.get("event") != "prediction")
            if not (to_stdout or subscribers):
                return  # nobody listens: skip the serialisation
            line = json.dumps(event, separators=(",", ":"))
            if to_stdout:
                try:
                    self._out.write(line + "\n")
                    self._out.flush()
                except (BrokenPipeError, ValueError):  # stdout closed: keep serving
                    self.stdout = "none"
        for loop, queue in subscribers:
            with contextlib.suppress(RuntimeError):  # that loop is closed
                loop.call_soon_threadsafe(self._offer, queue, line)

    def _offer(self, queue: asyncio.Queue[str], line: str) -> None:
        if queue.full():
            queue.get_nowait()
            self.sse_dropped += 1
        queue.put_nowait(line)

    def subscribe(self) -> asyncio.Queue[str]:
        """A queue of event lines for the calling coroutine's loop."""
        queue: asyncio.Queue[str] = asyncio.Queue(SUBSCRIBER_QUEUE)
        with self._lock:
            self._subscribers.append((asyncio.get_running_loop(), queue))
        return queue

    def unsubscribe(self, queue: asyncio.Queue[str]) -> None:
        with self._lock:
            self._subscribers = [(lp, q) for lp, q in self._subscribers if q is not queue]
