"""``movicore inspect``: validate a model file and summarise architecture, cost and labels."""

from __future__ import annotations

import argparse
import json
import math
import os
from typing import Any

from movicore import arch

COMMAND = "inspect"
HELP = "validate a model file and print its architecture, size, cost and labels"
DESCRIPTION = """\
Read and fully validate a movicore model file (header, every tensor against the
architecture, the checksum of the data section when the file has one, NaN/inf in the
weights), then print format version, architecture, parameter
count, multiply-accumulates per frame and stream-state size at the default input size,
file size and the first labels. --json prints the same as one JSON object.
Exit status 1 with a one-line error for a malformed or corrupt file (checksum mismatch).
--verify also fails for a file without a checksum (written before movicore stored one).
"""



def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="model or ensemble file (.safetensors); "
                   "'demo' = the embedded model")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--labels", type=int, default=5, metavar="N",
                   help="how many labels to show (default 5; -1 = all)")
    p.add_argument("--verify", action="store_true",
                   help="require a checksum: exit 1 unless the file has one and it matches "
                        "(loading verifies it whenever present)")


def summary(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Everything ``inspect`` reports, as plain JSON-able values."""
    from movicore import checksum, modelfile
    from movicore.assets import resolve_model_path

    f = modelfile.read_any_file(resolve_model_path(path))  # verifies the checksum if any
    s = ensemble_summary(f) if isinstance(f, modelfile.EnsembleFile) else _model_summary(f)
    s["checksum"] = f.metadata.get(checksum.KEY)  # verified, or None
    return s


def require_checksum(s: dict[str, Any]) -> None:
    """``--verify``: a file without a checksum cannot be verified, so it fails."""
    from movicore.errors import ModelFormatError

    if s["checksum"] is None:
        raise ModelFormatError(f"{s['file']} has no checksum (written before movicore stored "
                               f"one), so it cannot be verified; write it again (e.g. "
                               f"`movicore convert`) to add one")


def _checksum_line(s: dict[str, Any]) -> tuple[str, str]:
    value = s.get("checksum")
    return "checksum", (f"{value} (verified)" if value else "none (file written before "
                        "checksums; not verified)")


def _model_summary(mf: Any) -> dict[str, Any]:
    from movicore import modelfile

    c = mf.config
    size = c.input_size
    tensors = arch.expected_tensors(c)
    from movicore.video import settings as vs

    extra = {k: v for k, v in mf.metadata.items()
             if k not in (*modelfile.RESERVED_KEYS, vs.METADATA_KEY, "quant")}
    video = vs.for_model(mf)
    q = mf.quant
    quant = None if q is None else {
        "scheme": q.scheme, "activations": q.activations, "int8_layers": len(q.layers),
        "int8_weights": sum(int(mf.tensors[n].size) for n in q.layers), "summary": q.describe()}
    return {
        "file": str(mf.path),
        "file_bytes": mf.path.stat().st_size,
        "format": mf.metadata["format"],
        "format_version": mf.format_version,
        "kind": mf.kind,
        "bn": mf.metadata["bn"],
        "name": f"MoViNet-{c.name}" + ("-Stream" if c.variant == "stream" else ""),
        "config": c.to_dict(),
        "tensors": len(tensors),
        "parameters": arch.parameter_count(c),
        "stored_values": sum(math.prod(s) for s in tensors.values()),
        "macs_per_frame": arch.count_macs(c, 1, size, size),
        "state_bytes": arch.state_bytes(c, size, size),
        "state_tensors": len(arch.state_shapes(c, 1, size, size)),
        "labels": list(mf.labels),
        "video": {"fps": video.fps, "resize": video.resize,
                  "from": "file" if vs.METADATA_KEY in mf.metadata else "default"},
        "metadata": extra,
        "quantization": quant,
    }


def _si(n: float) -> str:
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= scale:
            return f"{n / scale:.2f} {unit}"
    return f"{n:g}"


def _tensor_counts(s: dict[str, Any]) -> str:
    q = s.get("quantization")
    if not q:
        return f"{s['tensors']} F32 tensors"
    n8 = q["int8_layers"]  # each int8 layer adds its F32 scales (and static input range)
    extra = n8 * (2 if q["activations"] == "static" else 1)
    return f"{s['tensors'] - n8 + extra} F32 + {n8} I8 tensors"


def format_text(s: dict[str, Any], n_labels: int = 5) -> str:
    c = s["config"]
    size = c["input_size"]
    causal = "causal" if c["causal"] else "non-causal"
    if s["state_bytes"]:
        state = (f"{s['state_bytes']:,} bytes ({s['state_bytes'] / 2**20:.2f} MiB) in "
                 f"{s['state_tensors']} tensors, per stream at {size}x{size}")
    else:
        state = "none (non-causal: classifies whole clips)"
    labels = s["labels"]
    shown = labels if n_labels < 0 else labels[:n_labels]
    more = f", ... ({len(labels)} total)" if len(shown) < len(labels) else ""
    lines = [
        ("file", f"{s['file']} ({s['file_bytes']:,} bytes)"),
        ("format", (f"{s['format']} v{s['format_version']} ({s['kind']}, BN {s['bn']}, "
                   f"{_tensor_counts(s)})")),
        ("quantization", s["quantization"]["summary"] if s.get("quantization") else "none "
         "(float32)"),
        ("model", f"{s['name']} ({c['model_id']}, {c['variant']})"),
        ("conv type", f"{c['conv_type']} ({causal})"),
        ("SE type", c["se_type"]),
        ("activation", c["activation"]),
        ("SE gate", c["gate"]),
        ("classifier act.", c["classifier_activation"]),
        ("positional enc.", "yes" if c["positional_encoding"] else "no"),
        ("input", f"{size}x{size} RGB, float32 in [0, 1], NTHWC"),
        ("video in", _video_text(s["video"], size)),
        ("classes", f"{c['num_classes']}"),
        ("parameters", (f"{s['parameters']:,} ({s['stored_values']:,} values incl. BN "
                       f"statistics)")),
        ("MACs per frame", (f"{s['macs_per_frame']:,} ({_si(s['macs_per_frame'])}) at "
                           f"{size}x{size}")),
        ("stream state", state),
        ("labels", ", ".join(shown) + more),
        _checksum_line(s),
    ]
    if "blocks" in c:
        lines[3:3] = _table_lines(c["blocks"])
    trained = training_text(s["metadata"])
    if trained:
        lines.append(("trained", trained))
    lines += [(f"meta {k}", v) for k, v in sorted(s["metadata"].items())]
    width = max(len(k) for k, _ in lines) + 1
    return "\n".join(f"{k + ':':<{width}} {v}" for k, v in lines)


def training_text(metadata: dict[str, str]) -> str:
    """One line from the ``training`` metadata key ('' when absent)."""
    from movicore.train.provenance import read_training

    t = read_training(metadata)
    if not t:
        return ""
    m = t.get("metrics", {})
    fps = f"{t['fps']:g} fps" if t.get("fps") else "every frame"
    parts = [f"epoch {t.get('epoch')} ({t.get('selected', '?')})",
             f"{t.get('frames')} frames at {fps}, {t.get('size')}x{t.get('size')}"
             + (f", eval resize {t['resize']}" if t.get("resize") else ""),
             (f"data {t.get('data')} ({len(t.get('classes', []))} classes, "
              f"{t.get('train_clips')} train / {t.get('val_clips')} val clips)")]
    if t.get("init"):
        parts.append(f"from {t['init']}")
    if m:
        parts.append(" ".join(f"{k} {v:.4g}" for k, v in m.items()))
    return "; ".join(parts)


def _table_lines(t: dict[str, Any]) -> list[tuple[str, str]]:
    """The block table of a custom architecture, one line per block."""
    out = [("stem/head/cls", f"{t['stem']} / {t['head']} / {t['hidden']} filters")]
    for i, b in enumerate(t["blocks"]):
        layers = ", ".join(f"{e}:{'x'.join(map(str, k))}"
                           for e, k in zip(b["expand"], b["kernels"]))
        what = (f"base {b['base']}, stride {b['stride']}, {len(b['expand'])} layers "
                f"(expand:kernel) {layers}")
        out.append((f"block {i}", what))
    return out


def _video_text(v: dict[str, Any], size: int) -> str:
    rate = f"{v['fps']:g} frames/s" if v["fps"] else "every frame"
    origin = "" if v["from"] == "file" else " (default for this model id and size)"
    return f"{rate}, short side {v['resize']} then center crop {size}x{size}{origin}"


def ensemble_summary(ef: Any) -> dict[str, Any]:
    """``inspect`` of an ensemble file: the shared facts plus one entry per member."""
    from movicore import modelfile

    members = []
    for i, mf in enumerate(ef.members):
        m = _model_summary(mf)
        members.append({"index": i, "name": m["name"], "config": m["config"],
                        "parameters": m["parameters"], "macs_per_frame": m["macs_per_frame"],
                        "state_bytes": m["state_bytes"], "weight": ef.weights[i],
                        "phase": ef.phases[i]})
    macs = [m["macs_per_frame"] for m in members]
    per_input = sum(macs) / len(macs) if ef.mode == "interleave" else sum(macs)
    extra = {k: v for k, v in ef.metadata.items() if k not in modelfile.ENSEMBLE_RESERVED_KEYS}
    return {
        "file": str(ef.path),
        "file_bytes": ef.path.stat().st_size,
        "format": ef.metadata["format"],
        "format_version": ef.format_version,
        "kind": ef.kind,
        "bn": ef.metadata["bn"],
        "mode": ef.mode,
        "weights": list(ef.weights),
        "phases": list(ef.phases),
        "members": members,
        "parameters": sum(m["parameters"] for m in members),
        "macs_per_input_frame": round(per_input),
        "state_bytes": sum(m["state_bytes"] for m in members),
        "labels": list(ef.labels),
        "metadata": extra,
    }


def format_ensemble_text(s: dict[str, Any], n_labels: int = 5) -> str:
    labels = s["labels"]
    shown = labels if n_labels < 0 else labels[:n_labels]
    more = f", ... ({len(labels)} total)" if len(shown) < len(labels) else ""
    how = ("member i sees frames t with t % n == phase" if s["mode"] == "interleave"
           else "every member sees every frame")
    lines = [
        ("file", f"{s['file']} ({s['file_bytes']:,} bytes)"),
        ("format", f"{s['format']} v{s['format_version']} ({s['kind']}, BN {s['bn']})"),
        ("mode", f"{s['mode']} ({how})"),
        ("members", f"{len(s['members'])}"),
    ]
    for m in s["members"]:
        c = m["config"]
        lines.append((f"member {m['index']}", (
            f"{m['name']} ({c['model_id']}, {c['variant']}, {c['conv_type']}, "
            f"{c['input_size']}x{c['input_size']}), weight {m['weight']:.4g}, phase "
            f"{m['phase']}, {m['parameters']:,} parameters, {_si(m['macs_per_frame'])} MACs "
            f"per frame it sees")))
    lines += [
        ("classes", f"{len(labels)}"),
        ("parameters", f"{s['parameters']:,} (all members)"),
        ("MACs per frame", (f"{s['macs_per_input_frame']:,} "
                            f"({_si(s['macs_per_input_frame'])}) per input frame, averaged "
                            f"over the stream")),
        ("stream state", f"{s['state_bytes']:,} bytes (all members)"),
        ("labels", ", ".join(shown) + more),
        _checksum_line(s),
    ]
    lines += [(f"meta {k}", v) for k, v in sorted(s["metadata"].items())]
    width = max(len(k) for k, _ in lines) + 1
    return "\n".join(f"{k + ':':<{width}} {v}" for k, v in lines)


def run(args: argparse.Namespace) -> int:
    s = summary(args.file)
    if args.verify:
        require_checksum(s)
    if args.json:
        print(json.dumps(s, indent=2, ensure_ascii=False))
    elif s["kind"] == "ensemble":
        print(format_ensemble_text(s, args.labels))
    else:
        print(format_text(s, args.labels))
    return 0
