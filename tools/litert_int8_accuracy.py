"""Dev-only: accuracy of LiteRT exports and movicore int8 files against the movicore float model
on the same frames, with the figures of `movicore quantize` (top-1 agreement, top-5 overlap,
max / mean |dlogit| / max|logit|, frames 1 / 16 / 64 / 1024, first / last quarter).

    PYTHONPATH=. python tools/litert_int8_accuracy.py --float a0.safetensors \
        --video bikes.mp4 --frames 1024 \
        --tflite litert_float32=OUT/a0_stream_float32.tflite \
        --tflite litert_dynamic_range=OUT/a0_stream_dynamic_range.tflite \
        --tflite litert_full_int8=OUT/a0_stream_full_int8.tflite \
        --movicore movicore_int8=a0_int8.safetensors [--json out.json]

Every frame of the video in order, looped to --frames, through the official eval transform
(movicore.video), fed as uint8 to movicore and as float32 in [0, 1] to LiteRT (one frame per
call, states fed back; ai-edge-litert). The LiteRT float32 export vs the movicore float model
checks that both hold the same weights. Exports: tools/export_litert_int8.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--float", dest="float_model", required=True)
    ap.add_argument("--video", required=True)
    ap.add_argument("--frames", type=int, default=1024)
    ap.add_argument("--tflite", action="append", default=[], metavar="NAME=PATH")
    ap.add_argument("--movicore", action="append", default=[], metavar="NAME=PATH")
    ap.add_argument("--also-vs", default=None, metavar="NAME",
                    help="also compare every other engine with NAME's logits (e.g. the LiteRT "
                         "float32 export: LiteRT int8 against its own float)")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()

    import movicore
    from movicore.benchmark.runners import LiteRTRunner
    from movicore.quant import frames as fr
    from movicore.quant.report import drift_summary
    from movicore.video import settings as vs

    fm = movicore.load(args.float_model)
    size = fm.input_size[0]
    ref = movicore.Engine(fm)
    others: dict[str, object] = {}
    for spec in args.movicore:
        name, path = spec.split("=", 1)
        others[name] = movicore.Engine(movicore.load(path))
    for spec in args.tflite:
        name, path = spec.split("=", 1)
        others[name] = LiteRTRunner({"tflite_path": path, "threads": 1, "height": size,
                                     "width": size})
    if args.also_vs is not None and args.also_vs not in others:
        raise SystemExit(f"--also-vs {args.also_vs}: no engine of that name")
    logits: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {n: [] for n in others}
    if args.also_vs is not None:
        logits.update({f"{n} vs {args.also_vs}": [] for n in others if n != args.also_vs})
    stream = fr.video_frames([Path(args.video)], size, args.frames, vs.for_model(fm).resize)
    for frame in stream:
        lf = ref.step(np.ascontiguousarray(frame[None]))
        out = {}
        for name, runner in others.items():
            if isinstance(runner, movicore.Engine):
                lq = runner.step(np.ascontiguousarray(frame[None]))
            else:
                lq = runner.step(frame.astype(np.float32) / 255.0)
            out[name] = np.asarray(lq, np.float32)
            logits[name].append((lf, out[name]))
        if args.also_vs is not None:
            for name in others:
                if name != args.also_vs:
                    logits[f"{name} vs {args.also_vs}"].append((out[args.also_vs], out[name]))
    rows = {}
    for name, pairs in logits.items():
        r = drift_summary(pairs)
        r.pop("per_frame_max_rel_err")
        rows[name] = r
        at = " / ".join(f"{100 * v['max_rel_err']:.3g}" for v in r["at"].values())
        print(f"{name:38s} top-1 {100 * r['top1_agreement']:6.2f} %  top-5 "
              f"{100 * r['top5_overlap']:6.2f} %  max {100 * r['max_rel_err']:7.3f} %  mean "
              f"{100 * r['mean_rel_err']:7.4f} %  at 1/16/64/1024: {at} %  quarters "
              f"{100 * r['max_rel_err_first_quarter']:.3g} / "
              f"{100 * r['max_rel_err_last_quarter']:.3g} %", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"frames": args.frames, "video": args.video,
                                               "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
