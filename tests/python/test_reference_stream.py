"""Streaming semantics of the reference: chunked == whole clip, per-frame logits, training."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from movicore import reference as ref
from movicore.reference.testing import randomize_weights

pytestmark = [pytest.mark.needs_torch, pytest.mark.usefixtures("torch_one_thread")]


# (model id, overrides): default stream, PE model, causal 3d (buffer of the conv input),
# 3d_2plus1d, causal 3d SE, 2d SE, no SE, Keras hard sigmoid.
CASES = [
    ("a0", {}),
    ("a3", {}),  # positional encoding
    ("a0", {"conv_type": "3d"}),
    ("t0", {"conv_type": "3d_2plus1d", "gate": "hard_sigmoid_keras"}),
    ("a1", {"se_type": "3d", "conv_type": "3d"}),
    ("t0", {"se_type": "2d"}),
    ("t0", {"se_type": "none", "activation": "relu"}),
]
FRAMES, SIZE = 11, 34


def _model(model_id: str, overrides: dict[str, str], seed: int) -> ref.MoViNet:
    model = ref.build(model_id, "stream", num_classes=9, **overrides).eval()
    return randomize_weights(model, seed)


def _clip(seed: int, frames: int = FRAMES, size: int = SIZE, batch: int = 2) -> torch.Tensor:
    return torch.rand(batch, frames, size, size + 3, 3, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize(("model_id", "overrides"), CASES)
def test_chunked_equals_whole_clip(model_id: str, overrides: dict[str, str], seed: int) -> None:
    model = _model(model_id, overrides, seed)
    clip = _clip(seed)
    with torch.no_grad():
        whole, whole_state = model(clip)
        per_frame, _ = model(clip, all_frames=True)
        scale = whole.abs().max().item()
        assert scale > 1e-2, f"degenerate logits (seed {seed})"
        for chunk in (1, 2, 3, 5):
            state = model.init_state(clip.shape[0], clip.shape[2], clip.shape[3])
            rows = []
            for t0 in range(0, FRAMES, chunk):
                logits, state = model(clip[:, t0:t0 + chunk], state)
                rows.append(logits)
            err = (rows[-1] - whole).abs().max().item()
            assert err <= 1e-5 * max(1.0, scale), f"chunk {chunk}: {err:.3g} (seed {seed})"
            for k, v in whole_state.items():
                if v.dtype == torch.int32:
                    assert torch.equal(state[k], v), k
                else:  # buffers deep in the net are large: bound relative to their scale
                    tol = 1e-5 * max(1.0, v.abs().max().item())
                    assert (state[k] - v).abs().max().item() <= tol, k
            if chunk == 1:
                stacked = torch.stack(rows, dim=1)
                err = (stacked - per_frame).abs().max().item()
                assert err <= 1e-5 * max(1.0, scale), f"all_frames: {err:.3g} (seed {seed})"


def test_state_carries_information(seed: int) -> None:
    """Continuing from a state differs from restarting (the test above can fail)."""
    model = _model("a0", {}, seed)
    clip = _clip(seed, frames=4)
    with torch.no_grad():
        _, state = model(clip[:, :3])
        cont, _ = model(clip[:, 3:], state)
        fresh, _ = model(clip[:, 3:])
    assert (cont - fresh).abs().max().item() > 1e-3


def test_causality(seed: int) -> None:
    """Per-frame logits of a causal model do not depend on future frames."""
    model = _model("a0", {"conv_type": "3d"}, seed)
    clip = _clip(seed, frames=6)
    other = clip.clone()
    other[:, 4:] = torch.rand_like(other[:, 4:])
    with torch.no_grad():
        a, _ = model(clip, all_frames=True)
        b, _ = model(other, all_frames=True)
    torch.testing.assert_close(a[:, :4], b[:, :4], rtol=0, atol=1e-6)
    assert (a[:, 4:] - b[:, 4:]).abs().max().item() > 1e-4


def test_non_causal_uses_future_frames(seed: int) -> None:
    model = randomize_weights(ref.build("t0", "base", num_classes=9).eval(), seed)
    clip = _clip(seed, frames=6)
    other = clip.clone()
    other[:, 5:] = 0.0
    with torch.no_grad():
        a, _ = model(clip)
        b, _ = model(other)
        # base models: state is ignored, so chunking changes the answer
        c, _ = model(clip[:, 3:], model.init_state(2, SIZE, SIZE + 3))
    assert (a - b).abs().max().item() > 1e-4
    assert (a - c).abs().max().item() > 1e-4


def _first_layer_grad(model: ref.MoViNet) -> torch.Tensor:
    g = model.stem.conv.weight.grad
    assert g is not None
    return g


def test_gradients_flow_through_stateful_rollout(seed: int) -> None:
    model = randomize_weights(ref.build("a0", "stream", num_classes=5, stochastic_depth=0.2), seed)
    model.train()
    clip = _clip(seed, frames=6, size=32)
    target = torch.tensor([1, 3])
    state = None
    loss = torch.zeros(())
    for t0 in range(0, 6, 2):  # 3 chunks, state carried without detaching
        logits, state = model(clip[:, t0:t0 + 2], state)
        loss = loss + torch.nn.functional.cross_entropy(logits, target)
    loss.backward()
    g_roll = _first_layer_grad(model).clone()
    assert torch.isfinite(g_roll).all() and g_roll.abs().sum() > 0
    # gradient of the last chunk's loss reaches the first chunk through the state
    model.zero_grad()
    frozen = clip.clone().requires_grad_(True)
    _, st = model(frozen[:, :2])
    logits, _ = model(frozen[:, 2:4], st)
    torch.nn.functional.cross_entropy(logits, target).backward()
    assert frozen.grad is not None and frozen.grad[:, :2].abs().sum() > 0
    # detach_state cuts it
    frozen.grad = None
    _, st = model(frozen[:, :2])
    logits, _ = model(frozen[:, 2:4], ref.detach_state(st))
    torch.nn.functional.cross_entropy(logits, target).backward()
    assert frozen.grad[:, :2].abs().sum() == 0


def test_gradients_whole_clip_base(seed: int) -> None:
    model = randomize_weights(ref.build("t0", "base", num_classes=5), seed).train()
    clip = _clip(seed, frames=4, size=32)
    logits, _ = model(clip)
    torch.nn.functional.cross_entropy(logits, torch.tensor([0, 4])).backward()
    g = _first_layer_grad(model)
    assert torch.isfinite(g).all() and g.abs().sum() > 0
    assert model.classifier.logits.weight.grad is not None


def test_dropout_and_stochastic_depth_only_in_training(seed: int) -> None:
    model = randomize_weights(ref.build("t0", "stream", num_classes=5, dropout=0.5,
                                       stochastic_depth=0.5), seed)
    clip = _clip(seed, frames=2, size=32)
    model.eval()
    with torch.no_grad():
        a, _ = model(clip)
        b, _ = model(clip)
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    model.train()
    torch.manual_seed(seed)
    with torch.no_grad():
        c, _ = model(clip)
        d, _ = model(clip)
    assert (c - d).abs().max().item() > 0


def test_positional_encoding_formula() -> None:
    """Official order: all sines then all cosines, angle k uses 10000^(-2k/D)."""
    import math

    from movicore.reference.layers import positional_encoding

    d, positions = 10, [0.0, 1.0, 7.0, 123.0]
    got = positional_encoding(d, torch.tensor(positions))
    for row, p in zip(got.tolist(), positions):
        w = [p / 10000 ** (2 * k / d) for k in range(d // 2)]
        want = [math.sin(a) for a in w] + [math.cos(a) for a in w]
        assert max(abs(a - b) for a, b in zip(row, want)) < 1e-5
