"""PyTorch reference temporal ensemble: members' logits averaged (same semantics as the
engine's :class:`movicore.Ensemble`; see docs/ensembles.md).

State: ``{"frame_index": int64 scalar tensor, "members": [member state or None],
"latest": [member's latest logits [B, classes] or None]}``. A member that has not seen a
frame is left out of the average and the others' weights are renormalised.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

from movicore import modelfile
from movicore.ensemble import MODES, check_phases, latest_index, member_indices, normalise_weights
from movicore.reference.model import MoViNet, detach_state
from movicore.reference.model_io import state_dict_to_numpy
from movicore.reference.tf_load import load_numpy_state_dict

EnsembleState = dict[str, Any]


class Ensemble(nn.Module):
    """Temporal ensemble of :class:`MoViNet` members.

    ``interleave``: member i sees global frames t with ``t % n == phases[i]``;
    ``parallel``: every member sees every frame. Logits = weighted mean of the members'
    latest logits (weights normalised, default equal).
    """

    def __init__(self, members: Sequence[MoViNet], mode: str = "interleave",
                 weights: Sequence[float] | None = None,
                 phases: Sequence[int] | None = None) -> None:
        super().__init__()
        members = list(members)
        if len(members) < 2:
            raise ValueError(f"an ensemble needs at least 2 members, got {len(members)}")
        for i, m in enumerate(members):
            if not isinstance(m, MoViNet):
                raise TypeError(f"member {i} must be a movicore.reference.MoViNet, got "
                                f"{type(m).__name__}")
        c0 = members[0].config
        for i, m in enumerate(members[1:], 1):
            if (m.config.num_classes, m.config.causal) != (c0.num_classes, c0.causal):
                raise ValueError(f"member {i} (num_classes={m.config.num_classes}, causal="
                                 f"{m.config.causal}) does not match member 0 "
                                 f"(num_classes={c0.num_classes}, causal={c0.causal})")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.members = nn.ModuleList(members)
        self.mode = mode
        self.weights = normalise_weights(weights, len(members))
        self.phases = check_phases(phases, len(members))

    @property
    def causal(self) -> bool:
        return self.members[0].config.causal

    def init_state(self) -> EnsembleState:
        n = len(self.members)
        return {"frame_index": torch.zeros((), dtype=torch.int64), "members": [None] * n,
                "latest": [None] * n}

    def _average(self, rows: list[torch.Tensor | None]) -> torch.Tensor:
        acc: torch.Tensor | None = None
        wsum = 0.0
        for w, r in zip(self.weights, rows):
            if r is None:
                continue
            acc = w * r if acc is None else acc + w * r
            wsum += w
        if acc is None:
            raise ValueError("no member has produced logits yet")
        return acc / wsum

    def forward(self, clip: torch.Tensor, state: EnsembleState | None = None,
                all_frames: bool = False) -> tuple[torch.Tensor, EnsembleState]:
        """clip [B,T,H,W,3] in [0, 1] -> (logits [B, classes] or [B, T, classes], state).

        Base (non-causal) members: interleave gives member i ``clip[:, phases[i]::n]``,
        parallel the whole clip; ``state`` is ignored.
        """
        n = len(self.members)
        if not self.causal:
            if all_frames:
                raise ValueError("all_frames=True needs causal members")
            rows: list[torch.Tensor | None] = []
            for m, ph in zip(self.members, self.phases):
                sub = clip if self.mode == "parallel" else clip[:, ph::n]
                rows.append(m(sub)[0] if sub.shape[1] else None)
            return self._average(rows), self.init_state()
        state = self.init_state() if state is None else state
        t0 = int(state["frame_index"])
        count = clip.shape[1]
        new_states = list(state["members"])
        latest = list(state["latest"])
        outs: list[torch.Tensor | None] = []
        for i, (m, ph) in enumerate(zip(self.members, self.phases)):
            idx = range(count) if self.mode == "parallel" else member_indices(t0, count, n, ph)
            if len(idx) == 0:
                outs.append(None)
                continue
            sub = clip[:, idx.start::idx.step] if self.mode == "interleave" else clip
            out, new_states[i] = m(sub, new_states[i], all_frames=all_frames)
            outs.append(out)
        prev = list(latest)
        for i, o in enumerate(outs):
            if o is not None:
                latest[i] = o[:, -1] if all_frames else o
        new_state = {"frame_index": torch.tensor(t0 + count, dtype=torch.int64),
                     "members": new_states, "latest": latest}
        if not all_frames:
            return self._average(latest), new_state
        frames = []
        for j in range(count):
            rows = []
            for i, (o, ph) in enumerate(zip(outs, self.phases)):
                k = j if self.mode == "parallel" else int(latest_index(t0, count, n, ph)[j])
                rows.append(o[:, k] if (o is not None and k >= 0) else prev[i])
            frames.append(self._average(rows))
        return torch.stack(frames, dim=1), new_state

    def member_logits(self, clip: torch.Tensor) -> list[torch.Tensor]:
        """Each member's logits [B, classes] on its own frames of ``clip`` (from a zero
        state; interleave: ``clip[:, phases[i]::n]``). Used for per-member training losses."""
        n = len(self.members)
        out = []
        for m, ph in zip(self.members, self.phases):
            sub = clip if self.mode == "parallel" else clip[:, ph::n]
            out.append(m(sub)[0])
        return out


def detach_ensemble_state(state: EnsembleState) -> EnsembleState:
    """Cut the autograd graph between chunks (truncated BPTT), member by member."""
    return {"frame_index": state["frame_index"],
            "members": [None if s is None else detach_state(s) for s in state["members"]],
            "latest": [None if x is None else x.detach() for x in state["latest"]]}


def ensemble_to_file(ensemble: Ensemble, path: str | os.PathLike[str],
                     labels: list[str] | None = None,
                     extra_metadata: Mapping[str, str] | None = None) -> None:
    """Write ``ensemble`` as one ensemble file (``movicore.load`` gives an EnsembleModel)."""
    members = [(m.config, state_dict_to_numpy(m.state_dict())) for m in ensemble.members]
    modelfile.write_ensemble_file(path, members, labels, ensemble.mode, list(ensemble.weights),
                                  list(ensemble.phases), extra_metadata)


def ensemble_from_file(path: str | os.PathLike[str], *, check_finite: bool = True) -> Ensemble:
    """Build the reference :class:`Ensemble` of an ensemble file (eval mode)."""
    ef = modelfile.read_ensemble_file(path, check_finite=check_finite)
    members = []
    for mf in ef.members:
        model = MoViNet(mf.config)
        load_numpy_state_dict(model, mf.tensors, strict=True)
        members.append(model)
    ens = Ensemble(members, ef.mode, ef.weights, ef.phases)
    ens.labels = list(ef.labels)  # type: ignore[assignment]
    return ens.eval()
