"""The MoViNet search space as data (arXiv 2103.11511, section 3) and its random points.

A point is an ``arch.Config`` with ``model_id="custom"`` and an explicit block table
(``arch.ModelSpec``), plus the frame stride of the input (a data choice, not a weight
shape: see :class:`Candidate`). The paper's space: a 1x3x3 stem, 5 blocks whose first layer
downsamples spatially by 2 (except block 3), each block with a base width
``make_divisible(c_base * m)`` (``c_base`` = 24, 48, 96, 96, 192, stem 16, ``m`` in
{0.75, 1, 1.25}) and a depth of 1..10 layers; per layer an expansion width
``make_divisible(r * base)`` with ``r`` in {1.5, 2, 2.5, 3, 3.5, 4} and a depthwise kernel
from {1x3x3, 1x5x5, 1x7x7, 5x1x1, 7x1x1, 3x3x3, 5x3x3}; a 1x1x1 head of 512 filters and a
2048-wide classifier; input size and frame stride. A0-A5/T0 are named points
(:func:`named_point`). ``Space.scaled`` gives smaller spaces of the same shape (tiny budgets).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from typing import Any

from movicore import arch

Kernel = tuple[int, int, int]


@dataclasses.dataclass(frozen=True)
class Space:
    """Choices of every dimension of the search space."""

    stem: int = 16
    base_widths: tuple[int, ...] = (24, 48, 96, 96, 192)
    strides: tuple[int, ...] = (2, 2, 2, 1, 2)
    width_multipliers: tuple[float, ...] = (0.75, 1.0, 1.25)
    depths: tuple[int, ...] = tuple(range(1, 11))
    expansion_ratios: tuple[float, ...] = (1.5, 2.0, 2.5, 3.0, 3.5, 4.0)
    kernels: tuple[Kernel, ...] = arch.SEARCH_KERNELS
    head: int = 512
    hidden: int = 2048
    input_sizes: tuple[int, ...] = (160, 172, 192, 224, 256)
    frame_strides: tuple[int, ...] = (5, 3, 2, 1)

    def __post_init__(self) -> None:
        if len(self.base_widths) != len(self.strides) or not self.base_widths:
            raise ValueError("base_widths and strides need one entry per block")
        for name in ("width_multipliers", "depths", "expansion_ratios", "kernels",
                     "input_sizes", "frame_strides"):
            if not getattr(self, name):
                raise ValueError(f"search space: {name} is empty")
        if min(self.depths) < 1 or min(self.frame_strides) < 1:
            raise ValueError("depths and frame strides must be >= 1")

    def scaled(self, width: float = 1.0, max_depth: int | None = None,
               input_sizes: Sequence[int] | None = None,
               frame_strides: Sequence[int] | None = None) -> Space:
        """The same space with every width times ``width`` (head/classifier too), depths
        capped at ``max_depth`` and other input sizes / frame strides."""
        def w(c: int) -> int:
            return arch.make_divisible(c * width, 8)

        depths = self.depths if max_depth is None else tuple(
            d for d in self.depths if d <= max_depth)
        return dataclasses.replace(
            self, stem=w(self.stem), base_widths=tuple(w(c) for c in self.base_widths),
            head=w(self.head), hidden=w(self.hidden), depths=depths,
            input_sizes=tuple(input_sizes or self.input_sizes),
            frame_strides=tuple(frame_strides or self.frame_strides))

    def to_json(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["kernels"] = [list(k) for k in self.kernels]
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Space:
        d = dict(d)
        d["kernels"] = tuple(tuple(k) for k in d["kernels"])
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


PAPER = Space()


@dataclasses.dataclass(frozen=True)
class Genome:
    """Discrete choices of one point, indices into / values of the :class:`Space`."""

    multipliers: tuple[float, ...]  # per block
    layers: tuple[tuple[tuple[float, Kernel], ...], ...]  # per block: (ratio, kernel) per layer
    input_size: int
    frame_stride: int

    def to_json(self) -> dict[str, Any]:
        return {"multipliers": list(self.multipliers),
                "layers": [[[r, list(k)] for r, k in blk] for blk in self.layers],
                "input_size": self.input_size, "frame_stride": self.frame_stride}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Genome:
        return cls(tuple(d["multipliers"]),
                   tuple(tuple((float(r), tuple(k)) for r, k in blk) for blk in d["layers"]),
                   int(d["input_size"]), int(d["frame_stride"]))

    def key(self) -> str:
        """Stable identity (for de-duplication and resumable result files)."""
        import json

        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))


@dataclasses.dataclass(frozen=True)
class Candidate:
    """A point of the space: the network (``config``) and the input frame stride."""

    config: arch.Config
    frame_stride: int = 1


def table(space: Space, g: Genome) -> arch.ModelSpec:
    """The block table of genome ``g``."""
    blocks = []
    for base, stride, m, layers in zip(space.base_widths, space.strides, g.multipliers,
                                       g.layers):
        width = arch.make_divisible(base * m, 8)
        blocks.append(arch.BlockSpec(
            width, tuple(arch.make_divisible(r * width, 8) for r, _ in layers),
            tuple(k for _, k in layers), stride))
    return arch.ModelSpec(space.stem, space.head, space.hidden, 0, tuple(blocks))


def candidate(space: Space, g: Genome, num_classes: int = 600,
              variant: str = "stream") -> Candidate:
    config = arch.custom_config(table(space, g), g.input_size, variant, num_classes)
    return Candidate(config, g.frame_stride)


def random_genome(space: Space, rng: random.Random) -> Genome:
    mults, layers = [], []
    for _ in space.base_widths:
        mults.append(rng.choice(space.width_multipliers))
        depth = rng.choice(space.depths)
        layers.append(tuple((rng.choice(space.expansion_ratios), rng.choice(space.kernels))
                            for _ in range(depth)))
    return Genome(tuple(mults), tuple(layers), rng.choice(space.input_sizes),
                  rng.choice(space.frame_strides))


def mutate(space: Space, g: Genome, rng: random.Random, n: int = 1) -> Genome:
    """``n`` single-choice changes: a width multiplier, a depth (+-1 layer), one layer's
    expansion ratio or kernel, the input size or the frame stride."""
    mults, layers = list(g.multipliers), [list(b) for b in g.layers]
    size, fstride = g.input_size, g.frame_stride
    for _ in range(n):
        what = rng.choice(("width", "depth", "ratio", "kernel", "kernel", "ratio", "size",
                           "stride"))
        b = rng.randrange(len(layers))
        if what == "width":
            mults[b] = rng.choice(space.width_multipliers)
        elif what == "depth":
            grow = rng.random() < 0.5
            if grow and len(layers[b]) + 1 in space.depths:
                layers[b].insert(rng.randrange(len(layers[b]) + 1),
                                 (rng.choice(space.expansion_ratios), rng.choice(space.kernels)))
            elif len(layers[b]) - 1 in space.depths:
                del layers[b][rng.randrange(len(layers[b]))]
        elif what in ("ratio", "kernel"):
            j = rng.randrange(len(layers[b]))
            r, k = layers[b][j]
            layers[b][j] = ((rng.choice(space.expansion_ratios), k) if what == "ratio"
                            else (r, rng.choice(space.kernels)))
        elif what == "size":
            size = rng.choice(space.input_sizes)
        else:
            fstride = rng.choice(space.frame_strides)
    return Genome(tuple(mults), tuple(tuple(b) for b in layers), size, fstride)


def sample_genome(seed: int, space: Space = PAPER) -> Genome:
    return random_genome(space, random.Random(seed))


def sample(seed: int, space: Space = PAPER, num_classes: int = 600,
           variant: str = "stream") -> arch.Config:
    """A random point of ``space`` as an ``arch.Config`` (deterministic in ``seed``)."""
    return candidate(space, sample_genome(seed, space), num_classes, variant).config


def named_point(model_id: str, num_classes: int = 600, variant: str = "stream") -> arch.Config:
    """A0-A5/T0 as explicit points (model_id "custom" with their official table); the
    tensors, plan and logits are those of the named model."""
    named = arch.default_config(model_id, variant, num_classes)
    if named.positional_encoding:
        return named.replace(model_id=arch.CUSTOM_ID, blocks=named.spec)
    return arch.custom_config(named.spec, named.input_size, variant, num_classes)
