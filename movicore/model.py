"""``movicore.load``: a validated, immutable model ready for any number of engines."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from movicore import arch
from movicore.fold import fold_for_engine
from movicore.modelfile import EnsembleFile, ModelFile, read_any_file


class Model:
    """An immutable model: architecture, labels and weights packed for the kernels.

    Share one ``Model`` between many :class:`movicore.Engine` objects (one per stream); it is
    read-only and safe to use from several threads.
    """

    def __init__(self, file: ModelFile) -> None:
        from movicore._native import core

        _core = core()

        self._file = file
        q = file.quant
        self._core = _core.Model(fold_for_engine(
            file.config, file.tensors, bf16_classifier=q is not None and q.bf16_classifier,
            bf16_ring=q is not None and q.bf16_ring))

    @property
    def config(self) -> arch.Config:
        return self._file.config

    @property
    def labels(self) -> list[str]:
        return list(self._file.labels)

    @property
    def path(self) -> Path:
        return self._file.path

    @property
    def metadata(self) -> dict[str, str]:
        """The file's ``__metadata__`` (string -> string)."""
        return dict(self._file.metadata)

    @property
    def num_classes(self) -> int:
        return self._file.config.num_classes

    @property
    def causal(self) -> bool:
        return self._file.config.causal

    @property
    def input_size(self) -> tuple[int, int]:
        return self._file.config.input_size, self._file.config.input_size

    @property
    def parameter_count(self) -> int:
        return arch.parameter_count(self._file.config)

    @property
    def tensors(self) -> dict[str, np.ndarray]:
        """Canonical (file) tensors, read-only views of the memory-mapped file."""
        return self._file.tensors

    def macs_per_frame(self, height: int | None = None, width: int | None = None) -> int:
        h, w = height or self.input_size[0], width or self.input_size[1]
        return arch.count_macs(self.config, 1, h, w)

    def __repr__(self) -> str:
        c = self.config
        return (f"Model({c.model_id}-{c.variant}, {c.num_classes} classes, "
                f"{c.input_size}x{c.input_size}, file={self._file.path.name!r})")


class EnsembleModel:
    """An ensemble file loaded: its member :class:`Model` objects plus mode, weights and
    phases. Pass it to :class:`movicore.Ensemble` (one per stream); see docs/ensembles.md."""

    def __init__(self, file: EnsembleFile) -> None:
        self._file = file
        self._members = [Model(m) for m in file.members]

    @property
    def members(self) -> list[Model]:
        return list(self._members)

    @property
    def mode(self) -> str:
        return self._file.mode

    @property
    def weights(self) -> tuple[float, ...]:
        return self._file.weights

    @property
    def phases(self) -> tuple[int, ...]:
        return self._file.phases

    @property
    def labels(self) -> list[str]:
        return list(self._file.labels)

    @property
    def num_classes(self) -> int:
        return self._members[0].num_classes

    @property
    def causal(self) -> bool:
        return self._members[0].causal

    @property
    def input_size(self) -> tuple[int, int]:
        return self._members[0].input_size

    @property
    def path(self) -> Path:
        return self._file.path

    @property
    def parameter_count(self) -> int:
        return sum(m.parameter_count for m in self._members)

    def macs_per_frame(self, height: int | None = None, width: int | None = None) -> float:
        """Average MACs per input frame: mean of the members (interleave) or their sum."""
        macs = [m.macs_per_frame(height, width) for m in self._members]
        return sum(macs) / len(macs) if self.mode == "interleave" else float(sum(macs))

    def __repr__(self) -> str:
        names = "+".join(f"{m.config.model_id}-{m.config.variant}" for m in self._members)
        return (f"EnsembleModel({names}, mode={self.mode!r}, {self.num_classes} classes, "
                f"file={self._file.path.name!r})")


def load(path: str | os.PathLike[str]) -> Model | EnsembleModel:
    """Load and validate a ``.safetensors`` model file (numpy only, memory-mapped).

    A single model gives a :class:`Model`; an ensemble file (``kind`` ``"ensemble"``) gives
    an :class:`EnsembleModel` for :class:`movicore.Ensemble`. The string ``"demo"`` loads the
    embedded demo model (MoViNet-T0 stream, 10 synthetic motion classes), as on the command
    line.

    Raises
    ------
    movicore.ModelFormatError
        The file is malformed, truncated or inconsistent with its architecture config.
    FileNotFoundError
        There is no such file.
    """
    from movicore.assets import resolve_model_path

    file = read_any_file(resolve_model_path(path))
    if isinstance(file, EnsembleFile):
        return EnsembleModel(file)
    return Model(file)
