"""Inference on Ray actors (extra ``ray``): one actor per core group holds one Model per model
file and one engine per stream it carries; a dispatcher thread per actor sends it one frame of
each of its streams per call. Streams go to the live actor with the least measured load.
Snapshots are actor calls whose results stay in the object store (owned by this driver, so
they outlive the actor); when an actor dies its streams move to a live actor and resume from
their latest snapshot there. Frames in flight on the dead actor are counted as ``lost``."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from movicore.serve.streams import Stream

CALL_TIMEOUT_S = 60.0


class StreamActor:
    """The actor class (wrapped by ``ray.remote`` at start, so importing this module never
    needs Ray)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.models: dict[str, Any] = {}
        self.engines: dict[str, Any] = {}
        self._dir = tempfile.mkdtemp(prefix="movicore-actor-")

    def pid(self) -> int:
        return os.getpid()

    def add_stream(self, sid: str, key: str, blob: bytes, snapshot: Any = None) -> None:
        import movicore
        from movicore.video.api import make_engine

        if key not in self.models:
            path = Path(self._dir) / f"model{len(self.models)}.safetensors"
            path.write_bytes(blob)
            self.models[key] = movicore.load(path)
        engine = make_engine(self.models[key])
        if snapshot is not None:
            engine.load_state_dict(snapshot)
        self.engines[sid] = engine

    def remove_stream(self, sid: str) -> dict[str, Any] | None:
        engine = self.engines.pop(sid, None)
        return engine.state_dict() if engine is not None else None

    def step(self, frames: dict[str, np.ndarray]) -> dict[str, tuple[Any, float]]:
        out: dict[str, tuple[Any, float]] = {}
        for sid, frame in frames.items():
            t0 = time.perf_counter()
            try:
                logits = self.engines[sid].step(frame)
            except (KeyError, ValueError) as exc:
                out[sid] = (str(exc), 0.0)
                continue
            out[sid] = (logits, time.perf_counter() - t0)
        return out

    def snapshot(self, sids: list[str]) -> dict[str, dict[str, Any]]:
        return {sid: self.engines[sid].state_dict() for sid in sids if sid in self.engines}


class _Slot:
    """One actor and the dispatcher thread feeding it."""

    def __init__(self, name: str, handle: Any) -> None:
        self.name, self.handle = name, handle
        self.streams: dict[str, Stream] = {}
        self.lock = threading.Lock()
        self.event = threading.Event()
        self.alive = True
        self.thread: threading.Thread | None = None

    def load(self) -> tuple[float, int]:
        with self.lock:
            return sum(s.load for s in self.streams.values()), len(self.streams)


class RayExecutor:
    kind = "ray"

    def __init__(self, host: Any, address: str, actors: int) -> None:
        try:
            import ray
        except ImportError:
            raise ImportError("ray is missing: pip install 'movicore[ray]'") from None
        self.ray = ray
        self.host = host
        self._owns_ray = False
        if not ray.is_initialized():
            env = {"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}
            ray.init(address=address,
                     include_dashboard=False, log_to_driver=False,
                     runtime_env={"env_vars": env} if env else None)
            self._owns_ray = True
        n = actors or max(1, int(ray.cluster_resources().get("CPU", 1)))
        remote = ray.remote(num_cpus=1, max_restarts=0)(StreamActor)
        self.slots = [_Slot(f"actor-{i}", remote.options(scheduling_strategy="SPREAD")
                            .remote(f"actor-{i}")) for i in range(n)]
        ray.get([s.handle.pid.remote() for s in self.slots], timeout=CALL_TIMEOUT_S)
        self._blobs: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._stopping = False

    # ------------------------------------------------------------------ placement
    def _blob(self, key: str) -> Any:
        with self._lock:
            if key not in self._blobs:
                self._blobs[key] = self.ray.put(Path(key).read_bytes())
            return self._blobs[key]

    def _pick(self) -> _Slot | None:
        live = [s for s in self.slots if s.alive]
        return min(live, key=lambda s: s.load()) if live else None

    def _place(self, stream: Stream, snapshot: Any) -> _Slot:
        while True:
            slot = self._pick()
            if slot is None:
                raise RuntimeError("no live Ray actor")
            try:
                self.ray.get(slot.handle.add_stream.remote(stream.id, stream.model_key,
                                                           self._blob(stream.model_key),
                                                           snapshot),
                             timeout=CALL_TIMEOUT_S)
            except self.ray.exceptions.RayActorError:
                slot.alive = False  # its dispatcher moves whatever it still has
                slot.event.set()
                continue
            with slot.lock:
                slot.streams[stream.id] = stream
            stream.wake = slot.event.set
            stream.placement = slot.name
            return slot

    def start(self) -> None:
        for slot in self.slots:
            slot.thread = threading.Thread(target=self._dispatch, args=(slot,),
                                           name=f"ray-{slot.name}", daemon=True)
            slot.thread.start()

    def add(self, stream: Stream, state: dict[str, Any] | None) -> None:
        self._place(stream, self.ray.put(state) if state is not None else None)

    def remove(self, stream: Stream) -> dict[str, Any] | None:
        for slot in self.slots:
            with slot.lock:
                found = slot.streams.pop(stream.id, None) is not None
            if found and slot.alive:
                try:
                    return self.ray.get(slot.handle.remove_stream.remote(stream.id),
                                        timeout=CALL_TIMEOUT_S)
                except self.ray.exceptions.RayActorError:
                    return None
        return None

    def placements(self) -> list[dict[str, Any]]:
        out = []
        for s in self.slots:
            load, n = s.load()
            out.append({"name": s.name, "streams": n, "load": round(load, 3), "alive": s.alive})
        return out

    def stop(self) -> None:
        self._stopping = True
        for slot in self.slots:
            slot.event.set()
        for slot in self.slots:
            if slot.thread is not None:
                slot.thread.join(timeout=CALL_TIMEOUT_S)
        for slot in self.slots:
            if slot.alive:
                self.ray.kill(slot.handle)
        if self._owns_ray:
            self.ray.shutdown()

    # ------------------------------------------------------------------ dispatch
    def _dispatch(self, slot: _Slot) -> None:
        errors = (self.ray.exceptions.RayActorError, self.ray.exceptions.GetTimeoutError)
        while not self._stopping and slot.alive:
            slot.event.clear()
            with slot.lock:
                streams = list(slot.streams.values())
            batch = {}
            for s in streams:
                frame = s.queue.get_nowait()
                if frame is not None:
                    batch[s.id] = (s, frame)
            if not batch:
                slot.event.wait(0.05)
                continue
            for s, frame in batch.values():
                if s.moves and s.moves[-1].get("resumed_at_frame") is None:
                    s.moves[-1]["resumed_at_frame"] = frame.seq  # first frame after the move
            try:
                out = self.ray.get(slot.handle.step.remote(
                    {sid: f.image for sid, (_, f) in batch.items()}), timeout=CALL_TIMEOUT_S)
            except errors as exc:
                self._failover(slot, exc, lost=dict.fromkeys(batch, 1))
                return
            for sid, (s, frame) in batch.items():
                logits, seconds = out[sid]
                if isinstance(logits, str):
                    self.host.on_error(s, logits)
                else:
                    self.host.on_result(s, frame, logits, seconds)
            due = [s for s, _ in batch.values() if self.host.snapshot_due(s)]
            if due:
                ref = slot.handle.snapshot.remote([s.id for s in due])
                try:
                    states = self.ray.get(ref, timeout=CALL_TIMEOUT_S)
                except errors as exc:
                    self._failover(slot, exc, lost={})
                    return
                for s in due:
                    if s.id in states:
                        # Re-put on this (the driver's) node: the copy the actor's node holds
                        # would go with that node.
                        s.snapshot_ref = self.ray.put(states[s.id])
                        s.snapshot_seq = batch[s.id][1].seq
                        self.host.on_snapshot(s, states[s.id], s.snapshot_seq)
        if not slot.alive and not self._stopping:
            self._failover(slot, RuntimeError("actor unreachable"), lost={})

    def _failover(self, slot: _Slot, exc: BaseException, lost: dict[str, int]) -> None:
        slot.alive = False
        with slot.lock:
            streams, slot.streams = list(slot.streams.values()), {}
        reason = type(exc).__name__
        for s in streams:
            s.lost += lost.get(s.id, 0)
            move = {"from": slot.name, "to": None, "reason": reason,
                    "snapshot_frame": s.snapshot_seq, "resumed_at_frame": None,
                    "at": round(time.time(), 3)}
            s.moves.append(move)  # before placing: the new dispatcher fills resumed_at_frame
            s.resumed_ref = s.snapshot_ref
            try:
                target = self._place(s, s.snapshot_ref)
            except RuntimeError as err:
                self.host.set_status(s, "failed", f"{reason}; {err}")
                continue
            move["to"] = target.name
            self.host.on_moved(s, move)
            target.event.set()
