"""``movicore convert``: PyTorch or official TF checkpoint -> movicore model file."""

from __future__ import annotations

import argparse
import pickle
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from movicore import arch
from movicore.errors import ModelFormatError
from movicore.extras import install_hint

COMMAND = "convert"
HELP = "convert a PyTorch or official TF MoViNet checkpoint to a movicore model file"
DESCRIPTION = """\
Convert a checkpoint into a movicore model file (.safetensors; see docs/model-file.md).

Sources (detected with --from auto):
  torch  a .pt/.pth file: either our trainer's checkpoint (OUT/checkpoint.pt;
         architecture, labels and how it was trained taken from it; --best (default)
         exports the epoch with the lowest validation loss, --last the latest epoch; the
         epoch is printed) or a bare reference state_dict (needs --model and --variant).
  tf     an official TF Model Garden checkpoint: a directory with a `checkpoint` file or
         *.index, an .index file, or a prefix whose .index exists (needs --model and
         --variant). The conv layout (2plus1d, 3d_2plus1d or 3d), positional encoding and
         the number of classes are read from the variables. TensorFlow is not needed.

SE gate of stream checkpoints (--gate) -- the weights do not record it:
  hard_sigmoid        relu6(x+3)*0.16667, what tf-models-official >= 2.8 computes. This is
                      the default: use it for checkpoints trained or exported with
                      current code.
  hard_sigmoid_keras  clip(0.2x+0.5, 0, 1), the Keras built-in that the 2021 code
                      (<= 2.7) called. The released 2021 stream checkpoints (TF Hub and
                      tensorflow/models downloads, movinet_aX_stream) were trained with it:
                      convert those with --gate hard_sigmoid_keras.
  sigmoid             base (non-causal) models.
Converting a TF stream checkpoint without --gate prints a note naming the alternative.

Labels: --labels FILE (UTF-8, one per line, count must equal the number of classes);
otherwise the trainer checkpoint's labels, the official Kinetics-600 names for 600-class
TF checkpoints, or class_0, class_1, ...

Ensembles (docs/ensembles.md): --ensemble A.safetensors B.safetensors ... packs movicore
model files (same classes, labels, causality and input size) into one ensemble file;
--mode interleave (default: member i sees frames i, i+n, ...) or parallel (every member
sees every frame); --weights w1,w2,... (normalised; default equal).

The output is written atomically (temporary file + rename): a failed conversion leaves
no partial file. An existing output is replaced only with --force.
"""

_TF_CLASSIFIER_BIAS = ("model/layer_with_weights-1/_classifier/_conv/bias",
                       "model/layer_with_weights-1/_classifier/_conv/_conv/bias")
_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"
_FIRST_SE_REDUCE = re.compile(r"(?:^|/)layer_with_weights-1/_attention/_se_reduce/_conv"
                              r"(?:/_conv)?/kernel$")
_FIRST_EXPAND = re.compile(r"(?:^|/)layer_with_weights-1/_expansion/_conv(?:/_conv)?/kernel$")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("src", metavar="SRC", nargs="?", help="checkpoint file, directory or prefix")
    p.add_argument("-o", "--output", required=True, metavar="OUT.safetensors",
                   help="model file to write")
    p.add_argument("--from", dest="source", choices=("auto", "torch", "tf"), default="auto",
                   help="source kind (default: auto-detect)")
    p.add_argument("--model", choices=arch.MODEL_IDS, help="model id (required for bare "
                   "state_dicts and TF checkpoints)")
    p.add_argument("--variant", choices=arch.VARIANTS, help="base (non-causal) or stream "
                   "(causal); required for bare state_dicts and TF checkpoints")
    p.add_argument("--conv-type", choices=arch.CONV_TYPES,
                   help="conv layout (default: detected from the weights)")
    p.add_argument("--se-type", choices=arch.SE_TYPES, help="SE type (default: the variant's "
                   "official default; 2plus3d for stream, 3d for base)")
    p.add_argument("--activation", choices=arch.ACTIVATIONS, help="main activation (default: "
                   "hard_swish for stream, swish for base)")
    p.add_argument("--gate", choices=arch.GATES, help="SE gate; see above (default: "
                   "hard_sigmoid for stream, sigmoid for base)")
    p.add_argument("--classifier-activation", choices=("swish", "hard_swish"),
                   help="classifier hidden activation (default: swish, as the official "
                   "README/export)")
    p.add_argument("--positional-encoding", action=argparse.BooleanOptionalAction,
                   default=None, help="SE positional encoding (default: detected)")
    p.add_argument("--num-classes", type=int, metavar="N",
                   help="number of classes (default: detected; an error if it differs)")
    p.add_argument("--labels", metavar="FILE", help="class names, one per line")
    p.add_argument("--input-size", type=int, metavar="N",
                   help="default input height = width (default: the model's native size)")
    p.add_argument("-f", "--force", action="store_true", help="replace an existing output")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--best", dest="epoch", action="store_const", const="best",
                       help="trainer checkpoint: the best epoch (lowest val loss; default)")
    which.add_argument("--last", dest="epoch", action="store_const", const="last",
                       help="trainer checkpoint: the last finished epoch")
    p.add_argument("--ensemble", nargs="+", metavar="MEMBER", help="pack these movicore model "
                   "files into one ensemble file (instead of SRC)")
    p.add_argument("--mode", choices=("interleave", "parallel"), default="interleave",
                   help="ensemble mode (default: interleave)")
    p.add_argument("--weights", metavar="W1,W2,...", help="ensemble member weights "
                   "(default: equal)")


def _note(msg: str) -> None:
    print(f"movicore convert: note: {msg}", file=sys.stderr)


# --------------------------------------------------------------------------- detection

def detect_source(src: Path) -> str:
    """'tf' or 'torch' from the path alone."""
    if src.is_dir():
        if (src / "checkpoint").is_file() or any(src.glob("*.index")):
            return "tf"
        raise ValueError(f"{src}: directory without a TF checkpoint (no `checkpoint` file "
                         f"and no *.index)")
    if src.suffix == ".index" or src.with_name(src.name + ".index").is_file():
        return "tf"
    if not src.exists():
        raise FileNotFoundError(f"{src}: no such file, directory or checkpoint prefix")
    if src.suffix in (".pt", ".pth", ".bin", ".ckpt"):
        return "torch"
    with open(src, "rb") as f:
        magic = f.read(4)
    if magic.startswith(b"PK") or magic[:1] == b"\x80":  # torch zip or legacy pickle
        return "torch"
    if src.suffix == ".safetensors":
        raise ValueError(f"{src}: already a .safetensors file; use `movicore inspect`")
    raise ValueError(f"{src}: cannot tell the checkpoint kind; pass --from torch or --from tf")


def _detect_from_canonical(t: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """Architecture facts visible in canonical (reference) tensor names/shapes."""
    found: dict[str, Any] = {}
    w = t.get("classifier.logits.weight")
    if w is not None and np.ndim(w) >= 1:
        found["num_classes"] = int(np.shape(w)[0])
    names = list(t)
    if any(n.endswith(".feature.conv_t.weight") for n in names):
        found["conv_type"] = "2plus1d"
    elif any(n.endswith(".feature.conv.weight") and np.ndim(t[n]) == 5 and np.shape(t[n])[2] > 1
             for n in names):
        found["conv_type"] = "3d"
    found["positional_encoding"] = any(n.endswith(".se.pos_scale") for n in names)
    if not any(".se." in n for n in names):
        found["se_type"] = "none"
    else:
        r = t.get("blocks.block0_layer0.se.reduce.weight")
        e = t.get("blocks.block0_layer0.expand.conv.weight")
        if r is not None and e is not None and np.ndim(r) == 5 and np.ndim(e) == 5:
            found["se_2e"] = np.shape(r)[1] == 2 * np.shape(e)[0]
    return found


def _detect_from_tf(variables: Mapping[str, np.ndarray]) -> dict[str, Any]:
    from movicore.reference.tf_mapping import detect_conv_type

    found: dict[str, Any] = {"conv_type": detect_conv_type(variables)}
    keys = {k.removesuffix(_SUFFIX): k for k in variables}
    for key in _TF_CLASSIFIER_BIAS:
        if key in keys and np.ndim(variables[keys[key]]) == 1:
            found["num_classes"] = int(np.shape(variables[keys[key]])[0])
    found["positional_encoding"] = any("/_pos_encoding/" in k for k in keys)
    found["se_type_absent"] = not any("/_attention/" in k for k in keys)
    # SE input width of the first layer: 2E for 2plus3d, E for 3d/2d SE.
    reduce = [k for k in keys if _FIRST_SE_REDUCE.search(k)]
    expand = [k for k in keys if _FIRST_EXPAND.search(k)]
    if reduce and expand:
        z = np.shape(variables[keys[min(reduce)]])
        e = np.shape(variables[keys[min(expand)]])
        if len(z) >= 2 and len(e) >= 1:
            found["se_2e"] = z[-2] == 2 * e[-1]
    return found


# --------------------------------------------------------------------------- sources

def _trainer_state(src: Path, ck: Mapping[str, Any], which: str | None
                   ) -> tuple[Any, dict[str, str]]:
    """Weights of the chosen epoch of a trainer checkpoint and its metadata; says which."""
    from movicore.train.provenance import epoch_summary, file_metadata

    history = [r for r in ck.get("history", []) if isinstance(r, Mapping)]
    best = ck.get("best_epoch", -1)
    use_best = which != "last" and "best_state" in ck and isinstance(best, int) and best >= 0
    epoch = best if use_best else ck.get("epoch")
    rec = next((r for r in history if r.get("epoch") == epoch), None)
    what = "best (lowest validation loss)" if use_best else "last"
    _note(f"{src.name}: exporting the {what} "
          + (epoch_summary(rec) if rec else f"epoch {int(epoch) + 1}")  # type: ignore[arg-type]
          + ("" if which else "; --last for the latest epoch" if use_best else ""))
    meta = file_metadata(ck.get("training_meta"), ck.get("video_meta"), rec,
                         "best val loss" if use_best else "last epoch")
    return ck["best_state"] if use_best else ck["state_dict"], meta


def _load_torch(src: Path, which: str | None = None
                ) -> tuple[dict[str, np.ndarray], dict[str, Any] | None, list[str] | None,
                           dict[str, str]]:
    try:
        import torch
    except ImportError:
        raise ImportError(f"reading PyTorch checkpoints needs torch ({install_hint('torch')})"
                          ) from None
    try:
        obj = torch.load(src, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:  # torch's text advises weights_only=False: not for us
        raise ModelFormatError(
            f"{src}: not a readable PyTorch checkpoint: torch.load(weights_only=True) refused "
            "it (not a PyTorch file, or it holds objects other than tensors and plain "
            "containers; movicore never runs code from a checkpoint)") from None
    except Exception as exc:  # noqa: BLE001 - torch raises many types for corrupt files
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelFormatError(f"{src}: not a readable PyTorch checkpoint: {first}") from None
    config = labels = None
    meta: dict[str, str] = {}
    if which is not None and not (isinstance(obj, Mapping) and "best_state" in obj):
        raise ValueError(f"--{which} applies to trainer checkpoints; {src} is not one")
    if isinstance(obj, Mapping) and "state_dict" in obj:
        sd = obj["state_dict"]
        if "best_state" in obj or "history" in obj:
            sd, meta = _trainer_state(src, obj, which)
        config = obj.get("config")
        labels = obj.get("labels")
        if config is not None and not isinstance(config, Mapping):
            raise ModelFormatError(f"{src}: 'config' must be a dict (Config.to_dict())")
        if labels is not None and (not isinstance(labels, list)
                                   or not all(isinstance(s, str) for s in labels)):
            raise ModelFormatError(f"{src}: 'labels' must be a list of strings")
    else:
        sd = obj
    if not isinstance(sd, Mapping) or not sd:
        raise ModelFormatError(f"{src}: expected a state_dict (name -> tensor) or a dict with "
                               f"'state_dict'; got {type(sd).__name__}")
    tensors: dict[str, np.ndarray] = {}
    for name, value in sd.items():
        if not isinstance(name, str) or not isinstance(value, torch.Tensor):
            raise ModelFormatError(f"{src}: state_dict entry {name!r} is not a named tensor")
        if name.endswith("num_batches_tracked"):
            continue
        if not value.is_floating_point():
            raise ModelFormatError(f"{src}: tensor {name!r} has dtype {value.dtype}, "
                                   f"expected float")
        tensors[name.removeprefix("module.")] = (
            value.detach().to(torch.float32).contiguous().numpy())
    return tensors, (dict(config) if config is not None else None), labels, meta


def _build_config(args: argparse.Namespace, found: dict[str, Any],
                  stored: dict[str, Any] | None, kind: str) -> arch.Config:
    """Stored config (trainer) or official defaults, then detected facts, then flags."""
    if stored is not None:
        try:
            base = arch.Config.from_dict(stored)
        except (TypeError, ValueError) as exc:
            raise ModelFormatError(f"checkpoint config is invalid: {exc}") from None
        if args.model and args.model != base.model_id:
            raise ValueError(f"--model {args.model} contradicts the checkpoint config "
                             f"({base.model_id})")
        if args.variant and args.variant != base.variant:
            raise ValueError(f"--variant {args.variant} contradicts the checkpoint config "
                             f"({base.variant})")
        fields = base.to_dict()
    else:
        if not args.model or not args.variant:
            what = "an official TF checkpoint" if kind == "tf" else "a bare state_dict"
            raise ValueError(f"{what} does not record the architecture: pass --model "
                             f"{{{','.join(arch.MODEL_IDS)}}} and --variant {{stream,base}}")
        fields = arch.default_config(args.model, args.variant).to_dict()
        if found.get("se_type") == "none" or found.get("se_type_absent"):
            fields["se_type"] = "none"
        elif "se_2e" in found:
            if found["se_2e"] and fields["se_type"] != "2plus3d":
                fields["se_type"] = "2plus3d"
            elif not found["se_2e"] and fields["se_type"] == "2plus3d":
                fields["se_type"] = "3d"
    detected_classes = found.get("num_classes")
    if detected_classes is not None:
        if args.num_classes is not None and args.num_classes != detected_classes:
            raise ValueError(f"--num-classes {args.num_classes} but the classifier has "
                             f"{detected_classes} outputs")
        fields["num_classes"] = detected_classes
    elif args.num_classes is not None:
        fields["num_classes"] = args.num_classes
    for key in ("conv_type", "positional_encoding"):
        if key not in found:
            continue
        flag = getattr(args, key)
        if flag is not None and flag != found[key] and not (
                key == "conv_type" and {flag, found[key]} <= {"2plus1d", "3d_2plus1d"}):
            raise ValueError(f"--{key.replace('_', '-')} {flag} contradicts the weights, "
                             f"which are {key}={found[key]}")
        if stored is None:  # a stored config is authoritative; validation checks it
            fields[key] = found[key]
    if fields.get("se_type") == "none":
        fields["positional_encoding"] = False
    for key in ("conv_type", "se_type", "activation", "gate", "classifier_activation",
                "positional_encoding", "input_size"):
        value = getattr(args, key)
        if value is not None:
            fields[key] = value
    return arch.Config.from_dict(fields)


def _labels(args: argparse.Namespace, config: arch.Config, stored: list[str] | None,
            kind: str) -> list[str] | None:
    from movicore import labels as labels_mod

    if args.labels:
        return labels_mod.read_labels_file(args.labels, config.num_classes)
    if stored is not None:
        if len(stored) != config.num_classes:
            raise ModelFormatError(f"checkpoint has {len(stored)} labels for "
                                   f"{config.num_classes} classes")
        return list(stored)
    if config.num_classes == 600:
        if kind == "tf":
            return list(labels_mod.kinetics600())
        _note("600 classes but no labels: names are class_0..class_599; pass --labels "
              "(Kinetics-600: movicore/data/kinetics600_labels.txt)")
    return None


# --------------------------------------------------------------------------- run

def convert(args: argparse.Namespace) -> tuple[Path, arch.Config]:
    src, out = Path(args.src), Path(args.output)
    if out.exists() and not args.force:
        raise ValueError(f"{out} exists; pass --force to replace it")
    if out.is_dir():
        raise ValueError(f"{out} is a directory")
    kind = detect_source(src) if args.source == "auto" else args.source
    stored_labels = None
    meta: dict[str, str] = {}
    if kind == "torch":
        tensors, stored, stored_labels, meta = _load_torch(src, args.epoch)
        found = _detect_from_canonical(tensors)
        config = _build_config(args, found, stored, kind)
    else:
        from movicore import tfckpt
        from movicore.reference.tf_mapping import convert_variables

        variables = tfckpt.read_checkpoint(src)
        found = _detect_from_tf(variables)
        if args.epoch is not None:
            raise ValueError(f"--{args.epoch} applies to trainer checkpoints, not TF ones")
        config = _build_config(args, found, None, kind)
        tensors = convert_variables(config, variables)
    if kind == "tf" and config.variant == "stream" and args.gate is None:
        _note(f"SE gate = {config.gate} (current official code). The 2021 released stream "
              "checkpoints need --gate hard_sigmoid_keras; see `movicore convert --help`")
    labels = _labels(args, config, stored_labels, kind)
    from movicore import modelfile
    from movicore.video import settings as video_settings

    video = video_settings.default_for(config.model_id, config.input_size)
    modelfile.write_model_file(out, config, tensors, labels,
                               {"source": f"{kind}:{src.name}", "converter": "movicore convert",
                                video_settings.METADATA_KEY: video.to_json(),
                                **meta})  # a trainer checkpoint's own video key wins
    return out, config


def convert_ensemble(args: argparse.Namespace) -> Path:
    """Pack model files into one ensemble file (``--ensemble``)."""
    from movicore import labels as labels_mod
    from movicore import modelfile

    out = Path(args.output)
    if args.src is not None:
        raise ValueError("give either SRC or --ensemble MEMBER..., not both")
    if out.exists() and not args.force:
        raise ValueError(f"{out} exists; pass --force to replace it")
    if len(args.ensemble) < 2:
        raise ValueError(f"--ensemble needs at least 2 model files, got {len(args.ensemble)}")
    files = [modelfile.read_model_file(p) for p in args.ensemble]
    weights = None
    if args.weights is not None:
        try:
            weights = [float(w) for w in args.weights.split(",")]
        except ValueError:
            raise ValueError(f"--weights must be comma-separated numbers, got "
                             f"{args.weights!r}") from None
    if args.labels:
        labels = labels_mod.read_labels_file(args.labels, files[0].config.num_classes)
    else:
        labels = list(files[0].labels)
        for mf in files[1:]:
            if list(mf.labels) != labels:
                raise ValueError(f"{mf.path} has other labels than {files[0].path}; pass "
                                 f"--labels FILE to set the ensemble's labels")
    modelfile.write_ensemble_file(
        out, [(mf.config, mf.tensors) for mf in files], labels, args.mode, weights, None,
        {"source": ",".join(Path(p).name for p in args.ensemble),
         "converter": "movicore convert --ensemble"})
    return out


def run(args: argparse.Namespace) -> int:
    if args.ensemble:
        out = convert_ensemble(args)
        from movicore import modelfile

        ef = modelfile.read_ensemble_file(out)
        names = " + ".join(f"{c.model_id} {c.variant}" for c in ef.configs)
        print(f"wrote {out}: ensemble of {names} ({ef.mode}, weights "
              f"{', '.join(f'{w:.4g}' for w in ef.weights)}), {len(ef.labels)} classes, "
              f"{ef.parameter_count:,} parameters, {out.stat().st_size:,} bytes")
        return 0
    if args.src is None:
        raise ValueError("SRC is required (or --ensemble MEMBER...)")
    out, config = convert(args)
    size = out.stat().st_size
    print(f"wrote {out}: {config.model_id} {config.variant} ({config.conv_type}, "
          f"se={config.se_type}, gate={config.gate}), {config.num_classes} classes, "
          f"{arch.parameter_count(config):,} parameters, {size:,} bytes")
    return 0
