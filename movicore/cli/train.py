"""``movicore train``: train or fine-tune a reference MoViNet (needs ``movicore[torch]``)."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from movicore.extras import require

COMMAND = "train"
HELP = "train / fine-tune a MoViNet on the synthetic set or a video folder (needs torch)"
DESCRIPTION = """\
Train a reference MoViNet on the built-in synthetic motion dataset (--synthetic) or on a
folder of videos (--data ROOT with ROOT/<class>/*.mp4, or ROOT/train + ROOT/val).
Stream (causal) models are trained on whole clips with a per-frame loss.
Writes OUT/checkpoint.pt after every epoch and the best epoch (lowest validation loss,
ties: the later epoch) to OUT/best.safetensors (or --export), with how it was trained
(clip length, frame rate, eval resize, epoch, metrics) in the file's metadata.

Fine-tuning recipe (the default with --init MODEL; docs/training.md):
  a fresh classifier for the data's classes; BatchNorm statistics frozen (--train-bn to
  update them); --freeze backbone|N to fix the backbone or its stem + first N blocks;
  batch = clips/4 (2..16); 10 epochs but at least 60 optimizer steps; warm-up over the
  first 10 % of the steps, then cosine; lr 1e-4; the new classifier layer starts from
  the class means of the pretrained features, with an lr derived from their size;
  random resized crop (area 8-100 %, aspect 1/2-2) + flip;
  class-balanced sampling when classes are uneven; early stop when the validation loss
  has not improved for a quarter of the epochs (at least 3).
From scratch (no --init): batch 16, 8 epochs, lr 3e-3, no early stop.

Video folders: frames are taken at --fps (default: the lowest frame rate among the
videos) and every --stride-th of those; a video shorter than --frames such frames is an
error (clips are never padded). Validation and the exported model use the official eval
transform: short side resized to --resize, center crop --size.

--resume OUT/checkpoint.pt alone continues a run with all of its settings.
Example (see docs/training.md):

  movicore train --data clips/ --init a0.safetensors --size 96 --frames 12 --out runs/ft

--ensemble N trains N members of --model independently, member i on frames i, i+N, ...
of every clip (--ensemble-mode interleave; parallel: every frame), with seeds seed+i,
and writes OUT/member{i}.safetensors and the ensemble file OUT/ensemble.safetensors (or
--export); see docs/ensembles.md.
"""

# Defaults of the options that do not depend on the recipe (None = decided at run time).
DEFAULTS: dict[str, Any] = {
    "model": "t0", "variant": "stream", "stochastic_depth": 0.0, "rezero_init": 1.0,
    "size": 64, "frames": 16, "stride": 1, "train_clips": 4000, "val_clips": 500,
    "val_fraction": 0.2, "curriculum": 0, "weight_decay": 0.05, "label_smoothing": 0.1,
    "clip_grad": 1.0, "frame_loss": 0.5, "warmup_frames": 4, "seed": 0,
    "out": "runs/train", "ensemble_mode": "interleave",
}
# Flags that may differ on --resume (they do not change the result).
RESUME_FREE = ("resume", "quiet", "force", "threads")


def _d(name: str) -> str:
    return f"(default: {DEFAULTS[name]})"


def add_arguments(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group()
    src.add_argument("--synthetic", action="store_true", default=None,
                     help="built-in synthetic actions")
    src.add_argument("--data", metavar="ROOT", help="video folder dataset")
    m = p.add_argument_group("model")
    m.add_argument("--model", help=f"model id a0..a5, t0 {_d('model')}; with --init: the "
                   "file's (an error if it differs)")
    m.add_argument("--variant", choices=("stream", "base"),
                   help=f"{_d('variant')}; with --init: the file's")
    m.add_argument("--init", metavar="MODEL", help="start from a model file or a trainer "
                   "checkpoint (its best epoch): fine-tuning recipe")
    m.add_argument("--num-classes", type=int, help="check: must equal the data's classes")
    m.add_argument("--dropout", type=float, help="classifier dropout (default: the "
                   "model's official rate)")
    m.add_argument("--stochastic-depth", type=float, help=_d("stochastic_depth"))
    m.add_argument("--rezero-init", type=float,
                   help=f"initial ReZero scales of a fresh model {_d('rezero_init')}; "
                        "official 0 learns motion-only data very slowly)")
    m.add_argument("--freeze", metavar="WHAT", help="none, backbone (all but the "
                   "classifier) or N (stem + first N blocks) (default: none)")
    m.add_argument("--train-bn", action="store_true", default=None,
                   help="update BatchNorm statistics (default: frozen with --init, "
                        "updated from scratch)")
    d = p.add_argument_group("data")
    d.add_argument("--size", type=int, help=f"input height = width {_d('size')}")
    d.add_argument("--frames", type=int, help=f"frames per training clip {_d('frames')}")
    d.add_argument("--fps", type=float, help="video folders: frames per second taken from "
                   "the videos (default: the lowest frame rate among them)")
    d.add_argument("--stride", type=int, help=f"then every S-th of those {_d('stride')}")
    d.add_argument("--resize", type=int, help="eval short side before the center crop "
                   "(default: the official ratio to the size, a0: 192/172)")
    d.add_argument("--train-clips", type=int,
                   help=f"synthetic clips per epoch, fresh every epoch {_d('train_clips')}")
    d.add_argument("--val-clips", type=int, help=f"synthetic validation clips "
                   f"{_d('val_clips')}")
    d.add_argument("--val-fraction", type=float,
                   help="video folder without train/ and val/: held-out fraction per class "
                        f"{_d('val_fraction')}")
    d.add_argument("--curriculum", type=int, metavar="E",
                   help="synthetic: ramp clutter from none (epoch 0) to full (epoch E) "
                        f"{_d('curriculum')}")
    d.add_argument("--flip", action=argparse.BooleanOptionalAction, default=None,
                   help="random horizontal flips of video folders (default: on; turn off "
                        "when a class is defined by a left/right direction)")
    d.add_argument("--balance", action=argparse.BooleanOptionalAction, default=None,
                   help="class-balanced sampling (default: on when classes are uneven)")
    o = p.add_argument_group("optimisation (default: the recipe, see above)")
    o.add_argument("--epochs", type=int, help="passes over the training set")
    o.add_argument("--steps", type=int, help="optimizer steps (instead of --epochs)")
    o.add_argument("--batch-size", type=int)
    o.add_argument("--lr", type=float, help="peak learning rate")
    o.add_argument("--head-lr", type=float,
                   help="LR of the fresh classifier layer (default: derived from the "
                        "features, fine-tuning; else --lr)")
    o.add_argument("--warmup-steps", type=int)
    o.add_argument("--patience", type=int, help="early stop after N epochs without a lower "
                   "val loss (0 = never)")
    o.add_argument("--weight-decay", type=float, help=_d("weight_decay"))
    o.add_argument("--label-smoothing", type=float, help=_d("label_smoothing"))
    o.add_argument("--clip-grad", type=float, help=_d("clip_grad"))
    o.add_argument("--frame-loss", type=float,
                   help=f"weight of the per-frame loss for stream models {_d('frame_loss')}")
    o.add_argument("--warmup-frames", type=int,
                   help=f"per-frame loss from this frame on {_d('warmup_frames')}")
    o.add_argument("--max-steps", type=int, help="stop after this many steps (pilots, tests)")
    r = p.add_argument_group("run")
    r.add_argument("--seed", type=int, help=_d("seed"))
    r.add_argument("--threads", type=int, help="torch threads (default: the idle cores: CPU "
                   "count minus the load average, at least 1; results depend on it)")
    r.add_argument("--out", help=f"output folder {_d('out')}")
    r.add_argument("--force", action="store_true", default=None,
                   help="overwrite an existing run in --out")
    r.add_argument("--export", help="best model file (default: OUT/best.safetensors)")
    r.add_argument("--resume", metavar="CKPT", help="continue OUT/checkpoint.pt with all "
                   "of its settings")
    r.add_argument("--quiet", action="store_true", default=None, help="no progress bar")
    e = p.add_argument_group("temporal ensemble")
    e.add_argument("--ensemble", type=int, nargs="?", const=2, metavar="N",
                   help="train an ensemble of N members (default 2), see above")
    e.add_argument("--ensemble-mode", choices=("interleave", "parallel"),
                   help=f"frames per member {_d('ensemble_mode')}")


# --------------------------------------------------------------------------- settings

def _given(args: argparse.Namespace) -> dict[str, Any]:
    return {k: v for k, v in vars(args).items()
            if v is not None and not k.startswith("_") and k != "command"}


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    """Every setting of the run: from the checkpoint on --resume, else flags + defaults."""
    given = _given(args)
    if args.resume:
        from movicore.train.checkpoint import load_checkpoint

        stored = load_checkpoint(args.resume).get("settings")
        if not isinstance(stored, dict):
            raise ValueError(f"{args.resume} holds no run settings (written by an older "
                             f"movicore); repeat the original flags with --resume")
        for k, v in given.items():
            if k not in RESUME_FREE and stored.get(k) != v:
                raise ValueError(f"--{k.replace('_', '-')} {v} differs from the run's "
                                 f"{stored.get(k)!r}: --resume restores every setting; "
                                 f"start a new run (another --out) to change it")
        return {**stored, **{k: given[k] for k in RESUME_FREE if k in given}}
    if not (args.synthetic or args.data):
        raise ValueError("give --data ROOT or --synthetic (or --resume CKPT)")
    s = {**DEFAULTS, **given}
    if s.get("threads") is None:
        s["threads"] = idle_cores()
    return {k: v for k, v in s.items() if k not in ("force", "resume")}


def idle_cores() -> int:
    """Cores not busy with other work: torch's OpenMP threads spin-wait for each other, and
    a thread on a busy core slows every step many times over (measured: 2 threads on 2
    loaded cores, 26 s per step vs 5 s with 1)."""
    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:
        return cores
    return max(1, min(cores, round(cores - load)))


def _check_out(s: dict[str, Any], resume: str | None, force: bool) -> Path:
    out = Path(s["out"])
    if resume or force:
        return out
    used = [n for n in ("checkpoint.pt", "best.safetensors") if (out / n).exists()]
    if s.get("export") and Path(s["export"]).exists():
        used.append(str(s["export"]))
    if used:
        raise ValueError(f"{out} holds an earlier run ({', '.join(used)}): pass --resume "
                         f"{out / 'checkpoint.pt'} to continue it, --force to overwrite it, "
                         f"or another --out")
    return out


def _lowest_fps(items: list[tuple[Path, int]]) -> float:
    from movicore.data.folder import video_fps

    rates = [video_fps(p) for p, _ in items]  # the headers the split already opened
    good = [r for r in rates if r > 0]
    if not good:
        raise ValueError("cannot tell the videos' frame rate: pass --fps")
    return min(good)


def _sources(s: dict[str, Any], model_id: str) -> tuple[Any, Any]:
    if s.get("synthetic"):
        from movicore.data.synthetic import SyntheticActions

        # Validation uses a seed disjoint from every training seed (train seeds are >= 0).
        train = SyntheticActions(s["train_clips"], s["seed"], s["frames"], s["size"],
                                 fresh=True, curriculum=s["curriculum"])
        val = SyntheticActions(s["val_clips"], -1 - s["seed"], s["frames"], s["size"])
        return train, val
    from movicore.data.folder import VideoFolder

    train, val = VideoFolder.split(
        s["data"], val_fraction=s["val_fraction"], seed=s["seed"], flip=s["flip"],
        balanced=s["balance"], frames=s["frames"], stride=s["stride"], size=s["size"],
        resize=s["resize"], fps=s["fps"])
    return train, val


def _resolve_data(s: dict[str, Any]) -> None:
    """Fill the video-folder defaults that depend on the data (fps, balance, flip, resize)."""
    if s.get("synthetic"):
        return
    from movicore.data.folder import VideoFolder

    train, _ = VideoFolder.split(s["data"], val_fraction=s["val_fraction"], seed=s["seed"])
    if s.get("fps") is None:
        s["fps"] = _lowest_fps(train.items)
    if s.get("balance") is None:
        s["balance"] = len(set(train.class_counts())) > 1
    if s.get("flip") is None:
        s["flip"] = True
    if s.get("resize") is None:
        s["resize"] = eval_resize(s["model"], s["size"])


def eval_resize(model_id: str, size: int) -> int:
    """The official eval short side scaled to ``size`` (a0: 192 for 172), else size x 8/7."""
    from movicore import arch
    from movicore.video import settings as video_settings

    try:
        ratio = video_settings.official(model_id).resize / arch.SPECS[model_id].size
    except KeyError:
        ratio = 8 / 7
    return max(size, round(size * ratio))


def _command(out: Path) -> str:
    return f"movicore train --resume {shlex.quote(str(out / 'checkpoint.pt'))}"


# --------------------------------------------------------------------------- run

def run(args: argparse.Namespace) -> int:
    require("torch", "torch", "movicore train", "PyTorch")
    from movicore.train.loop import TrainOptions, seed_everything, train_loop
    from movicore.train.model_init import describe_init, make_model, read_init
    from movicore.train.provenance import epoch_summary
    from movicore.train.recipe import parse_freeze, plan

    s = _settings(args)
    if s["threads"] < 1:
        raise ValueError(f"--threads must be >= 1, got {s['threads']}")
    out = _check_out(s, args.resume, bool(args.force))
    init = read_init(s["init"]) if s.get("init") else None
    if init is not None:
        cfg = init.config
        for key, have in (("model", cfg.model_id), ("variant", cfg.variant)):
            if key in _given(args) and _given(args)[key] != have and not args.resume:
                raise ValueError(f"--{key} {_given(args)[key]} conflicts with --init "
                                 f"{s['init']} ({cfg.model_id} {cfg.variant}): drop --{key}")
        s["model"], s["variant"] = cfg.model_id, cfg.variant
    if not args.resume:
        _resolve_data(s)
    train, val = _sources(s, s["model"])
    labels = list(train.labels)
    finetune = init is not None
    p = plan(len(train), finetune=finetune, batch_size=s.get("batch_size"),
             epochs=s.get("epochs"), steps=s.get("steps"), lr=s.get("lr"),
             warmup_steps=s.get("warmup_steps"), head_lr=s.get("head_lr"),
             patience=s.get("patience"))
    freeze = parse_freeze(s.get("freeze"))
    seed_everything(s["seed"], s["threads"])
    model = make_model(s["model"], s["variant"], len(labels), size=s["size"], init=init,
                       num_classes=s.get("num_classes"), dropout=s.get("dropout"),
                       stochastic_depth=s["stochastic_depth"], labels=labels)
    log = _stderr
    if init is not None:
        log(f"init: {describe_init(init)}")
    if not s.get("synthetic"):
        counts = train.class_counts()
        stride = f" / stride {s['stride']}" if s["stride"] > 1 else ""
        log(f"data: {s['data']}: {len(labels)} classes, train {len(train)} clips "
            f"({', '.join(f'{n} {c}' for n, c in zip(counts, labels))}), val {len(val)}; "
            f"clips of {s['frames']} frames at {s['fps']:g} fps{stride}, "
            f"{s['size']}x{s['size']} (eval resize {s['resize']}), flip {s['flip']}, "
            f"balanced {s['balance']}")
        if train.skipped:
            from movicore.data.folder import describe_skipped

            log(describe_skipped(train.skipped))
    bn_frozen = finetune and not s.get("train_bn")
    log(f"recipe: {p.describe(len(train))}; BatchNorm statistics "
        f"{'frozen' if bn_frozen else 'updated'}; frozen layers: {freeze or 'none'}; "
        f"{s['threads']} torch thread(s)")
    export = s.get("export") or str(out / "best.safetensors")
    fps = None if s.get("synthetic") else s["fps"] / s["stride"]
    training_meta = {
        "data": "synthetic" if s.get("synthetic") else str(s["data"]),
        "classes": labels, "train_clips": len(train), "val_clips": len(val),
        "frames": s["frames"], "fps": fps, "stride": s["stride"], "size": s["size"],
        "resize": s.get("resize"), "init": Path(s["init"]).name if s.get("init") else None,
        "recipe": {"batch_size": p.batch_size, "steps": p.steps, "warmup_steps":
                   p.warmup_steps, "lr": p.lr, "head_lr": p.head_lr,
                   "patience": p.patience, "bn_frozen": bn_frozen, "freeze": freeze,
                   "flip": s.get("flip"), "balanced": s.get("balance"),
                   "frame_loss": s["frame_loss"], "seed": s["seed"]},
    }
    video_meta = (None if s.get("synthetic")
                  else {"fps": fps, "resize": s["resize"]})
    opts = TrainOptions(
        epochs=p.epochs, steps=p.steps, batch_size=p.batch_size, lr=p.lr,
        warmup_steps=p.warmup_steps, head_lr=p.head_lr,
        imprint=finetune and bool(getattr(model, "fresh_classifier", False)),
        freeze_bn=bn_frozen, freeze=freeze, patience=p.patience,
        weight_decay=s["weight_decay"], label_smoothing=s["label_smoothing"],
        clip_grad=s["clip_grad"], frame_loss=s["frame_loss"],
        warmup_frames=s["warmup_frames"], seed=s["seed"], threads=s["threads"],
        out_dir=str(out), export=export, resume=args.resume, max_steps=s.get("max_steps"),
        rezero_init=None if finetune else s["rezero_init"],
        progress=not s.get("quiet") and sys.stderr.isatty(),
        training_meta=training_meta, video_meta=video_meta,
        settings=json.loads(json.dumps(s)))
    if s.get("ensemble") is not None:
        from movicore.train.ensemble import run_cli

        full = dict.fromkeys(("init", "num_classes", "dropout", "export"))
        return run_cli(argparse.Namespace(**{**full, **s, "resume": args.resume}), model,
                       train, val, opts, labels)
    try:
        res = train_loop(model, train, val, opts, labels)
    except KeyboardInterrupt:
        ck = out / "checkpoint.pt"
        hint = (f"resume with: {_command(out)}" if ck.is_file()
                else "no epoch finished yet, nothing saved: start again")
        print(f"movicore train: interrupted; {hint}", file=sys.stderr)
        return 130
    why = "stopped early" if res.stopped_early else "done"
    print(f"{why}: {res.steps} steps in {res.seconds:.0f} s; exported "
          f"{epoch_summary(res.best)} (lowest val loss) to {export}")
    return 0


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
