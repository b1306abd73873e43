"""Compound scaling: every dimension grows with phi, and a family meets each budget."""

from __future__ import annotations

from movicore import arch
from movicore.nas import space as S
from movicore.nas.latency import LatencyModel, op_rows
from movicore.nas.scaling import Coefficients, family, scale

BASE = S.Candidate(S.sample(5, S.PAPER.scaled(0.5, 3, (64,), (2,)), num_classes=10), 2)


def test_phi_zero_keeps_the_network_and_phi_grows_every_dimension() -> None:
    same = scale(BASE, 0.0)
    assert same.config.spec.blocks == BASE.config.spec.blocks
    assert same.config.input_size == 64 and same.frame_stride == 2
    big = scale(BASE, 4.0)
    for a, b in zip(BASE.config.spec.blocks, big.config.spec.blocks):
        assert len(b.expand) >= len(a.expand) and b.base >= a.base and b.stride == a.stride
    assert sum(len(b.expand) for b in big.config.spec.blocks) > sum(
        len(b.expand) for b in BASE.config.spec.blocks)
    assert big.config.input_size > 64 and big.frame_stride == 1
    small = scale(BASE, -3.0)
    assert small.config.input_size < 64
    assert arch.count_macs(small.config, 1, 64, 64) < arch.count_macs(BASE.config, 1, 64, 64)
    only_depth = scale(BASE, 2.0, Coefficients(1.5, 1.0, 1.0, 1.0))
    assert only_depth.config.input_size == 64 and [b.base for b in
                                                   only_depth.config.spec.blocks] == [
        b.base for b in BASE.config.spec.blocks]


def _macs_table() -> dict:
    """A table whose cost law is 1 ns per multiply-add (exact by regression)."""
    rows, models = [], []
    for seed in range(30):
        c = S.sample(seed, S.PAPER.scaled(0.5, 6, (32, 64, 96)), num_classes=10)
        s = c.input_size
        for r in op_rows(c, s, s):
            rows.append({"group": r["group"], "key": r["key"], "features": r["features"],
                         "ms": 1e-6 * r["features"][1]})
        models.append({"config": c.to_dict(), "ms": 1.0, "op_ms": 1.0,
                       "residual_features": [1.0, 1.0, 1.0]})
    return {"format": "movicore-latency-table", "version": 1, "threads": 1, "rows": rows,
            "models": models}


def test_family_members_meet_their_budgets() -> None:
    model = LatencyModel(_macs_table())
    base_ms = model.predict(BASE.config) / BASE.frame_stride
    members = family(BASE, [base_ms / 4, base_ms, base_ms * 4, 1e-9], model)
    phis = [m["phi"] for m in members]
    assert phis[0] < 0 <= phis[1] < phis[2] and phis[3] is None
    for m in members[:3]:
        assert m["predicted_ms"] <= m["budget_ms"]
        assert arch.Config.from_dict(m["config"]).model_id == arch.CUSTOM_ID
