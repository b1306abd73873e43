"""Evolutionary search: proposals within the budget, Pareto front, a tiny real search in worker
processes that resumes, and the CLI end to end (on a Ray cluster: test_nas_ray.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from movicore import modelfile
from movicore.nas import space as S
from movicore.nas.latency import LatencyModel, profile
from movicore.nas.search import Proposer, Settings, best_within, pareto_front, run_search
from movicore.nas.trial import DataSpec, TrainSpec

pytest.importorskip("torch")

TINY = S.PAPER.scaled(0.25, 2, (16, 24), (1, 2))
DATA = DataSpec(frames=4, search_clips=6, test_clips=6, clutter=0.0)
TRAIN = TrainSpec(steps=2, batch_size=3)


@pytest.fixture(scope="module")
def table(tmp_path_factory) -> tuple[dict, str]:
    t = profile([S.sample(i, TINY, n) for i, n in ((0, 10), (1, 600), (2, 10), (3, 600))],
                frames=3)
    path = tmp_path_factory.mktemp("nas") / "latency.json"
    path.write_text(json.dumps(t), encoding="utf-8")
    return t, str(path)


def test_pareto_front_and_best() -> None:
    rows = [{"latency_ms": l, "top1": a, "i": i}
            for i, (l, a) in enumerate([(1, .2), (2, .1), (2, .5), (3, .4), (4, .6), (.5, .1)])]
    assert [r["i"] for r in pareto_front(rows)] == [5, 0, 2, 4]
    assert best_within(rows, 3.5)["i"] == 2
    assert best_within(rows, 0.1) is None


def test_proposals_meet_the_budget(table) -> None:
    model = LatencyModel(table[0])
    ms = sorted(model.predict(S.sample(i, TINY)) for i in range(40))
    budget = ms[len(ms) // 3]  # most random points are over it
    settings = Settings(budget_ms=budget, trials=20, initial=3, population=5, sample=2)
    prop = Proposer(TINY, settings, model)
    history, seen = [], set()
    for i in range(20):
        g = prop.propose(i, history, seen)
        assert prop.predicted_ms(g) <= budget and g.key() not in seen
        seen.add(g.key())
        history.append({"genome": g.to_json(), "top1": (i * 7 % 10) / 10,
                        "latency_ms": prop.predicted_ms(g), "key": g.key()})
    # same inputs, same proposal (what makes resuming deterministic)
    again = prop.propose(7, history[:7], {r["key"] for r in history[:7]})
    assert again.key() == history[7]["key"]


def test_tiny_local_search_resumes(table, tmp_path) -> None:
    model = LatencyModel(table[0])
    budget = max(model.predict(S.sample(i, TINY)) for i in range(10))
    s = Settings(budget_ms=budget, trials=2, workers=2, initial=1, population=4, sample=2)
    rows = run_search(tmp_path, TINY, s, model, DATA, TRAIN, log=lambda _l: None)
    assert [r["index"] for r in rows] == [0, 1]
    for r in rows:
        assert 0.0 <= r["top1"] <= 1.0 and r["latency_ms"] > 0 and r["steps"] == 2
        assert r["predicted_ms"] <= budget
    lines = (tmp_path / "trials.jsonl").read_text().splitlines()
    s.trials = 3  # resume with a larger budget of trials: only trial 2 runs
    rows3 = run_search(tmp_path, TINY, s, model, DATA, TRAIN, log=lambda _l: None)
    assert [r["index"] for r in rows3] == [0, 1, 2]
    lines3 = (tmp_path / "trials.jsonl").read_text().splitlines()
    assert lines3[:2] == lines and len(lines3) == 3
    with pytest.raises(ValueError, match="other settings"):
        run_search(tmp_path, TINY, Settings(budget_ms=budget / 2, trials=3), model, DATA, TRAIN)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "movicore", "nas", *args],
                          capture_output=True, text=True, check=False)


def test_cli_search_end_to_end(table, tmp_path) -> None:
    out = tmp_path / "run"
    r = _cli("search", "--synthetic", "--budget-ms", "1000", "--trials", "2", "--workers", "1",
             "--table", table[1], "--out", str(out), "--steps", "2", "--batch-size", "3",
             "--frames", "4", "--search-clips", "6", "--test-clips", "6", "--clutter", "0",
             "--width-mult", "0.25", "--max-depth", "1", "--sizes", "16", "--final-steps", "2",
             "--final-epochs", "1", "--baseline", "t0", "--budget-size", "16")
    assert r.returncode == 0, r.stderr
    res = json.loads((out / "result.json").read_text())
    assert {"best", "t0", "t0_trial"} <= set(res) and res["final_steps"] == 2
    assert 0 <= res["best"]["test_top1"] <= 1
    front = json.loads((out / "pareto.json").read_text())
    assert front["trials"] == 2 and front["front"]
    assert (out / "pareto.png").stat().st_size > 1000
    mf = modelfile.read_any_file(out / "best.safetensors")
    assert mf.config.model_id == "custom" and mf.config.num_classes == 10


def test_cli_errors_are_one_line(tmp_path) -> None:
    out = tmp_path / "none"
    for args in (["search", "--synthetic", "--budget-ms", "1", "--trials", "0", "--out", str(out)],
                 ["search", "--synthetic", "--budget-ms", "1", "--trials", "2", "--table",
                  str(tmp_path / "missing.json"), "--out", str(out)],
                 ["search", "--synthetic", "--budget-model", "x9", "--trials", "2",
                  "--out", str(out)],
                 ["profile", "-o", str(tmp_path / "no" / "t.json")],
                 ["scale", str(tmp_path / "missing.safetensors"), "--table", "t.json",
                  "--budgets", "1", "-o", str(tmp_path / "f.json")]):
        r = _cli(*args)
        assert r.returncode == 1, (args, r.stderr)
        assert r.stderr.count("\n") == 1 and "error" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists() and not (tmp_path / "f.json").exists()
