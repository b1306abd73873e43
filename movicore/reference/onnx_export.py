"""ONNX export of the reference stream model with explicit state inputs and outputs (needs
torch and onnx; onnxruntime to run it).

ONNX graphs are pure functions, so the stream state travels through the graph: one call
processes one clip chunk (normally one frame) and returns the logits and the new state, which
the caller feeds back on the next call. The order is fixed and documented:

* inputs: ``image`` ``[1, T, H, W, 3]`` float32 in [0, 1] (NTHWC, like the reference), then
  every state tensor in :func:`state_names` order (= ``arch.state_shapes`` order: the
  official names, layer by layer, head last), zeros at the start of a stream;
* outputs: ``logits`` ``[1, classes]``, then the new state tensors in the same order, named
  ``new_<state name>`` (ONNX value names must be unique, so outputs cannot reuse input names).

Shapes are static (batch 1, the exported ``frames``/``height``/``width``): the benchmark
exports exactly the shapes it runs. Importing this module needs numpy only (torch is imported
by :func:`export_stream_onnx`), so an onnxruntime-only process can use :class:`OnnxStream`.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from movicore import arch

if TYPE_CHECKING:
    import torch

    from movicore.reference.model import MoViNet

OUTPUT_PREFIX = "new_"
DEFAULT_OPSET = 17


def state_names(config: arch.Config, height: int, width: int) -> list[str]:
    """State tensor names in the ONNX input (and output) order."""
    return list(arch.state_shapes(config, 1, height, width))


def _stream_wrapper(model: MoViNet, names: list[str]) -> torch.nn.Module:
    """(image, *states) -> (logits, *new_states): the reference with an explicit state."""
    import torch

    class StreamWrapper(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, image: torch.Tensor, *states: torch.Tensor
                    ) -> tuple[torch.Tensor, ...]:
            logits, new = self.model(image, dict(zip(names, states)))
            return (logits, *(new[n] for n in names))

    return StreamWrapper()


@contextlib.contextmanager
def _static_same_pads() -> Iterator[None]:
    """Make the reference's SAME padding amounts trace as constants.

    The TorchScript tracer records ``x.shape`` arithmetic as graph ops, and ONNX integer
    ``Div`` truncates where Python's ``//`` floors, so ``ceil(n / stride)`` written as
    ``-(-n // stride)`` comes out one short for odd sizes (43 -> 21 instead of 22). Shapes are
    static here, so the pads are computed from plain ints while exporting.
    """
    import torch

    from movicore.reference import layers

    original = layers.same_spatial_pad

    def same_spatial_pad(x: torch.Tensor, kh: int, kw: int, stride: int) -> torch.Tensor:
        ph = arch.same_pads(int(x.shape[-2]), kh, stride)
        pw = arch.same_pads(int(x.shape[-1]), kw, stride)
        if ph == (0, 0) and pw == (0, 0):
            return x
        return torch.nn.functional.pad(x, (pw[0], pw[1], ph[0], ph[1]))

    layers.same_spatial_pad = same_spatial_pad
    try:
        yield
    finally:
        layers.same_spatial_pad = original


def zero_state(config: arch.Config, height: int, width: int) -> dict[str, np.ndarray]:
    """Initial (all-zero) state as numpy arrays, keyed by input name."""
    return {name: np.zeros(shape, dtype=np.int32 if dt == "int32" else np.float32)
            for name, (shape, dt) in arch.state_shapes(config, 1, height, width).items()}


def export_stream_onnx(model: MoViNet, path: str | os.PathLike[str], *, height: int | None = None,
                       width: int | None = None, frames: int = 1,
                       opset: int = DEFAULT_OPSET) -> Path:
    """Export a causal reference model to ``path`` (see the module docstring for the I/O)."""
    import torch

    from movicore.reference.model import MoViNet

    if not isinstance(model, MoViNet):
        raise TypeError(f"model must be a movicore.reference.MoViNet, got {type(model).__name__}")
    config = model.config
    if not config.causal:
        raise ValueError(f"export_stream_onnx needs a causal (stream) model, got variant "
                         f"{config.variant!r} with causal={config.causal}")
    if opset < 17:
        raise ValueError(f"opset must be >= 17, got {opset}")
    h = int(height or config.input_size)
    w = int(width or config.input_size)
    if frames < 1:
        raise ValueError(f"frames must be >= 1, got {frames}")
    names = state_names(config, h, w)
    was_training = model.training
    # The wrapper must be in eval mode itself: the exporter restores the wrapper's mode on
    # exit, and a (default) training-mode wrapper would switch the model to training.
    wrapper = _stream_wrapper(model, names).eval()
    image = torch.zeros(1, frames, h, w, 3)
    states = tuple(torch.from_numpy(a) for a in zero_state(config, h, w).values())
    path = Path(path)
    with warnings.catch_warnings(), torch.no_grad(), _static_same_pads():
        # The TorchScript exporter is deprecated in favour of torch.export (which needs
        # onnxscript); it handles this static-shape, control-flow-free graph fine.
        warnings.simplefilter("ignore")
        torch.onnx.export(wrapper, (image, *states), str(path), dynamo=False,
                          opset_version=opset, input_names=["image", *names],
                          output_names=["logits", *(OUTPUT_PREFIX + n for n in names)],
                          do_constant_folding=True)
    model.train(was_training)
    return path


class OnnxStream:
    """Runs an exported stream model in onnxruntime, feeding the state back each call."""

    def __init__(self, path: str | os.PathLike[str], config: arch.Config, height: int,
                 width: int, threads: int = 1) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = int(threads)
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self.names = state_names(config, height, width)
        got = [i.name for i in self.session.get_inputs()]
        if got != ["image", *self.names]:
            raise ValueError(f"{path}: ONNX inputs do not match the model config: expected "
                             f"image + {len(self.names)} states, got {got[:4]}... "
                             f"({len(got)} inputs)")
        self.outputs = ["logits", *(OUTPUT_PREFIX + n for n in self.names)]
        self.state = zero_state(config, height, width)

    @property
    def state_bytes(self) -> int:
        return int(sum(a.nbytes for a in self.state.values()))

    def reset(self, config: arch.Config, height: int, width: int) -> None:
        self.state = zero_state(config, height, width)

    def step(self, image: np.ndarray) -> np.ndarray:
        """image [1, T, H, W, 3] float32 -> logits [classes]; advances the state."""
        feeds: dict[str, Any] = {"image": image}
        feeds.update(self.state)
        out = self.session.run(self.outputs, feeds)
        self.state = dict(zip(self.names, out[1:]))
        return out[0][0]
