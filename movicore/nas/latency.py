"""Per-layer latency table of the target CPU and the latency model built on it.

``profile`` runs random-weight models of the search space in the engine with the profiler on
(``Engine.set_profiling``) and records, for every op of every layer (stem, expansion,
depthwise, temporal, SE, skip, projection, head, classifier), its shape and time per frame,
and each model's end-to-end time per frame. The table is JSON: made once on the target
device, used anywhere.

``LatencyModel`` predicts a config's ms per frame as the sum over its ops of

* the measured time of an op with exactly that shape, when the table has one, else
* a least-squares fit per op group (op, kernel size, stride) on cost features
  (1, multiply-adds, elements in/out), fitted on every row of the table,

plus the time the profiler does not see (residual adds, buffer rotation, dispatch), fitted on
(end-to-end - sum of ops) against (1, layers, activation elements), times a context factor.

The context factor: an op of one shape is faster inside a small network than inside a large one
(the small network's weights and state stay in the caches from frame to frame). Summed
per-op medians therefore over-predict small networks and under-predict large ones (on Zen 5 at
64 px, the table's own networks ran at 0.73x to 1.12x of that sum). The factor is a power law
``exp(a) * x**(b - 1)`` of the summed prediction x, fitted on the table's networks (log-log
least squares), held constant outside the range of x the table covers, and used only when its
exponent b is plausible (``CONTEXT_EXPONENT``).

Timing on a shared machine: every frame is timed on its own and the fastest quarter of the
frames counts (the frames no other process interrupted); op times come from those same frames.
Measurement and prediction use the same rule, so the model estimates the undisturbed latency.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from movicore import arch

TABLE_FORMAT = "movicore-latency-table"
TABLE_VERSION = 1
NETWORK_OPS = ("stem", "head", "classifier")
LAYER_OPS = ("expand", "depthwise", "temporal", "se", "skip", "project")
# Plausible exponents of the context factor (measured: 1.0-1.33); outside, no factor is used.
CONTEXT_EXPONENT = (0.5, 2.0)


def op_rows(config: arch.Config, height: int, width: int) -> list[dict[str, Any]]:
    """Every op the engine profiles for one stream step of ``config``: layer row (``"network"``
    or the layer name), op, group (what shares one fit), exact shape key and features."""
    if not config.causal:
        raise ValueError("the latency model covers causal (stream) models")
    spec = config.spec
    h, w = arch.same_out(height, 2), arch.same_out(width, 2)
    rows: list[dict[str, Any]] = []

    def add(layer: str, op: str, group: str, key: Iterable[Any], macs: int, elems_in: int,
            elems_out: int) -> None:
        rows.append({"layer": layer, "op": op, "group": group,
                     "key": "/".join(str(k) for k in (op, *key)),
                     "features": [1.0, float(macs), float(elems_in), float(elems_out)]})

    add("network", "stem", "stem", (height, width, spec.stem), h * w * 27 * spec.stem,
        height * width * 3, h * w * spec.stem)
    for lp in arch.layer_plan(config):
        e, (kt, kh, kw) = lp.expand, lp.kernel
        oh, ow = arch.same_out(h, lp.stride), arch.same_out(w, lp.stride)
        ipx, opx = h * w, oh * ow
        n = lp.name
        add(n, "expand", "expand", (ipx, lp.in_channels, e), ipx * lp.in_channels * e,
            ipx * lp.in_channels, ipx * e)
        if config.spatial_2plus1d:
            add(n, "depthwise", f"depthwise/{kh}x{kw}/s{lp.stride}",
                (h, w, e, kh, kw, lp.stride, int(kt > 1)), opx * e * kh * kw, ipx * e, opx * e)
            if kt > 1:
                add(n, "temporal", f"temporal/{kt}", (opx, e, kt), opx * e * kt, opx * e * kt,
                    opx * e)
        else:
            add(n, "depthwise", f"depthwise3d/{kt}x{kh}x{kw}/s{lp.stride}",
                (h, w, e, kt, kh, kw, lp.stride), opx * e * kt * kh * kw, ipx * e * kt, opx * e)
        if config.se_type != "none":
            add(n, "se", "se", (opx, e, lp.se_in, lp.se_hidden),
                lp.se_in * lp.se_hidden + lp.se_hidden * e, opx * e, opx * e)
        if lp.skip != "identity":
            add(n, "skip", f"skip/{lp.skip}", (ipx, opx, lp.in_channels, lp.out_channels),
                opx * lp.in_channels * lp.out_channels, ipx * lp.in_channels,
                opx * lp.out_channels)
        add(n, "project", "project", (opx, e, lp.out_channels), opx * e * lp.out_channels,
            opx * e, opx * lp.out_channels)
        h, w = oh, ow
    last = spec.blocks[-1].base
    add("network", "head", "head", (h * w, last, spec.head), h * w * last * spec.head,
        h * w * last, spec.head)
    add("network", "classifier", "classifier", (spec.head, spec.hidden, config.num_classes),
        spec.head * spec.hidden + spec.hidden * config.num_classes, spec.head,
        config.num_classes)
    return rows


def residual_features(config: arch.Config, height: int, width: int) -> list[float]:
    """Features of the unprofiled time: (1, layers, activation elements of all layers)."""
    sizes = arch.spatial_sizes(config, height, width)
    elems = sum(sizes[lp.name][0] * sizes[lp.name][1] * (lp.expand + lp.out_channels)
                for lp in arch.layer_plan(config))
    return [1.0, float(len(sizes) - 1), float(elems)]


# --------------------------------------------------------------------------- measuring

def _frames(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    return rng.integers(0, 256, (n, size, size, 3), dtype=np.uint8)


def _random_model(config: arch.Config, seed: int, workdir: str) -> Any:
    import movicore
    from movicore import modelfile
    from movicore.benchmark.models import random_model_tensors

    path = Path(workdir) / f"latency_{seed}.safetensors"
    modelfile.write_model_file(path, config, random_model_tensors(config, seed))
    model = movicore.load(path)
    path.unlink()
    return model


def measure(config: arch.Config, *, threads: int = 1, frames: int = 40, warmup: int = 4,
            fastest: float = 0.25, seed: int = 0, profile: bool = False) -> dict[str, Any]:
    """Time one stream of a random-weight ``config`` in the engine at its input size.

    Every frame is timed on its own and ``ms`` is the mean of the ``fastest`` fraction of
    frames: a frame (~0.1-10 ms) is shorter than a scheduler time slice, so on a loaded
    machine the fast frames are the undisturbed ones. With ``profile`` the profiler is on and
    ``ops`` (op key -> ms) is the mean per-op time over those same frames, so that op times and
    the end-to-end time describe the same frames.
    """
    from movicore.engine import Engine

    size = config.input_size
    rng = np.random.default_rng(seed)
    clip = _frames(rng, warmup + frames, size)
    with tempfile.TemporaryDirectory(prefix="movicore-nas-") as tmp:
        model = _random_model(config, seed, tmp)
    engine = Engine(model, threads=threads)
    engine.step(clip[:warmup])
    keys = {(r["layer"], r["op"]): f"{r['layer']}|{r['key']}"
            for r in op_rows(config, size, size)} if profile else {}
    totals: list[float] = []
    per_frame: list[dict[str, float]] = []
    for f in clip[warmup:]:
        if profile:
            engine.set_profiling(True)  # clears the previous frame's timings
        t0 = time.perf_counter()
        engine.step(f)
        totals.append(time.perf_counter() - t0)
        if profile:
            per_frame.append({keys[(p["layer"], p["op"])]: p["seconds"] * 1e3
                              for p in engine.profile()
                              if p["calls"] and (p["layer"], p["op"]) in keys})
    engine.set_profiling(False)
    n = max(1, round(fastest * len(totals)))
    chosen = np.argsort(totals)[:n]
    out: dict[str, Any] = {"ms": float(np.mean([totals[i] for i in chosen])) * 1e3}
    if profile:
        out["ops"] = {k: float(np.mean([per_frame[i].get(k, 0.0) for i in chosen]))
                      for k in keys.values()}
    return out


def profile(configs: Iterable[arch.Config], *, threads: int = 1, frames: int = 40,
            log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Build the latency table from profiled models (see module docstring)."""
    from movicore.benchmark.measure import host_info

    rows: list[dict[str, Any]] = []
    models: list[dict[str, Any]] = []
    for i, config in enumerate(configs):
        m = measure(config, threads=threads, frames=frames, seed=i, profile=True)
        size = config.input_size
        op_ms = 0.0
        for r in op_rows(config, size, size):
            ms = m["ops"].get(f"{r['layer']}|{r['key']}")
            if ms is None:
                continue
            rows.append({"group": r["group"], "key": r["key"], "features": r["features"],
                         "ms": ms})
            op_ms += ms
        models.append({"config": config.to_dict(), "ms": m["ms"], "op_ms": op_ms,
                       "residual_features": residual_features(config, size, size)})
        if log:
            log(f"profiled {i + 1}: {size}x{size}, {len(arch.layer_plan(config))} layers, "
                f"{m['ms']:.3f} ms/frame (ops {op_ms:.3f})")
    return {"format": TABLE_FORMAT, "version": TABLE_VERSION, "threads": threads,
            "host": host_info(), "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "load_average": list(os.getloadavg()), "rows": rows, "models": models}


# --------------------------------------------------------------------------- the model

def _fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least squares with a small ridge (few rows per group) on scaled features."""
    scale = np.maximum(np.abs(x).max(axis=0), 1e-12)
    xs = x / scale
    lam = 1e-6 * len(y)
    a = xs.T @ xs + lam * np.eye(xs.shape[1])
    return np.linalg.solve(a, xs.T @ y) / scale


class LatencyModel:
    """Predicted engine ms per frame of any stream config (see module docstring)."""

    def __init__(self, table: dict[str, Any]) -> None:
        if table.get("format") != TABLE_FORMAT or table.get("version") != TABLE_VERSION:
            raise ValueError(f"not a movicore latency table (format {TABLE_FORMAT} v"
                             f"{TABLE_VERSION}): format={table.get('format')!r}, "
                             f"version={table.get('version')!r}")
        if not table.get("rows") or not table.get("models"):
            raise ValueError("latency table has no measurements")
        self.table = table
        self.threads = int(table["threads"])
        exact: dict[str, list[float]] = {}
        groups: dict[str, list[tuple[list[float], float]]] = {}
        by_op: dict[str, list[tuple[list[float], float]]] = {}
        for r in table["rows"]:
            exact.setdefault(r["key"], []).append(float(r["ms"]))
            groups.setdefault(r["group"], []).append((r["features"], float(r["ms"])))
            by_op.setdefault(r["key"].split("/", 1)[0], []).append((r["features"],
                                                                     float(r["ms"])))
        self._exact = {k: float(np.median(v)) for k, v in exact.items()}
        self._group = {g: _fit(np.array([f for f, _ in v]), np.array([t for _, t in v]))
                       for g, v in groups.items()}
        self._op = {o: _fit(np.array([f for f, _ in v]), np.array([t for _, t in v]))
                    for o, v in by_op.items()}
        ms = table["models"]
        self._residual = _fit(np.array([m["residual_features"] for m in ms]),
                              np.array([m["ms"] - m["op_ms"] for m in ms]))
        self._context = (0.0, 1.0, 0.0, np.inf)  # identity until fitted
        sums = [self._sum(arch.Config.from_dict(m["config"])) for m in ms]
        if len(ms) >= 3 and min(sums) > 0 and max(sums) > min(sums):
            x, y = np.log(sums), np.log([m["ms"] for m in ms])
            b, a = np.polyfit(x, y, 1)
            if CONTEXT_EXPONENT[0] <= b <= CONTEXT_EXPONENT[1]:  # else the table is not timing
                self._context = (float(a), float(b), min(sums), max(sums))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> LatencyModel:
        try:
            table = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot read latency table {path}: {exc}") from None
        if not isinstance(table, dict):
            raise ValueError(f"latency table {path} is not a JSON object")  # noqa: TRY004
        return cls(table)

    def _op_ms(self, row: dict[str, Any]) -> float:
        if row["key"] in self._exact:
            return self._exact[row["key"]]
        coef = self._group.get(row["group"])
        if coef is None:  # a kernel/stride the table never saw: fit of all such ops
            coef = self._op.get(row["op"])
        if coef is None:
            raise ValueError(f"latency table has no {row['op']} measurements")
        return max(float(np.dot(coef, row["features"])), 0.0)

    def _sum(self, config: arch.Config, size: int | None = None) -> float:
        """Per-op times plus the unprofiled time, before the context factor."""
        s = int(size if size is not None else config.input_size)
        total = sum(self._op_ms(r) for r in op_rows(config, s, s))
        return total + max(float(np.dot(self._residual, residual_features(config, s, s))), 0.0)

    def _factor(self, x: float) -> float:
        a, b, lo, hi = self._context
        return float(np.exp(a) * min(max(x, lo), hi) ** (b - 1.0)) if x > 0 else 1.0

    def predict(self, config: arch.Config, size: int | None = None) -> float:
        """ms per (processed) frame at ``size`` x ``size`` (default: the config's size)."""
        x = self._sum(config, size)
        return x * self._factor(x)

    def breakdown(self, config: arch.Config) -> dict[str, float]:
        """ms per frame per op kind (stem, expand, ..., other), context factor included."""
        s = config.input_size
        out: dict[str, float] = {}
        for r in op_rows(config, s, s):
            out[r["op"]] = out.get(r["op"], 0.0) + self._op_ms(r)
        out["other"] = max(float(np.dot(self._residual, residual_features(config, s, s))), 0.0)
        f = self._factor(sum(out.values()))
        return {k: v * f for k, v in out.items()}
