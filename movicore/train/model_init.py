"""Build the model to train: fresh from a model id, or initialised from a model file or a
trainer checkpoint (``--init``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from movicore import arch
from movicore.errors import ModelFormatError


@dataclasses.dataclass
class InitSource:
    """Weights to start from: ``config``, ``state`` (name -> tensor) and where they came
    from (``path``; ``epoch`` and ``metrics`` when taken from a trainer checkpoint)."""

    path: Path
    config: arch.Config
    state: dict[str, Any]
    labels: list[str] | None = None
    epoch: int | None = None
    summary: str | None = None


def _is_torch_file(p: Path) -> bool:
    with open(p, "rb") as f:
        head = f.read(4)
    return head[:2] == b"PK" or head[:1] == b"\x80"  # torch zip archive or legacy pickle


def read_init(path: str) -> InitSource:
    """Read ``--init``: a movicore model file, or our trainer's checkpoint (its best epoch);
    anything else is an error that says how to convert it."""
    import torch

    from movicore import modelfile

    p = Path(path)
    if not p.is_file():
        raise ValueError(f"--init {p}: file not found")
    if _is_torch_file(p):
        from movicore.train.checkpoint import load_checkpoint
        from movicore.train.provenance import epoch_summary

        try:
            ck = load_checkpoint(p)
        except ValueError:
            raise ValueError(f"--init {p} is a PyTorch file but not a movicore trainer "
                             f"checkpoint: convert it first with `movicore convert {p} "
                             f"--model ID --variant stream|base -o model.safetensors`") from None
        best = "best_state" in ck and ck.get("best_epoch", -1) >= 0
        epoch = int(ck["best_epoch"] if best else ck["epoch"])
        rec = next((r for r in ck.get("history", []) if r.get("epoch") == epoch), None)
        return InitSource(p, arch.Config.from_dict(ck["config"]),
                          dict(ck["best_state"] if best else ck["state_dict"]),
                          list(ck["labels"]), epoch + 1,
                          (f"best {epoch_summary(rec)}" if rec else f"epoch {epoch + 1}"))
    try:
        mf = modelfile.read_model_file(p)
    except ModelFormatError as exc:
        raise ValueError(f"--init {p} is not a movicore model file ({exc}); convert a "
                         f"checkpoint first: `movicore convert {p} -o model.safetensors` "
                         f"(see movicore convert --help)") from None
    return InitSource(p, mf.config, {k: torch.from_numpy(v.copy()) for k, v in
                                     mf.tensors.items()}, list(mf.labels))


def describe_init(init: InitSource) -> str:
    c = init.config
    what = f"{init.path} ({c.model_id} {c.variant}, {c.num_classes} classes"
    if init.summary:
        what += f"; trainer checkpoint, {init.summary}"
    return what + ")"


def make_model(model_id: str, variant: str, num_labels: int, *, size: int | None = None,
               init: InitSource | str | None = None, num_classes: int | None = None,
               dropout: float | None = None, stochastic_depth: float = 0.0,
               labels: list[str] | None = None) -> Any:
    """A ``movicore.reference.MoViNet`` with ``num_labels`` outputs.

    With ``init`` the architecture comes from the file and every tensor is copied, except
    the classifier's last layer, which is fresh unless the file has exactly ``labels`` (the
    same classes in the same order) — standard fine-tuning.
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
    if isinstance(init, str):
        init = read_init(init)
    cfg: arch.Config = init.config.replace(num_classes=want)
    if size is not None:
        cfg = cfg.replace(input_size=size)
    model = reference.MoViNet(cfg, dropout=dropout, stochastic_depth=stochastic_depth)
    state = {k: v for k, v in init.state.items() if not k.endswith("num_batches_tracked")}
    if init.config.num_classes != want or (labels is not None and init.labels != labels):
        state = {k: v for k, v in state.items() if not k.startswith("classifier.logits.")}
    model.fresh_classifier = "classifier.logits.weight" not in state
    missing, unexpected = model.load_state_dict(state, strict=False)
    allowed = {"classifier.logits.weight", "classifier.logits.bias"}
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if unexpected or not set(missing) <= allowed:
        raise ValueError(f"--init {init.path}: tensors do not fit: missing {missing}, "
                         f"unexpected {unexpected}")
    return model
