"""ExecuTorch export of the one-frame stream step (needs torch and executorch).

The XNNPACK delegate takes 4-D tensors only, so the model goes through
:class:`movicore.reference.frame_step.FrameStep` (2-D ops, BN folded): ``torch.export``, then
``to_edge_transform_and_lower`` with the XNNPACK partitioner. The whole A0-stream step lowers to
a single delegate call. The program's I/O is FrameStep's: ``(frame [1, H, W, 3], *state) ->
(logits [1, classes], *new_state)``; :class:`ExecuTorchStream` feeds the state back.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from movicore.reference.frame_step import FrameStep


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """executorch 1.5 warns about its own deprecated and experimental APIs: not ours to fix."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def export_executorch(step: FrameStep, path: str | os.PathLike[str]) -> Path:
    """Write the XNNPACK-lowered .pte of a one-frame step (``FrameStep(model, h, w)``)."""
    import torch

    h, w = step.size
    example = (torch.zeros(1, h, w, 3), *step.zero_state())
    with _quiet():
        from executorch.backends.xnnpack.partition.xnnpack_partitioner import (
            XnnpackPartitioner,
        )
        from executorch.exir import to_edge_transform_and_lower

        with torch.no_grad():
            program = torch.export.export(step, example)
        lowered = to_edge_transform_and_lower(program, partitioner=[XnnpackPartitioner()])
        buffer = lowered.to_executorch().buffer
    path = Path(path)
    path.write_bytes(buffer)
    return path


class ExecuTorchStream:
    """Runs an exported step in the ExecuTorch runtime with ``threads`` XNNPACK threads."""

    def __init__(self, path: str | os.PathLike[str], state_shapes: list[tuple[int, ...]],
                 threads: int = 1) -> None:
        import torch

        with _quiet():
            from executorch.extension.pybindings.portable_lib import _unsafe_reset_threadpool
            from executorch.runtime import Runtime

            _unsafe_reset_threadpool(int(threads))  # the pool is process-wide
            self.method = Runtime.get().load_program(str(path)).load_method("forward")
        self.torch = torch
        self.state: list[Any] = [torch.zeros(s) for s in state_shapes]

    @property
    def state_bytes(self) -> int:
        return int(sum(t.numel() * t.element_size() for t in self.state))

    def step(self, frame: np.ndarray) -> np.ndarray:
        """frame [H, W, 3] float32 in [0, 1] -> logits [classes]; advances the state."""
        out = self.method.execute([self.torch.from_numpy(frame)[None], *self.state])
        self.state = list(out[1:])
        return out[0][0].numpy()
