"""Training a temporal ensemble: n members trained independently, each on its own frame
phase (member i sees frames i, i+n, ... of every clip in ``interleave`` mode), then packed
into one ensemble file. See docs/ensembles.md.

The paper trains the members independently ("We train two streaming MoViNets independently
... and average their logits", arXiv 2103.11511 §1), so each member is trained by
``train_loop`` on its own frames (a :class:`PhaseSource`) with its own loss
(``loop.clip_loss``); the averaged logits are only evaluated, never trained.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from movicore.reference.model import MoViNet
from movicore.train.loop import ClipSource, TrainOptions, TrainResult, to_input, train_loop


def _stderr(line: str) -> None:
    import sys

    print(line, file=sys.stderr, flush=True)


class PhaseSource:
    """A clip source showing only frames ``phase, phase + period, ...`` of another source's
    clips: the data one interleaved member sees (half the frame rate for a pair)."""

    def __init__(self, source: ClipSource, phase: int, period: int) -> None:
        if not 0 <= phase < period:
            raise ValueError(f"need 0 <= phase < period, got phase={phase}, period={period}")
        self.source, self.phase, self.period = source, int(phase), int(period)
        self.labels = list(source.labels)

    def __len__(self) -> int:
        return len(self.source)

    def batches(self, epoch: int, batch_size: int, shuffle: bool = False
                ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for clips, labels in self.source.batches(epoch, batch_size, shuffle):
            yield np.ascontiguousarray(clips[:, self.phase::self.period]), labels


def plain(model: MoViNet) -> MoViNet:
    """A copy of ``model``'s architecture and weights in eval mode (for the ensemble)."""
    out = MoViNet(model.config, dropout=model.dropout_rate)
    out.load_state_dict(model.state_dict())
    return out.eval()


@torch.no_grad()
def evaluate_ensemble(ensemble: torch.nn.Module, source: ClipSource,
                      batch_size: int = 32) -> dict[str, float]:
    """Top-1 / top-5 / loss of the ensemble's averaged final logits on ``source``."""
    ensemble.eval()
    n = correct = top5 = 0
    loss_sum = 0.0
    for clips, labels in source.batches(0, batch_size, shuffle=False):
        logits, _ = ensemble(to_input(clips))
        y = torch.from_numpy(np.asarray(labels, dtype=np.int64))
        loss_sum += float(F.cross_entropy(logits, y, reduction="sum"))
        correct += int((logits.argmax(1) == y).sum())
        k = min(5, logits.shape[1])
        top5 += int((logits.topk(k, 1).indices == y[:, None]).any(1).sum())
        n += len(y)
    return {"top1": correct / max(n, 1), "top5": top5 / max(n, 1),
            "loss": loss_sum / max(n, 1), "n": n}


@dataclasses.dataclass
class EnsembleResult:
    members: list[TrainResult]
    member_val_top1: list[float]
    ensemble_val: dict[str, float] | None
    export: str | None


def train_ensemble(models: list[MoViNet], train: ClipSource, val: ClipSource | None,
                   opts: TrainOptions, labels: list[str] | None = None,
                   mode: str = "interleave", export: str | None = None) -> EnsembleResult:
    """Train each member with :func:`train_loop` on its own phase, then evaluate and export
    the ensemble of the members' best weights.

    Member i uses seed ``opts.seed + i`` and ``ceil(opts.warmup_frames / n)`` (interleave:
    the per-frame loss starts at the same time in the clip as for a full-rate model); it writes ``opts.out_dir/member{i}/checkpoint.pt``
    and ``opts.out_dir/member{i}.safetensors``; the ensemble goes to ``export``.
    """
    from movicore.reference.ensemble import Ensemble, ensemble_to_file

    if len(models) < 2:
        raise ValueError(f"an ensemble needs at least 2 members, got {len(models)}")
    if mode not in ("interleave", "parallel"):
        raise ValueError(f"mode must be interleave or parallel, got {mode!r}")
    labels = list(labels if labels is not None else train.labels)
    n = len(models)
    results, best = [], []
    for i, model in enumerate(models):
        phase, period = (i, n) if mode == "interleave" else (0, 1)
        out = Path(opts.out_dir) if opts.out_dir else None
        # The per-frame loss starts at the same time point as for one full-rate model.
        warm = -(-opts.warmup_frames // period)
        mopts = dataclasses.replace(
            opts, seed=opts.seed + i, warmup_frames=warm,
            out_dir=str(out / f"member{i}") if out else None,
            export=str(out / f"member{i}.safetensors") if out else None,
            resume=None)
        log = opts.log or _stderr
        log(f"member {i + 1}/{n} ({model.config.model_id}, "
            + (f"frames {phase}::{period})" if mode == "interleave" else "all frames)"))
        res = train_loop(model, PhaseSource(train, phase, period),
                         None if val is None else PhaseSource(val, phase, period), mopts, labels)
        model.load_state_dict(res.best_state)
        results.append(res)
        best.append(plain(model))
    ens = Ensemble(best, mode=mode).eval()
    ens_val = None
    if val is not None:
        ens_val = evaluate_ensemble(ens, val, batch_size=max(opts.batch_size, 16))
    if export:
        Path(export).parent.mkdir(parents=True, exist_ok=True)
        ensemble_to_file(ens, export, labels, {"source": "movicore train --ensemble"})
    member_top1 = [r.best_top1 for r in results]
    return EnsembleResult(results, member_top1, ens_val, export)



def run_cli(args: Any, first: MoViNet, train: ClipSource, val: ClipSource | None,
            opts: TrainOptions, labels: list[str]) -> int:
    """``movicore train --ensemble N``: build members 1..N-1 like ``first`` (seeds
    seed+i), train them all, print member and ensemble validation accuracy."""
    from movicore.train.loop import seed_everything
    from movicore.train.model_init import make_model

    n = int(args.ensemble)
    if n < 2:
        raise ValueError(f"--ensemble needs at least 2 members, got {n}")
    if args.resume:
        raise ValueError("--resume is not supported with --ensemble (members are trained "
                         "one after the other; rerun, or resume a member with plain train)")
    models = [first]
    for i in range(1, n):
        seed_everything(args.seed + i, args.threads)  # independent initialisation
        models.append(make_model(args.model, args.variant, len(labels), size=args.size,
                                 init=args.init, num_classes=args.num_classes,
                                 dropout=args.dropout, stochastic_depth=args.stochastic_depth))
    export = args.export or str(Path(args.out) / "ensemble.safetensors")
    res = train_ensemble(models, train, val, dataclasses.replace(opts, export=None), labels,
                         mode=args.ensemble_mode, export=export)
    members = ", ".join(f"{t:.4f}" for t in res.member_val_top1)
    ens = (f"ensemble val top-1 {res.ensemble_val['top1']:.4f}" if res.ensemble_val
           else "no validation set")
    print(f"members' best val top-1 (each on its own frames): {members}; {ens}; "
          f"{sum(r.steps for r in res.members)} steps; ensemble: {export}")
    return 0
