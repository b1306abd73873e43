"""The fine-tuning recipe: optimisation settings derived from the dataset size.

``plan`` turns the settings a user gave (``None`` = not given) into concrete ones. With a
pretrained start (``finetune``) the schedule is set in optimizer steps so that 15 clips and
15,000 clips both get a sensible run: the batch grows with the data (2..16), the run is 10
epochs but at least ``MIN_STEPS`` steps (tiny sets see each clip many times, under strong
augmentation), warm-up is the first 10 % of the steps, then cosine decay, lr 1e-4 for the
pretrained layers (the fresh classifier layer's rate is derived from the features, see
``imprint``); training stops
early when the validation loss has not improved for a quarter of the planned epochs (at
least 3). From scratch the previous defaults stay (batch 16, 8 epochs, no early stop).
Torch-free: the CLI prints the plan before it imports torch.
"""

from __future__ import annotations

import dataclasses
import math

MIN_STEPS = 60
FINETUNE_EPOCHS = 10
FINETUNE_LR = 1e-4  # pretrained layers (the fresh classifier layer: imprint.py)
WARMUP_FRACTION = 0.1
SCRATCH = {"batch_size": 16, "epochs": 8, "lr": 3e-3, "warmup_epochs": 0.3}


@dataclasses.dataclass(frozen=True)
class Plan:
    batch_size: int
    steps: int  # optimizer steps of the whole run (the schedule's length)
    epochs: int  # passes over the training set that cover ``steps``
    warmup_steps: int
    lr: float
    head_lr: float | None  # the fresh classifier layer's LR (None: derived, imprint.py)
    patience: int | None  # early stop after this many epochs without a better val loss

    def describe(self, n_train: int) -> str:
        stop = (f"early stop after {self.patience} epochs without a lower val loss"
                if self.patience else "no early stop")
        return (f"{n_train} training clips, batch {self.batch_size}: {self.steps} steps "
                f"({self.epochs} epochs), warm-up {self.warmup_steps} steps then cosine, "
                f"lr {self.lr:g}, {stop}")


def plan(n_train: int, *, finetune: bool, batch_size: int | None = None,
         epochs: int | None = None, steps: int | None = None, lr: float | None = None,
         warmup_steps: int | None = None, head_lr: float | None = None,
         patience: int | None = None) -> Plan:
    """Concrete settings for ``n_train`` training clips; given values win."""
    if n_train < 1:
        raise ValueError("no training clips")
    if epochs is not None and steps is not None:
        raise ValueError("give --epochs or --steps, not both")
    for name, v in (("batch size", batch_size), ("epochs", epochs), ("steps", steps)):
        if v is not None and v < 1:
            raise ValueError(f"{name} must be >= 1, got {v}")
    if finetune:
        batch = batch_size or min(16, max(2, n_train // 4))
        per_epoch = math.ceil(n_train / batch)
        if steps is None:
            steps = (epochs * per_epoch if epochs is not None
                     else max(FINETUNE_EPOCHS * per_epoch, MIN_STEPS))
        n_epochs = math.ceil(steps / per_epoch)
        warm = round(WARMUP_FRACTION * steps) if warmup_steps is None else warmup_steps
        pat = max(3, math.ceil(n_epochs / 4)) if patience is None else patience
        return Plan(batch, steps, n_epochs, warm, FINETUNE_LR if lr is None else lr, head_lr,
                    pat or None)
    batch = batch_size or SCRATCH["batch_size"]
    per_epoch = math.ceil(n_train / batch)
    if steps is None:
        steps = (epochs or SCRATCH["epochs"]) * per_epoch
    warm = (round(SCRATCH["warmup_epochs"] * per_epoch) if warmup_steps is None
            else warmup_steps)
    return Plan(batch, steps, math.ceil(steps / per_epoch), warm,
                SCRATCH["lr"] if lr is None else lr, head_lr, patience or None)


def parse_freeze(text: str | None) -> int | str | None:
    """``--freeze``: None/'none', 'backbone' (all but the classifier) or N (stem and the
    first N block groups)."""
    if text is None or text == "none":
        return None
    if text == "backbone":
        return "backbone"
    try:
        n = int(text)
    except ValueError:
        raise ValueError(f"--freeze must be none, backbone or a number of blocks, got "
                         f"{text!r}") from None
    if n < 0:
        raise ValueError(f"--freeze N needs N >= 0, got {n}")
    return n or None
