"""Procedural action dataset whose classes differ *only* in motion over time.

Why: we need a dataset that ships with the package (no download), trains a small stream model
in minutes on a CPU and really needs temporal modelling, so that the demo exercises the causal
stream state rather than per-frame appearance.

Each clip shows one *actor* (a tapered bar: anything from a rectangle to a triangle, random
size, aspect, taper, colour and orientation, lighter than the background) over a static dark
textured background (random colour, gradient, waves) with static and moving distractors (small
bars / squares, random colours), per-frame gain flicker and sensor noise. The class says how
the actor moves:

``move_left``, ``move_right``, ``move_up``, ``move_down`` (constant velocity, random speed),
``rotate_cw``, ``rotate_ccw`` (spin in place), ``orbit_cw``, ``orbit_ccw`` (translate on a
circle, fixed orientation), ``shake`` (oscillate along a random axis), ``still``.

Why single frames are ambiguous (tested in ``tests/python/test_synthetic.py``):

* Every parameter that shapes a frame's appearance (background, distractors, noise, actor
  shape/colour/size, start position and orientation) is drawn from the *same* per-clip random
  stream *before* and *independently of* the label; the motion parameters of every class are
  drawn too, whatever the label. So frame 0 is byte-for-byte the same for every label.
* Positions live on a torus (the actor wraps around the borders) with a uniform start point,
  and the start orientation is uniform: translating, orbiting or shaking a uniformly placed
  object keeps its position uniform, spinning a uniformly oriented object keeps its orientation
  uniform, and size never changes. Hence the distribution of *any* single frame is the same for
  every class, at every time step; only the relation between frames carries the label.

Curriculum: ``clutter`` < 1 (training only) fades the background towards black, the actor
towards white and removes distractors, flicker and noise in proportion; at ``clutter=0`` the
motion is easy to discover, which a from-scratch model needs (single frames carry no label).

``(seed, index)`` fully determines a clip, so on-the-fly training data is reproducible and a
batch render equals the clip-by-clip render byte for byte (all transcendental functions run on
per-clip arrays of fixed shape; the batched part only uses exactly rounded arithmetic).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Sequence

import numpy as np

CLASSES: tuple[str, ...] = (
    "move_left", "move_right", "move_up", "move_down",
    "rotate_cw", "rotate_ccw", "orbit_cw", "orbit_ccw",
    "shake", "still",
)
NUM_CLASSES = len(CLASSES)
_REF = 64.0  # geometry below is specified for a 64x64 canvas and scaled to ``size``
_MAX_STATIC = 5
_MAX_MOVING = 2
_LABEL_SALT = 0x1AB5


@dataclasses.dataclass
class _Clip:
    """Per-clip quantities; arrays have fixed shapes so batching does not change numerics."""

    background: np.ndarray  # (H, W, 3) float32, incl. static distractors
    noise: np.ndarray  # (T, H, W) float32
    flicker: np.ndarray  # (T,) float32 global gain
    actor: np.ndarray  # (T, 9) float32: cx, cy, cos, sin, r, half-width, taper, ux0, alpha
    actor_rgb: np.ndarray  # (3,)
    movers: np.ndarray  # (T, M, 4): cx, cy, r, active
    movers_rgb: np.ndarray  # (M, 3)


def label_of(seed: int, index: int) -> int:
    """Class of clip ``index``: every block of ``NUM_CLASSES`` indices is a permutation."""
    block, pos = divmod(int(index), NUM_CLASSES)
    perm = np.random.default_rng([_LABEL_SALT, int(seed) & 0xFFFFFFFF, block]).permutation(
        NUM_CLASSES)
    return int(perm[pos])


def _contrast_colour(rng: np.random.Generator, base: np.ndarray) -> np.ndarray:
    """A colour clearly lighter than the (dark) background base colour: a visible actor.

    Why always lighter and a dark background: with backgrounds of any brightness and actors of
    either polarity, a T0 trained from scratch on a CPU budget did not start to learn at all
    (motion energy is then dwarfed by per-clip colour variation); see docs/training.md.
    """
    return np.clip(base + rng.uniform(0.3, 0.6, 3), 0.0, 1.0)


def _shape_alpha(dx: np.ndarray, dy: np.ndarray, c: np.ndarray, s: np.ndarray, r: np.ndarray,
                 hw: np.ndarray, taper: np.ndarray) -> np.ndarray:
    """Anti-aliased coverage of a tapered bar (rectangle at taper 0, triangle at taper 1).

    The bar's long axis (half-length ``r``) points along angle (c, s); its half-width is ``hw``
    at the back (u = -r) and ``hw * (1 - taper)`` at the front (u = +r), so its orientation is
    visible over a full turn as soon as taper > 0.
    """
    u = c * dx + s * dy
    v = c * dy - s * dx
    width = hw * (1.0 - taper * (u + r) / (2.0 * r))
    d = np.maximum(np.abs(u) - r, np.abs(v) - width)
    return np.clip(0.5 - d, 0.0, 1.0)


def _wrap(d: np.ndarray, period: float) -> np.ndarray:
    return np.mod(d + period / 2, period) - period / 2


def _sample_clip(seed: int, index: int, label: int, frames: int, size: int,
                 clutter: float = 1.0) -> _Clip:
    """Draw everything for one clip; the label only selects among pre-drawn motions."""
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, int(index)])
    k = size / _REF
    t = np.arange(frames, dtype=np.float64)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5

    # Background: base colour + linear gradient + two low-frequency waves (static).
    base = rng.uniform(0.05, 0.4, 3)
    grad = rng.uniform(-0.15, 0.15, (2, 3)) * clutter
    bg = base + grad[0] * (xx[..., None] / size - 0.5) + grad[1] * (yy[..., None] / size - 0.5)
    for _ in range(2):
        f = rng.uniform(0.5, 3.0, 2) * 2 * math.pi / size
        ph = rng.uniform(0, 2 * math.pi)
        amp = rng.uniform(0.0, 0.06, 3) * clutter
        bg = bg + amp * np.sin(f[0] * xx + f[1] * yy + ph)[..., None]

    # Static distractors: small tapered bars, drawn into the background.
    n_static = int(rng.integers(1, _MAX_STATIC + 1))
    for i in range(_MAX_STATIC):
        p = rng.uniform(0, size, 2)
        ang = rng.uniform(0, 2 * math.pi)
        rr = rng.uniform(1.5, 3.5) * k
        hw = rr * rng.uniform(0.4, 1.0)
        tp = rng.uniform(0, 1)
        col = rng.uniform(0, 1, 3)
        if i < n_static and rng.random() < clutter:
            a = _shape_alpha(_wrap(xx - p[0], size), _wrap(yy - p[1], size), math.cos(ang),
                             math.sin(ang), rr, hw, tp)[..., None]
            bg = bg * (1 - a) + col * a
    # Curriculum (clutter < 1): fade the background to black and the actor to white.
    bg = np.clip(bg, 0.0, 1.0) * clutter

    # Actor appearance (class independent).
    r = rng.uniform(7.0, 11.0) * k
    hw = r * rng.uniform(0.35, 0.7)
    taper = rng.uniform(0.4, 1.0)
    rgb = 1.0 - clutter * (1.0 - _contrast_colour(rng, base))
    x0, y0 = rng.uniform(0, size, 2)
    th0 = rng.uniform(0, 2 * math.pi)

    # Motion parameters of every class (all drawn, whatever the label).
    speed = rng.uniform(2.0, 4.0) * k
    omega = math.radians(rng.uniform(15.0, 30.0))
    orb_r = rng.uniform(6.0, 10.0) * k
    orb_w = math.radians(rng.uniform(25.0, 40.0))
    orb_ph = rng.uniform(0, 2 * math.pi)
    sh_amp = rng.uniform(5.0, 9.0) * k
    sh_period = rng.uniform(4.0, 7.0)
    sh_axis = rng.uniform(0, math.pi)
    sh_ph = rng.uniform(0, 2 * math.pi)

    cx = np.full(frames, x0)
    cy = np.full(frames, y0)
    th = np.full(frames, th0)
    name = CLASSES[label]
    if name == "move_left":
        cx = x0 - speed * t
    elif name == "move_right":
        cx = x0 + speed * t
    elif name == "move_up":
        cy = y0 - speed * t
    elif name == "move_down":
        cy = y0 + speed * t
    elif name in ("rotate_cw", "rotate_ccw"):
        # Image y points down, so increasing the angle turns clockwise on screen.
        th = th0 + (omega if name == "rotate_cw" else -omega) * t
    elif name in ("orbit_cw", "orbit_ccw"):
        w = orb_w if name == "orbit_cw" else -orb_w
        ox, oy = x0 - orb_r * math.cos(orb_ph), y0 - orb_r * math.sin(orb_ph)
        cx = ox + orb_r * np.cos(orb_ph + w * t)
        cy = oy + orb_r * np.sin(orb_ph + w * t)
    elif name == "shake":
        # sin(ph + 2 pi t / P) - sin(ph) keeps frame 0 at the start point.
        o = sh_amp * (np.sin(sh_ph + 2 * math.pi * t / sh_period) - math.sin(sh_ph))
        cx = x0 + o * math.cos(sh_axis)
        cy = y0 + o * math.sin(sh_axis)
    actor = np.stack([np.mod(cx, size), np.mod(cy, size), np.cos(th), np.sin(th),
                      np.full(frames, r), np.full(frames, hw), np.full(frames, taper),
                      np.zeros(frames), np.ones(frames)], axis=1)

    # Moving distractors: small squares with random constant velocity (any direction).
    n_mov = int(rng.integers(0, _MAX_MOVING + 1))
    movers = np.zeros((frames, _MAX_MOVING, 4))
    mrgb = np.zeros((_MAX_MOVING, 3))
    for i in range(_MAX_MOVING):
        p = rng.uniform(0, size, 2)
        ang = rng.uniform(0, 2 * math.pi)
        v = rng.uniform(0.5, 4.0) * k
        rr = rng.uniform(1.0, 2.5) * k
        mrgb[i] = rng.uniform(0, 1, 3)
        movers[:, i, 0] = np.mod(p[0] + v * math.cos(ang) * t, size)
        movers[:, i, 1] = np.mod(p[1] + v * math.sin(ang) * t, size)
        movers[:, i, 2] = rr
        movers[:, i, 3] = 1.0 if i < n_mov and rng.random() < clutter else 0.0

    sigma = rng.uniform(0.01, 0.05) * clutter
    noise = rng.standard_normal((frames, size, size), dtype=np.float32) * np.float32(sigma)
    flicker = 1.0 + rng.uniform(-0.03, 0.03, frames) * clutter
    f32 = np.float32
    return _Clip(bg.astype(f32), noise, flicker.astype(f32), actor.astype(f32), rgb.astype(f32),
                 movers.astype(f32), mrgb.astype(f32))


def _composite(img: np.ndarray, alpha: np.ndarray, rgb: np.ndarray, tmp: np.ndarray) -> None:
    """img += alpha * (rgb - img), in place (img [N,T,H,W,3], alpha [N,T,H,W,1])."""
    np.subtract(rgb, img, out=tmp)
    np.multiply(tmp, alpha, out=tmp)
    np.add(img, tmp, out=img)


def _render(clips: Sequence[_Clip], size: int) -> np.ndarray:
    """Composite a batch of clips to uint8 [N, T, H, W, 3] (exactly rounded ops only)."""
    f32 = np.float32
    grid = np.arange(size, dtype=f32) + f32(0.5)
    xx = grid[None, None, None, :]
    yy = grid[None, None, :, None]
    per = f32(size)
    act = np.stack([c.actor for c in clips])[..., None, None]  # (N, T, 9, 1, 1)
    n, frames = act.shape[:2]
    img = np.empty((n, frames, size, size, 3), f32)
    img[...] = np.stack([c.background for c in clips])[:, None]
    tmp = np.empty_like(img)

    mov = np.stack([c.movers for c in clips])  # (N, T, M, 4)
    mrgb = np.stack([c.movers_rgb for c in clips])[:, None, None, None]  # (N, 1, 1, 1, M, 3)
    for i in range(mov.shape[2]):
        # Axis-aligned squares: coverage = min of two separable 1-D coverages (cheap).
        m = mov[:, :, i, :, None, None]
        ax = np.clip(f32(0.5) + m[:, :, 2] - np.abs(_wrap(xx - m[:, :, 0], per)), f32(0), f32(1))
        ay = np.clip(f32(0.5) + m[:, :, 2] - np.abs(_wrap(yy - m[:, :, 1], per)), f32(0), f32(1))
        a = np.minimum(ax * m[:, :, 3], ay)[..., None]
        _composite(img, a, mrgb[..., i, :], tmp)

    # Actor: dx is (N,T,1,W) and dy (N,T,H,1); only the rotated coordinates are full size.
    dx = _wrap(xx - act[:, :, 0], per)
    dy = _wrap(yy - act[:, :, 1], per)
    a = _shape_alpha(dx, dy, act[:, :, 2], act[:, :, 3], act[:, :, 4], act[:, :, 5],
                     act[:, :, 6])[..., None]
    _composite(img, a, np.stack([c.actor_rgb for c in clips])[:, None, None, None], tmp)

    np.multiply(img, np.stack([c.flicker for c in clips])[:, :, None, None, None], out=img)
    np.add(img, np.stack([c.noise for c in clips])[..., None], out=img)
    np.clip(img, f32(0), f32(1), out=img)
    np.multiply(img, f32(255), out=img)
    np.add(img, f32(0.5), out=img)
    return img.astype(np.uint8)


def render(seed: int, indices: Sequence[int], *, frames: int = 16, size: int = 64,
           labels: Sequence[int] | None = None, clutter: float = 1.0
           ) -> tuple[np.ndarray, np.ndarray]:
    """Clips for explicit ``indices`` (optionally forcing ``labels``, for tests).

    ``clutter`` in [0, 1] scales the chance of each distractor and the noise level (1 = the
    dataset proper; lower values only for a training curriculum).

    Returns uint8 clips [N, T, H, W, 3] (RGB) and int64 labels [N].
    """
    if not 0.0 <= clutter <= 1.0:
        raise ValueError(f"clutter must be in [0, 1], got {clutter}")
    if frames < 1 or size < 8:
        raise ValueError(f"need frames >= 1 and size >= 8, got frames={frames}, size={size}")
    idx = [int(i) for i in indices]
    if labels is None:
        lab = [label_of(seed, i) for i in idx]
    else:
        lab = [int(x) for x in labels]
        if len(lab) != len(idx) or any(not 0 <= x < NUM_CLASSES for x in lab):
            raise ValueError(f"labels must be {len(idx)} ints in [0, {NUM_CLASSES}), got {lab}")
    if not idx:
        return np.zeros((0, frames, size, size, 3), np.uint8), np.zeros(0, np.int64)
    clips = [_sample_clip(seed, i, y, frames, size, clutter) for i, y in zip(idx, lab)]
    out = [_render(clips[s:s + 8], size) for s in range(0, len(clips), 8)]
    return np.concatenate(out), np.asarray(lab, dtype=np.int64)


def generate(n: int, seed: int, frames: int = 16, size: int = 64, *, start: int = 0,
             clutter: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` clips (indices ``start .. start+n-1``) -> uint8 [N, T, H, W, 3] RGB, int labels."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    return render(seed, range(start, start + n), frames=frames, size=size, clutter=clutter)


class SyntheticActions:
    """Deterministic on-the-fly dataset: clip ``i`` of epoch ``e`` is a pure function of
    ``(seed, e * n * fresh + i)``; with ``fresh=True`` every epoch sees new clips.
    ``curriculum=E`` ramps the clutter linearly from 0 (epoch 0) to ``clutter`` (epoch E).

    Implements the trainer's clip-source protocol (``labels``, ``frames``, ``size``,
    ``__len__``, ``batches(epoch, batch_size, shuffle)``).
    """

    def __init__(self, n: int, seed: int, frames: int = 16, size: int = 64, *,
                 fresh: bool = False, clutter: float = 1.0, curriculum: int = 0) -> None:
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        self.n, self.seed, self.frames, self.size, self.fresh = n, seed, frames, size, fresh
        self.clutter, self.curriculum = clutter, curriculum
        self.labels = list(CLASSES)

    def __len__(self) -> int:
        return self.n

    def _index(self, epoch: int, i: int) -> int:
        return (epoch * self.n if self.fresh else 0) + i

    def __getitem__(self, i: int) -> tuple[np.ndarray, int]:
        if not 0 <= i < self.n:
            raise IndexError(f"index {i} out of range [0, {self.n})")
        clip, lab = render(self.seed, [i], frames=self.frames, size=self.size,
                           clutter=self.clutter_at(0))
        return clip[0], int(lab[0])

    def clutter_at(self, epoch: int) -> float:
        if self.curriculum <= 0:
            return self.clutter
        return self.clutter * min(1.0, epoch / self.curriculum)

    def batches(self, epoch: int, batch_size: int, shuffle: bool = False
                ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        order = np.arange(self.n)
        if shuffle:
            order = np.random.default_rng([self.seed & 0xFFFFFFFF, epoch, 7]).permutation(self.n)
        for s in range(0, self.n, batch_size):
            idx = [self._index(epoch, int(i)) for i in order[s:s + batch_size]]
            yield render(self.seed, idx, frames=self.frames, size=self.size,
                         clutter=self.clutter_at(epoch))
