"""``movicore.quantize``: float model file -> int8 model file plus an accuracy report."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from movicore.modelfile import RESERVED_KEYS, read_model_file, write_model_file
from movicore.quant.report import CHECKPOINTS, compare_streams
from movicore.quant.scheme import (
    MIN_CHANNELS,
    calibrated_layers,
    has_bf16_ring,
    quantizable_layers,
    quantize_tensors,
)


def quantize(model: str | os.PathLike[str], out: str | os.PathLike[str], *,
             calibrate: Sequence[str | os.PathLike[str]] | None = None,
             synthetic: bool = False, dynamic: bool = True, classifier: bool = False,
             classifier_bf16: bool = True, se: bool = True, ring_bf16: bool = True,
             min_channels: int = MIN_CHANNELS, frames: int = 1024, calib_frames: int = 256,
             seed: int = 0, threads: int = 1, report: bool = True) -> dict[str, Any] | None:
    """Write an int8 copy of ``model`` to ``out`` and compare it with the float model.

    Parameters
    ----------
    calibrate : video files or directories whose frames (looped to ``frames``) drive the
        report; ``synthetic`` uses synthetic clips instead (the default when neither is given).
    dynamic : True (default): activation ranges per row at run time, no calibration. False:
        static, one calibrated (scale, zero point) per int8 layer input, covering every value
        the float model fed it over the first half of each calibration video (at most
        ``calib_frames`` frames; synthetic: clips of seed + 1). The report then runs on the
        held-out second halves (synthetic: seed) and shows dynamic on the same frames too.
    classifier : quantize the classifier's two layers to int8 too. Off by default: they are
        where most of the logit error comes from (official A0 on bikes.mp4: max
        |dlogit|/max|logit| 1.7 % with, 0.64 % without; int8 weights alone already give 1.1 %);
        on A0 they are also most of the per-frame weight traffic, so turning them on is faster.
    classifier_bf16 : a float classifier runs with its weights rounded to bfloat16 (float
        activations; half the weight bytes per frame; the file keeps float32). False keeps
        float32 weights.
    se : the squeeze-excitation FCs are int8 too (default; any width). Their input, the SE
        descriptor, is recomputed in float32 from the cumulative pool every frame and only
        then quantized, so nothing that carries time is rounded. False keeps them float32.
    ring_bf16 : the temporal ring buffers of a causal (2+1)D model hold bfloat16 (default:
        half their bytes per frame; each past frame is rounded once, not accumulated). False
        keeps them float32. Ignored for models without ring buffers.
    min_channels : other pointwise layers are int8 only when at least this wide on both
        sides (narrower ones are faster in float); 1 = every pointwise layer.

    Returns the report dict (see ``movicore.quant.report.compare_streams``), or None with
    ``report=False``. Raises ValueError / ModelFormatError for bad input; on failure no output
    file is left behind.
    """
    if calibrate and synthetic:
        raise ValueError("give calibration videos or --synthetic, not both")
    if frames < 1:
        raise ValueError(f"frames must be >= 1, got {frames}")
    if calib_frames < 1:
        raise ValueError(f"calib_frames must be >= 1, got {calib_frames}")
    src = read_model_file(model)
    if src.quant is not None:
        raise ValueError(f"{model} is already quantized ({src.quant.scheme})")
    if not src.config.causal and report:
        raise ValueError("the accuracy report steps a stream; quantize stream (causal) models, "
                         "or pass report=False")
    if not dynamic and not src.config.causal:
        raise ValueError("static calibration steps a stream: quantize stream (causal) models "
                         "or use dynamic activations")
    size = src.config.input_size
    paths: list[Path] | None = None
    if calibrate:
        from movicore.quant.frames import video_paths

        paths = video_paths(calibrate)
    if min_channels < 1:
        raise ValueError(f"min_channels must be >= 1, got {min_channels}")
    layers = quantizable_layers(src.config, classifier=classifier, min_channels=min_channels,
                                se=se)
    if not layers:
        raise ValueError(f"no layer of {model} is int8 with min_channels={min_channels}, "
                         f"classifier={classifier} and se={se}: nothing to quantize")
    from movicore.model import load
    from movicore.quant import frames as fr

    resize = 0
    if paths is not None:
        from movicore.video import settings as vs

        resize = vs.for_model(src).resize

    def stream(part: str, count: int, stream_seed: int) -> Iterator[Any]:
        if paths is not None:
            return fr.video_frames(paths, size, count, resize, part)
        return fr.synthetic_frames(size, count, stream_seed)

    ranges = None
    if not dynamic:
        from movicore.quant.calibrate import calibrate_ranges

        ranges = calibrate_ranges(load(model), stream("first_half", calib_frames, seed + 1),
                                  calibrated_layers(layers))
    cls_weights = "bfloat16" if classifier_bf16 and not classifier else "float32"
    ring = "bfloat16" if ring_bf16 and has_bf16_ring(src.config) else "float32"
    tensors, spec = quantize_tensors(src.config, src.tensors, layers, ranges, cls_weights, ring)
    extra = {k: v for k, v in src.metadata.items() if k not in (*RESERVED_KEYS, "quant")}
    write_model_file(out, src.config, tensors, src.labels, extra, quant=spec)
    if not report:
        return None
    try:
        part = "all" if dynamic else "second_half"
        result = compare_streams(load(model), load(out), stream(part, frames, seed),
                                 threads=threads, checkpoints=CHECKPOINTS)
        if not dynamic:
            with tempfile.TemporaryDirectory() as tmp:
                dyn = Path(tmp) / "dynamic.safetensors"
                t, s = quantize_tensors(src.config, src.tensors, layers, None, cls_weights, ring)
                write_model_file(dyn, src.config, t, src.labels, extra, quant=s)
                result["dynamic"] = compare_streams(load(model), load(dyn),
                                                    stream(part, frames, seed),
                                                    threads=threads, checkpoints=CHECKPOINTS)
            result["dynamic"].pop("per_frame_max_rel_err")
    except BaseException:
        Path(out).unlink(missing_ok=True)
        raise
    if paths is not None:
        names = ", ".join(p.name for p in paths)
        result["source"] = (f"{names} (looped)" if dynamic else
                            f"second half of {names} (looped; held out from calibration on "
                            f"the first half)")
    else:
        result["source"] = (f"synthetic clips, seed {seed}" if dynamic else
                            f"synthetic clips, seed {seed} (calibrated on seed {seed + 1})")
    result["scheme"] = spec.describe()
    return result
