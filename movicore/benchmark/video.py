"""``movicore bench MODEL --video FILE``: where the time of video classification goes.

Stages, each timed on its own over the whole file (frames/s of the stage's own frames):
* decode: PyAV decodes every frame (FFmpeg threads, ``thread_type="AUTO"``), nothing else;
* preprocess: the eval transform of the frames the model's frame rate keeps (timed per call
  inside a decode pass), straight from YUV (the default path) and, for comparison, after a
  whole-frame libswscale conversion to RGB (the path every other frame format takes);
* engine: ``engine.step`` on the preprocessed frames;
* end to end: ``VideoSource`` + ``engine.step``, as ``movicore classify`` runs it (decode,
  sampling and preprocessing in a background thread, the engine on the caller's thread).
The end-to-end time over the decode-only time is the figure of merit (1.0 = free).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np


def _decode_only(path: Path) -> tuple[int, float]:
    import av

    with av.open(str(path)) as c:
        s = c.streams.video[0]
        s.thread_type = "AUTO"
        t0 = time.perf_counter()
        n = sum(1 for _ in c.decode(s))
        return n, time.perf_counter() - t0


def _preprocess_times(path: Path, model: Any) -> dict[str, Any]:
    """Decode once; time both transforms on every kept frame; return the model frames."""
    from movicore.video import preprocess as pre
    from movicore.video.api import VideoSource
    from movicore.video.sampling import TimeSampler

    probe = VideoSource(path, model)
    fps, resize, crop = probe.fps, probe.resize, probe.crop
    src = probe._src  # the opened source: decode it here, timing the transforms only
    sampler = TimeSampler(fps)
    t_yuv = t_rgb = 0.0
    n_yuv = 0
    frames: list[np.ndarray] = []
    try:
        for t, frame in src.frames():
            if not sampler.keep(t):
                continue
            planes = src.yuv420(frame) if pre.yuv420_available() else None
            if planes is not None:
                t0 = time.perf_counter()
                pre.preprocess_yuv420(*planes, resize, crop)
                t_yuv += time.perf_counter() - t0
                n_yuv += 1
            t0 = time.perf_counter()
            out = pre.preprocess(src.rgb(frame), resize, crop)
            t_rgb += time.perf_counter() - t0
            frames.append(out)
    finally:
        probe.close()
    return {"fps": fps, "resize": resize, "crop": crop, "frames": frames,
            "yuv_frames": n_yuv, "yuv_s": t_yuv, "rgb_s": t_rgb}


def _engine_only(model: Any, frames: list[np.ndarray], threads: int) -> float:
    from movicore.video.api import make_engine

    engine = make_engine(model, threads)
    for f in frames[:5]:  # warm-up (plans, caches), then a fresh stream
        engine.step(f)
    engine.reset()
    t0 = time.perf_counter()
    for f in frames:
        engine.step(f)
    return time.perf_counter() - t0


def _end_to_end(path: Path, model: Any, threads: int, yuv_fast_path: bool
                ) -> tuple[int, int, float]:
    from movicore.video.api import VideoSource, make_engine

    engine = make_engine(model, threads)
    t0 = time.perf_counter()
    with VideoSource(path, model, yuv_fast_path=yuv_fast_path) as src:
        n = 0
        for _, frame in src:
            engine.step(frame)
            n += 1
        decoded = src.frames_decoded
    return n, decoded, time.perf_counter() - t0


def run(video: str | Path, model_path: str | Path, *, threads: int = 1, repeat: int = 1
        ) -> dict[str, Any]:
    """All stages on ``video``; each end-to-end/decode figure is the best of ``repeat``."""
    import movicore
    from movicore._cpu import cpu_info

    path = Path(video)
    model = movicore.load(model_path)
    info = movicore.VideoSource(path).info
    decode = min((_decode_only(path) for _ in range(repeat)), key=lambda r: r[1])
    pre = _preprocess_times(path, model)
    frames = pre.pop("frames")
    engine_s = _engine_only(model, frames, threads)
    e2e = min((_end_to_end(path, model, threads, True) for _ in range(repeat)),
              key=lambda r: r[2])
    e2e_rgb = _end_to_end(path, model, threads, False)
    n_model = len(frames)
    mid = model.config.model_id if hasattr(model, "config") else "ensemble"
    return {
        "video": {"path": str(path), "width": info.width, "height": info.height,
                  "fps": info.fps, "codec": info.codec, "frames": decode[0]},
        "model": {"path": str(model_path), "id": mid, "input_size": model.input_size[0],
                  "fps": pre["fps"], "resize": pre["resize"]},
        "threads": threads,
        "decode": {"frames": decode[0], "seconds": decode[1], "fps": decode[0] / decode[1]},
        "preprocess_yuv": ({"frames": pre["yuv_frames"], "ms": 1e3 * pre["yuv_s"]
                            / pre["yuv_frames"]} if pre["yuv_frames"] else None),
        "preprocess_rgb": {"frames": n_model, "ms": 1e3 * pre["rgb_s"] / max(n_model, 1)},
        "engine": {"frames": n_model, "seconds": engine_s,
                   "fps": n_model / engine_s if engine_s else 0.0},
        "end_to_end": {"model_frames": e2e[0], "decoded": e2e[1], "seconds": e2e[2],
                       "source_fps": e2e[1] / e2e[2], "over_decode": e2e[2] / decode[1]},
        "end_to_end_rgb_path": {"seconds": e2e_rgb[2], "over_decode": e2e_rgb[2] / decode[1]},
        "cpu": cpu_info(),
    }


def format_table(r: dict[str, Any]) -> str:
    v, m = r["video"], r["model"]
    rate = f"{m['fps']:g} fps" if m["fps"] else "every frame"
    lines = [(f"{Path(v['path']).name}: {v['width']}x{v['height']} {v['codec']} "
             f"{v['fps']:.2f} fps, {v['frames']} frames; model {m['id']} {m['input_size']}x"
             f"{m['input_size']} at {rate} (resize {m['resize']}), engine threads "
             f"{r['threads']}"),
             f"{'stage':<34} {'frames':>7} {'ms/frame':>9} {'frames/s':>9}"]

    def row(name: str, frames: int, ms: float) -> None:
        fps = 1e3 / ms if ms else float("inf")
        lines.append(f"{name:<34} {frames:>7d} {ms:>9.3f} {fps:>9.1f}")

    d = r["decode"]
    row("decode only (all frames)", d["frames"], 1e3 * d["seconds"] / d["frames"])
    if r["preprocess_yuv"]:
        p = r["preprocess_yuv"]
        row("preprocess from YUV (kept frames)", p["frames"], p["ms"])
    p = r["preprocess_rgb"]
    row("to RGB + preprocess (kept frames)", p["frames"], p["ms"])
    e = r["engine"]
    row("engine only (kept frames)", e["frames"], 1e3 * e["seconds"] / max(e["frames"], 1))
    x = r["end_to_end"]
    row("end to end (per decoded frame)", x["decoded"], 1e3 * x["seconds"] / x["decoded"])
    lines.append(f"end to end / decode only: {x['over_decode']:.2f}x "
                 f"({x['seconds']:.2f} s vs {d['seconds']:.2f} s; RGB-first path "
                 f"{r['end_to_end_rgb_path']['over_decode']:.2f}x); {x['model_frames']} frames "
                 f"fed to the model")
    return "\n".join(lines)
