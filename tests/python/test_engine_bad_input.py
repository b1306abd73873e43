"""Input mistakes that used to pass silently or with pybind11 noise (issue 16): float frames in
0..255, state tensors of another dtype, negative sizes/threads/streams, predict(k=0). Each is a
clear ValueError (StateError for states) before any state changes. No torch: random-weight
models written with numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import movicore
from movicore import _core, arch, modelfile
from movicore.benchmark.frames import frame_pool
from movicore.benchmark.models import random_model_tensors

SIZE = 32
RANGE = r"float32 frames must hold values in \[0, 1\].*pass uint8 frames \(0\.\.255\) or divide"


def _write(tmp: Path, variant: str, seed: int) -> movicore.Model:
    config = arch.default_config("t0", variant, 5).replace(input_size=SIZE)
    path = tmp / f"t0_{variant}.safetensors"
    modelfile.write_model_file(path, config, random_model_tensors(config, seed))
    model = movicore.load(path)
    assert isinstance(model, movicore.Model)
    return model


@pytest.fixture(scope="module")
def stream(tmp_path_factory: pytest.TempPathFactory) -> movicore.Model:
    return _write(tmp_path_factory.mktemp("stream"), "stream", 1)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> movicore.Model:
    return _write(tmp_path_factory.mktemp("base"), "base", 2)


def _unit_clip(rng: np.random.Generator, t: int) -> np.ndarray:
    return rng.uniform(0, 1, (t, SIZE, SIZE, 3)).astype(np.float32)


def _same_state(a, b) -> None:
    """Equal snapshots (engine dicts, ensemble dicts holding lists of member dicts)."""
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _same_state(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same_state(x, y)
    else:
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------ float frames out of range

def test_0_255_float_frames_are_rejected_before_the_state_changes(stream, rng):
    engine = movicore.Engine(stream)
    engine.step(_unit_clip(rng, 2))
    snap = engine.state_dict()
    wrong = (_unit_clip(rng, 3) * 255).astype(np.float32)  # the usual mistake
    for call in (lambda: engine.step(wrong), lambda: engine.step(wrong, all_frames=True),
                 lambda: engine.step(wrong[1]), lambda: engine.run(wrong),
                 lambda: engine.predict(wrong)):
        with pytest.raises(ValueError, match=RANGE):
            call()
        _same_state(engine.state_dict(), snap)
    # The same frames as uint8 (or divided by 255) are what the message asks for, and work.
    ok_u8 = engine.step(wrong.astype(np.uint8))
    assert np.isfinite(ok_u8).all()


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("value", [-0.2, 1.2, 2.5, -1.0, 255.0, 3.4e38, -3.4e38])
def test_out_of_range_values_anywhere_are_found(stream, rng, value, threads):
    """One bad value anywhere (first/last element, a later frame, a block tail, either thread's
    half) is found and reported with its position."""
    engine = movicore.Engine(stream, threads=threads)
    clip = _unit_clip(rng, 12)  # 36,864 values: two threads split the check
    n = clip.size
    for flat in (0, n - 1, 4095, 4096, n // 2 + 7):
        bad = clip.copy()
        bad.reshape(-1)[flat] = value
        with pytest.raises(ValueError, match=RANGE) as info:
            engine.step(bad)
        assert f"flat index {flat}, frame {flat // (SIZE * SIZE * 3)}" in str(info.value)


def test_two_threads_report_the_first_bad_value(stream, rng):
    """Each thread checks a half; the message still names the first bad value of the clip."""
    engine = movicore.Engine(stream, threads=2)
    clip = _unit_clip(rng, 12)
    n = clip.size
    for first, later in ((3, n // 2 + 5), (n // 2 + 5, n - 1), (n // 2 - 1, n // 2)):
        bad = clip.copy()
        bad.reshape(-1)[first], bad.reshape(-1)[later] = 7.0, np.nan
        with pytest.raises(ValueError, match=RANGE) as info:
            engine.step(bad)
        assert f"value 7 at flat index {first}," in str(info.value)


def test_small_overshoot_is_accepted(stream, rng):
    """Resampling filters overshoot [0, 1] a little; up to 0.05 is fine."""
    clip = _unit_clip(rng, 2)
    clip[0, 0, 0, 0], clip[1, 5, 5, 2] = -0.049, 1.049
    assert np.isfinite(movicore.Engine(stream).step(clip)).all()


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_still_says_nan(stream, rng, value):
    clip = _unit_clip(rng, 2)
    clip[1, 3, 4, 1] = value
    with pytest.raises(ValueError, match="NaN or infinity"):
        movicore.Engine(stream).step(clip)


def test_base_model_run_rejects_0_255(base, rng):
    engine = movicore.Engine(base)
    with pytest.raises(ValueError, match=RANGE):
        engine.run(_unit_clip(rng, 4) * 255)
    assert engine.run(_unit_clip(rng, 4)).shape == (5,)


def test_many_streams_reject_0_255_and_keep_every_stream(stream, rng):
    for threads in (1, 2):  # batched GEMM path and stream-parallel lanes
        engine = movicore.Engine(stream, streams=3, threads=threads)
        engine.step_many(_unit_clip(rng, 3))
        snaps = [engine.state_dict(s) for s in range(3)]
        bad = _unit_clip(rng, 3)
        bad[2, 1, 1, 1] = 17.0  # only the last stream's frame is wrong
        with pytest.raises(ValueError, match=RANGE):
            engine.step_many(bad)
        for s in range(3):
            _same_state(engine.state_dict(s), snaps[s])


def test_ensemble_rejects_0_255_before_any_member_advances(stream, tmp_path, rng):
    for mode in ("interleave", "parallel"):
        ens = movicore.Ensemble([stream, _write(tmp_path, "stream", 3)], mode=mode)
        ens.step(_unit_clip(rng, 3))
        snap = ens.state_dict()
        bad = _unit_clip(rng, 4) * 255
        for method in (ens.step, ens.run, ens.predict):
            with pytest.raises(ValueError, match=RANGE):
                method(bad)
            _same_state(ens.state_dict(), snap)


def test_check_frames_binding_matches_the_engine(rng):
    ok = rng.uniform(0, 1, (2, 8, 8, 3)).astype(np.float32)
    _core.check_frames(ok)
    ok[1, 7, 7, 2] = 1.5
    with pytest.raises(ValueError, match=r"flat index 383, frame 1\)"):
        _core.check_frames(ok)


def test_benchmark_frames_are_in_range():
    """The bench feeds float frames: they must pass the engine's check."""
    frames = frame_pool(37, 29, seed=3)
    assert frames.dtype == np.float32 and frames.min() >= 0 and frames.max() <= 1
    _core.check_frames(frames)


# ------------------------------------------------------------------ state dtype

@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_, np.complex64])
def test_float_state_of_another_dtype_kind_is_a_state_error(stream, rng, dtype):
    engine = movicore.Engine(stream)
    engine.step(_unit_clip(rng, 3))
    snap = engine.state_dict()
    name = next(k for k, v in snap.items() if k != "__meta__" and v.dtype == np.float32
                and np.abs(v).max() > 0)
    bad = dict(snap)
    bad[name] = snap[name].astype(dtype)
    with pytest.raises(movicore.StateError, match=f"'{name}' has dtype"):
        engine.load_state_dict(bad)
    _same_state(engine.state_dict(), snap)
    assert issubclass(movicore.StateError, ValueError)
    assert issubclass(movicore.StateError, movicore.MovicoreError)


def test_float64_state_is_still_accepted(stream, rng):
    """Another float width keeps the values (the reference's float64 states load)."""
    engine = movicore.Engine(stream)
    engine.step(_unit_clip(rng, 3))
    snap = engine.state_dict()
    wide = {k: (v.astype(np.float64) if k != "__meta__" and v.dtype == np.float32 else v)
            for k, v in snap.items()}
    fresh = movicore.Engine(stream)
    fresh.load_state_dict(wide)
    _same_state(fresh.state_dict(), snap)


def test_float_count_is_a_state_error(stream, rng):
    engine = movicore.Engine(stream)
    engine.step(_unit_clip(rng, 2))
    snap = engine.state_dict()
    ints = [k for k, v in snap.items() if k != "__meta__" and v.dtype == np.int32]
    if not ints:
        pytest.skip("this model's state has no integer tensor")
    bad = dict(snap)
    bad[ints[0]] = snap[ints[0]].astype(np.float32) + 0.5
    with pytest.raises(movicore.StateError, match="expected int32"):
        engine.load_state_dict(bad)


def test_state_error_is_the_one_class(stream):
    """The core raises movicore.StateError itself (also reachable as _core.StateError)."""
    assert _core.StateError is movicore.StateError
    with pytest.raises(movicore.StateError, match="tensors"):
        movicore.Engine(stream).load_state_dict({"x": np.zeros(1, np.float32)})


# ------------------------------------------------------------------ sizes and counts

@pytest.mark.parametrize(("kwargs", "match"), [
    ({"threads": 0}, r"threads must be in 1\.\.256, got 0"),
    ({"threads": -1}, r"threads must be in 1\.\.256, got -1"),
    ({"threads": -(2**40)}, "threads must be in"),
    ({"streams": 0}, r"streams must be within 1\.\.4096, got 0"),
    ({"streams": -3}, r"streams must be within 1\.\.4096, got -3"),
    ({"height": -32}, r"input size must be within 8\.\.4096 pixels, got -32x32"),
    ({"width": -1}, r"input size must be within 8\.\.4096 pixels, got 32x-1"),
    ({"height": 0, "width": 0}, "input size must be within"),
])
def test_negative_sizes_counts_give_the_same_message_as_zero(stream, kwargs, match):
    with pytest.raises(ValueError, match=match) as info:
        movicore.Engine(stream, **kwargs)
    assert "incompatible constructor arguments" not in str(info.value)
    assert "\n" not in str(info.value)


# ------------------------------------------------------------------ predict(k)

@pytest.mark.parametrize("k", [0, -1, True, 2.0])
def test_predict_k_below_one_is_an_error_before_stepping(stream, rng, k):
    engine = movicore.Engine(stream)
    engine.step(_unit_clip(rng, 1))
    snap = engine.state_dict()
    with pytest.raises(ValueError, match="k must be an int >= 1"):
        engine.predict(_unit_clip(rng, 1), k=k)
    _same_state(engine.state_dict(), snap)
    with pytest.raises(ValueError, match="k must be an int >= 1"):
        engine.top_k(k)


def test_predict_k_bounds(stream, tmp_path, rng):
    engine = movicore.Engine(stream)
    assert len(engine.predict(_unit_clip(rng, 1), k=1)) == 1
    assert len(engine.predict(_unit_clip(rng, 1), k=50)) == 5  # every class
    ens = movicore.Ensemble([stream, _write(tmp_path, "stream", 4)])
    with pytest.raises(ValueError, match="k must be an int >= 1"):
        ens.predict(_unit_clip(rng, 2), k=0)
    assert ens.frame_index == 0
