"""Start a fresh classifier layer from the pretrained features of the training clips.

Why: the pretrained features that feed the classifier's last layer are large and mostly
positive (A0 at 96x96: 2048 values summing to ~3,300 per clip). Adam moves every weight of a
zero-mean fresh layer by about the learning rate per step, all in the same direction early on,
so one step shifts every logit by lr x 3,300: at 1e-3 the loss jumps to 3-4 on three classes
and the layer never settles (measured); small enough rates barely learn in 60 steps. So the
layer starts as the nearest-class-mean classifier of the features (logit_c = k (mu_c . h -
|mu_c|^2 / 2), k giving a margin of 2 between class means) and then trains with a rate that
moves a logit by at most ``HEAD_STEP`` per step.
"""

from __future__ import annotations

import numpy as np
import torch

HEAD_STEP = 0.05  # largest logit change per Adam step of the fresh layer (lr x sum |h|)
MAX_PER_CLASS = 16  # clips per class used for the class means (eval transform, one pass)


@torch.no_grad()
def final_features(model: torch.nn.Module, clips: np.ndarray) -> torch.Tensor:
    """Inputs of the classifier's last layer after the last frame, [B, hidden]."""
    from movicore.reference.layers import conv3d

    cls = model.classifier
    fresh = cls.logits
    hidden = fresh.weight.shape[1]
    eye = conv3d(hidden, hidden, (1, 1, 1), bias=True)
    eye.weight.copy_(torch.eye(hidden).reshape(hidden, hidden, 1, 1, 1))
    eye.bias.zero_()
    cls.logits = eye
    try:
        out, _ = model(torch.from_numpy(np.ascontiguousarray(clips)).float().div_(255.0))
    finally:
        cls.logits = fresh
    return out


@torch.no_grad()
def imprint(model: torch.nn.Module, source, num_classes: int) -> float:
    """Set ``model.classifier.logits`` from the class means of ``source``'s clips (its eval
    transform); returns the learning rate for that layer (``HEAD_STEP`` / mean sum |h|)."""
    was = model.training
    model.eval()
    per: dict[int, list[torch.Tensor]] = {c: [] for c in range(num_classes)}
    if hasattr(source, "items") and hasattr(source, "load"):  # video folder: eval transform
        clips = (source.load(i) for i, (_, y) in enumerate(source.items)
                 if len(per[y]) < MAX_PER_CLASS)
    else:
        clips = ((c, int(y)) for x, ys in source.batches(0, 8) for c, y in zip(x, ys))
    for clip, y in clips:
        if len(per[y]) < MAX_PER_CLASS:
            per[y].append(final_features(model, clip[None])[0])
        if all(len(v) >= MAX_PER_CLASS for v in per.values()):
            break
    model.train(was)
    feats = torch.stack([f for fs in per.values() for f in fs])
    means = torch.stack([torch.stack(fs).mean(0) if fs else feats.mean(0)
                         for fs in per.values()])
    gaps = [float((means[a] - means[b]).square().sum()) for a in range(num_classes)
            for b in range(a + 1, num_classes) if per[a] and per[b]]
    k = 4.0 / max(float(np.mean(gaps)) if gaps else 1.0, 1e-6)
    w = model.classifier.logits.weight
    w.copy_((k * means).reshape(w.shape))
    model.classifier.logits.bias.copy_(-0.5 * k * means.square().sum(1))
    return HEAD_STEP / max(float(feats.abs().sum(1).mean()), 1e-6)
