"""Synthetic action dataset: determinism, balance, and that only motion carries the label."""

from __future__ import annotations

import numpy as np
import pytest

from movicore.data import synthetic as syn


def test_same_seed_same_bytes_different_seed_differs(seed: int) -> None:
    a, la = syn.generate(12, seed, frames=6, size=32)
    b, lb = syn.generate(12, seed, frames=6, size=32)
    c, lc = syn.generate(12, seed + 1, frames=6, size=32)
    assert a.dtype == np.uint8 and a.shape == (12, 6, 32, 32, 3), f"seed={seed}"
    assert a.tobytes() == b.tobytes() and np.array_equal(la, lb), f"seed={seed}"
    assert a.tobytes() != c.tobytes(), f"seed={seed}"
    assert not np.array_equal(la, lc) or not np.array_equal(a[:, 0], c[:, 0]), f"seed={seed}"


def test_clip_depends_only_on_seed_and_index(seed: int) -> None:
    """Batch render == clip-by-clip render == dataset item (on-the-fly training data)."""
    batch, labels = syn.generate(10, seed, frames=5, size=40, start=20)
    ds = syn.SyntheticActions(40, seed, frames=5, size=40)
    for i in (0, 3, 9):
        one, lab = syn.render(seed, [20 + i], frames=5, size=40)
        assert np.array_equal(one[0], batch[i]) and lab[0] == labels[i], f"seed={seed} i={i}"
        clip, y = ds[20 + i]
        assert np.array_equal(clip, batch[i]) and y == labels[i], f"seed={seed} i={i}"


def test_classes_are_balanced(seed: int) -> None:
    _, labels = syn.generate(syn.NUM_CLASSES * 7, seed, frames=2, size=16)
    assert np.bincount(labels, minlength=syn.NUM_CLASSES).tolist() == [7] * syn.NUM_CLASSES
    assert len(syn.CLASSES) >= 8 and len(set(syn.CLASSES)) == len(syn.CLASSES)


def test_frame0_is_identical_for_every_label(seed: int) -> None:
    """Forcing any label leaves frame 0 byte-identical: frame 0 carries no class information."""
    for index in range(4):
        clips, _ = syn.render(seed, [index] * syn.NUM_CLASSES, frames=8, size=48,
                              labels=range(syn.NUM_CLASSES))
        assert all(np.array_equal(clips[0, 0], clips[c, 0]) for c in range(syn.NUM_CLASSES)), (
            f"seed={seed} index={index}")
        # ... while the rest of the clip differs between (most) labels: motion carries it.
        later = {clips[c, 1:].tobytes() for c in range(syn.NUM_CLASSES)}
        assert len(later) == syn.NUM_CLASSES, f"seed={seed} index={index}"


def _frame_stats(frames: np.ndarray) -> np.ndarray:
    """Per-frame features a single-frame classifier could use: colour means, darkest/brightest
    pixel positions (the actor is the largest contrasted object), spatial moments."""
    g = frames.astype(np.float64).mean(-1)  # (N, H, W)
    n, h, w = g.shape
    dev = np.abs(g - np.median(g.reshape(n, -1), axis=1)[:, None, None])
    mass = dev / dev.sum(axis=(1, 2), keepdims=True)
    ys, xs = np.mgrid[0:h, 0:w]
    cy, cx = (mass * ys).sum((1, 2)), (mass * xs).sum((1, 2))
    return np.stack([frames.mean((1, 2, 3)), cx, cy, dev.mean((1, 2)),
                     (mass * (xs - cx[:, None, None]) ** 2).sum((1, 2))], axis=1)


def _flow_x(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Least-squares global horizontal velocity between two frames (brightness constancy)."""
    fa, fb = a.astype(np.float64).mean(-1), b.astype(np.float64).mean(-1)
    gx = np.gradient(fa, axis=2)
    return -(gx * (fb - fa)).sum((1, 2)) / (gx * gx).sum((1, 2))


@pytest.mark.parametrize("t", [0, 6])
def test_single_frame_statistics_do_not_depend_on_class(seed: int, t: int) -> None:
    """At any time step, class-conditional distributions of single-frame statistics match.

    For each statistic, a one-way ANOVA-style F statistic across the classes must stay at the
    level expected under the null (F ~ 1); a per-frame cue (e.g. 'move_left clips end on the
    left') would blow it up. A two-frame statistic (global flow) is the positive control.
    """
    per_class = 40
    clips, labels = syn.generate(per_class * syn.NUM_CLASSES, seed, frames=8, size=32)
    stats = _frame_stats(clips[:, t])

    def f_stat(x: np.ndarray) -> float:
        groups = [x[labels == c] for c in range(syn.NUM_CLASSES)]
        grand = x.mean()
        between = sum(len(g) * (g.mean() - grand) ** 2 for g in groups) / (len(groups) - 1)
        within = sum(((g - g.mean()) ** 2).sum() for g in groups) / (len(x) - len(groups))
        return float(between / within)

    # F(9, 390): P(F > 3.5) ~ 3e-4 under the null; 5 statistics x 2 steps are tested.
    fs = [f_stat(stats[:, j]) for j in range(stats.shape[1])]
    assert max(fs) < 3.5, f"seed={seed} t={t} F={fs}"
    # Positive control: a two-frame statistic (global horizontal flow) does separate.
    motion = _flow_x(clips[:, t], clips[:, t + 1])
    assert f_stat(motion) > 10.0, f"seed={seed} positive control F={f_stat(motion)}"


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="frames"):
        syn.generate(1, 0, frames=0)
    with pytest.raises(ValueError, match="labels"):
        syn.render(0, [1], labels=[syn.NUM_CLASSES])
    with pytest.raises(ValueError, match="n must be"):
        syn.SyntheticActions(0, 0)


def test_curriculum_clutter(seed: int) -> None:
    """clutter=0 is the easy regime (black background, no distractors or noise); the
    curriculum ramps to the full dataset, and the labels never depend on clutter."""
    easy, le = syn.generate(6, seed, frames=4, size=32, clutter=0.0)
    full, lf = syn.generate(6, seed, frames=4, size=32)
    assert np.array_equal(le, lf)
    assert (easy == 0).mean() > 0.6 and (full == 0).mean() < 0.2, f"seed={seed}"
    ds = syn.SyntheticActions(10, seed, frames=4, size=32, fresh=True, curriculum=4)
    assert [ds.clutter_at(e) for e in range(6)] == [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    with pytest.raises(ValueError, match="clutter"):
        syn.generate(1, seed, clutter=1.5)
