"""Latency table and model: op shapes cover every MAC, the fits reproduce a known cost law,
a real (tiny) profile loads and predicts. No timing is asserted."""

from __future__ import annotations

import json

import numpy as np
import pytest

from movicore import arch
from movicore.nas import space as S
from movicore.nas.latency import (
    TABLE_FORMAT,
    TABLE_VERSION,
    LatencyModel,
    op_rows,
    profile,
    residual_features,
)

TINY = S.PAPER.scaled(0.25, 2, (24, 31), (1,))


@pytest.mark.parametrize("seed", range(5))
def test_op_rows_cover_every_mac(seed: int) -> None:
    c = S.sample(seed, S.PAPER.scaled(0.5), num_classes=10)
    s = c.input_size
    assert sum(r["features"][1] for r in op_rows(c, s, s)) == arch.count_macs(c, 1, s, s)
    named = arch.default_config("a0", num_classes=600)
    assert sum(r["features"][1] for r in op_rows(named, 50, 50)) == arch.count_macs(
        named, 1, 50, 50)


def _law(r: dict) -> float:
    """A made-up cost law: per-group constant + per-MAC + per-element cost."""
    _one, macs, ein, eout = r["features"]
    k = 1.0 + (sum(map(ord, r["group"])) % 7) / 7.0
    return 1e-3 * k + 2e-8 * k * macs + 1e-7 * (ein + eout)


def _table(configs: list[arch.Config]) -> dict:
    rows, models = [], []
    for c in configs:
        s = c.input_size
        op_ms = 0.0
        for r in op_rows(c, s, s):
            rows.append({"group": r["group"], "key": r["key"], "features": r["features"],
                         "ms": _law(r)})
            op_ms += _law(r)
        rf = residual_features(c, s, s)
        models.append({"config": c.to_dict(), "ms": op_ms + 0.01 + 1e-3 * rf[1],
                       "op_ms": op_ms, "residual_features": rf})
    return {"format": TABLE_FORMAT, "version": TABLE_VERSION, "threads": 1, "rows": rows,
            "models": models}


def test_fit_reproduces_a_linear_cost_law() -> None:
    space = S.PAPER.scaled(0.5, 4, (48, 64))
    model = LatencyModel(_table([S.sample(i, space, 10) for i in range(40)]))
    for seed in range(100, 110):  # unseen architectures: the regression path
        c = S.sample(seed, space, 10)
        s = c.input_size
        want = sum(_law(r) for r in op_rows(c, s, s)) + 0.01 + 1e-3 * len(arch.layer_plan(c))
        assert model.predict(c) == pytest.approx(want, rel=1e-3)
        assert sum(model.breakdown(c).values()) == pytest.approx(model.predict(c))


def test_context_factor_follows_the_network_size() -> None:
    # Ops run faster in small networks (caches stay warm): end-to-end = sum ** 1.3 here.
    space = S.PAPER.scaled(0.5, 4, (48, 64))
    table = _table([S.sample(i, space, 10) for i in range(40)])
    for m in table["models"]:
        m["ms"] = (m["ms"] * 10) ** 1.3 / 10
        m["op_ms"] = m["ms"] - 0.0  # nothing unprofiled
    model = LatencyModel(table)
    errors = []
    for seed in range(100, 120):
        c = S.sample(seed, space, 10)
        s = c.input_size
        plain = sum(_law(r) for r in op_rows(c, s, s)) + 0.01 + 1e-3 * len(arch.layer_plan(c))
        want = (plain * 10) ** 1.3 / 10
        errors.append(abs(model.predict(c) - want) / want)
        assert sum(model.breakdown(c).values()) == pytest.approx(model.predict(c))
    assert float(np.median(errors)) < 0.03


def test_exact_shapes_use_the_measured_time() -> None:
    space = S.PAPER.scaled(0.5, 4, (48,))
    configs = [S.sample(i, space, 10) for i in range(12)]
    table = _table(configs)
    row = op_rows(configs[0], 48, 48)[3]
    for r in table["rows"]:
        if r["key"] == row["key"]:
            r["ms"] = 1.3 * _law(row)  # off the law: only an exact lookup returns it
    model = LatencyModel(table)
    assert model._op_ms(row) == pytest.approx(1.3 * _law(row))
    assert model._op_ms({**row, "key": "unseen"}) == pytest.approx(_law(row), rel=0.1)


def test_bad_tables_are_rejected(tmp_path) -> None:
    with pytest.raises(ValueError, match="latency table"):
        LatencyModel({"format": "x"})
    p = tmp_path / "t.json"
    p.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot read"):
        LatencyModel.load(p)
    with pytest.raises(ValueError, match="no measurements"):
        LatencyModel({"format": TABLE_FORMAT, "version": TABLE_VERSION, "threads": 1,
                      "rows": [], "models": []})


def test_real_profile_of_tiny_models(tmp_path) -> None:
    configs = [S.sample(i, TINY, 5) for i in range(3)]
    table = profile(configs, threads=1, frames=3)
    names = {r["key"].split("/")[0] for r in table["rows"]}
    assert {"stem", "expand", "depthwise", "se", "project", "head", "classifier"} <= names
    # every op of every profiled model was timed
    assert len(table["rows"]) == sum(len(op_rows(c, c.input_size, c.input_size))
                                     for c in configs)
    path = tmp_path / "table.json"
    path.write_text(json.dumps(table), encoding="utf-8")
    model = LatencyModel.load(path)
    for i in range(3, 6):
        ms = model.predict(S.sample(i, TINY, 5))
        assert np.isfinite(ms) and ms > 0
