"""``movicore quantize``: int8 copy of a model file plus an accuracy report vs the float model."""

from __future__ import annotations

import argparse
import sys

COMMAND = "quantize"
HELP = "write an int8 copy of a model (VNNI / AVX2 / NEON-dotprod kernels) and report its drift"
DESCRIPTION = """\
Quantize the wide pointwise layers and the squeeze-excitation FCs of MODEL to int8 (the
classifier too with --int8-classifier; weights symmetric per output channel) and write OUT.
The classifier otherwise runs with float activations and bfloat16 weights (--float32-classifier:
float32 weights). Activations entering the int8 layers become uint8: per row at run time
(--dynamic, the default: no calibration data, never clips) or with one calibrated range per
layer (--static: the float model runs over the first half of each --calibrate video, or over
synthetic clips of seed + 1; the report then runs on the held-out second halves and shows
dynamic on the same frames too). The temporal ring buffers hold bfloat16 (--float32-ring:
float32): each past frame is rounded once and read kt - 1 times. Everything that accumulates
over time (cumulative pools and the SE descriptors computed from them, positional encoding,
frame counts) and the logits stay float32. Then both models are stepped over the same stream
of frames: the videos given with --calibrate (files or directories, looped to --frames) or
synthetic clips (--synthetic, the default). Reported: top-1 agreement and top-5 overlap with
the float model, max and mean |delta logit| / max |logit| at frames 1, 16, 64, 1024.

example:
  movicore quantize a0_stream.safetensors -o a0_stream_int8.safetensors --calibrate bikes.mp4
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="MODEL", help="float model file (.safetensors); 'demo' = "
                   "the embedded demo model")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="int8 model file")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--calibrate", nargs="+", metavar="DIR|VIDEO",
                     help="videos (or directories of videos) for the report (and --static "
                          "calibration)")
    src.add_argument("--synthetic", action="store_true", help="synthetic clips (default)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--dynamic", dest="dynamic", action="store_true", default=True,
                      help="per-row activation ranges at run time (default; no calibration)")
    mode.add_argument("--static", dest="dynamic", action="store_false",
                      help="one calibrated activation range per layer (see above)")
    p.add_argument("--calib-frames", type=int, default=256, metavar="N",
                   help="--static: at most N calibration frames (default 256)")
    cls = p.add_mutually_exclusive_group()
    cls.add_argument("--int8-classifier", action="store_true",
                     help="quantize the classifier's two layers too (faster; most of the logit "
                          "error comes from them, see docs/quantization.md)")
    cls.add_argument("--float32-classifier", action="store_true",
                     help="run the (float) classifier with float32 weights instead of the "
                          "default bfloat16 ones (half the weight bytes, float activations)")
    p.add_argument("--float32-ring", action="store_true",
                   help="keep the temporal ring buffers float32 (default: bfloat16, half the "
                        "bytes; each stored frame is rounded once)")
    p.add_argument("--float32-se", action="store_true",
                   help="keep the squeeze-excitation FCs float32 (default: int8, any width)")
    p.add_argument("--min-channels", type=int, default=48, metavar="C",
                   help="other pointwise layers are int8 only when at least C channels wide on "
                        "both sides (default 48; narrower ones are faster in float; 1 = all)")
    p.add_argument("--frames", type=int, default=1024, help="report frames (default 1024)")
    p.add_argument("--seed", type=int, default=0, help="synthetic seed (default 0)")
    p.add_argument("--threads", type=int, default=1, help="engine threads for the report")
    p.add_argument("--no-report", action="store_true", help="only write OUT")
    p.add_argument("--json", metavar="PATH", help="also write the report as JSON")


def run(args: argparse.Namespace) -> int:
    from movicore.fileio import check_output_path, write_json_atomic
    from movicore.quant.quantize import quantize
    from movicore.quant.report import format_report

    if args.json:
        check_output_path(args.json, "--json output")
    if args.model == "demo":
        from movicore.assets import demo_model_path

        args.model = str(demo_model_path())
    if args.threads < 1:
        raise ValueError(f"--threads must be >= 1, got {args.threads}")
    report = quantize(args.model, args.output, calibrate=args.calibrate,
                      synthetic=args.synthetic, dynamic=args.dynamic,
                      classifier=args.int8_classifier,
                      classifier_bf16=not args.float32_classifier, se=not args.float32_se,
                      ring_bf16=not args.float32_ring,
                      min_channels=args.min_channels, frames=args.frames,
                      calib_frames=args.calib_frames,
                      seed=args.seed, threads=args.threads, report=not args.no_report)
    print(f"wrote {args.output}")
    if report is not None:
        print(format_report(report))
        if args.json:
            write_json_atomic(args.json, report)
    sys.stdout.flush()
    return 0
