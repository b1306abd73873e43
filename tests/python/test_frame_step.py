"""The 2-D one-frame step (movicore.reference.frame_step, for runtimes without 5-D ops) equals
the reference fed the same frames one by one: every conv type, SE type, positional encoding,
odd sizes, over enough frames to fill and roll every temporal buffer."""

from __future__ import annotations

import numpy as np
import pytest

from movicore import arch

torch = pytest.importorskip("torch")

from movicore.reference import build
from movicore.reference.frame_step import FrameStep


def _random_bn(model: torch.nn.Module, seed: int) -> None:
    """Non-trivial BN statistics and ReZero scales, so that folding them is tested."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm3d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.1)
        for name, p in model.named_parameters():
            if name.endswith(("rezero", "pos_scale")):
                p.fill_(0.5)


def _reference(model_id: str, overrides: dict) -> torch.nn.Module:
    if model_id == "nas":  # a random point of the search space (7x7, 7x1x1, stride-2 3D ...)
        from movicore.nas import sample
        from movicore.reference import MoViNet

        return MoViNet(sample(overrides.pop("seed"), num_classes=7).replace(**overrides))
    return build(model_id, "stream", 7, **overrides)


@pytest.mark.parametrize(("model_id", "overrides", "size"), [
    ("t0", {}, 33),
    ("a0", {"conv_type": "3d"}, 29),
    ("t0", {"se_type": "3d", "positional_encoding": True}, 32),
    ("t0", {"se_type": "2d", "conv_type": "3d"}, 24),
    ("nas", {"seed": 3}, 40),
    ("nas", {"seed": 4, "conv_type": "3d"}, 35),
])
def test_frame_step_equals_the_reference(model_id, overrides, size, torch_one_thread) -> None:
    ref = _reference(model_id, dict(overrides)).eval()
    _random_bn(ref, 3)
    step = FrameStep(ref, size, size).eval()
    frames = torch.from_numpy(np.random.default_rng(5).random((9, size, size, 3), np.float32))
    state = step.zero_state()
    assert [tuple(s.shape) for s in state] == step.state_shapes
    ref_state = None
    with torch.no_grad():
        for t in range(frames.shape[0]):
            want, ref_state = ref(frames[None, t:t + 1], ref_state)
            got, *state = step(frames[t:t + 1], *state)
            scale = float(want.abs().max())
            np.testing.assert_allclose(got.numpy(), want.numpy(), atol=2e-5 * scale + 1e-6,
                                       rtol=0, err_msg=f"frame {t}")


def test_frame_step_refuses_a_non_causal_model() -> None:
    with pytest.raises(ValueError, match="causal"):
        FrameStep(build("t0", "base", 5).eval(), 32, 32)
    assert arch.default_config("t0", "stream", 5).causal


def test_executorch_runs_the_step_like_torch(tmp_path, torch_one_thread) -> None:
    pytest.importorskip("executorch")
    from movicore.reference.executorch_export import ExecuTorchStream, export_executorch

    ref = build("t0", "stream", 5).eval()
    _random_bn(ref, 4)
    step = FrameStep(ref, 40, 40).eval()
    path = export_executorch(step, tmp_path / "t0.pte")
    stream = ExecuTorchStream(path, step.state_shapes, threads=1)
    frames = np.random.default_rng(6).random((6, 40, 40, 3), np.float32)
    state = step.zero_state()
    with torch.no_grad():
        for frame in frames:
            want, *state = step(torch.from_numpy(frame)[None], *state)
            got = stream.step(frame)
            np.testing.assert_allclose(got, want[0].numpy(), rtol=0,
                                       atol=1e-4 * float(want.abs().max()))
