"""``movicore train``: train or fine-tune a reference MoViNet (needs ``movicore[torch]``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from movicore.cli._options import add_threads
from movicore.extras import install_hint

COMMAND = "train"
HELP = "train / fine-tune a MoViNet on the synthetic set or a video folder (needs torch)"
DESCRIPTION = """\
Train a reference MoViNet on the built-in synthetic motion dataset (--synthetic) or on a
folder of videos (--data ROOT with ROOT/<class>/*.mp4, or ROOT/train + ROOT/val).
Stream (causal) models are trained on whole clips, with an optional per-frame loss.
Writes OUT/checkpoint.pt after every epoch and the best model to OUT/best.safetensors
(or --export). Example (the embedded demo model, see docs/training.md):

  movicore train --synthetic --model t0 --variant stream --size 64 --frames 16 \\
      --train-clips 4000 --epochs 8 --seed 0 --out runs/demo

--ensemble N trains N members of --model independently, member i on frames i, i+N, ...
of every clip (--ensemble-mode interleave; parallel: every frame), with seeds seed+i,
and writes OUT/member{i}.safetensors and the ensemble file OUT/ensemble.safetensors (or
--export); see docs/ensembles.md.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--synthetic", action="store_true", help="built-in synthetic actions")
    src.add_argument("--data", metavar="ROOT", help="video folder dataset")
    m = p.add_argument_group("model")
    m.add_argument("--model", default="t0", help="model id a0..a5, t0 (default t0)")
    m.add_argument("--variant", default="stream", choices=("stream", "base"))
    m.add_argument("--init", metavar="MODEL_FILE", help="start from a model file (fine-tune)")
    m.add_argument("--num-classes", type=int, help="replace the classifier (with --init)")
    m.add_argument("--dropout", type=float, default=None)
    m.add_argument("--stochastic-depth", type=float, default=0.0)
    m.add_argument("--rezero-init", type=float, default=1.0,
                   help="initial ReZero scales of a fresh model (default 1; official 0 learns "
                        "motion-only data very slowly)")
    d = p.add_argument_group("data")
    d.add_argument("--size", type=int, default=64, help="input height = width (default 64)")
    d.add_argument("--frames", type=int, default=16, help="frames per training clip")
    d.add_argument("--stride", type=int, default=1, help="temporal stride (video folders)")
    d.add_argument("--train-clips", type=int, default=4000,
                   help="synthetic clips per epoch (fresh clips every epoch)")
    d.add_argument("--val-clips", type=int, default=500, help="synthetic validation clips")
    d.add_argument("--val-fraction", type=float, default=0.2,
                   help="video folder without train/ and val/: held-out fraction per class")
    d.add_argument("--curriculum", type=int, default=0, metavar="E",
                   help="synthetic: ramp clutter from none (epoch 0) to full (epoch E)")
    d.add_argument("--flip", action="store_true",
                   help="random horizontal flips (only if flipping keeps every label valid)")
    o = p.add_argument_group("optimisation")
    o.add_argument("--epochs", type=int, default=8)
    o.add_argument("--batch-size", type=int, default=16)
    o.add_argument("--lr", type=float, default=3e-3)
    o.add_argument("--weight-decay", type=float, default=0.05)
    o.add_argument("--warmup-epochs", type=float, default=0.3)
    o.add_argument("--label-smoothing", type=float, default=0.1)
    o.add_argument("--clip-grad", type=float, default=1.0)
    o.add_argument("--frame-loss", type=float, default=0.5,
                   help="weight of the per-frame loss for stream models (0 = final only)")
    o.add_argument("--warmup-frames", type=int, default=4,
                   help="per-frame loss from this frame on")
    o.add_argument("--max-steps", type=int, default=None, help="stop early (pilots, tests)")
    r = p.add_argument_group("run")
    r.add_argument("--seed", type=int, default=0)
    add_threads(r, 2, help="PyTorch CPU threads for training (default {default})")
    r.add_argument("--out", default="runs/train", help="output folder (checkpoint, best model)")
    r.add_argument("--export", help="best model file (default OUT/best.safetensors)")
    r.add_argument("--resume", metavar="CKPT", help="continue from OUT/checkpoint.pt")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    e = p.add_argument_group("temporal ensemble")
    e.add_argument("--ensemble", type=int, nargs="?", const=2, default=None, metavar="N",
                   help="train an ensemble of N members (default 2), see above")
    e.add_argument("--ensemble-mode", choices=("interleave", "parallel"),
                   default="interleave", help="frames per member (default interleave)")


def _sources(args: argparse.Namespace) -> tuple:
    if args.synthetic:
        from movicore.data.synthetic import SyntheticActions

        # Validation uses a seed disjoint from every training seed (train seeds are >= 0).
        train = SyntheticActions(args.train_clips, args.seed, args.frames, args.size, fresh=True,
                                 curriculum=args.curriculum)
        val = SyntheticActions(args.val_clips, -1 - args.seed, args.frames, args.size)
        return train, val
    from movicore.data.folder import VideoFolder

    return VideoFolder.split(args.data, frames=args.frames, stride=args.stride, size=args.size,
                             val_fraction=args.val_fraction, seed=args.seed, flip=args.flip)


def run(args: argparse.Namespace) -> int:
    try:
        import torch  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"movicore train needs PyTorch: {install_hint('torch')}") from exc
    from movicore.train.loop import TrainOptions, seed_everything, train_loop
    from movicore.train.model_init import make_model

    train, val = _sources(args)
    labels = list(train.labels)
    if args.threads < 1:
        raise ValueError(f"--threads must be >= 1, got {args.threads}")
    seed_everything(args.seed, args.threads)
    model = make_model(args.model, args.variant, len(labels), size=args.size, init=args.init,
                       num_classes=args.num_classes, dropout=args.dropout,
                       stochastic_depth=args.stochastic_depth)
    out = Path(args.out)
    opts = TrainOptions(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                        weight_decay=args.weight_decay, warmup_epochs=args.warmup_epochs,
                        label_smoothing=args.label_smoothing, clip_grad=args.clip_grad,
                        frame_loss=args.frame_loss, warmup_frames=args.warmup_frames,
                        seed=args.seed, threads=args.threads, out_dir=str(out),
                        export=args.export or str(out / "best.safetensors"),
                        resume=args.resume, max_steps=args.max_steps,
                        rezero_init=None if args.init else args.rezero_init,
                        progress=not args.quiet and sys.stderr.isatty())
    if args.ensemble is not None:
        from movicore.train.ensemble import run_cli

        return run_cli(args, model, train, val, opts, labels)
    res = train_loop(model, train, val, opts, labels)
    print(f"best val top-1 {res.best_top1:.4f} (epoch {res.best_epoch + 1}), {res.steps} steps "
          f"in {res.seconds:.0f} s; model: {opts.export}")
    return 0
