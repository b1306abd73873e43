"""``movicore eval``: accuracy and confusion matrix of a model file (engine, no torch)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from movicore.cli._options import add_threads
from movicore.extras import require
from movicore.fileio import check_output_path, save_figure_atomic

COMMAND = "eval"
HELP = "top-1/top-5 accuracy and confusion matrix on a video folder or synthetic clips"
DESCRIPTION = """\
Evaluate MODEL (a .safetensors model file, or 'demo' for the embedded model) with the
engine on DATASET_DIR (ROOT/<class>/*.mp4, or ROOT/val/<class>/... if present; the
centered clip of every video, --frames long (default: the clip length in the model file's
training record), sampled at the model's frame rate, official eval transform with the
model's resize) or on freshly generated synthetic clips (--synthetic).
Class names of the data are matched to the model's labels by name.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="model file ('demo' = embedded model)")
    p.add_argument("dataset", nargs="?", help="video folder (ROOT/<class>/*.mp4)")
    p.add_argument("--synthetic", action="store_true", help="evaluate on synthetic clips")
    p.add_argument("--seed", type=int, default=None, help="synthetic seed (default 2024)")
    p.add_argument("--n", type=int, default=200, help="synthetic clips (200)")
    p.add_argument("--frames", type=int, default=None,
                   help="frames per clip (default: the clip length the model was trained "
                        "with, from its file; else the demo's)")
    p.add_argument("--stride", type=int, default=1, help="video folders: every S-th frame "
                   "after sampling at the model's frame rate (default 1)")
    p.add_argument("--labels", help="label file, one per line (overrides the model's)")
    add_threads(p)
    p.add_argument("--plot", metavar="CM.png", help="confusion matrix as PNG (matplotlib)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _class_map(data_labels: list[str], model_labels: list[str]) -> np.ndarray:
    index = {name: i for i, name in enumerate(model_labels)}
    missing = [c for c in data_labels if c not in index]
    if missing:
        raise ValueError(f"model/label mismatch: classes {missing[:5]}"
                         f"{'...' if len(missing) > 5 else ''} of the data are not among the "
                         f"model's {len(model_labels)} labels")
    return np.asarray([index[c] for c in data_labels])


def _source(args: argparse.Namespace, model: Any, size: int, frames: int,
            model_labels: list[str]) -> Any:
    if args.synthetic == bool(args.dataset):
        raise ValueError("give either DATASET_DIR or --synthetic")
    if args.synthetic:
        from movicore.assets import DEMO_SEED
        from movicore.data.synthetic import SyntheticActions

        if args.n < 1:
            raise ValueError(f"--n must be >= 1, got {args.n}")
        seed = DEMO_SEED if args.seed is None else args.seed
        return SyntheticActions(args.n, seed, frames, size)
    from movicore.data.folder import VideoFolder, describe_skipped, drop_unreadable, scan
    from movicore.video import settings as video_settings

    root = Path(args.dataset)
    if (root / "val").is_dir():
        root = root / "val"
    labels, items = scan(root)
    _class_map(labels, model_labels)  # a wrong model is said before any video is opened
    items, skipped = drop_unreadable(labels, items)
    if skipped:
        print(f"movicore eval: {describe_skipped(skipped)}", file=sys.stderr)
    video = video_settings.for_model(model)  # the rate and eval resize the model expects
    return VideoFolder(items, labels, frames=frames, size=size, stride=args.stride,
                       fps=video.fps, resize=max(video.resize, size), skipped=skipped)


def run(args: argparse.Namespace) -> int:
    from movicore.assets import DEMO_FRAMES
    from movicore.cli.classify import load_model, make_engine, model_name
    from movicore.train.progress import Progress
    from movicore.train.provenance import read_training

    if args.plot:
        require("matplotlib", "plot", "--plot")
        check_output_path(args.plot, "--plot output")
    model, labels = load_model(None if args.model == "demo" else args.model, args.labels)
    size = model.input_size[0]
    trained = read_training(getattr(model, "members", [model])[0].metadata)
    frames = args.frames or int(trained.get("frames") or DEMO_FRAMES)
    source = _source(args, model, size, frames, labels)
    to_model = _class_map(list(source.labels), labels)
    engine = make_engine(model, args.threads, size)
    n_cls = len(labels)
    conf = np.zeros((n_cls, n_cls), np.int64)
    top5 = 0
    with Progress(len(source), "eval", unit="clips",
                  enabled=not args.quiet and sys.stderr.isatty()) as bar:
        for clips, ys in source.batches(0, 8, shuffle=False):
            for clip, y in zip(clips, ys):
                logits = engine.run(clip)
                truth = int(to_model[int(y)])
                conf[truth, int(np.argmax(logits))] += 1
                top5 += truth in np.argsort(-logits, kind="stable")[:5]
                bar.update(1)
    n = int(conf.sum())
    used = sorted(set(to_model.tolist()) | set(np.nonzero(conf.sum(0))[0].tolist()))
    model_id, variant = model_name(model)
    skipped = len(getattr(source, "skipped", []))
    left_out = f" ({skipped} unreadable videos left out)" if skipped else ""
    print(f"{model_id}-{variant} on {n} clips{left_out}: "
          f"top-1 {np.trace(conf) / n:.4f}  top-5 {top5 / n:.4f}")
    print(confusion_text(conf[np.ix_(used, used)], [labels[i] for i in used]))
    if args.plot:
        plot_confusion(conf[np.ix_(used, used)], [labels[i] for i in used], args.plot)
    return 0


def confusion_text(conf: np.ndarray, labels: list[str]) -> str:
    """Rows = truth, columns = prediction (column headers are row numbers)."""
    w = max(len(s) for s in labels)
    cw = max(3, len(str(int(conf.max()))) + 1)
    lines = ["confusion (rows = truth, columns = predicted class #):",
             " " * (w + 5) + "".join(f"{j:>{cw}d}" for j in range(len(labels)))]
    for i, name in enumerate(labels):
        lines.append(f"{i:>3d} {name:<{w}} " + "".join(f"{v:>{cw}d}" for v in conf[i]))
    return "\n".join(lines)


def plot_confusion(conf: np.ndarray, labels: list[str], out: str) -> None:
    import matplotlib  # run() checked it is installed

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(labels)
    fig, ax = plt.subplots(figsize=(2 + 0.45 * n, 1.5 + 0.45 * n), dpi=100)
    ax.imshow(conf, cmap="Blues")
    ax.set_xticks(range(n), labels, rotation=60, ha="right", fontsize="small")
    ax.set_yticks(range(n), labels, fontsize="small")
    ax.set_xlabel("predicted")
    ax.set_ylabel("truth")
    if n <= 30:
        for i in range(n):
            for j in range(n):
                if conf[i, j]:
                    ax.text(j, i, str(conf[i, j]), ha="center", va="center", fontsize="x-small",
                            color="white" if conf[i, j] > conf.max() / 2 else "black")
    fig.tight_layout()
    save_figure_atomic(fig, out)
    plt.close(fig)
