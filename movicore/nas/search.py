"""Latency-constrained evolutionary architecture search (regularized / aging evolution).

Trials run in batches of ``workers``: the first ``initial`` trials are random points whose
*predicted* latency (``LatencyModel``) meets the budget; after that every child is a mutation
of the best of ``sample`` random members of the ``population`` most recent trials (members over
budget by *measured* latency score lowest), re-drawn until its predicted latency meets the
budget and it was not tried before.

Trials run in local worker processes (``concurrent.futures``) or as Ray tasks (``ray``). The
proposals of a batch depend only on the results of earlier batches and on ``(seed, trial
index)``, and every finished trial is appended to ``OUT/trials.jsonl`` at once, so an
interrupted search resumes where it stopped with the same proposals.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from movicore.extras import install_hint
from movicore.fileio import write_json_atomic
from movicore.nas import space as S
from movicore.nas.latency import LatencyModel
from movicore.nas.trial import DataSpec, TrainSpec, run_trial

STATE_FILE = "search.json"
TRIALS_FILE = "trials.jsonl"


@dataclasses.dataclass
class Settings:
    budget_ms: float  # per input video frame, at ``threads`` engine threads
    trials: int
    workers: int = 2
    threads: int = 1
    population: int = 16
    sample: int = 4
    initial: int = 8
    seed: int = 0

    def check(self) -> None:
        if not self.budget_ms > 0:
            raise ValueError(f"--budget-ms must be > 0, got {self.budget_ms}")
        for name in ("trials", "workers", "threads", "population", "sample", "initial"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")


def pareto_front(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Trials no other trial beats in both measured latency (lower) and top-1 (higher)."""
    front: list[dict[str, Any]] = []
    for r in sorted(rows, key=lambda r: (r["latency_ms"], -r["top1"])):
        if not front or r["top1"] > front[-1]["top1"]:
            front.append(r)
    return front


def best_within(rows: Iterable[dict[str, Any]], budget_ms: float) -> dict[str, Any] | None:
    ok = [r for r in rows if r["latency_ms"] <= budget_ms]
    return max(ok, key=lambda r: (r["top1"], -r["latency_ms"])) if ok else None


class Proposer:
    """Proposes the genome of trial ``index`` from the results of trials ``< batch start``."""

    def __init__(self, space: S.Space, settings: Settings, latency: LatencyModel,
                 num_classes: int = 600) -> None:
        self.space, self.settings, self.latency = space, settings, latency
        self.num_classes = num_classes  # the classifier's cost counts at small budgets

    def predicted_ms(self, g: S.Genome) -> float:
        config = S.candidate(self.space, g, self.num_classes).config
        return self.latency.predict(config) / g.frame_stride

    def _fits(self, g: S.Genome, seen: set[str]) -> bool:
        return g.key() not in seen and self.predicted_ms(g) <= self.settings.budget_ms

    def propose(self, index: int, history: list[dict[str, Any]], seen: set[str]) -> S.Genome:
        rng = random.Random(f"{self.settings.seed}:{index}")
        s = self.settings
        if index < s.initial or not history:
            fallback = None
            for _ in range(3000):
                g = S.random_genome(self.space, rng)
                if self._fits(g, seen):
                    return g
                if fallback is None or self.predicted_ms(g) < self.predicted_ms(fallback):
                    fallback = g
            # Budget below almost the whole space: shrink the fastest random point.
            return self._shrink(fallback, rng, seen)
        pop = history[-s.population:]
        for _ in range(200):
            contenders = rng.sample(pop, min(s.sample, len(pop)))
            parent = max(contenders, key=lambda r: (r["latency_ms"] <= s.budget_ms, r["top1"]))
            child = S.mutate(self.space, S.Genome.from_json(parent["genome"]), rng,
                             n=rng.choice((1, 1, 2)))
            if self._fits(child, seen):
                return child
        return self._shrink(S.Genome.from_json(pop[-1]["genome"]), rng, seen)

    def _shrink(self, g: S.Genome, rng: random.Random, seen: set[str]) -> S.Genome:
        """Drop layers / narrow until the prediction fits (or nothing is left to drop)."""
        for _ in range(500):
            if self._fits(g, seen):
                return g
            g = S.mutate(self.space, g, rng)
            deepest = max(range(len(g.layers)), key=lambda b: len(g.layers[b]))
            if len(g.layers[deepest]) > min(self.space.depths):
                layers = list(g.layers)
                layers[deepest] = layers[deepest][:-1]
                g = dataclasses.replace(g, layers=tuple(layers))
        raise ValueError(f"no point of the search space fits the budget "
                         f"{self.settings.budget_ms} ms (predicted)")


# --------------------------------------------------------------------------- executors

def _local_map(workers: int) -> Callable[[list[dict[str, Any]]], Iterable[dict[str, Any]]]:
    import concurrent.futures as cf
    import multiprocessing as mp

    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"))

    def run(specs: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        futures = [pool.submit(run_trial, sp) for sp in specs]
        for f in cf.as_completed(futures):
            yield f.result()

    run.close = lambda: pool.shutdown(cancel_futures=True)  # type: ignore[attr-defined]
    return run


def _ray_map(address: str, threads: int
             ) -> Callable[[list[dict[str, Any]]], Iterable[dict[str, Any]]]:
    try:
        import ray
    except ImportError as exc:
        raise ImportError(f"--ray needs Ray: {install_hint('nas')}") from exc
    import movicore

    # Workers of a local cluster import movicore from the same tree as this driver.
    root = str(Path(movicore.__file__).resolve().parent.parent)
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    env = {"PYTHONPATH": path, "OMP_NUM_THREADS": str(threads)}
    # "local": a private single-node cluster on 127.0.0.1 that ends with the search (tests)
    own = {"num_cpus": 2, "include_dashboard": False, "_node_ip_address": "127.0.0.1"} if (
        address == "local") else {}
    ray.init(address=address, runtime_env={"env_vars": env}, logging_level="WARNING",
             log_to_driver=False, **own)
    task = ray.remote(num_cpus=threads, max_retries=1)(run_trial)

    def run(specs: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        pending = [task.remote(sp) for sp in specs]
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            yield ray.get(done[0])

    run.close = ray.shutdown  # type: ignore[attr-defined]
    return run


# --------------------------------------------------------------------------- the search

def _load_trials(path: Path) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                try:
                    row = json.loads(line)
                except ValueError:
                    continue  # a line cut by the interruption: that trial runs again
                out[int(row["index"])] = row
    return out


def run_search(out: str | os.PathLike[str], space: S.Space, settings: Settings,
               latency: LatencyModel, data: DataSpec, train: TrainSpec, *,
               ray_address: str | None = None,
               log: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """Run (or resume) the search in ``out``; returns every trial row by index."""
    settings.check()
    if latency.threads != settings.threads:
        raise ValueError(f"the latency table was measured with {latency.threads} threads, the "
                         f"search targets {settings.threads}")
    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    state = json.loads(json.dumps({"space": space.to_json(),
                                   "settings": dataclasses.asdict(settings),
                                   "data": data.to_json(), "train": train.to_json()}))
    sf = outdir / STATE_FILE
    if sf.exists():
        old = json.loads(sf.read_text(encoding="utf-8"))
        same = {k: v for k, v in old.items() if k != "settings"}
        if same != {k: v for k, v in state.items() if k != "settings"} or any(
                old["settings"][k] != v for k, v in state["settings"].items() if k != "trials"):
            raise ValueError(f"{outdir} holds a search with other settings; use another --out")
    write_json_atomic(sf, state)  # resumable: never a half-written state file
    tf = outdir / TRIALS_FILE
    done = _load_trials(tf)
    if done:
        log(f"resuming: {len(done)} of {settings.trials} trials already done")
    proposer = Proposer(space, settings, latency, data.num_classes())
    runner = _ray_map(ray_address, settings.threads) if ray_address else _local_map(
        settings.workers)
    try:
        start = 0
        while start < settings.trials:
            batch = range(start, min(start + settings.workers, settings.trials))
            history = [done[i] for i in range(start) if i in done]
            seen = {r["key"] for r in history}
            specs = []
            for i in batch:
                g = proposer.propose(i, history, seen)
                seen.add(g.key())
                if i in done:
                    continue
                specs.append({"index": i, "genome": g.to_json(), "space": space.to_json(),
                              "data": data.to_json(), "train": train.to_json(),
                              "seed": settings.seed * 100003 + i, "threads": settings.threads})
            for row in runner(specs) if specs else ():
                g = S.Genome.from_json(row["genome"])
                row["predicted_ms"] = proposer.predicted_ms(g)
                done[row["index"]] = row
                with tf.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(row) + "\n")
                log(f"trial {row['index'] + 1}/{settings.trials}: top-1 {row['top1']:.3f}, "
                    f"{row['latency_ms']:.3f} ms/frame measured, {row['predicted_ms']:.3f} "
                    f"predicted, {row['seconds']:.0f} s")
            start = batch.stop
    finally:
        runner.close()  # type: ignore[attr-defined]
    return [done[i] for i in sorted(done)]
