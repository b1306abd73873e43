"""The int8 scheme and its record in the model file (numpy only).

Scheme ``qd8_f32_qc8w`` (XNNPACK's name for it):

* weights of the pointwise convs (expansion, projection, skip projection, head, classifier
  hidden and logits layers) at least ``MIN_CHANNELS`` wide on both sides (narrower ones are
  faster in float), and of both squeeze-excitation FCs of every layer (any width: one row per
  frame, so their cost is their weight bytes), are int8, symmetric, one scale per output
  channel (``q = rint(w / s)``, ``s = max|w_o| / 127``, so -128 never occurs);
* the activations entering those GEMMs are quantized to uint8 with a zero point: ``dynamic``
  = per row (each pixel's channel vector, or an SE layer's descriptor, gets its own range,
  computed per frame), ``static`` = one calibrated (scale, zero point) per layer input, except
  the SE FCs, which stay dynamic (a fixed range would clip a descriptor that follows the
  stream's content, and one row per frame costs nothing to range);
* the ring buffers of the causal temporal convs ((2+1)D stream models) hold bfloat16 (``ring``;
  float32 in older files): each past frame is rounded once, when stored, and read kt - 1 times
  -- a delay line, not an accumulator, so nothing compounds over the stream; it halves the
  largest per-frame memory stream of A1-A3 after the weights;
* everything else stays float32: the stem, the depthwise and temporal convs' arithmetic, the
  cumulative pools and their frame counts (the SE descriptor is recomputed in float32 from them
  every frame and only then quantized, so its rounding never accumulates), positional
  encoding, BatchNorm/ReZero folding, the logits.

In the file each int8 layer keeps its canonical name and shape (``[out, in, 1, 1, 1]``, dtype
I8) plus ``<name>_scale`` (F32 ``[out]``); static inputs add ``<name>_input`` (F32 ``[2]``:
scale, zero point). Quantizing the unfolded weights per output channel is the same as
quantizing the folded ones: BatchNorm and ReZero only rescale each output channel.
The ``quant`` metadata key (JSON) names the scheme, the activation mode and the layers.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from movicore import arch
from movicore.errors import ModelFormatError

SCHEME = "qd8_f32_qc8w"
ACTIVATION_MODES = ("dynamic", "static")
CLASSIFIER_WEIGHTS = ("float32", "bfloat16")
RING_DTYPES = ("float32", "bfloat16")
CLASSIFIER_LAYERS = ("classifier.hidden.weight", "classifier.logits.weight")
SE_SUFFIXES = (".se.reduce.weight", ".se.expand.weight")
SCALE_SUFFIX = "_scale"
INPUT_SUFFIX = "_input"


@dataclasses.dataclass(frozen=True)
class QuantSpec:
    """What the ``quant`` metadata of a model file says."""

    activations: str  # "dynamic" | "static"
    layers: tuple[str, ...]  # canonical weight names stored as int8
    scheme: str = SCHEME
    # How the engine runs a float classifier: "float32", or "bfloat16" (weights rounded to
    # bfloat16 when loaded, float activations; the file keeps float32). Absent in older files.
    classifier_weights: str = "float32"
    # Ring buffers of the temporal convs: "float32" or "bfloat16". Absent in older files.
    ring: str = "float32"

    def to_json(self) -> str:
        d = {"scheme": self.scheme, "weights": "int8 symmetric per output channel",
             "activations": self.activations, "layers": list(self.layers),
             "float32": "stem, depthwise/temporal convs, pooling states, positional "
                        "encoding, logits"}
        if self.classifier_weights != "float32":
            d["classifier_weights"] = self.classifier_weights
        if self.ring != "float32":
            d["ring"] = self.ring
        return json.dumps(d, sort_keys=True)

    @property
    def bf16_classifier(self) -> bool:
        return self.classifier_weights == "bfloat16"

    @property
    def bf16_ring(self) -> bool:
        return self.ring == "bfloat16"

    @property
    def static_layers(self) -> tuple[str, ...]:
        """The layers with a calibrated input range (static mode: all but the SE FCs)."""
        if self.activations != "static":
            return ()
        return tuple(calibrated_layers(self.layers))

    def extra_tensors(self, expected: Mapping[str, tuple[int, ...]]
                      ) -> dict[str, tuple[int, ...]]:
        """Names and shapes of the scale (and static input) tensors the layers add."""
        out: dict[str, tuple[int, ...]] = {}
        for name in self.layers:
            out[name + SCALE_SUFFIX] = (expected[name][0],)
        for name in self.static_layers:
            out[name + INPUT_SUFFIX] = (2,)
        return out

    def describe(self) -> str:
        cls = ", classifier weights bfloat16" if self.bf16_classifier else ""
        cls += ", ring buffers bfloat16" if self.bf16_ring else ""
        se = sum(n.endswith(SE_SUFFIXES) for n in self.layers)
        return (f"{self.scheme}: int8 weights per output channel ({len(self.layers) - se} "
                f"pointwise + {se} squeeze-excitation layers), {self.activations} uint8 "
                f"activations{cls}, float32 elsewhere")


# A pointwise layer runs in int8 only when both its input and output widths reach this: below
# it the per-row quantization pass and the dequantizing epilogue cost more than the int8 dot
# products save (measured per layer on A0 at 172, AVX-512 VNNI vs the AVX-512 float GEMM:
# 8->24 and 32->80 layers were slower in int8, 56->112 and wider ones faster). The SE FCs are
# exempt (one row per frame: no per-pixel overhead, and their weights are most of A1-A3's
# per-frame weight bytes).
MIN_CHANNELS = 48


def calibrated_layers(layers: Sequence[str]) -> list[str]:
    """The int8 layers a static file gives a calibrated input range: all but the SE FCs, whose
    per-frame descriptor always gets its own range."""
    return [n for n in layers if not n.endswith(SE_SUFFIXES)]


def has_bf16_ring(config: arch.Config) -> bool:
    """Whether the model's ring buffers can be kept in bfloat16 (causal (2+1)D models; the
    engine's bfloat16 ring feeds the separate temporal conv)."""
    return config.causal and config.spatial_2plus1d


def pointwise_layers(config: arch.Config) -> list[str]:
    """Every pointwise conv / FC weight the scheme may turn into int8."""
    return [n for n in arch.expected_tensors(config)
            if n.endswith((".expand.conv.weight", ".project.conv.weight", ".skip.conv.weight",
                           *SE_SUFFIXES))
            or n in ("head.conv.weight", "classifier.hidden.weight", "classifier.logits.weight")]


def quantizable_layers(config: arch.Config, *, classifier: bool = True,
                       min_channels: int = MIN_CHANNELS, se: bool = True) -> list[str]:
    """The weights ``movicore quantize`` turns into int8: pointwise convs at least
    ``min_channels`` wide on both sides, the classifier's two layers if ``classifier``, every
    squeeze-excitation FC if ``se``."""
    shapes = arch.expected_tensors(config)
    out = []
    for n in pointwise_layers(config):
        if n.startswith("classifier."):
            if classifier:
                out.append(n)
        elif n.endswith(SE_SUFFIXES):
            if se:
                out.append(n)
        elif min(shapes[n][:2]) >= min_channels:
            out.append(n)
    return out


def parse_quant_metadata(text: str, config: arch.Config) -> QuantSpec:
    """Validate the ``quant`` metadata value; raise ModelFormatError naming the problem."""
    try:
        d = json.loads(text)
    except ValueError as exc:
        raise ModelFormatError(f"__metadata__ quant is not valid JSON: {exc}") from None
    if not isinstance(d, dict):
        raise ModelFormatError("__metadata__ quant must be a JSON object")
    if d.get("scheme") != SCHEME:
        raise ModelFormatError(f"unsupported quantization scheme {d.get('scheme')!r} (this "
                               f"movicore reads {SCHEME!r})")
    mode = d.get("activations")
    if mode not in ACTIVATION_MODES:
        raise ModelFormatError(f"quant activations must be one of {ACTIVATION_MODES}, got "
                               f"{mode!r}")
    layers = d.get("layers")
    allowed = set(pointwise_layers(config))
    if (not isinstance(layers, list) or not layers
            or not all(isinstance(n, str) for n in layers)):
        raise ModelFormatError("quant layers must be a non-empty list of tensor names")
    bad = sorted(set(layers) - allowed)
    if bad or len(set(layers)) != len(layers):
        raise ModelFormatError(f"quant layers must be distinct pointwise / SE weights of this "
                               f"architecture; not allowed: {bad[:5]}")
    cls = d.get("classifier_weights", "float32")
    if cls not in CLASSIFIER_WEIGHTS:
        raise ModelFormatError(f"quant classifier_weights must be one of {CLASSIFIER_WEIGHTS}, "
                               f"got {cls!r}")
    if cls == "bfloat16" and any(n.startswith("classifier.") for n in layers):
        raise ModelFormatError("quant classifier_weights bfloat16 needs a float32 classifier "
                               "(it is listed among the int8 layers)")
    ring = d.get("ring", "float32")
    if ring not in RING_DTYPES:
        raise ModelFormatError(f"quant ring must be one of {RING_DTYPES}, got {ring!r}")
    if ring == "bfloat16" and not has_bf16_ring(config):
        raise ModelFormatError("quant ring bfloat16 needs a causal (2+1)D stream model")
    return QuantSpec(activations=mode, layers=tuple(layers), classifier_weights=cls, ring=ring)


def round_bf16(w: np.ndarray) -> np.ndarray:
    """float32 -> the nearest bfloat16 value (ties to even), as float32 (what the engine's
    bf16w_gemm packing does; csrc/kernels/bf16w_gemm/bf16w_gemm.h)."""
    u = np.ascontiguousarray(w, np.float32).view(np.uint32).astype(np.uint64)
    u = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16
    return u.astype(np.uint32).view(np.float32).reshape(np.shape(w))


def static_params(lo: float, hi: float) -> tuple[float, int]:
    """uint8 (scale, zero point) covering [lo, hi] and zero, by the rule of the engine's
    per-row quantizer (csrc/kernels/quantize/quantize.h): scale = (hi - lo) / 255 in float32,
    zero point = round(-lo / scale) clamped to 0..255; an all-zero range gets (1, 0)."""
    lo32, hi32 = np.float32(min(lo, 0.0)), np.float32(max(hi, 0.0))
    if not (np.isfinite(lo32) and np.isfinite(hi32)):
        raise ValueError(f"calibration range is not finite: [{lo}, {hi}]")
    scale = np.float32(hi32 - lo32) / np.float32(255)
    if not scale > 0:
        return 1.0, 0
    zp = int(np.clip(np.rint(-lo32 / scale), 0, 255))
    return float(scale), zp


def quantize_weight(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-output-channel symmetric int8: (q int8 in -127..127, scale float32 [out])."""
    w64 = w.astype(np.float64).reshape(w.shape[0], -1)
    amax = np.abs(w64).max(axis=1)
    scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(w64 / scale.astype(np.float64)[:, None]), -127, 127)
    return q.astype(np.int8).reshape(w.shape), scale


def dequantize_tensors(tensors: Mapping[str, np.ndarray], spec: QuantSpec
                       ) -> dict[str, np.ndarray]:
    """Float32 canonical tensors (the int8 weights times their scales; extras dropped)."""
    extra = {n + SCALE_SUFFIX for n in spec.layers} | {n + INPUT_SUFFIX for n in spec.layers}
    out = {k: v for k, v in tensors.items() if k not in extra}
    for name in spec.layers:
        q = tensors[name].astype(np.float32)
        scale = tensors[name + SCALE_SUFFIX].astype(np.float32)
        out[name] = (q * scale.reshape((-1,) + (1,) * (q.ndim - 1))).astype(np.float32)
    if spec.bf16_classifier:
        for name in CLASSIFIER_LAYERS:
            out[name] = round_bf16(out[name])
    return out


def quantize_tensors(config: arch.Config, tensors: Mapping[str, np.ndarray],
                     layers: list[str], input_ranges: Mapping[str, tuple[float, int]] | None
                     = None, classifier_weights: str = "float32", ring: str = "float32"
                     ) -> tuple[dict[str, np.ndarray], QuantSpec]:
    """Canonical float tensors -> the tensors of an int8 file and its QuantSpec.

    ``input_ranges`` (static mode): layer name -> (scale, zero point) of its input, for every
    layer but the SE FCs (QuantSpec.static_layers).
    ``classifier_weights``: how a float classifier runs (QuantSpec.classifier_weights);
    ``ring``: the ring buffers' dtype (QuantSpec.ring).
    """
    out = dict(tensors)
    for name in layers:
        q, scale = quantize_weight(np.asarray(tensors[name]))
        out[name] = q
        out[name + SCALE_SUFFIX] = scale
    if input_ranges is not None:
        for name in calibrated_layers(layers):
            s, zp = input_ranges[name]
            out[name + INPUT_SUFFIX] = np.array([s, zp], np.float32)
    mode = "dynamic" if input_ranges is None else "static"
    return out, QuantSpec(activations=mode, layers=tuple(layers),
                          classifier_weights=classifier_weights, ring=ring)


def check_static_inputs(tensors: Mapping[str, Any], spec: QuantSpec) -> None:
    """Static input tensors hold a positive finite scale and an integer zero point 0..255."""
    for name in spec.static_layers:
        s, zp = (float(v) for v in np.asarray(tensors[name + INPUT_SUFFIX]))
        if not (np.isfinite(s) and s > 0 and zp == int(zp) and 0 <= zp <= 255):
            raise ModelFormatError(f"tensor {name + INPUT_SUFFIX!r}: expected [scale > 0, "
                                   f"zero point 0..255], got {[s, zp]}")
