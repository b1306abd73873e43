"""Training loop for reference MoViNets (stream or base) on clip sources.

A *clip source* is any object with ``labels`` (list of class names), ``__len__`` and
``batches(epoch, batch_size, shuffle) -> Iterator[(uint8 [B,T,H,W,3], int [B])]`` that is a
pure function of its seed and ``epoch`` (see ``movicore.data``): that makes ``--seed`` runs and
``--resume`` reproducible without saving data-loader state.

Stream (causal) models are trained on whole clips: the causal network computed on a clip gives
the same logits as streaming it frame by frame. Besides the loss on the final logits, an
optional per-frame loss on ``all_frames=True`` logits from ``warmup_frames`` on teaches the
model to be right *while* streaming, not only at the end of a clip.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
import torch.nn.functional as F

from movicore.train.checkpoint import export_model, load_checkpoint, save_checkpoint
from movicore.train.progress import Progress
from movicore.train.provenance import epoch_summary, file_metadata
from movicore.train.schedule import warmup_cosine


class ClipSource(Protocol):
    labels: list[str]

    def __len__(self) -> int: ...

    def batches(self, epoch: int, batch_size: int, shuffle: bool = False
                ) -> Iterator[tuple[np.ndarray, np.ndarray]]: ...


@dataclasses.dataclass
class TrainOptions:
    epochs: int = 10
    batch_size: int = 16
    lr: float = 1e-3
    weight_decay: float = 0.05
    warmup_epochs: float = 1.0
    steps: int | None = None  # schedule length in optimizer steps (default: epochs' worth)
    warmup_steps: int | None = None  # linear warm-up steps (default: warmup_epochs' worth)
    head_lr: float | None = None  # LR of the classifier's last layer (None: lr)
    imprint: bool = False  # start that (fresh) layer from class means (imprint.py);
    # head_lr None then means the rate imprint() derives from the features
    freeze_bn: bool = False  # keep BatchNorm statistics as loaded (fine-tuning)
    freeze: int | str | None = None  # 'backbone' or N: stem + first N block groups fixed
    patience: int | None = None  # early stop: epochs without a lower val loss
    label_smoothing: float = 0.1
    clip_grad: float = 1.0  # max global grad norm; 0 = off
    frame_loss: float = 0.5  # weight of the per-frame loss (causal models); 0 = off
    warmup_frames: int = 4  # per-frame loss from this frame on
    rezero_init: float | None = None  # set every ReZero scale before training (fresh models)
    bn_momentum: float | None = 0.1  # torch convention; None keeps the model's (0.01 = TF)
    seed: int = 0
    threads: int = 2
    out_dir: str | None = None  # checkpoint.pt written here after every epoch
    export: str | None = None  # best model (by val loss, ties: later) written here
    training_meta: dict[str, Any] | None = None  # "training" metadata (provenance.py)
    video_meta: dict[str, Any] | None = None  # "video" metadata: {"fps", "resize"}
    resume: str | None = None  # checkpoint to continue from
    max_steps: int | None = None  # stop after this many optimizer steps (tests, pilots)
    progress: bool = True
    log_every: int = 25  # steps between log lines when the progress bar is off
    log: Callable[[str], None] | None = None  # one line per epoch (default: print to stderr)
    settings: dict[str, Any] | None = None  # the CLI's settings, kept for --resume CKPT

    def check(self) -> None:
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError(f"epochs and batch_size must be >= 1, got {self.epochs}, "
                             f"{self.batch_size}")
        if not 0.0 <= self.label_smoothing < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1), got {self.label_smoothing}")
        if not 0.0 <= self.frame_loss <= 1.0:
            raise ValueError(f"frame_loss must be in [0, 1], got {self.frame_loss}")
        if self.lr <= 0:
            raise ValueError(f"lr must be > 0, got {self.lr}")
        if self.patience is not None and self.patience < 1:
            raise ValueError(f"patience must be >= 1, got {self.patience}")


@dataclasses.dataclass
class TrainResult:
    history: list[dict[str, float]]
    best_loss: float  # the selection score: val loss (train loss without validation)
    best_epoch: int  # 0-based
    best_state: dict[str, torch.Tensor]
    steps: int
    seconds: float
    stopped_early: bool = False

    @property
    def best(self) -> dict[str, float]:
        """History record of the exported epoch."""
        return next(r for r in self.history if r["epoch"] == self.best_epoch)

    @property
    def best_top1(self) -> float:
        """Validation top-1 of the exported epoch (train top-1 without validation)."""
        rec = self.best
        return float(rec.get("val_top1", rec["train_top1"]))


def freeze_layers(model: torch.nn.Module, freeze: int | str | None) -> int:
    """Stop gradients of the stem + first ``freeze`` block groups, or of everything but the
    classifier (``'backbone'``). Returns how many tensors were frozen."""
    if freeze is None:
        return 0
    n = 0
    for name, p in model.named_parameters():
        if freeze == "backbone":
            fixed = not name.startswith("classifier.")
        else:
            fixed = name.startswith("stem.") or (
                name.startswith("blocks.block")
                and int(name.split(".")[1][5:].split("_")[0]) < int(freeze))
        if fixed:
            p.requires_grad_(False)
            n += 1
    return n


def set_train_mode(model: torch.nn.Module, freeze_bn: bool) -> None:
    """``model.train()``, with BatchNorm in eval mode (running statistics used and kept)
    where ``freeze_bn`` or where its layer is frozen: small fine-tuning batches would drag
    the statistics away from the ones the pretrained weights expect."""
    model.train()
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and (
                freeze_bn or not any(p.requires_grad for p in m.parameters())):
            m.eval()


def to_input(clips: np.ndarray) -> torch.Tensor:
    """uint8 [B,T,H,W,3] -> float32 in [0, 1] (the model's input range)."""
    if clips.dtype != np.uint8 or clips.ndim != 5 or clips.shape[-1] != 3:
        raise ValueError(f"expected uint8 clips [B,T,H,W,3], got {clips.dtype} {clips.shape}")
    return torch.from_numpy(np.ascontiguousarray(clips)).float().div_(255.0)


def clip_loss(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor,
              opts: TrainOptions) -> tuple[torch.Tensor, torch.Tensor]:
    """Loss and final logits [B, C] for one batch."""
    causal = bool(model.config.causal)
    t = x.shape[1]
    if causal and opts.frame_loss > 0 and t > opts.warmup_frames + 1:
        logits, _ = model(x, all_frames=True)
        final = logits[:, -1]
        per = logits[:, opts.warmup_frames:]
        frame = F.cross_entropy(per.reshape(-1, per.shape[-1]),
                                y.repeat_interleave(per.shape[1]),
                                label_smoothing=opts.label_smoothing)
        main = F.cross_entropy(final, y, label_smoothing=opts.label_smoothing)
        return (1 - opts.frame_loss) * main + opts.frame_loss * frame, final
    final, _ = model(x)
    return F.cross_entropy(final, y, label_smoothing=opts.label_smoothing), final


@torch.no_grad()
def evaluate(model: torch.nn.Module, source: ClipSource, batch_size: int = 32, *,
             progress: bool = False) -> dict[str, Any]:
    """Top-1 / top-5 accuracy, mean loss and confusion matrix (rows = truth) of final logits."""
    was_training = model.training
    model.eval()
    n_cls = int(model.config.num_classes)
    conf = np.zeros((n_cls, n_cls), np.int64)
    top5 = 0
    loss_sum = 0.0
    n = 0
    with Progress(math.ceil(len(source) / batch_size), "val", unit="batch",
                  enabled=progress) as bar:
        for clips, labels in source.batches(0, batch_size, shuffle=False):
            logits, _ = model(to_input(clips))
            y = torch.from_numpy(np.asarray(labels, dtype=np.int64))
            loss_sum += float(F.cross_entropy(logits, y, reduction="sum"))
            pred = logits.argmax(1).numpy()
            np.add.at(conf, (y.numpy(), pred), 1)
            k = min(5, n_cls)
            top5 += int((logits.topk(k, 1).indices == y[:, None]).any(1).sum())
            n += len(y)
            bar.update(1)
    model.train(was_training)
    return {"top1": float(np.trace(conf) / max(n, 1)), "top5": top5 / max(n, 1),
            "loss": loss_sum / max(n, 1), "n": n, "confusion": conf}


def seed_everything(seed: int, threads: int) -> None:
    """Seed torch and fix the thread count (call before building the model: init is random)."""
    torch.manual_seed(seed)
    torch.set_num_threads(max(1, threads))


def _log_default(line: str) -> None:
    import sys

    print(line, file=sys.stderr, flush=True)


def train_loop(model: torch.nn.Module, train: ClipSource, val: ClipSource | None,
               opts: TrainOptions, labels: list[str] | None = None) -> TrainResult:
    """Train ``model`` in place; returns history and the best weights (lowest validation
    loss; ties go to the later epoch).

    Writes ``opts.out_dir/checkpoint.pt`` after every epoch and the best model to
    ``opts.export`` (model file, with the ``training``/``video`` metadata) whenever the
    validation loss does not get worse. Stops early after ``opts.patience`` epochs without
    a lower validation loss.
    """
    opts.check()
    log = opts.log or _log_default
    labels = list(labels if labels is not None else train.labels)
    if len(labels) != model.config.num_classes:
        raise ValueError(f"the data has {len(labels)} classes but the model has "
                         f"num_classes={model.config.num_classes}")
    seed_everything(opts.seed, opts.threads)  # dropout / stochastic depth draws
    model = model.to(memory_format=torch.channels_last_3d)  # faster depthwise convs on CPU
    if opts.rezero_init is not None and not opts.resume:
        # ReZero scales start at 0: the net is then a bag of frames, and on data where single
        # frames carry no label information (movicore.data.synthetic) no gradient opens the
        # temporal branches. A non-zero start lets temporal features learn from step 0.
        with torch.no_grad():
            for name, p in model.named_parameters():
                if name.endswith(".rezero"):
                    p.fill_(opts.rezero_init)
    if opts.bn_momentum is not None:
        # The official 0.99 (torch 0.01) needs thousands of steps before the running
        # statistics used at evaluation are right; short CPU runs need a faster average.
        for m in model.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.momentum = opts.bn_momentum

    freeze_layers(model, opts.freeze)
    head_lr = opts.head_lr
    if opts.imprint and not opts.resume:
        from movicore.train.imprint import imprint

        auto = imprint(model, train, int(model.config.num_classes))
        head_lr = auto if head_lr is None else head_lr
        log(f"classifier: started from the class means of the features; its lr "
            f"{head_lr:.3g}")
    groups: dict[tuple[bool, bool], list[torch.nn.Parameter]] = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            fresh = name.startswith("classifier.logits.")
            decays = not (p.ndim <= 1 or name.endswith(".bias"))
            groups.setdefault((fresh, decays), []).append(p)
    optimizer = torch.optim.AdamW(
        [{"params": ps, "weight_decay": opts.weight_decay if decays else 0.0,
          "lr": (head_lr or opts.lr) if fresh else opts.lr}
         for (fresh, decays), ps in sorted(groups.items())], lr=opts.lr)
    steps_per_epoch = math.ceil(len(train) / opts.batch_size)
    total = opts.steps if opts.steps is not None else steps_per_epoch * opts.epochs
    warmup = (opts.warmup_steps if opts.warmup_steps is not None
              else round(opts.warmup_epochs * steps_per_epoch))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: warmup_cosine(s, total, warmup))

    history: list[dict[str, float]] = []
    best_loss, best_epoch, stale = math.inf, -1, 0
    best_state = copy.deepcopy(model.state_dict())
    start_epoch, step = 0, 0
    if opts.resume:
        ck = load_checkpoint(opts.resume)
        if ck["config"] != model.config.to_dict():
            raise ValueError(f"checkpoint {opts.resume} holds a different architecture: "
                             f"{ck['config']} vs {model.config.to_dict()}")
        model.load_state_dict(ck["state_dict"])
        optimizer.load_state_dict(ck["optimizer"])
        scheduler.load_state_dict(ck["scheduler"])
        torch.set_rng_state(ck["rng"]["torch"])
        history = list(ck["history"])
        best_loss, best_epoch = ck["best_loss"], ck["best_epoch"]
        stale = ck.get("stale", 0)
        best_state = ck["best_state"]
        start_epoch, step = ck["epoch"] + 1, ck["step"]
        log(f"resumed from {opts.resume} at epoch {start_epoch}")

    t_start = time.perf_counter()
    stopped_early = False
    for epoch in range(start_epoch, opts.epochs):
        if step >= total or (opts.max_steps is not None and step >= opts.max_steps):
            break
        set_train_mode(model, opts.freeze_bn)
        loss_sum, correct, seen = 0.0, 0, 0
        t0 = time.perf_counter()
        with Progress(steps_per_epoch * opts.batch_size, f"epoch {epoch + 1}/{opts.epochs}",
                      unit="clips", enabled=opts.progress) as bar:
            for clips, y_np in train.batches(epoch, opts.batch_size, shuffle=True):
                if step >= total or (opts.max_steps is not None and step >= opts.max_steps):
                    break
                x = to_input(clips)
                y = torch.from_numpy(np.asarray(y_np, dtype=np.int64))
                loss, final = clip_loss(model, x, y, opts)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                if opts.clip_grad > 0:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), opts.clip_grad)
                optimizer.step()
                scheduler.step()
                step += 1
                b = len(y)
                loss_sum += float(loss.detach()) * b
                correct += int((final.argmax(1) == y).sum())
                seen += b
                bar.update(b, loss=loss_sum / seen, acc=correct / seen,
                           lr=optimizer.param_groups[0]["lr"])
                if not opts.progress and opts.log_every and step % opts.log_every == 0:
                    log(f"  step {step}/{total} loss={loss_sum / seen:.4f} "
                        f"acc={correct / seen:.4f} {bar.rate:.1f} clips/s")
        rec: dict[str, float] = {"epoch": epoch, "step": step,
                                 "train_loss": loss_sum / max(seen, 1),
                                 "train_top1": correct / max(seen, 1),
                                 "clips_per_s": seen / max(time.perf_counter() - t0, 1e-9)}
        if val is not None:
            ev = evaluate(model, val, batch_size=max(opts.batch_size, 16), progress=opts.progress)
            rec.update(val_top1=ev["top1"], val_top5=ev["top5"], val_loss=ev["loss"])
        score = rec.get("val_loss", rec["train_loss"])
        improved = score <= best_loss  # ties: the later epoch (trained longer) wins
        stale = 0 if improved else stale + 1  # epochs since the exported one
        history.append(rec)
        if improved:
            best_loss, best_epoch = score, epoch
            best_state = copy.deepcopy(model.state_dict())
            if opts.export:
                export_model(model, best_state, opts.export, labels,
                             file_metadata(opts.training_meta, opts.video_meta, rec,
                                           "best val loss" if val is not None
                                           else "best train loss"))
        log(f"epoch {epoch + 1}/{opts.epochs}: " + " ".join(
            f"{k}={v:.4f}" for k, v in rec.items() if k not in ("epoch", "step"))
            + (" *best*" if improved else ""))
        stopped_early = (opts.patience is not None and val is not None
                         and stale >= opts.patience)
        if opts.out_dir:
            save_checkpoint(Path(opts.out_dir) / "checkpoint.pt", {
                "config": model.config.to_dict(), "state_dict": model.state_dict(),
                "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                "epoch": epoch, "step": step, "labels": labels,
                "rng": {"torch": torch.get_rng_state()}, "history": history,
                "best_loss": best_loss, "best_epoch": best_epoch, "best_state": best_state,
                "stale": stale, "stopped_early": stopped_early,
                "training_meta": opts.training_meta, "video_meta": opts.video_meta,
                "options": {k: v for k, v in dataclasses.asdict(opts).items() if k != "log"},
                **({"settings": opts.settings} if opts.settings is not None else {}),
            })
        if stopped_early:
            log(f"early stop: no lower val loss in {stale} epochs; exported "
                f"{epoch_summary(history[[r['epoch'] for r in history].index(best_epoch)])}")
            break
    return TrainResult(history, best_loss, best_epoch, best_state, step,
                       time.perf_counter() - t_start, stopped_early)


def iterate(source: ClipSource, epoch: int, batch_size: int) -> Iterable[tuple[np.ndarray,
                                                                               np.ndarray]]:
    """Convenience for callers that want a source's batches without the loop."""
    return source.batches(epoch, batch_size, shuffle=False)
