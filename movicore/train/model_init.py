"""Build the model to train: fresh from a model id, or initialised from a model file."""

from __future__ import annotations

from typing import Any

from movicore import arch


def make_model(model_id: str, variant: str, num_labels: int, *, size: int | None = None,
               init: str | None = None, num_classes: int | None = None,
               dropout: float | None = None, stochastic_depth: float = 0.0) -> Any:
    """A ``movicore.reference.MoViNet`` with ``num_labels`` outputs.

    With ``init`` the architecture comes from the file; if the file's class count differs
    (or ``num_classes`` asks for another), the classifier's last layer is replaced (fresh) and
    every other tensor is copied — standard fine-tuning.
    """
    from movicore import reference

    want = num_classes if num_classes is not None else num_labels
    if want != num_labels:
        raise ValueError(f"--num-classes {want} does not match the {num_labels} classes of "
                         f"the data")
    if init is None:
        kw: dict[str, Any] = {}
        if size is not None:
            kw["input_size"] = size
        return reference.build(model_id, variant, want, dropout=dropout,
                               stochastic_depth=stochastic_depth, **kw)
    src = reference.from_file(init)
    cfg: arch.Config = src.config.replace(num_classes=want)
    if size is not None:
        cfg = cfg.replace(input_size=size)
    model = reference.MoViNet(cfg, dropout=dropout, stochastic_depth=stochastic_depth)
    state = src.state_dict()
    if src.config.num_classes != want:
        state = {k: v for k, v in state.items() if not k.startswith("classifier.logits.")}
    missing, unexpected = model.load_state_dict(state, strict=False)
    allowed = {"classifier.logits.weight", "classifier.logits.bias"}
    if unexpected or not set(missing) <= allowed:
        raise ValueError(f"--init {init}: tensors do not fit: missing {missing}, "
                         f"unexpected {unexpected}")
    return model
