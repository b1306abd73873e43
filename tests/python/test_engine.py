"""Engine vs the PyTorch reference (random weights with random BN statistics)."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import assert_logits_close, make_model, ref_logits

import movicore
from movicore import arch

pytest.importorskip("torch")

ALL_IDS = list(arch.MODEL_IDS)


def _clip(rng: np.random.Generator, t: int, size: int) -> np.ndarray:
    return rng.random((t, size, size, 3), dtype=np.float32)


@pytest.mark.parametrize("model_id", ALL_IDS)
def test_stream_frame_by_frame_matches_reference(model_id, tmp_path, rng):
    size = 40
    ref, model = make_model(tmp_path, model_id, "stream", size=size)
    clip = _clip(rng, 4, size)
    want = ref_logits(ref, clip, all_frames=True)
    engine = movicore.Engine(model)
    got = np.stack([engine.step(f) for f in clip])
    assert_logits_close(got, want, what=f"{model_id} stream per frame")
    engine.reset()
    assert_logits_close(engine.step(clip, all_frames=True), want, what=f"{model_id} all_frames")


@pytest.mark.parametrize("model_id", ALL_IDS)
def test_base_run_matches_reference(model_id, tmp_path, rng):
    size = 40
    ref, model = make_model(tmp_path, model_id, "base", size=size)
    clip = _clip(rng, 4, size)
    engine = movicore.Engine(model)
    assert_logits_close(engine.run(clip), ref_logits(ref, clip), what=f"{model_id} base")


@pytest.mark.parametrize(("variant", "overrides"), [
    ("stream", {"conv_type": "3d", "se_type": "3d", "activation": "swish", "gate": "sigmoid"}),
    ("stream", {"conv_type": "3d_2plus1d", "gate": "hard_sigmoid_keras"}),
    ("stream", {"se_type": "2d", "classifier_activation": "hard_swish"}),
    ("stream", {"se_type": "none"}),
    ("stream", {"positional_encoding": True}),
    ("base", {"conv_type": "2plus1d", "se_type": "2plus3d"}),
    ("base", {"se_type": "2d", "activation": "relu"}),
], ids=lambda v: str(v))
def test_overrides_match_reference(variant, overrides, tmp_path, rng):
    size = 36
    ref, model = make_model(tmp_path, "a0", variant, size=size, **overrides)
    clip = _clip(rng, 5, size)
    engine = movicore.Engine(model)
    if variant == "stream":
        got = engine.step(clip, all_frames=True)
        want = ref_logits(ref, clip, all_frames=True)
    else:
        got, want = engine.run(clip), ref_logits(ref, clip)
    assert_logits_close(got, want, what=str(overrides))


def test_a0_stream_native_size(tmp_path, rng):
    ref, model = make_model(tmp_path, "a0", "stream", size=172, num_classes=600)
    clip = _clip(rng, 3, 172)
    engine = movicore.Engine(model)
    assert_logits_close(engine.step(clip, all_frames=True), ref_logits(ref, clip, True),
                        what="a0 stream 172")


@pytest.mark.parametrize("chunks", [(1, 1, 1, 1, 1, 1), (2, 2, 2), (3, 3), (5, 1), (6,)])
def test_chunked_stepping_equals_frame_by_frame(chunks, tmp_path, rng):
    _, model = make_model(tmp_path, "a1", "stream", size=32)
    clip = _clip(rng, 6, 32)
    engine = movicore.Engine(model)
    want = engine.step(clip, all_frames=True)
    engine.reset()
    got, start = [], 0
    for n in chunks:
        got.append(engine.step(clip[start:start + n], all_frames=True))
        start += n
    np.testing.assert_allclose(np.concatenate(got), want, rtol=0, atol=1e-6)


def test_uint8_frames_equal_float_frames(tmp_path, rng):
    _, model = make_model(tmp_path, "t0", "stream", size=32)
    frames8 = rng.integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    a = movicore.Engine(model).step(frames8)
    b = movicore.Engine(model).step(frames8.astype(np.float32) / 255.0)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)


def test_uint8_frames_equal_float_frames_bit_for_bit_on_two_threads(tmp_path, rng):
    """A 112x112 frame (37,632 values) is converted by two threads; x / 255 is a division in
    every kernel variant, so the engine sees exactly NumPy's float32 frames."""
    _, model = make_model(tmp_path, "t0", "stream", size=112)
    frames8 = rng.integers(0, 256, (2, 112, 112, 3), dtype=np.uint8)
    for threads in (1, 2):
        a = movicore.Engine(model, threads=threads).step(frames8, all_frames=True)
        b = movicore.Engine(model, threads=threads).step(
            frames8.astype(np.float32) / np.float32(255), all_frames=True)
        np.testing.assert_array_equal(a, b)


def test_threads_agree_with_single_thread(tmp_path, rng):
    _, model = make_model(tmp_path, "a2", "stream", size=64)
    clip = _clip(rng, 3, 64)
    one = movicore.Engine(model, threads=1).step(clip, all_frames=True)
    for threads in (2, 3):  # rows cut evenly: ranges that end inside a register tile
        many = movicore.Engine(model, threads=threads).step(clip, all_frames=True)
        np.testing.assert_allclose(many, one, rtol=0, atol=1e-5 * np.abs(one).max())


@pytest.mark.parametrize("cap", ["scalar", "avx2"])
def test_capped_and_best_isa_agree(cap, tmp_path, rng):
    """MOVICORE_MAX_ISA=cap (fresh process: the cap is read once) vs the dispatched ISA."""
    if cap == "avx2" and "avx2_fma3" not in movicore.cpu_info()["features"]:
        pytest.skip("no AVX2 on this CPU")
    import json
    import os
    import subprocess
    import sys

    _, model = make_model(tmp_path, "a1", "stream", size=48)
    clip = _clip(rng, 3, 48)
    np.save(tmp_path / "clip.npy", clip)
    code = ("import sys, json, numpy as np, movicore;"
            "m = movicore.load(sys.argv[1]); c = np.load(sys.argv[2]);"
            "e = movicore.Engine(m); out = e.step(c, all_frames=True);"
            "print(json.dumps({'isa': movicore.cpu_info()['isa'], 'logits': out.tolist()}))")
    env = dict(os.environ, MOVICORE_MAX_ISA=cap)
    proc = subprocess.run([sys.executable, "-c", code, str(model.path), str(tmp_path / "clip.npy")],
                          env=env, capture_output=True, text=True, timeout=300, check=True)
    res = json.loads(proc.stdout)
    assert res["isa"] == {"scalar": "scalar", "avx2": "avx2_fma3"}[cap]
    scalar = np.array(res["logits"], dtype=np.float32)
    best = movicore.Engine(model).step(clip, all_frames=True)
    np.testing.assert_allclose(best, scalar, rtol=0, atol=1e-5 * np.abs(scalar).max())


def test_cpu_info_reports_dispatch():
    info = movicore.cpu_info()
    assert info["isa"] in ("avx512", "avx2_fma3", "neon", "scalar")
    assert set(info) >= {"features", "isa", "compiler", "build_type", "cpu"}


@pytest.mark.parametrize("threads", [1, 2])
def test_larger_non_square_input(threads, tmp_path, rng):
    """Odd, non-square input at a size where the threads split rows, columns and panels."""
    ref, model = make_model(tmp_path, "a1", "stream", size=128)
    clip = rng.random((3, 131, 97, 3), dtype=np.float32)
    engine = movicore.Engine(model, threads=threads, height=131, width=97)
    assert_logits_close(engine.step(clip, all_frames=True), ref_logits(ref, clip, True),
                        what=f"a1 131x97 threads={threads}")
