"""Stream-parallel engines (streams >= threads > 1: whole streams per worker thread) give the
results of separate single-stream engines, keep per-stream snapshots, and reject bad input."""

from __future__ import annotations

import numpy as np
import pytest

import movicore
from movicore.benchmark.models import write_random_model


@pytest.fixture(scope="module")
def a0(tmp_path_factory):
    return movicore.load(write_random_model("a0", tmp_path_factory.mktemp("a0") / "a0.st",
                                            seed=5, num_classes=7))


def _clips(rng, n, t, size):
    return [rng.integers(0, 256, (t, size, size, 3), dtype=np.uint8) for _ in range(n)]


@pytest.mark.parametrize(("streams", "threads"), [(2, 2), (5, 2), (3, 3), (4, 1)])
def test_stream_parallel_equals_separate_engines(a0, rng, streams, threads):
    size, t = 40, 4
    clips = _clips(rng, streams, t, size)
    want = np.stack([movicore.Engine(a0, height=size, width=size).step(c, all_frames=True)
                     for c in clips], axis=1)
    multi = movicore.Engine(a0, threads=threads, height=size, width=size, streams=streams)
    got = np.stack([multi.step_many(np.stack([c[f] for c in clips])) for f in range(t)])
    # Lanes of one stream run the very same kernel calls as a single-stream engine.
    if streams == threads:
        np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(got, want, rtol=0, atol=2e-5 * np.abs(want).max())


def test_batched_streams_on_more_threads_float_frames(a0, rng):
    """Fewer streams than threads: every layer batches both streams and splits the batch over
    3 threads, so row blocks (and the SE gate applied in them) straddle the two streams; float
    frames are read in place."""
    size, t, n = 48, 3, 2
    clips = [rng.random((t, size, size, 3), dtype=np.float32) for _ in range(n)]
    want = np.stack([movicore.Engine(a0, height=size, width=size).step(c, all_frames=True)
                     for c in clips], axis=1)
    multi = movicore.Engine(a0, threads=3, height=size, width=size, streams=n)
    got = np.stack([multi.step_many(np.stack([c[f] for c in clips])) for f in range(t)])
    np.testing.assert_allclose(got, want, rtol=0, atol=2e-5 * np.abs(want).max())


def test_stream_parallel_snapshots_and_reset(a0, rng):
    size, n = 40, 5
    clips = _clips(rng, n, 3, size)
    multi = movicore.Engine(a0, threads=2, height=size, width=size, streams=n)
    for f in range(3):
        multi.step_many(np.stack([c[f] for c in clips]))
    for s in (0, 2, 4):  # first, middle and last stream of both lanes
        single = movicore.Engine(a0, height=size, width=size)
        single.step(clips[s])
        got, want = multi.state_dict(s), single.state_dict()
        assert got.keys() == want.keys()
        for k in want:
            if k != "__meta__":
                scale = max(1.0, float(np.abs(want[k]).max()))
                np.testing.assert_allclose(got[k], want[k], rtol=0, atol=1e-5 * scale)
    # restore stream 4 into stream 1 of a fresh engine: both continue alike (batch
    # composition differs, so only to float rounding)
    other = movicore.Engine(a0, threads=2, height=size, width=size, streams=n)
    other.load_state_dict(multi.state_dict(4), stream=1)
    frames = _clips(rng, n, 1, size)
    batch = np.stack([c[0] for c in frames])
    a = multi.step_many(batch)
    swapped = batch.copy()
    swapped[1] = batch[4]
    b = other.step_many(swapped)
    np.testing.assert_allclose(b[1], a[4], rtol=0, atol=2e-5 * np.abs(a[4]).max())
    multi.reset(stream=3)
    assert multi.state_dict(3)["state_head_pool_frame_count"][0] == 0
    assert multi.state_dict(2)["state_head_pool_frame_count"][0] == 4
    multi.reset()
    assert all(multi.state_dict(s)["state_head_pool_frame_count"][0] == 0 for s in range(n))
    with pytest.raises(ValueError, match="one frame per stream"):
        multi.step_many(batch[:-1])
    with pytest.raises(ValueError, match="NaN"):
        bad = batch.astype(np.float32) / 255
        bad[3, 0, 0, 0] = np.nan
        multi.step_many(bad)
    with pytest.raises(ValueError, match="stream"):
        multi.state_dict(n)


def test_unpickled_frames_are_accepted(a0):
    """Arrays that crossed a process boundary (Ray's object store, pickle) carry their own
    dtype objects; the engine takes any equivalent dtype."""
    import pickle

    frame = np.random.default_rng(0).integers(0, 256, (40, 40, 3), dtype=np.uint8)
    copy = pickle.loads(pickle.dumps(frame, protocol=5))
    want = movicore.Engine(a0, height=40, width=40).step(frame)
    np.testing.assert_array_equal(movicore.Engine(a0, height=40, width=40).step(copy), want)
    multi = movicore.Engine(a0, threads=2, height=40, width=40, streams=2)
    batch = pickle.loads(pickle.dumps(np.stack([frame, frame]).astype(np.float32) / 255))
    assert np.isfinite(multi.step_many(batch)).all()
