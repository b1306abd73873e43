"""``movicore demo``: the embedded model on fresh synthetic clips, streamed frame by frame.

No arguments, no network, no torch: shows that the engine keeps temporal context in its stream
state (the synthetic classes differ only in motion; single frames are ambiguous).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from movicore.cli._options import add_threads

COMMAND = "demo"
HELP = "stream synthetic motion clips through the embedded model (no download, no torch)"
DESCRIPTION = """\
Generates synthetic motion clips (a seed never used in training), streams each one frame by
frame through movicore.Engine with the embedded MoViNet-T0 stream model, and prints the
prediction next to the truth, the accuracy and the median per-frame latency.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--clips", type=int, default=20, help="number of clips (20)")
    p.add_argument("--seed", type=int, default=None, help="synthetic seed (default 2024)")
    add_threads(p)
    p.add_argument("--model", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    import movicore
    from movicore.assets import DEMO_FRAMES, DEMO_SEED
    from movicore.cli.classify import load_model
    from movicore.data import synthetic
    from movicore.video.results import softmax

    if args.clips < 1:
        raise ValueError(f"--clips must be >= 1, got {args.clips}")
    model, labels = load_model(args.model)
    missing = [c for c in synthetic.CLASSES if c not in labels]
    if missing:
        raise ValueError(f"model/label mismatch: the model does not know the synthetic "
                         f"classes {missing}")
    size = model.config.input_size
    seed = DEMO_SEED if args.seed is None else args.seed
    clips, truth = synthetic.generate(args.clips, seed, frames=DEMO_FRAMES, size=size)
    engine = movicore.Engine(model, threads=args.threads, height=size, width=size)
    print(f"movicore demo: {model.config.model_id}-{model.config.variant} {size}x{size}, "
          f"{args.clips} synthetic clips x {DEMO_FRAMES} frames (seed {seed}), "
          f"streamed frame by frame, {args.threads} thread(s)")
    lat: list[float] = []
    correct = 0
    for i, (clip, y) in enumerate(zip(clips, truth)):
        engine.reset()
        logits = None
        for frame in clip:
            t0 = time.perf_counter()
            logits = engine.step(frame)
            lat.append(time.perf_counter() - t0)
        p = softmax(logits)
        pred = int(np.argmax(p))
        name = labels[pred]
        ok = name == synthetic.CLASSES[int(y)]
        correct += ok
        print(f"  clip {i + 1:3d}  truth {synthetic.CLASSES[int(y)]:<10}  "
              f"pred {name:<10} {p[pred]:.2f}  {'ok' if ok else 'MISS'}")
    ms = 1e3 * float(np.median(lat))
    print(f"accuracy {correct}/{len(truth)} = {correct / len(truth):.1%}; median latency "
          f"{ms:.2f} ms/frame ({1e3 / ms:.0f} frames/s)")
    return 0
