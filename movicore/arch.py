"""MoViNet architecture: block tables, derived layer plan, tensor names, state shapes, MACs.

This module is the single source of truth shared by the PyTorch reference, the model-file
reader/validator and the C++ engine planner. It needs only the standard library (no numpy,
no torch) so that ``import movicore`` stays light.

Facts (tables, formulas) follow the official TF Model Garden implementation
(``official/projects/movinet``), see ``docs/architecture.md``.

Conventions
-----------
* Activations are NTHWC (batch, time, height, width, channels), float32 in [0, 1].
* Canonical weight layout = PyTorch ``Conv3d`` (``[out, in/groups, kt, kh, kw]``); BatchNorm as
  ``weight/bias/running_mean/running_var``; scalars (ReZero, PE scale) have shape ``()``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping
from typing import Any

MODEL_IDS = ("a0", "a1", "a2", "a3", "a4", "a5", "t0")
CUSTOM_ID = "custom"  # any point of the search space: the block table travels in the config
VARIANTS = ("stream", "base")
CONV_TYPES = ("3d", "2plus1d", "3d_2plus1d")
SE_TYPES = ("3d", "2d", "2plus3d", "none")
ACTIVATIONS = ("hard_swish", "swish", "relu", "relu6", "identity")
GATES = ("sigmoid", "hard_sigmoid", "hard_sigmoid_keras")
BN_EPSILON = 1e-3
FORMAT_VERSION = 1  # written by this version; bump when readers must learn something new
MIN_FORMAT_VERSION = 1  # every version from here to FORMAT_VERSION still loads

# Depthwise kernels (t, h, w) of the paper's search space (arXiv 2103.11511, section 3).
SEARCH_KERNELS = ((1, 3, 3), (1, 5, 5), (1, 7, 7), (5, 1, 1), (7, 1, 1), (3, 3, 3), (5, 3, 3))
MAX_KERNEL = 7  # the engine's depthwise/temporal kernels take 1..7 taps per axis

_K155 = (1, 5, 5)
_K133 = (1, 3, 3)
_K333 = (3, 3, 3)
_K533 = (5, 3, 3)


@dataclasses.dataclass(frozen=True)
class BlockSpec:
    """One block: layers that share ``base`` output channels."""

    base: int
    expand: tuple[int, ...]
    kernels: tuple[tuple[int, int, int], ...]
    stride: int  # spatial stride of the first layer (1 or 2)


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    stem: int
    head: int  # head projection filters
    hidden: int  # classifier hidden filters
    size: int  # default (native) input resolution (0 for a custom table: see input_size)
    blocks: tuple[BlockSpec, ...]

    def to_json(self) -> dict[str, Any]:
        """The ``"blocks"`` config value: the table without the native size."""
        return {"stem": self.stem, "head": self.head, "hidden": self.hidden,
                "blocks": [{"base": b.base, "expand": list(b.expand),
                            "kernels": [list(k) for k in b.kernels], "stride": b.stride}
                           for b in self.blocks]}

    @classmethod
    def from_json(cls, d: Any) -> ModelSpec:
        """Parse and validate a ``"blocks"`` config value (exact JSON types)."""
        _need_keys(d, ("stem", "head", "hidden", "blocks"), "blocks")
        if not isinstance(d["blocks"], list) or not 1 <= len(d["blocks"]) <= 16:
            raise ValueError("blocks.blocks must be a list of 1 to 16 blocks")
        blocks = []
        for i, b in enumerate(d["blocks"]):
            what = f"blocks.blocks[{i}]"
            _need_keys(b, ("base", "expand", "kernels", "stride"), what)
            if not isinstance(b["expand"], list) or not isinstance(b["kernels"], list):
                raise ValueError(f"{what}: expand and kernels must be lists")  # noqa: TRY004
            for k in b["kernels"]:
                if not isinstance(k, list) or len(k) != 3 or not all(_is_int(v) for v in k):
                    raise ValueError(f"{what}: a kernel must be [kt, kh, kw] ints, got {k!r}")
            for name in ("base", "stride"):
                if not _is_int(b[name]):
                    raise ValueError(f"{what}.{name} must be an int, got {b[name]!r}")
            if not all(_is_int(e) for e in b["expand"]):
                raise ValueError(f"{what}.expand must be ints, got {b['expand']!r}")
            blocks.append(BlockSpec(b["base"], tuple(b["expand"]),
                                    tuple(tuple(k) for k in b["kernels"]), b["stride"]))
        for name in ("stem", "head", "hidden"):
            if not _is_int(d[name]):
                raise ValueError(f"blocks.{name} must be an int, got {d[name]!r}")
        spec = cls(d["stem"], d["head"], d["hidden"], 0, tuple(blocks))
        spec.check()
        return spec

    def check(self) -> None:
        """Every width, depth, kernel and stride inside what the reference and engine run."""
        for name in ("stem", "head", "hidden"):
            v = getattr(self, name)
            if not isinstance(v, int) or not 1 <= v <= 8192:
                raise ValueError(f"blocks.{name} must be an int in [1, 8192], got {v!r}")
        if not 1 <= len(self.blocks) <= 16:
            raise ValueError(f"need 1 to 16 blocks, got {len(self.blocks)}")
        for i, b in enumerate(self.blocks):
            what = f"block {i}"
            if not isinstance(b.base, int) or not 1 <= b.base <= 8192:
                raise ValueError(f"{what}: base width must be an int in [1, 8192], got {b.base!r}")
            if b.stride not in (1, 2):
                raise ValueError(f"{what}: stride must be 1 or 2, got {b.stride!r}")
            if not 1 <= len(b.expand) <= 32 or len(b.expand) != len(b.kernels):
                raise ValueError(f"{what}: need 1 to 32 layers with one expansion width and "
                                 f"one kernel each, got {len(b.expand)} and {len(b.kernels)}")
            for e in b.expand:
                if not isinstance(e, int) or not 1 <= e <= 8192:
                    raise ValueError(f"{what}: expansion width must be an int in [1, 8192], "
                                     f"got {e!r}")
            for k in b.kernels:
                if (len(k) != 3 or not all(isinstance(v, int) and 1 <= v <= MAX_KERNEL
                                           for v in k) or k[1] % 2 == 0 or k[2] % 2 == 0):
                    raise ValueError(f"{what}: kernel (t, h, w) needs 1..{MAX_KERNEL} taps per "
                                     f"axis and odd h, w; got {k!r}")


def _is_int(v: Any) -> bool:
    return type(v) is int  # exact: JSON true is not a width


def _need_keys(d: Any, keys: tuple[str, ...], what: str) -> None:
    if not isinstance(d, dict):
        raise ValueError(f"{what} must be a JSON object, got {type(d).__name__}")  # noqa: TRY004
    missing = [k for k in keys if k not in d]
    extra = sorted(set(d) - set(keys))
    if missing or extra:
        raise ValueError(f"{what}: missing keys {missing}, unknown keys {extra}")


def _b(base: int, expand: list[int], kernels: list[tuple[int, int, int]], stride: int) -> BlockSpec:
    assert len(expand) == len(kernels)
    return BlockSpec(base, tuple(expand), tuple(kernels), stride)


SPECS: dict[str, ModelSpec] = {
    "a0": ModelSpec(8, 480, 2048, 172, (
        _b(8, [24], [_K155], 2),
        _b(32, [80, 80, 80], [_K333] * 3, 2),
        _b(56, [184, 112, 184], [_K533, _K333, _K333], 2),
        _b(56, [184] * 4, [_K533, _K333, _K333, _K333], 1),
        _b(104, [384, 280, 280, 344], [_K533, _K155, _K155, _K155], 2),
    )),
    "a1": ModelSpec(16, 600, 2048, 172, (
        _b(16, [40, 40], [_K155, _K333], 2),
        _b(40, [96, 120, 96, 96], [_K333] * 4, 2),
        _b(64, [216, 128, 216, 168, 216], [_K533] + [_K333] * 4, 2),
        _b(64, [216, 216, 216, 128, 128, 216], [_K533, _K333, _K333, _K333, _K155, _K333], 1),
        _b(136, [456, 360, 360, 360, 456, 456, 544],
           [_K533, _K155, _K155, _K155, _K155, _K333, _K133], 2),
    )),
    "a2": ModelSpec(16, 640, 2048, 224, (
        _b(16, [40, 40, 64], [_K155, _K333, _K333], 2),
        _b(40, [96, 120, 96, 96, 120], [_K333] * 5, 2),
        _b(72, [240, 160, 240, 192, 240], [_K533] + [_K333] * 4, 2),
        _b(72, [240, 240, 240, 240, 144, 240], [_K533, _K333, _K333, _K333, _K155, _K333], 1),
        _b(144, [480, 384, 384, 480, 480, 480, 576],
           [_K533, _K155, _K155, _K155, _K155, _K333, _K133], 2),
    )),
    "a3": ModelSpec(16, 744, 2048, 256, (
        _b(16, [40, 40, 64, 40], [_K155, _K333, _K333, _K333], 2),
        _b(48, [112, 144, 112, 112, 144, 144], [_K333, _K333, _K333, _K155, _K333, _K333], 2),
        _b(80, [240, 152, 240, 192, 240], [_K533] + [_K333] * 4, 2),
        _b(88, [264, 264, 264, 264, 160, 264, 264, 264],
           [_K533, _K333, _K333, _K333, _K155, _K333, _K333, _K333], 1),
        _b(168, [560, 448, 448, 560, 560, 560, 448, 448, 560, 672],
           [_K533, _K155, _K155, _K155, _K155, _K333, _K155, _K155, _K333, _K133], 2),
    )),
    "a4": ModelSpec(24, 856, 2048, 290, (
        _b(24, [64, 64, 96, 64, 96, 64], [_K155] + [_K333] * 5, 2),
        _b(56, [168, 168, 136, 136, 168, 168, 168, 136, 136], [_K333] * 7 + [_K155, _K333], 2),
        _b(96, [320, 160, 320, 192, 320, 160, 320, 256, 320], [_K533] + [_K333] * 8, 2),
        _b(96, [320, 320, 320, 320, 192, 320, 320, 192, 320, 320],
           [_K533, _K333, _K333, _K333, _K155] + [_K333] * 5, 1),
        _b(192, [640, 512, 512, 640, 640, 640, 512, 512, 640, 768, 640, 640, 768],
           [_K533] + [_K155] * 4 + [_K333] + [_K155] * 5 + [_K333, _K333], 2),
    )),
    "a5": ModelSpec(24, 992, 2048, 320, (
        _b(24, [64, 64, 96, 64, 96, 64], [_K155, _K155] + [_K333] * 4, 2),
        _b(64, [192, 152, 152, 152, 192, 192, 192, 152, 152, 192, 192], [_K533] + [_K333] * 10, 2),
        _b(112, [376, 224, 376, 376, 296, 376, 224, 376, 376, 296, 376, 376, 376],
           [_K533] + [_K333] * 12, 2),
        _b(120, [376, 376, 376, 376, 224, 376, 376, 224, 376, 376, 376],
           [_K533, _K333, _K333, _K333, _K155] + [_K333] * 6, 1),
        _b(224, [744, 744, 600, 600, 744, 744, 744, 896, 600, 600, 896, 744, 744, 896, 600, 600,
                 744, 744],
           [_K533, _K333] + [_K155] * 4 + [_K333] + [_K155] * 5 + [_K333] + [_K155] * 4 + [_K333],
           2),
    )),
    "t0": ModelSpec(8, 240, 1024, 160, (
        _b(8, [16], [_K155], 2),
        _b(32, [72, 72], [_K333, _K155], 2),
        _b(56, [112, 112, 112], [_K533, _K155, _K333], 2),
        _b(56, [184] * 4, [_K533, _K155, _K333, _K333], 1),
        _b(104, [344] * 4, [_K533, _K155, _K155, _K333], 2),
    )),
}


def make_divisible(value: float, divisor: int = 8) -> int:
    """Official rounding of channel counts: nearest multiple, never below 90% of value."""
    new = max(divisor, int(value + divisor / 2) // divisor * divisor)
    if new < 0.9 * value:
        new += divisor
    return int(new)


@dataclasses.dataclass(frozen=True)
class Config:
    """Complete architecture config; stored in the model file's ``__metadata__``."""

    model_id: str = "a0"
    variant: str = "stream"
    num_classes: int = 600
    causal: bool = True
    conv_type: str = "2plus1d"
    se_type: str = "2plus3d"
    activation: str = "hard_swish"
    gate: str = "hard_sigmoid"
    classifier_activation: str = "swish"
    positional_encoding: bool = False
    input_size: int = 172  # default H = W
    input_range: str = "unit"  # float32 in [0, 1] = uint8 / 255, RGB, NTHWC
    # Explicit block table (model_id "custom": any point of the search space); None for the
    # named ids, whose tables are SPECS. Stored as the config's "blocks" key only when set.
    blocks: ModelSpec | None = None

    def __post_init__(self) -> None:
        _check_choice("model_id", self.model_id, (*MODEL_IDS, CUSTOM_ID))
        if self.model_id == CUSTOM_ID:
            if not isinstance(self.blocks, ModelSpec):
                raise ValueError("model_id 'custom' needs a block table (blocks)")
            self.blocks.check()
            if self.blocks.size != 0:  # the input size lives in input_size only
                object.__setattr__(self, "blocks", dataclasses.replace(self.blocks, size=0))
        elif self.blocks is not None:
            raise ValueError(f"model_id {self.model_id!r} has the fixed table SPECS"
                             f"[{self.model_id!r}]; use model_id 'custom' for a block table")
        _check_choice("variant", self.variant, VARIANTS)
        _check_choice("conv_type", self.conv_type, CONV_TYPES)
        _check_choice("se_type", self.se_type, SE_TYPES)
        _check_choice("activation", self.activation, ACTIVATIONS)
        _check_choice("gate", self.gate, GATES)
        _check_choice("classifier_activation", self.classifier_activation, ACTIVATIONS)
        _check_choice("input_range", self.input_range, ("unit",))
        if not isinstance(self.num_classes, int) or not 1 <= self.num_classes <= 1_000_000:
            raise ValueError(f"num_classes must be an int in [1, 1e6], got {self.num_classes!r}")
        if not isinstance(self.input_size, int) or not 8 <= self.input_size <= 4096:
            raise ValueError(f"input_size must be an int in [8, 4096], got {self.input_size!r}")
        if self.positional_encoding and not self.causal:
            raise ValueError("positional_encoding requires causal=True (as in the official code)")
        if self.positional_encoding and self.se_type == "none":
            raise ValueError("positional_encoding lives inside SE; se_type='none' has no SE")

    @property
    def spec(self) -> ModelSpec:
        return self.blocks if self.blocks is not None else SPECS[self.model_id]

    @property
    def name(self) -> str:
        """Display name: "A0", "T0", ... or "custom"."""
        return self.model_id.upper() if self.model_id != CUSTOM_ID else CUSTOM_ID

    @property
    def spatial_2plus1d(self) -> bool:
        """True when depthwise convs are split into spatial then temporal halves."""
        return self.conv_type in ("2plus1d", "3d_2plus1d")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict; "blocks" only for custom tables (named-id files stay as before)."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "blocks"}
        if self.blocks is not None:
            d["blocks"] = self.blocks.to_json()
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Config:
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - fields)
        if unknown:
            raise ValueError(f"unknown config keys: {unknown}")
        d = dict(d)
        if isinstance(d.get("blocks"), Mapping):
            d["blocks"] = ModelSpec.from_json(dict(d["blocks"]))
        return cls(**d)

    def replace(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes)


def _check_choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")


def custom_config(table: ModelSpec, input_size: int, variant: str = "stream",
                  num_classes: int = 600, **overrides: Any) -> Config:
    """A search-space point with the official defaults of ``variant`` (no positional
    encoding for stream models, as in a0-a2/t0)."""
    base = default_config("a0", variant, num_classes, input_size=input_size, **overrides)
    return base.replace(model_id=CUSTOM_ID, blocks=table)


def default_config(model_id: str, variant: str = "stream", num_classes: int = 600,
                   **overrides: Any) -> Config:
    """Official defaults: base = 3d/3d SE/swish/sigmoid; stream = causal 2plus1d/2plus3d SE/
    hard_swish/hard_sigmoid (+ positional encoding for a3-a5)."""
    _check_choice("model_id", model_id, MODEL_IDS)
    _check_choice("variant", variant, VARIANTS)
    if variant == "base":
        cfg: dict[str, Any] = {"causal": False, "conv_type": "3d", "se_type": "3d",
                               "activation": "swish", "gate": "sigmoid",
                               "positional_encoding": False}
    else:
        cfg = {"causal": True, "conv_type": "2plus1d", "se_type": "2plus3d",
               "activation": "hard_swish", "gate": "hard_sigmoid",
               "positional_encoding": model_id in ("a3", "a4", "a5")}
    cfg.update(model_id=model_id, variant=variant, num_classes=num_classes,
               classifier_activation="swish", input_size=SPECS[model_id].size)
    cfg.update(overrides)
    return Config(**cfg)


@dataclasses.dataclass(frozen=True)
class LayerPlan:
    """One MovinetBlock (inverted bottleneck) with every derived quantity."""

    name: str  # "block{i}_layer{j}"
    block: int
    index: int
    in_channels: int
    out_channels: int
    expand: int
    kernel: tuple[int, int, int]  # (kt, kh, kw)
    stride: int  # spatial stride (1 or 2); temporal stride is always 1
    skip: str  # "identity" | "project" | "pool_project"
    se_in: int  # SE descriptor width (2E for 2plus3d, E otherwise, 0 for none)
    se_hidden: int  # 0 when se_type == "none"

    @property
    def kt(self) -> int:
        return self.kernel[0]


def layer_plan(config: Config) -> list[LayerPlan]:
    spec = config.spec
    layers = []
    cin = spec.stem
    mult = 2 if config.se_type == "2plus3d" else 1
    for i, blk in enumerate(spec.blocks):
        for j, (e, k) in enumerate(zip(blk.expand, blk.kernels)):
            stride = blk.stride if j == 0 else 1
            if stride > 1:
                skip = "pool_project"
            elif cin != blk.base:
                skip = "project"
            else:
                skip = "identity"
            if config.se_type == "none":
                se_in = se_hidden = 0
            else:
                se_in = e * mult
                se_hidden = make_divisible(0.25 * e * mult, 8)
            layers.append(LayerPlan(f"block{i}_layer{j}", i, j, cin, blk.base, e, k, stride, skip,
                                    se_in, se_hidden))
            cin = blk.base
    return layers


def same_out(n: int, stride: int) -> int:
    return -(-n // stride)


def same_pads(n: int, k: int, stride: int) -> tuple[int, int]:
    """TF SAME padding (before, after); the odd extra pixel goes after."""
    out = same_out(n, stride)
    total = max((out - 1) * stride + k - n, 0)
    return total // 2, total - total // 2


def spatial_sizes(config: Config, height: int, width: int) -> dict[str, tuple[int, int]]:
    """Output (H, W) of the stem and of every layer."""
    h, w = same_out(height, 2), same_out(width, 2)
    sizes = {"stem": (h, w)}
    for lp in layer_plan(config):
        h, w = same_out(h, lp.stride), same_out(w, lp.stride)
        sizes[lp.name] = (h, w)
    return sizes


# --------------------------------------------------------------------------- tensors

def _bn(prefix: str, c: int) -> Iterator[tuple[str, tuple[int, ...]]]:
    for p in ("weight", "bias", "running_mean", "running_var"):
        yield f"{prefix}.{p}", (c,)


def expected_tensors(config: Config) -> dict[str, tuple[int, ...]]:
    """Canonical tensor names and shapes (= reference ``state_dict`` minus BN counters)."""
    spec = config.spec
    t: dict[str, tuple[int, ...]] = {"stem.conv.weight": (spec.stem, 3, 1, 3, 3)}
    t.update(_bn("stem.bn", spec.stem))
    for lp in layer_plan(config):
        p = f"blocks.{lp.name}"
        e = lp.expand
        kt, kh, kw = lp.kernel
        t[f"{p}.expand.conv.weight"] = (e, lp.in_channels, 1, 1, 1)
        t.update(_bn(f"{p}.expand.bn", e))
        if config.spatial_2plus1d:
            t[f"{p}.feature.conv.weight"] = (e, 1, 1, kh, kw)
            t.update(_bn(f"{p}.feature.bn", e))
            if kt > 1:
                t[f"{p}.feature.conv_t.weight"] = (e, 1, kt, 1, 1)
                t.update(_bn(f"{p}.feature.bn_t", e))
        else:
            t[f"{p}.feature.conv.weight"] = (e, 1, kt, kh, kw)
            t.update(_bn(f"{p}.feature.bn", e))
        if config.se_type != "none":
            t[f"{p}.se.reduce.weight"] = (lp.se_hidden, lp.se_in, 1, 1, 1)
            t[f"{p}.se.reduce.bias"] = (lp.se_hidden,)
            t[f"{p}.se.expand.weight"] = (e, lp.se_hidden, 1, 1, 1)
            t[f"{p}.se.expand.bias"] = (e,)
            if config.positional_encoding:
                t[f"{p}.se.pos_scale"] = ()
        t[f"{p}.project.conv.weight"] = (lp.out_channels, e, 1, 1, 1)
        t.update(_bn(f"{p}.project.bn", lp.out_channels))
        if lp.skip != "identity":
            t[f"{p}.skip.conv.weight"] = (lp.out_channels, lp.in_channels, 1, 1, 1)
            t.update(_bn(f"{p}.skip.bn", lp.out_channels))
        t[f"{p}.rezero"] = ()
    last = spec.blocks[-1].base
    t["head.conv.weight"] = (spec.head, last, 1, 1, 1)
    t.update(_bn("head.bn", spec.head))
    t["classifier.hidden.weight"] = (spec.hidden, spec.head, 1, 1, 1)
    t["classifier.hidden.bias"] = (spec.hidden,)
    t["classifier.logits.weight"] = (config.num_classes, spec.hidden, 1, 1, 1)
    t["classifier.logits.bias"] = (config.num_classes,)
    return t


def parameter_count(config: Config) -> int:
    """Trainable parameters, counted like Keras (BN moving statistics excluded)."""
    return sum(math.prod(s) for n, s in expected_tensors(config).items()
               if not n.endswith(("running_mean", "running_var")))


# --------------------------------------------------------------------------- stream state

def state_shapes(config: Config, batch: int, height: int, width: int
                 ) -> dict[str, tuple[tuple[int, ...], str]]:
    """Official stream-state names -> (shape, dtype). Empty for non-causal models.

    Stream buffers hold the last ``kt - 1`` inputs of each causal temporal conv: for
    (2+1)D the spatial half's output (post-stride size), for causal ``3d`` the 3D conv's
    input (pre-stride size). Pool buffers hold a running *sum* of per-frame means.
    """
    if not config.causal:
        return {}
    out: dict[str, tuple[tuple[int, ...], str]] = {}
    sizes = spatial_sizes(config, height, width)
    prev = sizes["stem"]
    for lp in layer_plan(config):
        p = f"state_{lp.name}"
        if lp.kt > 1:
            h, w = sizes[lp.name] if config.spatial_2plus1d else prev
            out[f"{p}_stream_buffer"] = ((batch, lp.kt - 1, h, w, lp.expand), "float32")
        if "3d" in config.se_type:
            out[f"{p}_pool_buffer"] = ((batch, 1, 1, 1, lp.expand), "float32")
            out[f"{p}_pool_frame_count"] = ((1,), "int32")
        if config.positional_encoding:
            out[f"{p}_pos_enc_frame_count"] = ((1,), "int32")
        prev = sizes[lp.name]
    out["state_head_pool_buffer"] = ((batch, 1, 1, 1, config.spec.head), "float32")
    out["state_head_pool_frame_count"] = ((1,), "int32")
    return out


def state_bytes(config: Config, height: int, width: int) -> int:
    return sum(4 * math.prod(s) for s, _ in state_shapes(config, 1, height, width).values())


# --------------------------------------------------------------------------- cost

def count_macs(config: Config, frames: int, height: int, width: int) -> int:
    """Multiply-accumulates of one forward pass over ``frames`` frames (convs + FCs).

    Counts every conv / matmul MAC (stem, expansion, depthwise, SE FCs, projection, skip
    projection, head, classifier); element-wise ops and pooling are not counted.
    """
    spec = config.spec
    h, w = same_out(height, 2), same_out(width, 2)
    macs = h * w * 27 * spec.stem * frames
    se_calls = 1 if (not config.causal and config.se_type == "3d") else frames
    for lp in layer_plan(config):
        e = lp.expand
        kt, kh, kw = lp.kernel
        ho, wo = same_out(h, lp.stride), same_out(w, lp.stride)
        per_frame = h * w * lp.in_channels * e  # expansion at input resolution
        if config.spatial_2plus1d:
            per_frame += ho * wo * e * kh * kw + (ho * wo * e * kt if kt > 1 else 0)
        else:
            per_frame += ho * wo * e * kt * kh * kw
        per_frame += ho * wo * e * lp.out_channels
        if lp.skip != "identity":
            per_frame += ho * wo * lp.in_channels * lp.out_channels
        macs += per_frame * frames
        if config.se_type != "none":
            macs += (lp.se_in * lp.se_hidden + lp.se_hidden * e) * se_calls
        h, w = ho, wo
    last = spec.blocks[-1].base
    macs += h * w * last * spec.head * frames
    macs += spec.head * spec.hidden + spec.hidden * config.num_classes
    return macs
