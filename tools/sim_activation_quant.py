"""How much accuracy would int8 activations between the ops of a block cost? (dev-only)

The int8 files of `movicore quantize` keep every activation in float32 except the rows that
enter a GEMM. A faster scheme would also store the expansion's output (the depthwise conv's
input) and the depthwise / temporal output (the SE's and projection's input) as uint8. This
script measures that on the PyTorch reference before any kernel exists. It fake-quantizes those
tensors (quantize to `--levels` + 1 steps and back) inside each block. The weights stay
float32, so the figures are the activations' share of the error only. The float model's logits
are compared with the faked one's frame by frame, with the figures of `movicore quantize`'s
report (top-1 agreement, max / mean |delta logit| / max |logit|, and the drift at frames 1, 16,
64 and 1024).

    PYTHONPATH=. python tools/sim_activation_quant.py MODEL.safetensors --video bikes.mp4 \
        --calibrate bigbuckbunny.mp4 [--frames 1024] [--calib-frames 64] [--levels 255]

Schemes, each for the expansion's output alone and for both tensors:
  static          one range per tensor, the min / max over --calib-frames frames of --calibrate;
  static channel  one range per channel, calibrated the same way;
  dynamic channel one range per channel, computed per frame over the frame's pixels;
  dynamic         one range per pixel (its channel vector), computed per frame.
Only the per-tensor and per-channel schemes let a depthwise conv sum its taps in integers
(every tap of a channel shares one scale); per-pixel ranges differ from tap to tap.
Frames go through the official eval transform. Needs torch (the reference).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path

import numpy as np


def round_trip(t, s, zp, levels: float):
    """t quantized to 0..levels with step s and zero point zp, and back."""
    import torch

    return (torch.clamp(torch.round(t / s) + zp, 0, levels) - zp) * s


def fake_quant_static(t, lo: float, hi: float, levels: float):
    lo = min(lo, 0.0)
    s = (max(hi, lo + 1e-12) - lo) / levels
    return round_trip(t, s, round(-lo / s), levels)


def fake_quant_ranges(t, lo, hi, levels: float):
    """Elementwise ranges lo / hi (broadcast against t), widened to include 0."""
    import torch

    lo, hi = torch.clamp(lo, max=0.0), torch.clamp(hi, min=0.0)
    s = torch.clamp((hi - lo) / levels, min=1e-12)
    return round_trip(t, s, torch.round(-lo / s), levels)


def fake_quant_per_pixel(t, levels: float):
    # NCTHW: a pixel's channel vector runs along dim 1
    return fake_quant_ranges(t, t.amin(dim=1, keepdim=True), t.amax(dim=1, keepdim=True), levels)


def fake_quant_per_channel(t, levels: float):
    # one range per channel over the frame's pixels (T = 1 in a stream)
    return fake_quant_ranges(t, t.amin(dim=(0, 2, 3, 4), keepdim=True),
                             t.amax(dim=(0, 2, 3, 4), keepdim=True), levels)


class Quantizer:
    """Per (layer, point): records ranges while calibrating, else fake-quantizes."""

    def __init__(self, levels: float) -> None:
        self.levels = levels
        self.mode: dict[str, str] = {}  # point -> scheme (see the module's docstring)
        self.ranges: dict[tuple[str, str], list[float]] = {}
        self.channel_ranges: dict[tuple[str, str], list] = {}
        self.calibrating = False

    def __call__(self, t, layer: str, point: str):
        how = self.mode.get(point)
        if how is None:
            return t
        key = (layer, point)
        if self.calibrating:
            lo, hi = float(t.min()), float(t.max())
            r = self.ranges.setdefault(key, [lo, hi])
            r[0], r[1] = min(r[0], lo), max(r[1], hi)
            c_lo, c_hi = t.amin(dim=(0, 2, 3, 4), keepdim=True), t.amax(dim=(0, 2, 3, 4), keepdim=True)
            c = self.channel_ranges.setdefault(key, [c_lo, c_hi])
            c[0], c[1] = c[0].minimum(c_lo), c[1].maximum(c_hi)
            return t
        if how == "static":
            return fake_quant_static(t, *self.ranges[key], self.levels)
        if how == "static channel":
            return fake_quant_ranges(t, *self.channel_ranges[key], self.levels)
        if how == "dynamic channel":
            return fake_quant_per_channel(t, self.levels)
        return fake_quant_per_pixel(t, self.levels)


def patch_layers(quant: Quantizer) -> None:
    """MovinetLayer.forward (inference path) with the two fake-quantization points."""
    from movicore.reference import model as ref

    def forward(self, x, ctx):
        prefix = f"state_{self.name}"
        y = quant(self.expand(x), self.name, "expand")
        y = quant(self.feature(y, ctx, prefix), self.name, "feature")
        if self.se is not None:
            y = self.se(y, ctx, prefix)
        y = self.project(y) * self.rezero
        return (x if self.skip is None else self.skip(x)) + y

    ref.MovinetLayer.forward = forward


def pct(v: float) -> str:
    return f"{v * 100:.3f} %"


def stream_logits(net, frames: Iterable[np.ndarray]) -> list[np.ndarray]:
    import torch

    state, out = None, []
    with torch.inference_mode():
        for f in frames:
            clip = torch.from_numpy(np.ascontiguousarray(f, dtype=np.float32)[None, None] / 255)
            logits, state = net(clip, state)
            out.append(logits[0].numpy().astype(np.float64))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", help="float stream model file")
    ap.add_argument("--video", required=True, help="report frames (looped)")
    ap.add_argument("--calibrate", required=True, help="video for the static ranges")
    ap.add_argument("--frames", type=int, default=1024)
    ap.add_argument("--calib-frames", type=int, default=64)
    ap.add_argument("--levels", type=float, default=255, help="steps: 255 = uint8")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    import torch

    from movicore.model import load
    from movicore.quant import frames as fr
    from movicore.quant import report
    from movicore.reference import model_io
    from movicore.video import settings

    torch.set_num_threads(args.threads)
    net = model_io.from_file(args.model).eval()
    size, resize = net.config.input_size, settings.for_model(load(args.model)).resize
    quant = Quantizer(args.levels)
    patch_layers(quant)

    frames = list(fr.video_frames([Path(args.video)], size, args.frames, resize))
    reference = stream_logits(net, frames)
    quant.mode = {"expand": "static", "feature": "static"}
    quant.calibrating = True
    stream_logits(net, fr.video_frames([Path(args.calibrate)], size, args.calib_frames, resize))
    quant.calibrating = False

    schemes: list[tuple[str, dict[str, str]]] = [
        ("expansion output, static", {"expand": "static"}),
        ("expansion + depthwise output, static", {"expand": "static", "feature": "static"}),
        ("expansion output, static per channel", {"expand": "static channel"}),
        ("expansion + depthwise output, static per channel",
         {"expand": "static channel", "feature": "static channel"}),
        ("expansion output, per channel per frame", {"expand": "dynamic channel"}),
        ("expansion + depthwise output, per channel per frame",
         {"expand": "dynamic channel", "feature": "dynamic channel"}),
        ("expansion output, per pixel", {"expand": "dynamic"}),
        ("expansion + depthwise output, per pixel", {"expand": "dynamic", "feature": "dynamic"}),
    ]
    print(f"{args.model}: {len(frames)} frames of {args.video}, {args.levels:g} steps")
    for name, mode in schemes:
        quant.mode = mode
        r = report.drift_summary(zip(reference, stream_logits(net, frames)))
        at = ", ".join(f"{t}: {pct(v['max_rel_err'])}" for t, v in r["at"].items())
        print(f"  {name:52s} top-1 {r['top1_agreement'] * 100:.1f} %, max {pct(r['max_rel_err'])}, "
              f"mean {pct(r['mean_rel_err'])}; max at frame {at}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
