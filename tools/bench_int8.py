"""Float vs int8 per-frame latency of stream models, side by side, one process per ISA cap.

    PYTHONPATH=. python tools/bench_int8.py --models a0,a1,a2,a3 --isa native,avx2 \
        [--a0-file a0_stream.safetensors] [--litert NAME=FILE.tflite ...] \
        [--rounds 60 --frames 8] [--json out.json]

For each model (random-weight stream model of its id, or the given file for a0) it writes the
float file, its default int8 copy (movicore.quantize: dynamic activations, SE FCs int8,
bfloat16 ring buffers, float classifier with bfloat16 weights), a static copy (calibrated on 32 synthetic frames: for speed only) and
an int8 copy with the classifier int8 too; then, in a fresh process per ISA cap
(MOVICORE_MAX_ISA), steps the four engines in alternating rounds of --frames frames and keeps
each engine's fastest round (the least disturbed by other load). Threads: 1. Without an int8
dot-product extension (e.g. the avx2 cap) int8 files run the float GEMM on dequantized weights
(docs/quantization.md). Dev-only (never imported).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _measure(paths: list[str], rounds: int, frames: int) -> list[float]:
    import numpy as np

    import movicore

    first = movicore.Engine(movicore.load(paths[0]), threads=1)
    h, w = first.height, first.width
    clip = np.random.default_rng(0).integers(0, 256, (frames, h, w, 3), np.uint8)
    steps = [lambda x, e=first: e.step(x)]
    for p in paths[1:]:
        if p.endswith(".tflite"):  # LiteRT: float frames in [0, 1], one [H, W, 3] per call
            from movicore.benchmark.runners import LiteRTRunner

            r = LiteRTRunner({"tflite_path": p, "threads": 1, "height": h, "width": w})
            steps.append(lambda x, r=r: r.step(x[0].astype(np.float32) / 255.0))
        else:
            e = movicore.Engine(movicore.load(p), threads=1)
            steps.append(lambda x, e=e: e.step(x))
    for step in steps:  # warm up
        for j in range(4):
            step(clip[j:j + 1])
    best = [float("inf")] * len(steps)
    for _ in range(rounds):
        for i, step in enumerate(steps):
            t = time.perf_counter()
            for j in range(frames):
                step(clip[j:j + 1])
            best[i] = min(best[i], (time.perf_counter() - t) / frames * 1e3)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default="a0,a1,a2,a3")
    ap.add_argument("--isa", default="native,avx2", help="MOVICORE_MAX_ISA caps; native = none")
    ap.add_argument("--a0-file", default=None, help="use this file for a0 (e.g. the official "
                    "fixture converted) instead of random weights")
    ap.add_argument("--litert", action="append", default=[], metavar="NAME=PATH",
                    help="a0 only: also time this LiteRT export of the same weights (e.g. the "
                         "float32 / dynamic-range / full-int8 ones of tools/export_litert_int8.py)")
    ap.add_argument("--rounds", type=int, default=60)
    ap.add_argument("--frames", type=int, default=8)
    ap.add_argument("--json", default=None)
    ap.add_argument("--_worker", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._worker:
        print(json.dumps(_measure(args._worker, args.rounds, args.frames)))
        return 0

    import movicore
    from movicore.benchmark.models import write_random_model

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for mid in args.models.split(","):
            src = Path(tmp) / f"{mid}.safetensors"
            if mid == "a0" and args.a0_file:
                src = Path(args.a0_file)
            else:
                write_random_model(mid, src)
            q = Path(tmp) / f"{mid}_int8.safetensors"
            qs = Path(tmp) / f"{mid}_int8_static.safetensors"
            qc = Path(tmp) / f"{mid}_int8_cls.safetensors"
            movicore.quantize(src, q, report=False)
            movicore.quantize(src, qs, report=False, dynamic=False, calib_frames=32)
            movicore.quantize(src, qc, report=False, classifier=True)
            for isa in args.isa.split(","):
                env = dict(os.environ)
                env.pop("MOVICORE_MAX_ISA", None)
                if isa != "native":
                    env["MOVICORE_MAX_ISA"] = isa
                lite = [s.split("=", 1) for s in args.litert] if mid == "a0" else []
                out = subprocess.run(
                    [sys.executable, __file__, "--rounds", str(args.rounds), "--frames",
                     str(args.frames), "--_worker", str(src), str(q), str(qs), str(qc),
                     *(path for _, path in lite)],
                    env=env, capture_output=True, text=True, check=True)
                f, i8, i8s, i8c, *lt = json.loads(out.stdout.strip().splitlines()[-1])
                row = {"model": mid, "isa": isa, "float_ms": f, "int8_ms": i8,
                       "int8_static_ms": i8s, "int8_with_classifier_ms": i8c,
                       **{f"{name}_ms": t for (name, _), t in zip(lite, lt, strict=True)}}
                rows.append(row)
                print(f"{mid} {isa:7s} float {f:7.3f} ms | int8 {i8:7.3f} ms ({i8 / f:.2f}x) | "
                      f"static {i8s:7.3f} ms ({i8s / f:.2f}x) | int8 incl. classifier "
                      f"{i8c:7.3f} ms ({i8c / f:.2f}x)"
                      + "".join(f" | {name} {t:7.3f} ms ({t / f:.2f}x)"
                                for (name, _), t in zip(lite, lt, strict=True)), flush=True)
    info = {"cpu": movicore.cpu_info(), "load": os.getloadavg(), "rows": rows,
            "rounds": args.rounds, "frames": args.frames}
    if args.json:
        Path(args.json).write_text(json.dumps(info, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
