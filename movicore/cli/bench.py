"""``movicore bench``: per-frame latency of movicore against PyTorch, ONNX Runtime, LiteRT,
OpenVINO."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from movicore.extras import require
from movicore.fileio import check_output_path, write_json_atomic

COMMAND = "bench"
HELP = "benchmark per-frame stream latency against PyTorch, ONNX Runtime, LiteRT and OpenVINO"
DESCRIPTION = """\
Step a stream model frame by frame and report, per engine: median and p90 ms/frame,
frames/s, GFLOP/s (2 x MACs per frame / time), % of the FLOP floor, peak-RSS increment
and stream-state bytes. MODEL is a model file or an id (a0..a5, t0: a random-weight stream
model is generated with numpy). Every engine runs in a fresh subprocess on the same frames;
warm-up frames are excluded. Peers: torch (the PyTorch reference, eager), onnxruntime (the
reference exported to ONNX with explicit state inputs/outputs), litert (a .tflite given with
--tflite, assumed to be the official A0-stream export at 172x172), openvino (the same ONNX
export made stateful, f32 inference precision), executorch (ExecuTorch + XNNPACK delegate on
the one-frame step written in 2-D ops), int8 (movicore on an int8 copy of MODEL made by
`movicore quantize`; MOVICORE_MAX_ISA=avx2 gives the AVX2-only figures).

The FLOP floor uses a per-core peak of 96 GFLOP/s (AVX2/FMA: 2 FMA pipes x 8 lanes x
2 flop x 3 GHz) times threads; override with --peak-gflops or --measure-peak.

With --video FILE: where video classification time goes instead (decode only, preprocess,
engine only, end to end; docs/video.md); tools/bench_video.sh makes 720p/1080p clips and
runs it.

example:
  movicore bench a0 --threads 1,2 --against torch,onnxruntime,litert \\
      --tflite movinet_a0_stream.tflite --repeat 3 --json a0.json --plot a0.png
  movicore bench a0 --video clip_1080p.mp4 --json video.json
"""


def _ints(text: str) -> tuple[int, ...]:
    try:
        vals = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}"
                                         ) from None
    if not vals:
        raise argparse.ArgumentTypeError("expected at least one integer")
    return vals


def _names(text: str) -> tuple[str, ...]:
    return tuple(v.strip().lower() for v in text.split(",") if v.strip())


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="MODEL", help="model file, 'demo' (the embedded model) or "
                   "id (a0..a5, t0)")
    p.add_argument("--threads", type=_ints, default=(1,), metavar="N[,N]",
                   help="worker threads per engine; a list runs each (default 1)")
    p.add_argument("--frames", type=int, default=200, help="timed frames (default 200)")
    p.add_argument("--warmup", type=int, default=20, help="untimed warm-up frames (default 20)")
    p.add_argument("--size", type=int, default=None, help="frame height = width (default: "
                   "the model's native size)")
    p.add_argument("--against", type=_names, default=(), metavar="ENGINES",
                   help="peers, comma-separated: "
                   "int8,torch,onnxruntime,litert,openvino,executorch")
    p.add_argument("--tflite", default=None, metavar="PATH", help="LiteRT model (.tflite)")
    p.add_argument("--onnx", default=None, metavar="PATH",
                   help="pre-exported ONNX stream model (default: export the reference)")
    p.add_argument("--repeat", type=int, default=1,
                   help="fresh processes per cell; the report gives the median and min..max "
                        "of the per-process medians (default 1)")
    p.add_argument("--streams", type=_ints, default=(), metavar="N[,N]",
                   help="also measure N concurrent streams on one model (e.g. 1,8)")
    p.add_argument("--stream-frames", type=int, default=30,
                   help="timed frames per stream for --streams (default 30)")
    p.add_argument("--stream-modes", type=_names, default=("sequential", "threads", "many", "serve"),
                   metavar="MODES",
                   help="for --streams: sequential (N engines, one core), threads (N engines "
                        "on N threads), many (one stream-parallel Engine(streams=N)), serve "
                        "(the server end to end on N looping video files, PyAV); default all")
    p.add_argument("--seed", type=int, default=0, help="seed for weights and frames")
    p.add_argument("--peak-gflops", type=float, default=None, metavar="X",
                   help="per-core fp32 peak for the floor (default 96)")
    p.add_argument("--measure-peak", action="store_true",
                   help="use the measured GEMM micro-kernel rate as the per-core peak")
    p.add_argument("--in-process", action="store_true",
                   help="run engines in this process (faster; RSS increments not meaningful)")
    p.add_argument("--layers", type=int, default=0, metavar="TOP",
                   help="also print a kernel-level per-layer time estimate (1 thread, "
                        "(2+1)D stream models) with the TOP most expensive kernel calls")
    p.add_argument("--json", default=None, metavar="OUT", help="write the full report as JSON")
    p.add_argument("--plot", default=None, metavar="OUT.png", help="bar chart (matplotlib)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.add_argument("--video", default=None, metavar="FILE",
                   help="video pipeline benchmark on FILE (decode, preprocess, engine, end to "
                        "end frames/s) at the first --threads value")


def _run_video(args: argparse.Namespace) -> int:
    import tempfile

    from movicore.benchmark import video as vb
    from movicore.benchmark.models import resolve_model

    if len(args.threads) != 1 or args.threads[0] < 1:
        raise ValueError(f"--video takes one --threads value >= 1, got {args.threads}")
    if args.repeat < 1:
        raise ValueError(f"--repeat must be >= 1, got {args.repeat}")
    with tempfile.TemporaryDirectory(prefix="movicore-bench-") as work:
        model_path, _, _ = resolve_model(args.model, work, seed=args.seed)
        result = vb.run(args.video, model_path, threads=args.threads[0], repeat=args.repeat)
    print(vb.format_table(result))
    if args.json:
        write_json_atomic(args.json, result)
    return 0


def run(args: argparse.Namespace) -> int:
    if args.json:
        check_output_path(args.json, "--json output")
    if args.video:
        return _run_video(args)
    if args.plot:
        require("matplotlib", "plot", "--plot")
        check_output_path(args.plot, "--plot output")
    from movicore.benchmark import report as rep
    from movicore.benchmark.suite import BenchSettings
    from movicore.benchmark.suite import run as run_bench

    settings = BenchSettings(
        model=args.model, threads=args.threads, frames=args.frames, warmup=args.warmup,
        size=args.size, against=args.against, tflite=args.tflite, onnx=args.onnx,
        repeat=args.repeat, seed=args.seed, peak_gflops=args.peak_gflops,
        measure_peak=args.measure_peak, streams=args.streams,
        stream_frames=args.stream_frames, stream_modes=args.stream_modes, subprocess=not args.in_process)

    def log(msg: str) -> None:
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    result: dict[str, Any] = run_bench(settings, log=log)
    print(rep.format_table(result))
    if args.layers > 0:
        from movicore import arch
        from movicore.benchmark.layers import breakdown, format_breakdown

        m = result["model"]
        b = breakdown(arch.Config.from_dict(m["config"]), m["height"], m["width"])
        result["layers"] = b
        print()
        print(format_breakdown(b, args.layers))
    if args.json:
        write_json_atomic(args.json, result)
    if args.plot:
        rep.plot(result, args.plot)
    failed = [r for r in result["results"] if r.get("status") == "error"]
    return 1 if any(r["engine"] == "movicore" for r in failed) else 0
