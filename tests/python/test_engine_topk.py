"""``top_k`` reads the latest logits without stepping; ``predict`` steps (Engine, Ensemble).

Runs on the embedded demo model (T0 stream, 32x32), no torch.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("movicore._core")

import movicore
from movicore.assets import DEMO_MODEL
from movicore.engine import top_k_of


@pytest.fixture(scope="module")
def model() -> movicore.Model:
    return movicore.load(DEMO_MODEL)


def _frames(rng: np.random.Generator, t: int, size: int = 32) -> np.ndarray:
    return rng.integers(0, 256, (t, size, size, 3), dtype=np.uint8)


def _same_state(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        np.array_equal(a[k], b[k]) for k in a if k != "__meta__")


def test_top_k_reads_without_stepping(model: movicore.Model, rng: np.random.Generator) -> None:
    engine = movicore.Engine(model)
    with pytest.raises(ValueError, match="no logits yet"):
        engine.top_k()
    clip = _frames(rng, 5)
    logits = engine.step(clip)
    before = engine.state_dict()
    first = engine.top_k(3)
    assert engine.top_k(3) == first  # reading twice: same answer
    assert _same_state(before, engine.state_dict())  # and the stream did not move
    assert first == top_k_of(logits, model.labels, 3)
    assert [p for _, p in first] == sorted((p for _, p in first), reverse=True)
    assert len(engine.top_k(100)) == model.num_classes  # k is clamped
    # The next step gives what an engine that never called top_k gives.
    other = movicore.Engine(model)
    other.step(clip)
    nxt = _frames(rng, 1)
    np.testing.assert_array_equal(engine.step(nxt), other.step(nxt))


def test_predict_steps_then_reads(model: movicore.Model, rng: np.random.Generator) -> None:
    clip, nxt = _frames(rng, 4), _frames(rng, 1)
    a, b = movicore.Engine(model), movicore.Engine(model)
    a.step(clip)
    b.step(clip)
    top = a.predict(nxt, k=4)  # feeds nxt: the stream is one frame further
    logits = b.step(nxt)
    assert top == top_k_of(logits, model.labels, 4) == a.top_k(4)
    assert _same_state(a.state_dict(), b.state_dict())
    # all_frames: top_k follows the last row.
    rows = a.step(clip, all_frames=True)
    assert a.top_k(2) == top_k_of(rows[-1], model.labels, 2)


def test_reset_snapshot_run_and_streams(model: movicore.Model,
                                        rng: np.random.Generator) -> None:
    engine = movicore.Engine(model)
    engine.step(_frames(rng, 2))
    snap = engine.state_dict()
    engine.reset()
    with pytest.raises(ValueError, match="no logits yet"):
        engine.top_k()
    engine.load_state_dict(snap)
    with pytest.raises(ValueError, match="no logits yet"):  # a snapshot holds no logits
        engine.top_k()
    logits = engine.run(_frames(rng, 3))
    assert engine.top_k(1) == top_k_of(logits, model.labels, 1)

    many = movicore.Engine(model, streams=3)
    out = many.step_many(_frames(rng, 3))
    for s in range(3):
        assert many.top_k(2, stream=s) == top_k_of(out[s], model.labels, 2)
    many.reset(1)
    assert many.top_k(2, stream=0) == top_k_of(out[0], model.labels, 2)
    with pytest.raises(ValueError, match="no logits yet"):
        many.top_k(stream=1)
    with pytest.raises(ValueError, match="stream must be"):
        many.top_k(stream=3)


def test_ensemble_top_k_and_predict(model: movicore.Model, rng: np.random.Generator) -> None:
    ens = movicore.Ensemble([model, model], mode="interleave")
    twin = movicore.Ensemble([model, model], mode="interleave")
    with pytest.raises(ValueError, match="no logits yet"):
        ens.top_k()
    clip = _frames(rng, 5)
    logits = ens.step(clip)
    twin.step(clip)
    t = ens.frame_index
    assert ens.top_k(3) == top_k_of(logits, model.labels, 3) == ens.top_k(3)
    assert ens.frame_index == t  # no member advanced
    nxt = _frames(rng, 1)
    assert ens.predict(nxt, k=3) == top_k_of(twin.step(nxt), model.labels, 3)
    assert ens.frame_index == t + 1
    ens.reset()
    with pytest.raises(ValueError, match="no logits yet"):
        ens.top_k()
