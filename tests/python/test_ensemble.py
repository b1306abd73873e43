"""Temporal ensembles: engine ensemble vs the torch reference ensemble, interleave/parallel
frame routing, latest-logit averaging, reset, snapshots and input checks."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import assert_logits_close, make_model

import movicore

torch = pytest.importorskip("torch")

from movicore import reference

SIZE = 40
COUNT = "state_head_pool_frame_count"


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """Two different stream members (a0, t0) with the same classes: (refs, models)."""
    tmp = tmp_path_factory.mktemp("ens")
    ra, ma = make_model(tmp, "a0", "stream", size=SIZE, seed=11)
    rb, mb = make_model(tmp, "t0", "stream", size=SIZE, seed=12)
    return (ra, rb), (ma, mb)


@pytest.fixture(scope="module")
def base_pair(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ens_base")
    ra, ma = make_model(tmp, "t0", "base", size=SIZE, seed=21)
    rb, mb = make_model(tmp, "t0", "base", size=SIZE, seed=22)
    return (ra, rb), (ma, mb)


def _clip(rng, t):
    return rng.random((t, SIZE, SIZE, 3), dtype=np.float32)


def _ref_run(ens, clip, chunks, all_frames=True):
    """Reference ensemble over ``clip`` fed in chunks of the given sizes."""
    state, outs, pos = None, [], 0
    with torch.no_grad():
        for c in chunks:
            out, state = ens(torch.from_numpy(clip[None, pos:pos + c]), state,
                             all_frames=all_frames)
            outs.append(out[0].numpy() if all_frames else out[0].numpy()[None])
            pos += c
    return np.concatenate(outs), state


@pytest.mark.parametrize("mode", ["interleave", "parallel"])
def test_engine_equals_reference(pair, rng, mode):
    refs, models = pair
    clip = _clip(rng, 9)
    ref_ens = reference.Ensemble(list(refs), mode=mode, weights=[1.0, 3.0]).eval()
    want, _ = _ref_run(ref_ens, clip, [4, 1, 4])
    ens = movicore.Ensemble(list(models), mode=mode, weights=[1.0, 3.0])
    got = np.concatenate([ens.step(clip[:3], all_frames=True),
                          ens.step(clip[3:8], all_frames=True),
                          ens.step(clip[8], all_frames=True)])
    assert got.shape == want.shape == (9, models[0].num_classes)
    for t in range(9):
        assert_logits_close(got[t], want[t], rel=1e-4, what=f"{mode} frame {t}")
    # all_frames=False returns the last row of the same sequence.
    ens.reset()
    last = ens.step(clip)
    assert_logits_close(last, want[-1], rel=1e-4, what=f"{mode} last")


def test_interleave_members_advance_only_on_their_frames(pair, rng):
    _, (ma, mb) = pair
    clip = _clip(rng, 7)
    ens = movicore.Ensemble([ma, mb], mode="interleave")
    ens.step(clip[:2])
    ens.step(clip[2:5])
    ens.step(clip[5:])
    assert ens.frame_index == 7
    sd = ens.state_dict()
    for m, (model, frames) in enumerate([(ma, clip[0::2]), (mb, clip[1::2])]):
        alone = movicore.Engine(model)
        alone.step(frames)
        want = alone.state_dict()
        got = sd["members"][m]
        assert int(np.asarray(got[COUNT]).reshape(-1)[0]) == len(frames)
        for name, value in want.items():
            if name == "__meta__":
                assert got[name] == value
            else:
                np.testing.assert_array_equal(got[name], value, err_msg=f"member {m} {name}")


def test_parallel_members_see_every_frame(pair, rng):
    _, (ma, mb) = pair
    clip = _clip(rng, 5)
    ens = movicore.Ensemble([ma, mb], mode="parallel")
    ens.step(clip)
    for s in ens.state_dict()["members"]:
        assert int(np.asarray(s[COUNT]).reshape(-1)[0]) == 5


@pytest.mark.parametrize("mode", ["interleave", "parallel"])
def test_logits_are_weighted_mean_of_separate_members(pair, rng, mode):
    _, (ma, mb) = pair
    clip = _clip(rng, 8)
    w = np.array([2.0, 0.5])
    ens = movicore.Ensemble([ma, mb], mode=mode, weights=list(w))
    got = ens.step(clip, all_frames=True)
    subsets = [clip[0::2], clip[1::2]] if mode == "interleave" else [clip, clip]
    sep = [movicore.Engine(m).step(s, all_frames=True) for m, s in zip((ma, mb), subsets)]
    wn = w / w.sum()
    if mode == "parallel":
        want = wn[0] * sep[0] + wn[1] * sep[1]
    else:
        # After frame t the members' latest outputs are those after their own frames <= t;
        # after frame 0 only member 0 has output.
        want = [sep[0][0]]
        for t in range(1, 8):
            want.append(wn[0] * sep[0][t // 2] + wn[1] * sep[1][(t - 1) // 2])
        want = np.stack(want)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * np.abs(want).max())


def test_phases_choose_which_member_goes_first(pair, rng):
    _, (ma, mb) = pair
    clip = _clip(rng, 3)
    ens = movicore.Ensemble([ma, mb], phases=[1, 0])
    first = ens.step(clip[0])
    np.testing.assert_allclose(first, movicore.Engine(mb).step(clip[0]), rtol=1e-6, atol=1e-6)


def test_reset_resets_all_members(pair, rng):
    _, models = pair
    clip = _clip(rng, 5)
    ens = movicore.Ensemble(list(models))
    first = ens.step(clip, all_frames=True)
    ens.step(_clip(rng, 3))
    ens.reset()
    assert ens.frame_index == 0
    for s in ens.state_dict()["members"]:
        for name, value in s.items():
            if name != "__meta__":
                assert not np.asarray(value).any(), name
    np.testing.assert_array_equal(ens.step(clip, all_frames=True), first)


def test_state_dict_round_trip(pair, rng):
    _, models = pair
    clip = _clip(rng, 7)
    ens = movicore.Ensemble(list(models))
    ens.step(clip[:3])  # odd: the next frame goes to member 1
    snap = ens.state_dict()
    want = ens.step(clip[3:], all_frames=True)
    other = movicore.Ensemble(list(models))
    other.load_state_dict(snap)
    assert other.frame_index == 3
    np.testing.assert_array_equal(other.step(clip[3:], all_frames=True), want)
    with pytest.raises(ValueError, match="another ensemble"):
        movicore.Ensemble(list(models), mode="parallel").load_state_dict(snap)
    # A bad member state leaves the whole ensemble as it was.
    fresh = movicore.Ensemble(list(models))
    bad = dict(snap, members=[snap["members"][0], snap["members"][0]])
    with pytest.raises(ValueError):
        fresh.load_state_dict(bad)
    assert fresh.frame_index == 0
    np.testing.assert_array_equal(fresh.step(clip, all_frames=True),
                                  movicore.Ensemble(list(models)).step(clip, all_frames=True))


@pytest.mark.parametrize("mode", ["interleave", "parallel"])
def test_base_members_run_clip(base_pair, rng, mode):
    (ra, rb), (ma, mb) = base_pair
    clip = _clip(rng, 6)
    ens = movicore.Ensemble([ma, mb], mode=mode)
    got = ens.run(clip)
    subsets = [clip[0::2], clip[1::2]] if mode == "interleave" else [clip, clip]
    sep = [movicore.Engine(m).run(s) for m, s in zip((ma, mb), subsets)]
    np.testing.assert_allclose(got, 0.5 * (sep[0] + sep[1]), rtol=1e-5,
                               atol=1e-5 * np.abs(sep[0]).max())
    with torch.no_grad():
        want, _ = reference.Ensemble([ra, rb], mode=mode).eval()(torch.from_numpy(clip[None]))
    assert_logits_close(got, want[0].numpy(), rel=1e-4, what=f"base {mode}")
    with pytest.raises(ValueError, match="run"):
        ens.step(clip[0])


def test_predict_and_run_on_stream(pair, rng):
    _, models = pair
    clip = _clip(rng, 4)
    ens = movicore.Ensemble(list(models))
    logits = ens.run(clip)
    assert ens.frame_index == 4
    top = ens.predict(clip, k=3)  # continues the stream: frames 4..7
    assert len(top) == 3 and all(isinstance(lab, str) for lab, _ in top)
    assert top[0][1] >= top[1][1] >= top[2][1]
    ens.reset()
    np.testing.assert_array_equal(ens.step(clip), logits)


def test_rejects_bad_members_and_frames(pair, base_pair, rng, tmp_path):
    _, (ma, mb) = pair
    _, (ba, _) = base_pair
    _, other = make_model(tmp_path, "t0", "stream", size=SIZE, num_classes=5, seed=1)
    with pytest.raises(ValueError, match="labels"):
        movicore.Ensemble([ma, other])
    with pytest.raises(ValueError, match=r"causal|base"):
        movicore.Ensemble([ma, ba])
    with pytest.raises(ValueError, match="at least 2"):
        movicore.Ensemble([ma])
    with pytest.raises(ValueError, match="mode"):
        movicore.Ensemble([ma, mb], mode="vote")
    with pytest.raises(ValueError, match="weights"):
        movicore.Ensemble([ma, mb], weights=[1.0, -1.0])
    with pytest.raises(ValueError, match="phases"):
        movicore.Ensemble([ma, mb], phases=[0, 0])
    with pytest.raises(TypeError):
        movicore.Ensemble([ma, "b"])
    e = movicore.Engine(ma)
    with pytest.raises(ValueError, match="twice"):
        movicore.Ensemble([e, e])
    with pytest.raises(ValueError, match="32x32"):
        movicore.Ensemble([movicore.Engine(ma), movicore.Engine(mb, height=32, width=32)])
    ens = movicore.Ensemble([ma, mb])
    clip = _clip(rng, 3)
    clip[2, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ens.step(clip)
    assert ens.frame_index == 0
    for s in ens.state_dict()["members"]:
        assert int(np.asarray(s[COUNT]).reshape(-1)[0]) == 0


def test_reference_state_and_member_logits(pair, rng):
    (ra, rb), _ = pair
    ens = reference.Ensemble([ra, rb]).eval()
    clip = torch.from_numpy(_clip(rng, 5)[None])
    with torch.no_grad():
        _, state = ens(clip)
        per = ens.member_logits(clip)
        alone_a, _ = ra(clip[:, 0::2])
        alone_b, _ = rb(clip[:, 1::2])
    assert int(state["frame_index"]) == 5
    assert int(state["members"][0][COUNT].reshape(-1)[0]) == 3
    assert int(state["members"][1][COUNT].reshape(-1)[0]) == 2
    torch.testing.assert_close(per[0], alone_a)
    torch.testing.assert_close(per[1], alone_b)
    torch.testing.assert_close(state["latest"][0], alone_a)
