"""``movicore.Ensemble``: a temporal ensemble of stream models with averaged logits.

The MoViNet paper's third technique (arXiv 2103.11511): several streaming MoViNets trained
independently, their logits averaged. In ``interleave`` mode the members split the frame
stream (member i sees the frames t with ``t % n == phases[i]``, so n members together cost
about one member at the full frame rate); in ``parallel`` mode every member sees every frame.
See ``docs/ensembles.md`` for the recipe and its sources.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from movicore.engine import Engine, check_top_k, top_k_of
from movicore.model import EnsembleModel, Model

MODES = ("interleave", "parallel")
_META_KEY = "__ensemble__"


# --------------------------------------------------------------------------- schedule
# Shared by the engine ensemble and movicore.reference.Ensemble so both split frames the
# same way.

def member_offset(t0: int, n: int, phase: int) -> int:
    """Index, within a chunk starting at global frame ``t0``, of the member's first frame."""
    return (phase - t0) % n


def member_indices(t0: int, count: int, n: int, phase: int) -> range:
    """Chunk positions (0..count-1) of the frames an interleaved member sees."""
    return range(member_offset(t0, n, phase), count, n)


def latest_index(t0: int, count: int, n: int, phase: int) -> np.ndarray:
    """For each chunk position j, the index into the member's outputs of this chunk of its
    latest frame at or before j, or -1 when it has seen none of this chunk's frames yet."""
    j = np.arange(count)
    off = member_offset(t0, n, phase)
    return np.where(j >= off, (j - off) // n, -1)


def normalise_weights(weights: Sequence[float] | None, n: int) -> tuple[float, ...]:
    """Weights as floats summing to 1 (equal if ``None``); ValueError if not n positive."""
    if weights is None:
        return tuple(1.0 / n for _ in range(n))
    w = [float(x) for x in weights]
    if len(w) != n:
        raise ValueError(f"weights: expected {n} values (one per member), got {len(w)}")
    if not all(math.isfinite(x) and x > 0 for x in w):
        raise ValueError(f"weights must be finite and > 0, got {w}")
    total = math.fsum(w)
    return tuple(x / total for x in w)


def check_phases(phases: Sequence[int] | None, n: int) -> tuple[int, ...]:
    if phases is None:
        return tuple(range(n))
    ph = tuple(int(p) for p in phases)
    if sorted(ph) != list(range(n)):
        raise ValueError(f"phases must be a permutation of 0..{n - 1}, got {list(phases)}")
    return ph


# --------------------------------------------------------------------------- engine

class Ensemble:
    """Averages the logits of several stream models; same API as :class:`movicore.Engine`.

    Parameters
    ----------
    members
        :class:`movicore.Model` or :class:`movicore.Engine` objects (at least two) with the
        same number of classes, labels, causality and input size; or the
        :class:`movicore.EnsembleModel` that :func:`movicore.load` returns for an ensemble
        file (its mode, weights and phases are then the defaults).
    mode
        ``"interleave"``: member i sees global frames t with ``t % n == phases[i]`` (by
        default frames i, i+n, i+2n, ...); ``"parallel"``: every member sees every frame.
    weights
        Per-member weights (normalised to sum 1; default equal).
    threads, height, width
        Passed to the :class:`movicore.Engine` built for each Model member.
    phases
        Interleave phase of each member (a permutation of 0..n-1; default 0..n-1).

    The output after a frame is the weighted average of each member's LATEST logits (its
    output after the last frame it saw). A member that has not seen a frame yet is left out
    and the weights of the others are renormalised: with two interleaved members the output
    after the first frame is member 0's logits alone.
    """

    def __init__(self, members: Any, mode: str | None = None,
                 weights: Sequence[float] | None = None, threads: int = 1,
                 phases: Sequence[int] | None = None, height: int | None = None,
                 width: int | None = None) -> None:
        if isinstance(members, EnsembleModel):
            spec = members
            members = spec.members
            mode = spec.mode if mode is None else mode
            weights = spec.weights if weights is None else weights
            phases = spec.phases if phases is None else phases
        mode = "interleave" if mode is None else mode
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        members = list(members)
        if len(members) < 2:
            raise ValueError(f"an ensemble needs at least 2 members, got {len(members)}")
        engines = []
        for i, m in enumerate(members):
            if isinstance(m, Engine):
                engines.append(m)
            elif isinstance(m, Model):
                engines.append(Engine(m, threads=threads, height=height, width=width))
            else:
                raise TypeError(f"member {i} must be a movicore.Model or movicore.Engine, got "
                                f"{type(m).__name__}")
        if len({id(e) for e in engines}) != len(engines):
            raise ValueError("the same Engine appears twice; give each member its own Engine "
                             "(Models may be shared)")
        first = engines[0]
        for i, e in enumerate(engines[1:], 1):
            if e.model.labels != first.model.labels:
                raise ValueError(f"member {i} has other labels than member 0 "
                                 f"({e.model.num_classes} vs {first.model.num_classes} classes)")
            if e.model.causal != first.model.causal:
                raise ValueError(f"member {i} is {'causal' if e.model.causal else 'base'} but "
                                 f"member 0 is {'causal' if first.model.causal else 'base'}")
            if (e.height, e.width) != (first.height, first.width):
                raise ValueError(f"member {i} takes {e.height}x{e.width} frames but member 0 "
                                 f"takes {first.height}x{first.width}; pass height/width")
        self._engines = engines
        self._mode = mode
        self._weights = normalise_weights(weights, len(engines))
        self._phases = check_phases(phases, len(engines))
        self._t = 0
        self._latest: list[np.ndarray | None] = [None] * len(engines)

    # ------------------------------------------------------------------ properties
    @property
    def members(self) -> list[Engine]:
        return list(self._engines)

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def weights(self) -> tuple[float, ...]:
        return self._weights

    @property
    def phases(self) -> tuple[int, ...]:
        return self._phases

    @property
    def frame_index(self) -> int:
        """Frames stepped since the last reset (decides which member gets the next one)."""
        return self._t

    @property
    def labels(self) -> list[str]:
        return self._engines[0].model.labels

    @property
    def num_classes(self) -> int:
        return self._engines[0].model.num_classes

    @property
    def causal(self) -> bool:
        return self._engines[0].model.causal

    @property
    def height(self) -> int:
        return self._engines[0].height

    @property
    def width(self) -> int:
        return self._engines[0].width

    @property
    def threads(self) -> int:
        return self._engines[0].threads

    @property
    def state_bytes(self) -> int:
        """Bytes of all members' stream states (the latest logits not counted)."""
        return sum(e.state_bytes for e in self._engines)

    def macs_per_frame(self) -> float:
        """Average multiply-accumulates per input frame (interleave: mean of the members,
        parallel: their sum)."""
        macs = [e.model.macs_per_frame(e.height, e.width) for e in self._engines]
        return sum(macs) / len(macs) if self._mode == "interleave" else float(sum(macs))

    # ------------------------------------------------------------------ running
    def _frames(self, frames: Any) -> np.ndarray:
        from movicore._native import core

        a = self._engines[0]._frames(frames)
        if a.dtype == np.float32:
            # The engine's own check (finite, in [0, 1]), here so that no member advances when
            # a later one would refuse.
            core().check_frames(a)
        return a

    def _average(self, rows: list[np.ndarray | None]) -> np.ndarray:
        """Weighted mean over the members that have output (weights renormalised)."""
        acc, wsum = None, 0.0
        for w, r in zip(self._weights, rows):
            if r is None:
                continue
            term = w * r.astype(np.float64)
            acc = term if acc is None else acc + term
            wsum += w
        if acc is None:
            raise ValueError("no member has produced logits yet")
        return (acc / wsum).astype(np.float32)

    def step(self, frames: Any, all_frames: bool = False) -> np.ndarray:
        """Feed frames; returns the ensemble logits after the last frame ``(classes,)`` or
        after every frame ``(T, classes)`` with ``all_frames=True``. Causal members only."""
        if not self.causal:
            raise ValueError("step() needs causal (stream) members; base members: use "
                             "run(clip)")
        a = self._frames(frames)
        count = a.shape[0]
        n = len(self._engines)
        if self._mode == "parallel":
            outs = [e.step(a, all_frames=True) if all_frames else e.step(a)
                    for e in self._engines]
            self._latest = [o[-1] if all_frames else o for o in outs]
            self._t += count
            if not all_frames:
                return self._average(list(self._latest))
            return np.stack([self._average([o[j] for o in outs]) for j in range(count)])
        outs_i: list[np.ndarray | None] = []
        for e, ph in zip(self._engines, self._phases):
            idx = member_indices(self._t, count, n, ph)
            if len(idx) == 0:
                outs_i.append(None)
                continue
            sub = a[idx.start::n]
            outs_i.append(e.step(sub, all_frames=True) if all_frames else e.step(sub))
        prev_latest = list(self._latest)
        for m, o in enumerate(outs_i):
            if o is not None:
                self._latest[m] = o[-1] if all_frames else o
        if not all_frames:
            self._t += count
            return self._average(list(self._latest))
        per_frame = []
        gathers = [latest_index(self._t, count, n, ph) for ph in self._phases]
        for j in range(count):
            rows = []
            for m, o in enumerate(outs_i):
                k = int(gathers[m][j])
                rows.append(o[k] if (o is not None and k >= 0) else prev_latest[m])
            per_frame.append(self._average(rows))
        self._t += count
        return np.stack(per_frame)

    def run(self, clip: Any) -> np.ndarray:
        """Ensemble logits of a whole clip ``(T, H, W, 3)``.

        Base members: interleave gives member i the frames ``clip[phases[i]::n]`` (members
        with no frame are left out), parallel gives every member the whole clip. Stream
        members: reset, then step through the clip.
        """
        a = self._frames(clip)
        if self.causal:
            self.reset()
            return self.step(a)
        n = len(self._engines)
        rows: list[np.ndarray | None] = []
        for e, ph in zip(self._engines, self._phases):
            sub = a if self._mode == "parallel" else a[ph::n]
            rows.append(e.run(sub) if sub.shape[0] else None)
        self._latest = rows  # what top_k() reads
        return self._average(rows)

    def top_k(self, k: int = 5) -> list[tuple[str, float]]:
        """Top-``k`` ``(label, probability)`` of the latest ensemble logits (the weighted
        average of each member's latest logits). Reads only: no member advances.
        ValueError before the first frame (and after ``reset``)."""
        if all(x is None for x in self._latest):
            raise ValueError("no logits yet: feed a frame with step() (or run()) first")
        return top_k_of(self._average(list(self._latest)), self.labels, k)

    def predict(self, frames: Any, k: int = 5) -> list[tuple[str, float]]:
        """Feed ``frames`` and return the top-``k`` ``(label, probability)`` after the last one.

        This STEPS the stream (``step(frames)`` then ``top_k(k)``; base members run the
        clip). To read the current prediction without feeding a frame, call :meth:`top_k`.
        ``k`` as for :meth:`movicore.Engine.predict` (>= 1, else ``ValueError`` before any
        frame is fed).
        """
        check_top_k(k)
        if self.causal:
            self.step(frames)
        else:
            self.run(frames)
        return self.top_k(k)

    def reset(self) -> None:
        """Forget the stream: every member back to its initial state, frame index 0."""
        for e in self._engines:
            e.reset()
        self._t = 0
        self._latest = [None] * len(self._engines)

    # ------------------------------------------------------------------ snapshots
    def _meta(self) -> str:
        return json.dumps({"members": len(self._engines), "mode": self._mode,
                           "phases": list(self._phases)}, sort_keys=True)

    def state_dict(self) -> dict[str, Any]:
        """Snapshot: ``"members"`` (each member's ``Engine.state_dict()``), ``"frame_index"``,
        ``"latest_logits"`` (each member's latest logits or ``None``) and ``"__ensemble__"``."""
        return {_META_KEY: self._meta(), "frame_index": self._t,
                "members": [e.state_dict() for e in self._engines],
                "latest_logits": [None if x is None else x.copy() for x in self._latest]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a snapshot from :meth:`state_dict` (ValueError if it does not fit)."""
        if not isinstance(state, dict):
            raise ValueError(f"state must be a dict from state_dict(), got "  # noqa: TRY004
                             f"{type(state).__name__}")
        meta = state.get(_META_KEY)
        if meta is not None and meta != self._meta():
            raise ValueError(f"state belongs to another ensemble: {meta} != {self._meta()}")
        members, latest = state.get("members"), state.get("latest_logits")
        n = len(self._engines)
        if not isinstance(members, list) or len(members) != n:
            raise ValueError(f"state['members'] must be a list of {n} member states")
        if not isinstance(latest, list) or len(latest) != n:
            raise ValueError(f"state['latest_logits'] must be a list of {n} arrays or None")
        t = state.get("frame_index")
        if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 0:
            raise ValueError(f"state['frame_index'] must be an int >= 0, got {t!r}")
        rows: list[np.ndarray | None] = []
        for i, x in enumerate(latest):
            if x is None:
                rows.append(None)
                continue
            if hasattr(x, "detach"):
                x = x.detach().cpu().numpy()
            x = np.asarray(x, dtype=np.float32).reshape(-1)
            if x.shape != (self.num_classes,):
                raise ValueError(f"state['latest_logits'][{i}]: expected {self.num_classes} "
                                 f"values, got {x.shape}")
            rows.append(x.copy())
        before = [e.state_dict() for e in self._engines]
        try:
            for e, s in zip(self._engines, members):
                e.load_state_dict(s)
        except Exception:
            for e, s in zip(self._engines, before):  # all or nothing
                e.load_state_dict(s)
            raise
        self._t = int(t)
        self._latest = rows

    def __repr__(self) -> str:
        names = ", ".join(f"{e.model.config.model_id}-{e.model.config.variant}"
                          for e in self._engines)
        return (f"Ensemble([{names}], mode={self._mode!r}, weights="
                f"{[round(w, 4) for w in self._weights]}, {self.height}x{self.width})")
