"""The server core, without HTTP: models, streams, decode threads, the executor (local
worker threads or Ray actors), snapshots and events. ``movicore.serve.http`` puts the API on
top; tests and the benchmark drive it directly."""

from __future__ import annotations

import dataclasses
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from movicore.serve import snapshots
from movicore.serve.events import EventHub
from movicore.serve.frames import Frame, FrameQueue
from movicore.serve.sources import SourceReader, SourceSpec, describe, is_file
from movicore.serve.streams import Stream, check_id, stream_id

READER_JOIN_TIMEOUT_S = 5.0  # a reader stops at its next frame; a dead network read may not


def cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@dataclasses.dataclass
class ServeOptions:
    model: str | None = None  # default model for sources that name none
    loop: bool = False  # replay files at their end
    pace: bool = True  # read files at their timestamps (like a camera)
    queue: int = 8  # frames per stream queue
    workers: int = 0  # inference threads (0: one per core)
    snapshot_dir: str | None = None
    snapshot_every: float = 5.0  # seconds between a stream's snapshots
    backoff: float = 0.5  # first reconnect delay (doubles up to max_backoff)
    max_backoff: float = 10.0
    ray: str | None = None  # Ray address or "auto": inference on Ray actors
    ray_actors: int = 0  # actors (0: one per CPU of the cluster)

    def check(self) -> None:
        if self.queue < 1:
            raise ValueError(f"queue must be >= 1, got {self.queue}")
        if self.workers < 0 or self.ray_actors < 0:
            raise ValueError("workers and ray actors must be >= 0")
        if not self.snapshot_every > 0:
            raise ValueError(f"snapshot interval must be > 0 s, got {self.snapshot_every}")
        if not 0 < self.backoff <= self.max_backoff:
            raise ValueError("need 0 < backoff <= max backoff")


def read_config(path: str | os.PathLike[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A JSON sources file: ``{"model": ..., "loop": ..., "streams": [{"source": ...,
    "id": ..., "model": ..., "loop": ...}, ...]}`` (or just the list) -> (defaults, streams)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from None
    if isinstance(data, list):
        data = {"streams": data}
    if not isinstance(data, dict) or not isinstance(data.get("streams"), list):
        raise ValueError(  # noqa: TRY004 - a bad file is a value error for the CLI
            f"{path}: expected {{\"streams\": [...]}} or a list of streams")
    streams = []
    for i, s in enumerate(data["streams"]):
        if isinstance(s, str):
            s = {"source": s}
        unknown = set(s) - {"source", "id", "model", "loop"} if isinstance(s, dict) else set()
        if not isinstance(s, dict) or not isinstance(s.get("source"), str) or unknown:
            raise ValueError(f"{path}: streams[{i}] must be a source string or an object with "
                             f"'source' (and optional id, model, loop); got {s!r}")
        check_loop(s.get("loop"), f"{path}: streams[{i}].loop")
        streams.append(s)
    defaults = {k: data[k] for k in ("model", "loop") if k in data}
    check_loop(defaults.get("loop"), f"{path}: loop")
    return defaults, streams


def check_loop(loop: Any, what: str = "loop") -> None:
    """``loop`` must be a JSON boolean (or absent): bool("false") is True, so a string would
    silently loop a stream its author meant to end."""
    if loop is not None and not isinstance(loop, bool):
        raise ValueError(f"{what} must be true or false, got {loop!r}")


class Server:
    def __init__(self, options: ServeOptions, hub: EventHub | None = None) -> None:
        options.check()
        self.options = options
        self.hub = hub or EventHub("none")
        self.streams: dict[str, Stream] = {}
        self._models: dict[str, Any] = {}
        self._lock = threading.RLock()
        self._stopped_readers: list[SourceReader] = []
        self._snap_at: dict[str, float] = {}
        self.started = time.monotonic()
        if options.snapshot_dir:
            Path(options.snapshot_dir).mkdir(parents=True, exist_ok=True)
        if options.ray:
            from movicore.serve.ray_backend import RayExecutor

            self.executor: Any = RayExecutor(self, options.ray, options.ray_actors)
        else:
            from movicore.serve.local import LocalExecutor

            self.executor = LocalExecutor(self, options.workers or cores())

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self.executor.start()

    def resume_snapshots(self) -> list[str]:
        """Re-add the streams of snapshots no current stream claims (streams added over the
        API before a restart); returns their ids."""
        if not self.options.snapshot_dir:
            return []
        added = []
        for sid, path in snapshots.find(self.options.snapshot_dir).items():
            if sid in self.streams:
                continue
            try:
                _, info = snapshots.load(path)
                if isinstance(info.get("source"), str):
                    self.add_stream(info["source"], info.get("model"), sid=sid,
                                    loop=bool(info.get("loop", False)))
                    added.append(sid)
            except ValueError as exc:
                self.hub.publish({"event": "error", "stream": sid, "error": str(exc)})
        return added

    def stop(self) -> None:
        """Stop every stream (a final snapshot each) and the executor, and wait for the source
        readers: a reader left running at interpreter exit can be inside movicore's resize
        with the GIL released, and a thread that takes the GIL back during finalization is
        ended in a way that aborts the process (SIGABRT)."""
        failed: list[OSError] = []
        for sid in list(self.streams):
            try:
                self.remove_stream(sid, keep_snapshot=True)
            except OSError as exc:  # its final snapshot: the other streams still stop
                failed.append(exc)
        self.executor.stop()
        with self._lock:
            readers, self._stopped_readers = self._stopped_readers, []
        for reader in readers:
            reader.join(timeout=READER_JOIN_TIMEOUT_S)
        if failed:
            raise failed[0]

    # ------------------------------------------------------------------ models
    def model(self, key: str | None) -> tuple[str, Any]:
        key = key or self.options.model
        if not key:
            raise ValueError("no model: give --model or a 'model' for the stream")
        with self._lock:
            if key not in self._models:
                import movicore

                model = movicore.load(key)
                if not model.causal:
                    raise ValueError(f"{key}: serve needs a stream (causal) model")
                self._models[key] = model
            return key, self._models[key]

    # ------------------------------------------------------------------ streams
    def add_stream(self, source: SourceSpec, model: str | None = None, *, sid: str | None = None,
                   loop: bool | None = None) -> Stream:
        if not callable(source) and (not isinstance(source, str) or not source.strip()):
            raise ValueError(f"source must be a non-empty string, got {source!r}")
        check_loop(loop)
        key, mdl = self.model(model)
        loop = self.options.loop if loop is None else loop
        with self._lock:
            sid = check_id(sid) if sid is not None else stream_id(source, set(self.streams))
            if sid in self.streams:
                raise ValueError(f"stream {sid!r} exists")
            state, resumed = self._load_snapshot(sid, mdl)
            lossless = getattr(source, "lossless", False) or (is_file(source) and
                                                              not self.options.pace)
            stream = Stream(sid, source, key, mdl, FrameQueue(self.options.queue,
                                                              drop_oldest=not lossless), loop)
            stream.resumed_from = resumed
            self.executor.add(stream, state)
            self.streams[sid] = stream
        self._snap_at[sid] = time.monotonic()

        def on_status(status: str, error: str | None, s: Stream = stream) -> None:
            self.set_status(s, status, error)

        def on_frame(s: Stream = stream) -> None:
            if s.wake is not None:
                s.wake()

        stream.reader = SourceReader(source, mdl, stream.queue, loop=loop,
                                     pace=self.options.pace, on_frame=on_frame,
                                     on_status=on_status, backoff=self.options.backoff,
                                     max_backoff=self.options.max_backoff, name=f"src-{sid}")
        self.hub.publish({"event": "added", "stream": sid, "source": describe(source),
                          "model": key, "placement": stream.placement, "resumed_from": resumed})
        stream.reader.start()
        return stream

    def _load_snapshot(self, sid: str, model: Any) -> tuple[dict[str, Any] | None,
                                                             dict[str, Any] | None]:
        d = self.options.snapshot_dir
        path = Path(d) / f"{sid}.npz" if d else None
        if path is None or not path.is_file():
            return None, None
        try:
            state, info = snapshots.load(path)
            # check it fits before any executor sees it
            from movicore.video.api import make_engine

            make_engine(model).load_state_dict(state)
        except ValueError as exc:
            self.hub.publish({"event": "error", "stream": sid,
                              "error": f"snapshot not resumed: {exc}"})
            return None, None
        return state, {"file": str(path), "frame": info.get("frame"),
                       "frames": info.get("frames")}

    def remove_stream(self, sid: str, keep_snapshot: bool = False) -> Stream:
        with self._lock:
            stream = self.streams.pop(sid, None)
        if stream is None:
            raise KeyError(sid)
        if stream.reader is not None:
            stream.reader.stop()  # returns at its next frame; joined in stop()
            with self._lock:
                self._stopped_readers = [r for r in self._stopped_readers if r.is_alive()]
                self._stopped_readers.append(stream.reader)
        stream.queue.close()
        state = self.executor.remove(stream)
        d = self.options.snapshot_dir
        failed = None
        if d:
            if keep_snapshot and state is not None:
                failed = self._try_save(stream, state, stream.last_seq)
            elif not keep_snapshot:
                snapshots.remove(d, sid)
        stream.status = "stopped"
        self.hub.publish({"event": "removed", "stream": sid, "frames": stream.frames})
        if failed is not None:
            raise failed
        return stream

    def get(self, sid: str) -> Stream:
        with self._lock:
            return self.streams[sid]

    def list(self) -> list[Stream]:
        with self._lock:
            return list(self.streams.values())

    # ------------------------------------------------------------------ executor callbacks
    def set_status(self, stream: Stream, status: str, error: str | None = None) -> None:
        if stream.status == status and stream.error == error:
            return
        stream.status, stream.error = status, error
        event = {"event": "status", "stream": stream.id, "status": status}
        if error:
            event["error"] = error
        self.hub.publish(event)

    def on_result(self, stream: Stream, frame: Frame, logits: np.ndarray, seconds: float) -> None:
        self.hub.publish(stream.record(frame, logits, seconds))

    def on_error(self, stream: Stream, error: str) -> None:
        self.hub.publish({"event": "error", "stream": stream.id, "error": error})

    def on_moved(self, stream: Stream, move: dict[str, Any]) -> None:
        """``move`` is already in ``stream.moves`` (the executor filled it in)."""
        stream.placement = move["to"]
        self.hub.publish({"event": "moved", "stream": stream.id, **move})

    def snapshot_due(self, stream: Stream) -> bool:
        now = time.monotonic()
        if now - self._snap_at.get(stream.id, now) < self.options.snapshot_every:
            return False
        self._snap_at[stream.id] = now
        return True

    def on_snapshot(self, stream: Stream, state: dict[str, Any], seq: int) -> None:
        if self.options.snapshot_dir and stream.id in self.streams:
            self._try_save(stream, state, seq)  # on failure the next due snapshot tries again

    def _try_save(self, stream: Stream, state: dict[str, Any], seq: int) -> OSError | None:
        """Write the stream's snapshot; a failure (a full disk) is counted and published as
        an error event, and returned, never raised: the stream and its worker go on."""
        info = {"source": stream.source if isinstance(stream.source, str) else None,
                "model": stream.model_key, "loop": stream.loop, "frame": seq,
                "frames": stream.frames, "saved": time.time()}
        try:
            snapshots.save(self.options.snapshot_dir, stream.id, state, info)
        except OSError as exc:
            stream.snapshot_errors += 1
            self.hub.publish({"event": "error", "stream": stream.id, "error": str(exc)})
            return exc
        return None
