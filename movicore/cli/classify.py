"""``movicore classify``: stream a video (file, URL, webcam, raw stdin) through the engine.

Also hosts small helpers shared by ``demo`` and ``eval`` (model loading and naming).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from movicore.cli._options import add_threads
from movicore.extras import require
from movicore.video.api import make_engine as _api_engine
from movicore.video.results import SCHEMA, entry, fmt_top, softmax, top_k

COMMAND = "classify"
HELP = "classify a video file, URL, webcam or raw RGB stdin (streamed through the engine)"
DESCRIPTION = """\
Decode SOURCE (a video file, an http(s)/rtsp/rtmp URL, /dev/videoN, or '-' for raw RGB24
frames on stdin with --size; needs PyAV), keep frames at the rate the model expects (by
timestamp), apply the official eval transform (short side to the model's eval resize,
bilinear, center crop to the model size) and stream them through movicore.Engine.
Prints the top-k every N frames and at the end. A live source (URL, webcam) runs until
Ctrl-C, then prints the final result and exits 0. Optional JSON (schema in docs/video.md)
and PNG outputs are checked before decoding starts and written atomically.
Default model: the embedded synthetic-motion demo model (10 classes; convert an official
checkpoint for Kinetics-600, see README). An ensemble file runs as movicore.Ensemble.
"""


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WxH, e.g. 640x480, got {text!r}") from None
    if w < 1 or h < 1:
        raise argparse.ArgumentTypeError(f"size must be positive, got {text!r}")
    return w, h


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("video", metavar="SOURCE",
                   help="video file, URL, /dev/videoN, or '-' (raw RGB24 on stdin)")
    p.add_argument("--model", help="model file (default: embedded demo model)")
    p.add_argument("--labels", help="label file, one per line (overrides the model's)")
    p.add_argument("--top", type=int, default=5, metavar="K", help="classes to show (5)")
    p.add_argument("--every", type=int, default=5, metavar="N",
                   help="print the top-k every N model frames (0 = only at the end; 5)")
    p.add_argument("--fps", default=None, metavar="FPS|source",
                   help="frames per second fed to the model (default: the model file's; "
                        "'source' = every decoded frame)")
    p.add_argument("--resize", type=int, default=None, metavar="S",
                   help="short side before the center crop (default: the model file's)")
    p.add_argument("--max-frames", type=int, default=None, metavar="N",
                   help="stop after N model frames (N >= 1)")
    add_threads(p)
    p.add_argument("--size", type=_size, default=None, metavar="WxH",
                   help="frame size of raw RGB24 input on stdin ('-')")
    p.add_argument("--input-fps", type=float, default=None, metavar="FPS",
                   help="frame rate of raw stdin input (default: arrival time)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S",
                   help="seconds without data before a live source counts as stopped (10)")
    p.add_argument("--loop", action="store_true", help="loop a video file (until Ctrl-C)")
    p.add_argument("--plot", metavar="OUT.png",
                   help="PNG: sampled frames with their top class + top-k over time")
    p.add_argument("--json", metavar="OUT", help="write results as JSON ('-' = stdout)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


# --------------------------------------------------------------------------- shared helpers

def load_model(path: str | None, labels_path: str | None = None) -> tuple[Any, list[str]]:
    """``movicore.load`` of ``path`` (or the embedded model) and its labels, checked."""
    import movicore
    from movicore.assets import demo_model_path, resolve_model_path

    p = Path(resolve_model_path(path)) if path else demo_model_path()
    if p.is_dir():
        raise ValueError(f"model must be a model file (.safetensors), got a directory: {p}")
    if not p.is_file():
        raise ValueError(f"model file not found: {p}")
    model = movicore.load(p)
    n = model.num_classes
    if labels_path:
        lp = Path(labels_path)
        if not lp.is_file():
            raise ValueError(f"label file not found: {lp}")
        labels = [s.strip() for s in lp.read_text(encoding="utf-8").splitlines() if s.strip()]
        source = str(lp)
    else:
        labels, source = list(model.labels), f"model file {p.name}"
    if not labels:
        labels = [f"class_{i}" for i in range(n)]
    if len(labels) != n:
        raise ValueError(f"model/label mismatch: {p.name} has {n} classes but {source} has "
                         f"{len(labels)} labels")
    return model, labels


def model_name(model: Any) -> tuple[str, str]:
    """(model id, variant); an ensemble's ids joined with '+'."""
    members = getattr(model, "members", None)
    if members:
        return "+".join(m.config.model_id for m in members), members[0].config.variant
    return model.config.model_id, model.config.variant


def make_engine(model: Any, threads: int, size: int | None = None) -> Any:
    """``movicore.Engine`` (or ``Ensemble``) at the model's input size."""
    del size  # always the model's input size
    return _api_engine(model, threads)


# --------------------------------------------------------------------------- command

def _check_args(args: argparse.Namespace) -> None:
    from movicore.fileio import check_output_path
    from movicore.video.settings import parse_fps

    if args.top < 1 or args.every < 0:
        raise ValueError(f"need --top >= 1 and --every >= 0; got {args.top}, {args.every}")
    if args.max_frames is not None and args.max_frames < 1:
        raise ValueError(f"--max-frames must be >= 1, got {args.max_frames}")
    if args.threads < 1:
        raise ValueError(f"--threads must be >= 1, got {args.threads}")
    if args.resize is not None and args.resize < 1:
        raise ValueError(f"--resize must be >= 1, got {args.resize}")
    if args.timeout <= 0:
        raise ValueError(f"--timeout must be positive, got {args.timeout}")
    parse_fps(args.fps)
    if args.json and args.json != "-":
        check_output_path(args.json, "--json output")
    if args.plot:
        check_output_path(args.plot, "--plot output")
        require("matplotlib", "plot", "--plot")  # before decoding, not after


class _Run:
    """Everything one classify run accumulates (for the printout, JSON and PNG)."""

    def __init__(self, labels: list[str], k: int) -> None:
        from movicore.video.plot import FrameStrip

        self.labels, self.k = labels, k
        self.times: list[float] = []
        self.probs: list[np.ndarray] = []
        self.timeline: list[dict[str, Any]] = []
        self.strip = FrameStrip()

    def add(self, t: float, p: np.ndarray, frame: np.ndarray) -> list[tuple[str, float]]:
        top = top_k(p, self.labels, self.k)
        self.times.append(t)
        self.probs.append(p.astype(np.float32))
        self.timeline.append(entry(t, len(self.times), top))
        self.strip.add(t, frame, top[0][0], top[0][1])
        return top


def run(args: argparse.Namespace) -> int:
    from movicore.train.progress import Progress
    from movicore.video.api import VideoSource

    _check_args(args)
    model, labels = load_model(args.model, args.labels)
    src = VideoSource(args.video, model, fps=args.fps, resize=args.resize, loop=args.loop,
                      size=args.size, input_fps=args.input_fps, timeout=args.timeout)
    info = src.info
    engine = make_engine(model, args.threads)
    size = model.input_size[0]
    model_id, variant = model_name(model)
    out = sys.stdout if args.json != "-" else sys.stderr
    rate = f"{src.fps:g} fps" if src.fps else "every frame"
    print(f"{Path(info.name).name if not info.live else info.name}: {info.width}x{info.height} "
          f"{info.codec} {info.fps:.2f} fps{' (live)' if info.live else ''}; model "
          f"{model_id}-{variant} {size}x{size}, {len(labels)} classes; feeding {rate}, short "
          f"side {src.resize} then center crop", file=out)
    total = 0
    if not info.live and info.frames and not args.loop:
        total = info.frames if not src.fps or not info.fps else round(
            info.frames * min(1.0, src.fps / info.fps))
    if args.max_frames:
        total = min(total, args.max_frames) if total else args.max_frames
    acc = _Run(labels, args.top)
    clip: list[np.ndarray] = []
    last_t = 0.0
    interrupted = False
    with src, Progress(total, "classify", unit="frames",
                       enabled=not args.quiet and sys.stderr.isatty()) as bar:
        try:
            for t, frame in src:
                last_t = t
                if model.causal:
                    top = acc.add(t, softmax(engine.step(frame)), frame)
                    n = len(acc.times)
                    if args.every and n % args.every == 0:
                        bar.print(f"{t:8.2f} s  frame {n:5d}  " + fmt_top(top), file=out)
                else:
                    clip.append(frame)
                bar.update(1)
                if args.max_frames and bar.count >= args.max_frames:
                    break
        except KeyboardInterrupt:
            if not (info.live or args.loop):
                raise
            interrupted = True
    if not model.causal:  # base model: one prediction for the whole clip
        if not clip:
            raise ValueError("no frames reached the model")
        acc.add(last_t, softmax(engine.run(np.stack(clip))), clip[-1])
        acc.timeline[-1]["frame"] = len(clip)
    if not acc.times:
        raise ValueError("no frames reached the model")
    final = acc.timeline[-1]
    n_fed = final["frame"]
    stop = " (stopped by Ctrl-C)" if interrupted else ""
    if src.dropped:
        stop += f" ({src.dropped} frames dropped: the engine was slower than the live source)"
    print(f"final ({n_fed} frames, {final['time']:.2f} s){stop}: "
          + fmt_top([(e["label"], e["probability"]) for e in final["top"]]), file=out)
    result = {"schema": SCHEMA, "source": str(args.video), "model": str(model.path),
              "model_id": model_id, "variant": variant, "input_size": size,
              "fps": src.fps, "resize": src.resize,
              "source_info": {"width": info.width, "height": info.height, "fps": info.fps,
                              "codec": info.codec, "live": info.live},
              "frames": n_fed, "frames_decoded": src.frames_decoded,
              "frames_dropped": src.dropped, "labels": labels,
              "top_k": args.top, "timeline": acc.timeline if model.causal else [],
              "final": final}
    _write_outputs(args, result, acc)
    return 0


def _write_outputs(args: argparse.Namespace, result: dict[str, Any], acc: _Run) -> None:
    """Render everything first, then write: a failure leaves no output file of this run."""
    from movicore.fileio import write_bytes_atomic

    files: list[tuple[str, bytes]] = []
    text = json.dumps(result, indent=1, ensure_ascii=False) if args.json else ""
    if args.json and args.json != "-":
        files.append((args.json, (text + "\n").encode("utf-8")))
    if args.plot:
        from movicore.video.plot import render_png

        files.append((args.plot, render_png(np.asarray(acc.times), np.stack(acc.probs),
                                            acc.labels, args.top, acc.strip.pick(),
                                            title=Path(str(args.video)).name)))
    written: list[Path] = []
    try:
        for path, data in files:
            write_bytes_atomic(path, data)
            written.append(Path(path))
    except BaseException:
        for p in written:
            p.unlink(missing_ok=True)
        raise
    if args.json == "-":
        print(text)
