"""``movicore bench --streams N`` mode ``serve``: the server pipeline end to end (decode
threads, bounded queues, inference workers on all cores) on N looping video files read
losslessly, in frames inferred per second."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np


def write_video(path: str | os.PathLike[str], frames: int = 20,
                size: tuple[int, int] = (64, 48), fps: int = 10, seed: int = 0) -> Path:
    """A small MPEG-4 file of moving blocks (PyAV)."""
    import av

    rng = np.random.default_rng(seed)
    w, h = size
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=fps)
        stream.width, stream.height = w, h
        stream.pix_fmt = "yuv420p"
        for i in range(frames):
            img = np.full((h, w, 3), (i * 12) % 256, np.uint8)
            img[:, (i * 3) % w:] = rng.integers(0, 256, 3, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return Path(path)


def measure_serve(job: dict[str, Any]) -> dict[str, Any]:
    """job: model_path, height, streams (N), frames (per stream, timed), warmup. The model
    runs at its own input size (the server's; ``height`` only sizes models without video
    settings)."""
    from movicore.benchmark import measure
    from movicore.serve.server import ServeOptions, Server, cores

    n, frames, warmup = int(job["streams"]), int(job["frames"]), int(job["warmup"])
    used = min(n, cores())
    reset_ok = measure.reset_peak_rss()
    base = measure.rss_mib()
    import movicore
    from movicore.video import settings

    # Files at the model's frame rate and eval resize, so every decoded frame is inferred
    # and only the center crop remains: the pipeline's cost, not a resampling cost.
    fps, resize = settings.resolve(movicore.load(job["model_path"]))
    with tempfile.TemporaryDirectory(prefix="movicore-bench-serve-") as tmp:
        side = resize or int(job["height"])
        videos = [write_video(Path(tmp) / f"cam{i}.mp4", frames=30, size=(side, side),
                              fps=round(fps or 10), seed=i) for i in range(n)]
        server = Server(ServeOptions(model=job["model_path"], loop=True, pace=False,
                                     workers=used))
        server.start()
        try:
            streams = [server.add_stream(str(v)) for v in videos]
            total = lambda: sum(s.frames for s in streams)
            end = time.monotonic() + 600
            while total() < n * warmup and time.monotonic() < end:
                time.sleep(0.01)
            f0, t0, c0 = total(), time.perf_counter(), time.process_time()
            while total() < f0 + n * frames and time.monotonic() < end:
                time.sleep(0.005)
            wall, done = time.perf_counter() - t0, total() - f0
            cpu = time.process_time() - c0
            drops = sum(s.drops for s in streams)
            state = streams[0].model
        finally:
            server.stop()
    fps = done / wall
    return {
        "kind": "streams", "mode": "serve", "streams": n, "status": "ok",
        "frames_per_stream": done / n, "wall_s": wall, "fps_total": fps,
        "cores_used": used, "fps_per_core": fps / used,
        "ms_per_stream_frame": 1e3 * wall / max(1, done), "drops": drops,
        "cpu_ms_per_frame": 1e3 * cpu / max(1, done),
        "state_bytes_total": 0 if state is None else _state_bytes(state) * n,
        "rss": {"baseline_mib": base, "peak_mib": measure.peak_rss_mib(),
                "increment_mib": measure.peak_rss_mib() - base if reset_ok else None},
        "logits_finite": all(s.last_logits is None or bool(np.isfinite(s.last_logits).all())
                             for s in streams),
    }


def _state_bytes(model: Any) -> int:
    from movicore.video.api import make_engine

    return int(make_engine(model).state_bytes)
