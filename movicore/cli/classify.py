"""``movicore classify``: stream a video file through the engine, top-k over time.

Also hosts small helpers shared by ``demo`` and ``eval`` (model loading, softmax, top-k).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

COMMAND = "classify"
HELP = "classify a video file (streamed frame by frame through the engine)"
DESCRIPTION = """\
Decode VIDEO (anything FFmpeg reads; needs movicore[video]), resize the short side to the
model size and center-crop, then stream the frames one by one through movicore.Engine.
Prints the top-k classes every N frames and at the end; optional PNG plot of the class
probabilities over time (needs matplotlib) and JSON output.
Default model: the embedded synthetic-motion demo model (10 classes). An ensemble file
(docs/ensembles.md) runs as movicore.Ensemble.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("video", help="video file")
    p.add_argument("--model", help="model file (default: embedded demo model)")
    p.add_argument("--labels", help="label file, one per line (overrides the model's)")
    p.add_argument("--top", type=int, default=5, metavar="K", help="classes to show (5)")
    p.add_argument("--every", type=int, default=25, metavar="N",
                   help="print the top-k every N frames (0 = only at the end)")
    p.add_argument("--stride", type=int, default=1, metavar="S", help="use every S-th frame")
    p.add_argument("--max-frames", type=int, default=None, help="stop after this many frames")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--plot", metavar="OUT.png", help="plot probabilities over time")
    p.add_argument("--json", metavar="OUT", help="write results as JSON ('-' = stdout)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


# --------------------------------------------------------------------------- shared helpers

def load_model(path: str | None, labels_path: str | None = None) -> tuple[Any, list[str]]:
    """``movicore.load`` of ``path`` (or the embedded model) and its labels, checked."""
    import movicore
    from movicore.assets import demo_model_path

    p = Path(path) if path else demo_model_path()
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


def make_engine(model: Any, threads: int, size: int) -> Any:
    """``movicore.Engine``, or ``movicore.Ensemble`` for an ensemble file."""
    import movicore

    kind = movicore.Ensemble if isinstance(model, movicore.EnsembleModel) else movicore.Engine
    return kind(model, threads=threads, height=size, width=size)


def softmax(logits: np.ndarray) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64)
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def top_k(probs: np.ndarray, labels: list[str], k: int) -> list[tuple[str, float]]:
    idx = np.argsort(-probs, kind="stable")[:max(1, min(k, len(labels)))]
    return [(labels[i], float(probs[i])) for i in idx]


def fmt_top(top: list[tuple[str, float]]) -> str:
    return "  ".join(f"{name} {p:.3f}" for name, p in top)


# --------------------------------------------------------------------------- command

def run(args: argparse.Namespace) -> int:
    from movicore.data.video import iter_frames, probe
    from movicore.train.progress import Progress

    if args.top < 1 or args.every < 0 or args.stride < 1:
        raise ValueError(f"need --top >= 1, --every >= 0, --stride >= 1; got {args.top}, "
                         f"{args.every}, {args.stride}")
    info = probe(args.video)  # clear errors for missing / unreadable / codec / no stream
    model, labels = load_model(args.model, args.labels)
    size = model.input_size[0]
    engine = make_engine(model, args.threads, size)
    causal = model.causal
    model_id, variant = model_name(model)
    fps = info.fps / args.stride if info.fps else 0.0
    total = -(-info.frames // args.stride) if info.frames else 0
    if args.max_frames:
        total = min(total, args.max_frames) if total else args.max_frames
    probs: list[np.ndarray] = []
    frames: list[np.ndarray] = []
    timeline: list[dict[str, Any]] = []
    out = sys.stdout if args.json != "-" else sys.stderr
    print(f"{Path(args.video).name}: {info.width}x{info.height} {info.codec} {info.fps:.2f} fps;"
          f" model {model_id}-{variant} {size}x{size}, "
          f"{len(labels)} classes", file=out)
    with Progress(total, "classify", unit="frames",
                  enabled=not args.quiet and sys.stderr.isatty()) as bar:
        for i, frame in enumerate(iter_frames(args.video, stride=args.stride, size=size,
                                              max_frames=args.max_frames)):
            if causal:
                p = softmax(engine.step(frame))
                probs.append(p.astype(np.float32))
                if args.every and (i + 1) % args.every == 0:
                    top = top_k(p, labels, args.top)
                    timeline.append({"frame": i + 1, "time": (i + 1) / fps if fps else None,
                                     "top": top})
                    print(f"frame {i + 1:5d}  " + fmt_top(top), file=out)
            else:
                frames.append(frame)
            bar.update(1)
    if not causal:  # base model: one prediction for the whole clip
        probs.append(softmax(engine.run(np.stack(frames))).astype(np.float32))
    final = top_k(probs[-1], labels, args.top)
    n = len(probs) if causal else len(frames)
    print(f"final ({n} frames): " + fmt_top(final), file=out)
    result = {"video": str(args.video), "model": str(model.path),
              "model_id": model_id, "variant": variant,
              "input_size": size, "stride": args.stride, "fps": fps, "frames": n,
              "labels": labels, "top_k": args.top, "timeline": timeline,
              "final": [{"label": a, "probability": b} for a, b in final]}
    if causal:
        result["per_frame_top"] = [[[a, b] for a, b in top_k(p, labels, args.top)]
                                   for p in probs]
    if args.json:
        text = json.dumps(result, indent=1)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    if args.plot:
        plot_over_time(np.stack(probs), labels, fps, args.plot, args.top,
                       title=Path(args.video).name)
    return 0


def plot_over_time(probs: np.ndarray, labels: list[str], fps: float, out: str, k: int,
                   title: str = "") -> None:
    """Probabilities [T, C] of the ``k`` classes with the highest peak, over time."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError("--plot needs matplotlib: pip install movicore[plot]") from exc
    t = np.arange(1, len(probs) + 1, dtype=np.float64)
    xlabel = "frame"
    if fps:
        t, xlabel = t / fps, "time (s)"
    classes = np.argsort(-probs.max(axis=0), kind="stable")[:max(1, min(k, probs.shape[1]))]
    fig, ax = plt.subplots(figsize=(8, 4), dpi=100)
    for c in classes:
        ax.plot(t, probs[:, c], label=labels[c], marker="o" if len(t) == 1 else None)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("probability")
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
