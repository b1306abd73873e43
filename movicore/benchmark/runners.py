"""One runner per engine: load the model, then ``step(frame)`` one frame with the state fed
back. Heavy imports happen in ``imports()`` so that the worker can import them *before*
taking the RSS baseline (library code is not charged to the model)."""

from __future__ import annotations

from typing import Any

import numpy as np

from movicore import arch


class Runner:
    """Interface: ``imports()`` (class method), ``__init__(job)`` loads, ``step(frame)``."""

    name = ""

    @classmethod
    def imports(cls) -> None:
        """Import the engine's libraries (before the memory baseline)."""

    def step(self, frame: np.ndarray) -> np.ndarray:  # frame [H, W, 3] float32 in [0, 1]
        raise NotImplementedError

    state_bytes = 0
    version: str | None = None


class MovicoreRunner(Runner):
    name = "movicore"

    @classmethod
    def imports(cls) -> None:
        import movicore._core  # noqa: F401

    def __init__(self, job: dict[str, Any]) -> None:
        import movicore

        self.model = movicore.load(job["model_path"])
        kind = movicore.Ensemble if isinstance(self.model, movicore.EnsembleModel) else (
            movicore.Engine)
        self.engine = kind(self.model, threads=job["threads"], height=job["height"],
                           width=job["width"])
        self.state_bytes = self.engine.state_bytes
        self.version = movicore.__version__

    def step(self, frame: np.ndarray) -> np.ndarray:
        return self.engine.step(frame)


class Int8Runner(MovicoreRunner):
    """movicore on the int8 copy of the model (``movicore.quantize``, made by the suite)."""

    name = "int8"

    def __init__(self, job: dict[str, Any]) -> None:
        super().__init__({**job, "model_path": job["int8_path"]})


class TorchRunner(Runner):
    """PyTorch reference, eager, one frame per call, ``torch.inference_mode``."""

    name = "torch"

    @classmethod
    def imports(cls) -> None:
        import torch  # noqa: F401

        import movicore.reference.model  # noqa: F401

    def __init__(self, job: dict[str, Any]) -> None:
        import torch

        from movicore.reference import from_file

        torch.set_num_threads(int(job["threads"]))
        self.torch = torch
        self.model = from_file(job["model_path"]).eval()
        self.state = self.model.init_state(1, job["height"], job["width"])
        self.state_bytes = int(sum(t.numel() * t.element_size() for t in self.state.values()))
        self.version = torch.__version__

    def step(self, frame: np.ndarray) -> np.ndarray:
        with self.torch.inference_mode():
            logits, self.state = self.model(self.torch.from_numpy(frame)[None, None], self.state)
        return logits[0].numpy()


class OnnxRuntimeRunner(Runner):
    """ONNX Runtime (CPU provider) on the reference exported with explicit state I/O."""

    name = "onnxruntime"

    @classmethod
    def imports(cls) -> None:
        import onnxruntime  # noqa: F401

    def __init__(self, job: dict[str, Any]) -> None:
        import onnxruntime

        from movicore.reference.onnx_export import OnnxStream

        config = arch.Config.from_dict(job["config"])
        self.stream = OnnxStream(job["onnx_path"], config, job["height"], job["width"],
                                 threads=job["threads"])
        self.state_bytes = self.stream.state_bytes
        self.version = onnxruntime.__version__

    def step(self, frame: np.ndarray) -> np.ndarray:
        return self.stream.step(frame[None, None])


class LiteRTRunner(Runner):
    """LiteRT (TF Lite) interpreter with its default XNNPACK delegate, signature runner."""

    name = "litert"

    @classmethod
    def imports(cls) -> None:
        from ai_edge_litert.interpreter import Interpreter  # noqa: F401

    def __init__(self, job: dict[str, Any]) -> None:
        import importlib.metadata

        from ai_edge_litert.interpreter import Interpreter

        self.interpreter = Interpreter(model_path=job["tflite_path"],
                                       num_threads=int(job["threads"]))
        self.runner = self.interpreter.get_signature_runner()
        inputs = self.runner.get_input_details()
        if "image" not in inputs:
            raise ValueError(f"{job['tflite_path']}: expected an 'image' input, got "
                             f"{sorted(inputs)[:5]}")
        want = [1, 1, job["height"], job["width"], 3]
        got = [int(d) for d in inputs["image"]["shape"]]
        if got != want:
            raise ValueError(f"{job['tflite_path']}: image input is {got}, the benchmark "
                             f"runs {want}")
        outputs = self.runner.get_output_details()
        self.names = [n for n in inputs if n != "image"]
        missing = [n for n in self.names if n not in outputs]
        if missing or "logits" not in outputs:
            raise ValueError(f"{job['tflite_path']}: every state input needs an output of the "
                             f"same name (and 'logits'): missing {missing[:3]}")
        self.state = {n: np.zeros(inputs[n]["shape"], dtype=inputs[n]["dtype"])
                      for n in self.names}
        self.state_bytes = int(sum(a.nbytes for a in self.state.values()))
        self.version = importlib.metadata.version("ai-edge-litert")

    def step(self, frame: np.ndarray) -> np.ndarray:
        out = self.runner(image=frame[None, None], **self.state)
        self.state = {n: out[n] for n in self.names}
        return out["logits"][0]


class OpenVINORunner(Runner):
    """OpenVINO CPU plugin, f32, stateful: the ONNX stream export with every state input/output
    pair turned into an OpenVINO variable (ReadValue/Assign), so the state stays inside the
    infer request and one call takes only the frame. f32 is set explicitly: on AVX-512-BF16
    CPUs the plugin's default inference precision is bf16."""

    name = "openvino"

    @classmethod
    def imports(cls) -> None:
        import openvino  # noqa: F401

    def __init__(self, job: dict[str, Any]) -> None:
        import openvino as ov
        from openvino._offline_transformations import apply_make_stateful_transformation

        from movicore.reference.onnx_export import OUTPUT_PREFIX, state_names, zero_state

        config = arch.Config.from_dict(job["config"])
        names = state_names(config, job["height"], job["width"])
        core = ov.Core()
        model = core.read_model(job["onnx_path"])
        got = [p.get_friendly_name() for p in model.get_parameters()]
        if got != ["image", *names]:
            raise ValueError(f"{job['onnx_path']}: expected image + {len(names)} states, got "
                             f"{got[:4]}... ({len(got)} inputs)")
        apply_make_stateful_transformation(model, {n: OUTPUT_PREFIX + n for n in names})
        compiled = core.compile_model(model, "CPU", {
            "INFERENCE_PRECISION_HINT": "f32",
            "PERFORMANCE_HINT": "LATENCY",
            "NUM_STREAMS": 1,
            "INFERENCE_NUM_THREADS": int(job["threads"]),
        })
        precision = str(compiled.get_property("INFERENCE_PRECISION_HINT"))
        if "32" not in precision:
            raise ValueError(f"OpenVINO compiled with inference precision {precision}, not f32")
        self.request = compiled.create_infer_request()
        self.request.reset_state()
        self.state_bytes = int(sum(a.nbytes
                                   for a in zero_state(config, job["height"],
                                                       job["width"]).values()))
        self.version = ov.get_version()

    def step(self, frame: np.ndarray) -> np.ndarray:
        out = self.request.infer({"image": frame[None, None]})
        return next(iter(out.values()))[0]


class ExecuTorchRunner(Runner):
    """ExecuTorch with the XNNPACK delegate on the one-frame step in 2-D ops (the .pte the
    suite exported: movicore.reference.executorch_export), state fed back each call."""

    name = "executorch"

    @classmethod
    def imports(cls) -> None:
        import executorch.runtime  # noqa: F401
        import torch  # noqa: F401

    def __init__(self, job: dict[str, Any]) -> None:
        import importlib.metadata

        from movicore.reference.executorch_export import ExecuTorchStream

        shapes = [tuple(s) for s in job["executorch_state_shapes"]]
        self.stream = ExecuTorchStream(job["executorch_path"], shapes, threads=job["threads"])
        self.state_bytes = self.stream.state_bytes
        self.version = importlib.metadata.version("executorch")

    def step(self, frame: np.ndarray) -> np.ndarray:
        return self.stream.step(frame)


RUNNERS: dict[str, type[Runner]] = {r.name: r for r in (MovicoreRunner, Int8Runner, TorchRunner,
                                                         OnnxRuntimeRunner, LiteRTRunner,
                                                         OpenVINORunner, ExecuTorchRunner)}
