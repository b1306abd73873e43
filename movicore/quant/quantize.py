"""``movicore.quantize``: float model file -> int8 model file plus an accuracy report."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from movicore.modelfile import RESERVED_KEYS, read_model_file, write_model_file
from movicore.quant.report import CHECKPOINTS, compare_streams
from movicore.quant.scheme import MIN_CHANNELS, quantizable_layers, quantize_tensors


def quantize(model: str | os.PathLike[str], out: str | os.PathLike[str], *,
             calibrate: Sequence[str | os.PathLike[str]] | None = None,
             synthetic: bool = False, dynamic: bool = True, classifier: bool = False,
             min_channels: int = MIN_CHANNELS, frames: int = 1024, seed: int = 0, threads: int = 1,
             report: bool = True) -> dict[str, Any] | None:
    """Write an int8 copy of ``model`` to ``out`` and compare it with the float model.

    Parameters
    ----------
    calibrate : video files or directories whose frames (looped to ``frames``) drive the
        report; ``synthetic`` uses synthetic clips instead (the default when neither is given).
    dynamic : activation quantization per row at run time (the only mode so far; static
        calibrated ranges are not implemented yet).
    classifier : quantize the classifier's two layers too. Off by default: their int8 inputs
        (one 2,048-wide row) are where most of the logit error comes from (official A0 on
        bikes.mp4: max |dlogit|/max|logit| 1.7 % with, 0.64 % without); on A0 they are also
        most of the per-frame weight traffic, so turning them on is the faster choice.
    min_channels : other pointwise layers are int8 only when at least this wide on both
        sides (narrower ones are faster in float); 1 = every pointwise layer.

    Returns the report dict (see ``movicore.quant.report.compare_streams``), or None with
    ``report=False``. Raises ValueError / ModelFormatError for bad input; on failure no output
    file is left behind.
    """
    if not dynamic:
        raise ValueError("static (calibrated) activation quantization is not implemented yet; "
                         "use dynamic")
    if calibrate and synthetic:
        raise ValueError("give calibration videos or --synthetic, not both")
    if frames < 1:
        raise ValueError(f"frames must be >= 1, got {frames}")
    src = read_model_file(model)
    if src.quant is not None:
        raise ValueError(f"{model} is already quantized ({src.quant.scheme})")
    if not src.config.causal and report:
        raise ValueError("the accuracy report steps a stream; quantize stream (causal) models, "
                         "or pass report=False")
    size = src.config.input_size
    paths = None
    if calibrate:
        from movicore.quant.frames import video_paths

        paths = video_paths(calibrate)
    if min_channels < 1:
        raise ValueError(f"min_channels must be >= 1, got {min_channels}")
    layers = quantizable_layers(src.config, classifier=classifier, min_channels=min_channels)
    if not layers:
        raise ValueError(f"no layer of {model} is int8 with min_channels={min_channels} and "
                         f"classifier={classifier}: nothing to quantize")
    tensors, spec = quantize_tensors(src.config, src.tensors, layers)
    extra = {k: v for k, v in src.metadata.items() if k not in (*RESERVED_KEYS, "quant")}
    write_model_file(out, src.config, tensors, src.labels, extra, quant=spec)
    if not report:
        return None
    try:
        from movicore.model import load
        from movicore.quant import frames as fr

        if paths is not None:
            from movicore.video import settings as vs

            resize = vs.for_model(src).resize
            stream = fr.video_frames(paths, size, frames, resize)
        else:
            stream = fr.synthetic_frames(size, frames, seed)
        result = compare_streams(load(model), load(out), stream, threads=threads,
                                 checkpoints=CHECKPOINTS)
    except BaseException:
        Path(out).unlink(missing_ok=True)
        raise
    result["source"] = (", ".join(p.name for p in paths) + " (looped)" if paths is not None
                        else f"synthetic clips, seed {seed}")
    result["scheme"] = spec.describe()
    return result
