"""Stream semantics of the engine: reset, interleaving, snapshots, reference-state interop,
constant memory, and clear errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import make_model, ref_logits

import movicore

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def a0(tmp_path_factory):
    return make_model(tmp_path_factory.mktemp("a0"), "a0", "stream", size=40, seed=3)


def _clip(rng, t, size=40):
    return rng.random((t, size, size, 3), dtype=np.float32)


def test_reset_reproduces_first_outputs(a0, rng):
    _, model = a0
    engine = movicore.Engine(model)
    clip = _clip(rng, 5)
    first = engine.step(clip, all_frames=True)
    engine.step(_clip(rng, 3))
    engine.reset()
    np.testing.assert_array_equal(engine.step(clip, all_frames=True), first)


def test_interleaved_streams_equal_separate_runs(a0, rng):
    _, model = a0
    a, b = _clip(rng, 6), _clip(rng, 6)
    sep_a = movicore.Engine(model).step(a, all_frames=True)
    sep_b = movicore.Engine(model).step(b, all_frames=True)
    ea, eb = movicore.Engine(model), movicore.Engine(model)
    got_a, got_b = [], []
    for fa, fb in zip(a, b):
        got_a.append(ea.step(fa))
        got_b.append(eb.step(fb))
    np.testing.assert_array_equal(np.stack(got_a), sep_a)
    np.testing.assert_array_equal(np.stack(got_b), sep_b)


def test_state_dict_round_trip_continues_identically(a0, rng):
    _, model = a0
    clip = _clip(rng, 8)
    engine = movicore.Engine(model)
    engine.step(clip[:3])
    snap = engine.state_dict()
    want = engine.step(clip[3:], all_frames=True)
    other = movicore.Engine(model)
    other.load_state_dict(snap)
    np.testing.assert_array_equal(other.step(clip[3:], all_frames=True), want)
    engine.load_state_dict(snap)  # rewinding the same engine works too
    np.testing.assert_array_equal(engine.step(clip[3:], all_frames=True), want)


def test_engine_state_equals_reference_state(a0, rng):
    ref, model = a0
    clip = _clip(rng, 4)
    engine = movicore.Engine(model)
    engine.step(clip)
    with torch.no_grad():
        _, ref_state = ref(torch.from_numpy(clip[None]))
    mine = engine.state_dict()
    mine.pop("__meta__")
    assert set(mine) == set(ref_state)
    for name, value in ref_state.items():
        np.testing.assert_allclose(mine[name], value.numpy(), rtol=1e-4, atol=1e-5,
                                   err_msg=name)
    # and a reference state continues in the engine
    fresh = movicore.Engine(model)
    fresh.load_state_dict(dict(ref_state))
    more = _clip(rng, 2)
    with torch.no_grad():
        want, _ = ref(torch.from_numpy(more[None]), ref_state)
    np.testing.assert_allclose(fresh.step(more), want[0].numpy(), rtol=0,
                               atol=2e-5 * float(want.abs().max()))


def test_state_of_another_model_or_size_is_rejected(a0, tmp_path, rng):
    _, model = a0
    engine = movicore.Engine(model)
    engine.step(_clip(rng, 2))
    snap = engine.state_dict()
    _, t0 = make_model(tmp_path, "t0", "stream", size=40)
    with pytest.raises(ValueError, match="another model"):
        movicore.Engine(t0).load_state_dict(snap)
    with pytest.raises(ValueError, match="another model"):
        movicore.Engine(model, height=48, width=48).load_state_dict(snap)
    snap.pop("__meta__")
    with pytest.raises(ValueError):
        movicore.Engine(t0).load_state_dict(snap)
    bad = dict(snap)
    name = next(k for k in bad if k.endswith("stream_buffer"))
    bad[name] = np.full_like(bad[name], np.nan)
    with pytest.raises(ValueError, match="NaN"):
        engine.load_state_dict(bad)
    bad[name] = bad[name][:, :1]
    with pytest.raises(ValueError, match="shape"):
        engine.load_state_dict(bad)


@pytest.mark.parametrize(("frames", "match"), [
    (np.zeros((40, 40), np.float32), "shape"),
    (np.zeros((40, 40, 4), np.float32), "shape"),
    (np.zeros((2, 41, 40, 3), np.float32), "shape"),
    (np.zeros((0, 40, 40, 3), np.float32), "at least one"),
    (np.zeros((40, 40, 3), np.float64), "dtype"),
    (np.zeros((40, 40, 3), np.int32), "dtype"),
    (np.full((40, 40, 3), np.nan, np.float32), "NaN"),
    (np.full((2, 40, 40, 3), np.inf, np.float32), "NaN"),
])
def test_bad_frames_raise_value_error_and_leave_state(a0, rng, frames, match):
    _, model = a0
    engine = movicore.Engine(model)
    clip = _clip(rng, 2)
    engine.step(clip[:1])
    snap = engine.state_dict()
    with pytest.raises(ValueError, match=match):
        engine.step(frames)
    after = engine.state_dict()
    for k in snap:
        np.testing.assert_array_equal(after[k], snap[k])


def test_base_model_step_is_an_error(tmp_path, rng):
    _, base = make_model(tmp_path, "t0", "base", size=32)
    with pytest.raises(ValueError, match="run"):
        movicore.Engine(base).step(_clip(rng, 1, 32))
    assert movicore.Engine(base).run(_clip(rng, 3, 32)).shape == (7,)


def test_bad_engine_arguments(a0):
    _, model = a0
    with pytest.raises(ValueError):
        movicore.Engine(model, threads=0)
    with pytest.raises(ValueError):
        movicore.Engine(model, height=2, width=2)
    with pytest.raises(TypeError):
        movicore.Engine("a0.safetensors")


def test_predict_returns_sorted_probabilities(a0, rng):
    _, model = a0
    top = movicore.Engine(model).predict(_clip(rng, 2), k=3)
    assert len(top) == 3
    probs = [p for _, p in top]
    assert probs == sorted(probs, reverse=True)
    assert all(0 <= p <= 1 for p in probs)
    assert {label for label, _ in top} <= set(model.labels)


def test_run_resets_stream_models(a0, rng):
    ref, model = a0
    clip = _clip(rng, 4)
    engine = movicore.Engine(model)
    engine.step(_clip(rng, 3))
    np.testing.assert_allclose(engine.run(clip), ref_logits(ref, clip), rtol=0,
                               atol=2e-5 * np.abs(ref_logits(ref, clip)).max())


def test_state_bytes_match_architecture(a0):
    _, model = a0
    engine = movicore.Engine(model)
    assert engine.state_bytes == movicore.arch.state_bytes(model.config, 40, 40)


def _rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


@pytest.mark.slow
def test_memory_is_constant_over_10000_frames(tmp_path, rng):
    _, model = make_model(tmp_path, "a0", "stream", size=48, num_classes=600)
    engine = movicore.Engine(model)
    frames = rng.integers(0, 256, (16, 48, 48, 3), dtype=np.uint8)
    for i in range(200):  # warm-up: allocator and caches settle
        engine.step(frames[i % 16])
    before = _rss_kib()
    for i in range(10_000):
        engine.step(frames[i % 16])
    growth = _rss_kib() - before
    assert growth < 1024, f"RSS grew by {growth} KiB over 10,000 frames"


def test_profile_accounts_for_every_layer(a0, rng):
    _, model = a0
    engine = movicore.Engine(model)
    engine.set_profiling(True)
    engine.step(_clip(rng, 3))
    rows = engine.profile()
    layers = {r["layer"] for r in rows}
    assert {lp.name for lp in movicore.arch.layer_plan(model.config)} <= layers
    assert {"stem", "expand", "depthwise", "project", "head", "classifier"} <= {r["op"] for r in rows}
    assert all(r["seconds"] >= 0 and r["calls"] >= 1 for r in rows)
    engine.set_profiling(False)
    assert engine.profile() == []


def test_two_engines_on_two_python_threads(a0, rng):
    """The GIL is released: concurrent streams give the same results as sequential ones."""
    import threading

    _, model = a0
    clips = [_clip(rng, 6) for _ in range(2)]
    want = [movicore.Engine(model).step(c, all_frames=True) for c in clips]
    got = [None, None]

    def work(i):
        e = movicore.Engine(model, threads=2)
        got[i] = np.stack([e.step(f) for f in clips[i]])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=0, atol=1e-5 * np.abs(w).max())


def test_step_many_equals_separate_engines(a0, rng):
    _, model = a0
    n, t = 5, 4
    clips = [_clip(rng, t) for _ in range(n)]
    want = np.stack([movicore.Engine(model).step(c, all_frames=True) for c in clips], axis=1)
    multi = movicore.Engine(model, streams=n)
    got = np.stack([multi.step_many(np.stack([c[f] for c in clips])) for f in range(t)])
    np.testing.assert_allclose(got, want, rtol=0, atol=2e-5 * np.abs(want).max())
    # per-stream snapshots equal the single-stream engine's
    single = movicore.Engine(model)
    single.step(clips[2])
    s_multi, s_single = multi.state_dict(2), single.state_dict()
    for k in s_single:
        if k != "__meta__":
            scale = max(1.0, float(np.abs(s_single[k]).max()))
            np.testing.assert_allclose(s_multi[k], s_single[k], rtol=0, atol=1e-5 * scale)
    multi.reset(stream=2)  # resetting one stream leaves the others
    assert multi.state_dict(2)["state_head_pool_frame_count"][0] == 0
    assert multi.state_dict(1)["state_head_pool_frame_count"][0] == t
    with pytest.raises(ValueError, match="one frame per stream"):
        multi.step_many(_clip(rng, n - 1))
    with pytest.raises(ValueError, match="step_many"):
        multi.step(_clip(rng, 1))
    with pytest.raises(ValueError, match="stream"):
        multi.state_dict(n)


def test_missing_core_gives_an_actionable_error(monkeypatch):
    import sys

    from movicore import _native

    monkeypatch.setitem(sys.modules, "movicore._core", None)  # import of it now fails
    monkeypatch.delattr(movicore, "_core", raising=False)
    with pytest.raises(ImportError, match="pip install -e"):
        _native.core()
