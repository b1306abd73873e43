"""Timing statistics, resident-memory probes and host/version facts for benchmark reports."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import resource
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

# Theoretical fp32 peak of one AVX2/FMA core: 2 FMA pipes x 8 lanes x 2 flop x ~3 GHz
# (Zen 3 / Skylake class) = 96 GFLOP/s. Override with --peak-gflops (per core).
DEFAULT_PEAK_GFLOPS_PER_CORE = 96.0
PEAK_DERIVATION = ("2 FMA pipes x 8 fp32 lanes x 2 flop/FMA x 3.0 GHz = 96 GFLOP/s per core "
                   "(AVX2/FMA), times threads")

VERSION_PACKAGES = {"numpy": "numpy", "torch": "torch", "onnxruntime": "onnxruntime",
                    "onnx": "onnx", "litert": "ai-edge-litert"}


def stats_ms(seconds: Sequence[float]) -> dict[str, float]:
    """Per-frame times (s) -> median, p90, mean, min, max in milliseconds."""
    a = np.asarray(seconds, dtype=np.float64) * 1e3
    if a.size == 0:
        raise ValueError("no timings")
    return {"median": float(np.median(a)), "p90": float(np.percentile(a, 90)),
            "mean": float(a.mean()), "min": float(a.min()), "max": float(a.max()),
            "n": int(a.size)}


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) to the current RSS (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        return True
    except OSError:
        return False


def rss_mib() -> float:
    """Current resident set size in MiB."""
    kib = _status_kib("VmRSS")
    if kib is None:  # not Linux: best effort via getrusage (already a peak)
        return peak_rss_mib()
    return kib / 1024.0


def peak_rss_mib() -> float:
    """Peak resident set size (since start or the last :func:`reset_peak_rss`) in MiB."""
    kib = _status_kib("VmHWM")
    if kib is None:
        r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return r / 1024.0 / (1024.0 if sys.platform == "darwin" else 1.0)
    return kib / 1024.0


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def host_info() -> dict[str, Any]:
    """CPU model, core count and the ISA movicore dispatches to."""
    from movicore import cpu_info

    info = cpu_info()
    return {"cpu_model": cpu_model(), "logical_cpus": os.cpu_count(),
            "affinity_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else os.cpu_count(),
            "isa": info.get("isa"), "features": info.get("features"),
            "compiler": info.get("compiler"), "build_type": info.get("build_type"),
            "platform": platform.platform(), "python": platform.python_version()}


def versions() -> dict[str, str | None]:
    """Installed versions (from package metadata: nothing heavy is imported)."""
    from movicore import __version__

    out: dict[str, str | None] = {"movicore": __version__}
    for key, dist in VERSION_PACKAGES.items():
        try:
            out[key] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[key] = None
    return out


def measure_peak_gflops(seconds: float = 0.3) -> float:
    """Achieved single-core GFLOP/s of movicore's GEMM micro-kernel on a cache-resident
    shape: a practical ceiling, below the theoretical peak."""
    import time

    from movicore._native import core

    

    _core = core()

    k = _core._kernels
    name = next(d["name"] for d in k.list("gemm") if d["selected"])
    m, n, kk = 192, 128, 256
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, kk), dtype=np.float32)
    packed = k.pack_gemm(rng.standard_normal((kk, n), dtype=np.float32), None)
    c = np.empty((m, n), np.float32)
    best = float("inf")
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        for _ in range(20):
            k.run_gemm_strided(name, m, n, kk, a, kk, packed, c, n)
        best = min(best, (time.perf_counter() - t0) / 20)
    return 2.0 * m * n * kk / best / 1e9
