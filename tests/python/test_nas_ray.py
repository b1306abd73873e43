"""A tiny search whose trials run as Ray tasks, on a private single-node cluster started and shut
down by the search. The cluster runs in a network namespace with loopback only
(private_network.py)."""

from __future__ import annotations

import json

import private_network
import pytest

from movicore.nas import space as S
from movicore.nas.latency import LatencyModel, profile
from movicore.nas.search import Settings, run_search
from movicore.nas.trial import DataSpec, TrainSpec

pytest.importorskip("torch")
ray = pytest.importorskip("ray")

pytestmark = pytest.mark.slow

if private_network.inside():

    def test_tiny_search_on_a_private_ray_cluster(tmp_path) -> None:
        tiny = S.PAPER.scaled(0.25, 2, (16, 24), (1, 2))
        table = profile([S.sample(i, tiny, n) for i, n in ((0, 10), (1, 600))], frames=3)
        (tmp_path / "latency.json").write_text(json.dumps(table), encoding="utf-8")
        s = Settings(budget_ms=1000.0, trials=2, workers=2, initial=2)
        rows = run_search(tmp_path, tiny, s, LatencyModel(table),
                          DataSpec(frames=4, search_clips=6, test_clips=6, clutter=0.0),
                          TrainSpec(steps=2, batch_size=3), ray_address="local",
                          log=lambda _l: None)
        assert [r["index"] for r in rows] == [0, 1]
        assert all(0.0 <= r["top1"] <= 1.0 and r["latency_ms"] > 0 for r in rows)
        assert not ray.is_initialized()  # the search shut its cluster down

else:

    def test_in_a_private_network_namespace() -> None:
        private_network.rerun_inside(__file__, timeout=300)
