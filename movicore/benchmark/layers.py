"""Kernel-level per-layer time estimate of one stream step (from Python).

The engine cannot be timed layer by layer from Python, so this rebuilds, for every layer of
a config, the exact kernel calls ``Engine::step`` makes for one frame (same ops, shapes,
activations and strides as ``csrc/runtime/engine.cc``: expansion GEMM, spatial depthwise
conv, causal temporal conv, SE FCs + channel scale, skip pool/projection, projection GEMM,
head GEMM + row sum, classifier) and times each through ``movicore._core._kernels``
single-threaded. It is an *estimate*: each call runs in isolation (its inputs warm in cache),
ops whose binding allocates, fills and copies its output run the kernel ``REPEAT`` times per
binding call (that work would otherwise be timed with the kernel: large outputs page-fault),
Python binding overhead is measured per op on a minimal call and subtracted, and the
engine's own glue (state ring bookkeeping, SE pooling loops) is not included. Compare the
sum with the measured engine step to see the framework overhead.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from movicore import arch

# Kernel runs per binding call, for the ops whose binding allocates and copies its output.
REPEAT = {"dwconv": 8, "tconv": 8, "scale": 8, "avgpool": 8, "conv2d": 8}


@dataclasses.dataclass
class KernelCall:
    layer: str  # "stem", "block1_layer0", "head", "classifier"
    part: str  # "expand", "dw_spatial", "tconv", "se_fc", "se_scale", "skip_pool", ...
    op: str  # kernel op: gemm, dwconv, tconv, scale, avgpool, conv2d, rowsum
    shape: str
    macs: int
    fn: Callable[[], Any]


def _selected(op: str) -> str:
    from movicore._native import core

    _core = core()

    return next(d["name"] for d in _core._kernels.list(op) if d["selected"])


class _Factory:
    """Builds bound kernel calls with random inputs (seeded)."""

    def __init__(self, seed: int = 0) -> None:
        from movicore._native import core

        _core = core()

        self.k = _core._kernels
        self.rng = np.random.default_rng(seed)
        self.names = {op: _selected(op) for op in self.k.ops()}

    def arr(self, *shape: int, scale: float = 1.0) -> np.ndarray:
        return (self.rng.standard_normal(shape, dtype=np.float32) * scale).astype(np.float32)

    def gemm(self, m: int, n: int, k: int, act: str = "identity",
             residual: bool = False) -> Callable[[], Any]:
        a = self.arr(m, k)
        packed = self.k.pack_gemm(self.arr(k, n, scale=0.1), self.arr(n))
        c = np.empty((m, n), np.float32)
        r = self.arr(m, n) if residual else None
        name, run = self.names["gemm"], self.k.run_gemm_strided
        return lambda: run(name, m, n, k, a, k, packed, c, n, r, n if residual else 0, act)

    def dwconv(self, h: int, w: int, c: int, kh: int, kw: int, stride: int, act: str,
               want_sum: bool) -> Callable[[], Any]:
        oh, ow = arch.same_out(h, stride), arch.same_out(w, stride)
        pt, pl = arch.same_pads(h, kh, stride)[0], arch.same_pads(w, kw, stride)[0]
        frames = [self.arr(h, w, c)]
        wt, b = self.arr(1, kh, kw, c, scale=0.2), self.arr(c)
        name, run = self.names["dwconv"], self.k.run_dwconv
        reps = REPEAT["dwconv"]
        return lambda: run(name, frames, wt, b, stride, pt, pl, oh, ow, act, 0, -1, want_sum,
                           reps)

    def tconv(self, px: int, c: int, kt: int, act: str) -> Callable[[], Any]:
        frames = [self.arr(px, c) for _ in range(kt)]
        wt, b = self.arr(kt, c, scale=0.3), self.arr(c)
        name, run = self.names["tconv"], self.k.run_tconv
        return lambda: run(name, frames, wt, b, act, True, REPEAT["tconv"])

    def scale(self, px: int, c: int) -> Callable[[], Any]:
        x, s = self.arr(px, c), self.arr(c)
        name, run = self.names["scale"], self.k.run_scale
        return lambda: run(name, x, s, False, REPEAT["scale"])

    def avgpool(self, h: int, w: int, c: int, stride: int) -> Callable[[], Any]:
        oh, ow = arch.same_out(h, stride), arch.same_out(w, stride)
        pt, pl = arch.same_pads(h, 3, stride)[0], arch.same_pads(w, 3, stride)[0]
        x = self.arr(h, w, c)
        name, run = self.names["avgpool"], self.k.run_avgpool
        return lambda: run(name, x, 3, 3, stride, pt, pl, oh, ow, 0, -1, REPEAT["avgpool"])

    def conv2d(self, h: int, w: int, cin: int, cout: int, stride: int,
               act: str) -> Callable[[], Any]:
        oh, ow = arch.same_out(h, stride), arch.same_out(w, stride)
        pt, pl = arch.same_pads(h, 3, stride)[0], arch.same_pads(w, 3, stride)[0]
        x, wt, b = self.arr(h, w, cin), self.arr(3, 3, cin, cout, scale=0.2), self.arr(cout)
        name, run = self.names["conv2d"], self.k.run_conv2d
        return lambda: run(name, x, wt, b, stride, pt, pl, oh, ow, act, 0, -1, REPEAT["conv2d"])

    def rowsum(self, px: int, c: int) -> Callable[[], Any]:
        x = self.arr(px, c)
        name, run = self.names["rowsum"], self.k.run_rowsum
        return lambda: run(name, x)


def kernel_calls(config: arch.Config, height: int, width: int, seed: int = 0
                 ) -> list[KernelCall]:
    """The kernel calls of one causal stream step, in execution order."""
    if not config.causal:
        raise ValueError("kernel_calls models the causal stream step; got a base model")
    f = _Factory(seed)
    act, gate = config.activation, config.gate
    spec = config.spec
    calls: list[KernelCall] = []

    def add(layer: str, part: str, op: str, shape: str, macs: int,
            fn: Callable[[], Any]) -> None:
        calls.append(KernelCall(layer, part, op, shape, macs, fn))

    sh, sw = arch.same_out(height, 2), arch.same_out(width, 2)
    add("stem", "conv3x3", "conv2d", f"{height}x{width}x3->{spec.stem}", sh * sw * 27 * spec.stem,
        f.conv2d(height, width, 3, spec.stem, 2, act))
    h, w = sh, sw
    for lp in arch.layer_plan(config):
        e, (kt, kh, kw) = lp.expand, lp.kernel
        oh, ow = arch.same_out(h, lp.stride), arch.same_out(w, lp.stride)
        ipx, opx = h * w, oh * ow
        name = lp.name
        add(name, "expand", "gemm", f"{ipx}x{lp.in_channels}->{e}", ipx * lp.in_channels * e,
            f.gemm(ipx, e, lp.in_channels, act))
        temporal = kt > 1
        if config.spatial_2plus1d:
            add(name, "dw_spatial", "dwconv", f"{h}x{w}x{e} {kh}x{kw}/s{lp.stride}",
                opx * e * kh * kw, f.dwconv(h, w, e, kh, kw, lp.stride, act, not temporal))
            if temporal:
                add(name, "tconv", "tconv", f"{opx}x{e} kt={kt}", opx * e * kt,
                    f.tconv(opx, e, kt, act))
        else:
            raise ValueError("kernel_calls supports (2+1)D stream models (conv_type 2plus1d)")
        if config.se_type != "none":
            add(name, "se_fc", "gemm", f"1x{lp.se_in}->{lp.se_hidden}->{e}",
                lp.se_in * lp.se_hidden + lp.se_hidden * e, _chain(
                    f.gemm(1, lp.se_hidden, lp.se_in, act), f.gemm(1, e, lp.se_hidden, gate)))
            add(name, "se_scale", "scale", f"{opx}x{e}", 0, f.scale(opx, e))
        if lp.skip == "pool_project":
            add(name, "skip_pool", "avgpool", f"{h}x{w}x{lp.in_channels}/s{lp.stride}", 0,
                f.avgpool(h, w, lp.in_channels, lp.stride))
        if lp.skip != "identity":
            add(name, "skip_proj", "gemm", f"{opx}x{lp.in_channels}->{lp.out_channels}",
                opx * lp.in_channels * lp.out_channels,
                f.gemm(opx, lp.out_channels, lp.in_channels))
        add(name, "project", "gemm", f"{opx}x{e}->{lp.out_channels}", opx * e * lp.out_channels,
            f.gemm(opx, lp.out_channels, e, residual=True))
        h, w = oh, ow
    last = spec.blocks[-1].base
    add("head", "conv1x1", "gemm", f"{h * w}x{last}->{spec.head}", h * w * last * spec.head,
        f.gemm(h * w, spec.head, last, act))
    add("head", "pool_rowsum", "rowsum", f"{h * w}x{spec.head}", 0, f.rowsum(h * w, spec.head))
    add("classifier", "fc", "gemm", f"1x{spec.head}->{spec.hidden}->{config.num_classes}",
        spec.head * spec.hidden + spec.hidden * config.num_classes,
        _chain(f.gemm(1, spec.hidden, spec.head, config.classifier_activation),
               f.gemm(1, config.num_classes, spec.hidden)))
    return calls


def _chain(*fns: Callable[[], Any]) -> Callable[[], Any]:
    def run() -> None:
        for fn in fns:
            fn()
    return run


def _time(fn: Callable[[], Any], samples: int) -> float:
    """Best (minimum) seconds per call over ``samples`` batches of calls (each batch >= ~50
    us): on a shared machine the minimum is the least disturbed estimate."""
    fn()
    t0 = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t0, 1e-7)
    batch = max(1, min(200, int(5e-5 / one)))
    out = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(batch):
            fn()
        out.append((time.perf_counter() - t0) / batch)
    return float(np.min(out))


def binding_overhead(samples: int = 30, seed: int = 0) -> dict[str, float]:
    """Seconds per call of each op's Python binding on a minimal problem (~pure overhead)."""
    f = _Factory(seed)
    minimal = {
        "gemm": f.gemm(1, 1, 1), "dwconv": f.dwconv(1, 1, 8, 1, 1, 1, "identity", False),
        "tconv": f.tconv(1, 8, 2, "identity"), "scale": f.scale(1, 8),
        "avgpool": f.avgpool(2, 2, 8, 2), "conv2d": f.conv2d(2, 2, 3, 8, 2, "identity"),
        "rowsum": f.rowsum(1, 8),
    }
    return {op: _time(fn, samples) / REPEAT.get(op, 1) for op, fn in minimal.items()}


def breakdown(config: arch.Config, height: int, width: int, samples: int = 30,
              seed: int = 0) -> dict[str, Any]:
    """Per-call and per-layer times (single thread), overhead-corrected; JSON-able."""
    calls = kernel_calls(config, height, width, seed)
    over = binding_overhead(samples, seed)
    rows = []
    for c in calls:
        raw = _time(c.fn, samples) / REPEAT.get(c.op, 1)
        n_calls = 2 if c.part in ("se_fc", "fc") else 1
        est = max(raw - n_calls * over[c.op], 0.0)
        rows.append({"layer": c.layer, "part": c.part, "op": c.op, "shape": c.shape,
                     "macs": c.macs, "raw_us": raw * 1e6, "est_us": est * 1e6,
                     "gflops": 2 * c.macs / est / 1e9 if est > 0 and c.macs else None})
    layers: dict[str, dict[str, float]] = {}
    for r in rows:
        d = layers.setdefault(r["layer"], {"est_us": 0.0, "macs": 0})
        d["est_us"] += r["est_us"]
        d["macs"] += r["macs"]
    parts: dict[str, float] = {}
    for r in rows:
        parts[r["part"]] = parts.get(r["part"], 0.0) + r["est_us"]
    return {"model_id": config.model_id, "height": height, "width": width,
            "binding_overhead_us": {k: v * 1e6 for k, v in over.items()},
            "calls": rows, "layers": layers, "parts": parts,
            "total_est_ms": sum(r["est_us"] for r in rows) / 1e3,
            "total_raw_ms": sum(r["raw_us"] for r in rows) / 1e3}


def format_breakdown(b: dict[str, Any], top: int = 10) -> str:
    lines = [(f"kernel-level estimate, {b['model_id']} @{b['height']}x{b['width']}, 1 thread: "
              f"sum {b['total_est_ms']:.2f} ms (raw incl. binding overhead "
              f"{b['total_raw_ms']:.2f} ms)"), "",
             f"top {top} kernel calls:",
             f"{'layer':<15} {'part':<11} {'shape':<28} {'us':>8} {'GFLOP/s':>8} {'share':>6}"]
    total = b["total_est_ms"] * 1e3
    for r in sorted(b["calls"], key=lambda r: -r["est_us"])[:top]:
        g = f"{r['gflops']:.1f}" if r["gflops"] else "-"
        lines.append(f"{r['layer']:<15} {r['part']:<11} {r['shape']:<28} {r['est_us']:>8.1f} "
                     f"{g:>8} {100 * r['est_us'] / total:>5.1f}%")
    lines += ["", "by part:"]
    for part, us in sorted(b["parts"].items(), key=lambda kv: -kv[1]):
        lines.append(f"  {part:<12} {us:>8.1f} us {100 * us / total:>5.1f}%")
    lines += ["", "by layer:"]
    for layer, d in b["layers"].items():
        g = 2 * d["macs"] / (d["est_us"] * 1e-6) / 1e9 if d["est_us"] else 0.0
        lines.append(f"  {layer:<15} {d['est_us']:>8.1f} us {100 * d['est_us'] / total:>5.1f}%"
                     f"  {d['macs'] / 1e6:>6.2f} M MACs {g:>6.1f} GFLOP/s")
    return "\n".join(lines)
