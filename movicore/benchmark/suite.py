"""Orchestration: prepare artefacts, run every (engine, threads, repeat) in a fresh
subprocess, summarise into one JSON-able report."""

from __future__ import annotations

import dataclasses
import datetime
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np

from movicore import arch
from movicore.benchmark import measure
from movicore.benchmark.models import is_ensemble, macs_per_input_frame, resolve_model
from movicore.benchmark.worker import RESULT_PREFIX, measure_job
from movicore.extras import install_hint

ENGINES = ("movicore", "int8", "torch", "onnxruntime", "litert", "openvino", "executorch")
SCHEMA = "movicore-bench/1"


@dataclasses.dataclass
class BenchSettings:
    model: str
    threads: tuple[int, ...] = (1,)
    frames: int = 200
    warmup: int = 20
    size: int | None = None
    against: tuple[str, ...] = ()
    tflite: str | None = None
    onnx: str | None = None
    repeat: int = 1
    seed: int = 0
    peak_gflops: float | None = None  # per core; None = default (or measured)
    measure_peak: bool = False
    streams: tuple[int, ...] = ()
    stream_frames: int = 30
    stream_modes: tuple[str, ...] = ("sequential", "threads", "many")
    subprocess: bool = True
    timeout_s: float = 1800.0

    def check(self) -> None:
        if not self.threads or any(t < 1 for t in self.threads):
            raise ValueError(f"threads must be >= 1, got {self.threads}")
        if self.frames < 1 or self.warmup < 0 or self.repeat < 1:
            raise ValueError(f"need frames >= 1, warmup >= 0, repeat >= 1; got frames="
                             f"{self.frames}, warmup={self.warmup}, repeat={self.repeat}")
        unknown = [e for e in self.against if e not in ENGINES[1:]]
        if unknown:
            raise ValueError(f"--against: unknown engine(s) {unknown}; choose from "
                             f"{', '.join(ENGINES[1:])}")
        if self.size is not None and not 32 <= self.size <= 1024:
            raise ValueError(f"size must be in [32, 1024], got {self.size}")
        if any(n < 1 for n in self.streams):
            raise ValueError(f"streams must be >= 1, got {self.streams}")
        from movicore.benchmark.streams import MODES

        bad = [m for m in self.stream_modes if m not in MODES]
        if bad or not self.stream_modes:
            raise ValueError(f"--stream-modes: unknown mode(s) {bad}; choose from "
                             f"{', '.join(MODES)}")


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _availability(engine: str, s: BenchSettings, config: arch.Config, size: int) -> str | None:
    """None if ``engine`` can run, else why not."""
    if engine == "int8" and not config.causal:
        return "int8 is benchmarked on stream (causal) models"
    if engine == "torch" and not _has("torch"):
        return f"torch is not installed ({install_hint('torch')})"
    if engine == "onnxruntime":
        if not _has("onnxruntime"):
            return f"onnxruntime is not installed ({install_hint('bench')})"
        if s.onnx is None and not (_has("torch") and _has("onnx")):
            return "exporting the ONNX model needs torch and onnx"
    if engine == "openvino":
        if not _has("openvino"):
            return "openvino is not installed (pip install 'movicore[bench]')"
        if s.onnx is None and not (_has("torch") and _has("onnx")):
            return "exporting the ONNX model needs torch and onnx"
    if engine == "executorch":
        if not config.causal:
            return "executorch runs the one-frame stream step (causal models)"
        if not (_has("executorch") and _has("torch")):
            return "executorch is not installed (pip install executorch==1.5.1, torch==2.13.0)"
    if engine == "litert":
        if s.tflite is None:
            return "no --tflite model given"
        if not _has("ai_edge_litert"):
            return f"ai-edge-litert is not installed ({install_hint('bench')})"
        # The runner checks the image input shape and that every state input has an output;
        # that the .tflite is the same architecture as MODEL is the caller's statement.
    return None


def _stream_mode_availability(mode: str) -> str | None:
    """None if stream mode ``mode`` can run, else why not."""
    if mode == "serve" and not _has("av"):
        return f"the serve pipeline decodes video with PyAV ({install_hint('video')})"
    return None


def _export_onnx(model_path: Path, config: arch.Config, size: int, out: Path) -> Path:
    from movicore.reference import from_file
    from movicore.reference.onnx_export import export_stream_onnx

    return export_stream_onnx(from_file(model_path), out, height=size, width=size)


def _export_executorch(model_path: Path, size: int, out: Path) -> tuple[str, list[list[int]]]:
    from movicore.reference import from_file
    from movicore.reference.executorch_export import export_executorch
    from movicore.reference.frame_step import FrameStep

    step = FrameStep(from_file(model_path).eval(), size, size).eval()
    return str(export_executorch(step, out)), [list(t) for t in step.state_shapes]


def _spawn(job: dict[str, Any], workdir: Path, timeout: float) -> dict[str, Any]:
    path = workdir / "job.json"
    path.write_text(json.dumps(job), encoding="utf-8")
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    proc = subprocess.run([sys.executable, "-m", "movicore.benchmark.worker", str(path)],
                          capture_output=True, text=True, timeout=timeout, env=env,
                          check=False)
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX):])
    tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
    return {"status": "error", "reason": f"worker exit {proc.returncode}: {tail}"}


def _run_job(job: dict[str, Any], s: BenchSettings, workdir: Path) -> dict[str, Any]:
    if s.subprocess:
        return _spawn(job, workdir, s.timeout_s)
    try:
        if job.get("kind") == "streams":
            from movicore.benchmark.streams import measure_streams

            return measure_streams(job)
        return measure_job(job)
    except Exception as exc:  # noqa: BLE001 - a peer failing must not lose the other results
        return {"status": "error", "reason": f"{type(exc).__name__}: {exc}"}


def _spread(values: list[float]) -> dict[str, float]:
    a = np.asarray(values, dtype=np.float64)
    return {"median": float(np.median(a)), "min": float(a.min()), "max": float(a.max())}


def _summarise(runs: list[dict[str, Any]], macs: int, peak_total: float) -> dict[str, Any]:
    ok = [r for r in runs if r.get("status") == "ok"]
    if not ok:
        return {"status": "error", "reason": runs[-1].get("reason", "failed")}
    med = _spread([r["ms_per_frame"]["median"] for r in ok])
    p90 = _spread([r["ms_per_frame"]["p90"] for r in ok])
    incs = [r["rss"]["increment_mib"] for r in ok if r["rss"]["increment_mib"] is not None]
    gflops = 2.0 * macs / (med["median"] * 1e-3) / 1e9
    return {
        "status": "ok", "repeats": len(ok),
        "median_ms": med, "p90_ms": p90,
        "fps": 1e3 / med["median"],
        "gflops": gflops,
        "floor_pct": 100.0 * gflops / peak_total,
        "floor_ms": 2.0 * macs / (peak_total * 1e9) * 1e3,
        "rss_increment_mib": _spread(incs) if incs else None,
        "state_bytes": ok[0]["state_bytes"],
        "setup_s": _spread([r["setup_s"] for r in ok]),
        "logits_finite": all(r["logits_finite"] for r in ok),
        "version": ok[0]["version"],
    }


def run(s: BenchSettings, log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run the benchmark described by ``s``; returns the report (see docs/benchmarks.md)."""
    s.check()
    log = log or (lambda msg: None)
    with tempfile.TemporaryDirectory(prefix="movicore-bench-") as tmp:
        workdir = Path(tmp)
        model_path, config, source = resolve_model(s.model, workdir, seed=s.seed)
        size = s.size or config.input_size
        macs = macs_per_input_frame(model_path, config, size)
        per_core = s.peak_gflops or DEFAULT_PEAK
        peak_source = "given" if s.peak_gflops else measure.PEAK_DERIVATION
        if s.measure_peak:
            per_core = measure.measure_peak_gflops()
            peak_source = "measured: movicore GEMM micro-kernel, cache-resident 192x128x256"
        engines = ["movicore", *[e for e in ENGINES[1:] if e in s.against]]
        skipped = {e: _availability(e, s, config, size) for e in engines}
        if is_ensemble(model_path):
            skipped.update(dict.fromkeys(engines[1:], "ensemble files run on movicore only"))
        onnx_path = s.onnx
        int8_path = None
        if "int8" in engines and skipped["int8"] is None:
            from movicore.modelfile import read_model_file
            from movicore.quant.quantize import quantize

            if read_model_file(model_path).quant is not None:  # MODEL is already int8
                skipped["int8"] = "MODEL is already an int8 file (it is the movicore row)"
            else:
                log("quantizing to int8 (movicore.quantize, dynamic) ...")
                int8_path = str(workdir / "model_int8.safetensors")
                quantize(model_path, int8_path, report=False)
        needs_onnx = [e for e in ("onnxruntime", "openvino") if e in engines and not skipped[e]]
        if needs_onnx and onnx_path is None:
            log(f"exporting {config.model_id} @{size} to ONNX ...")
            onnx_path = str(_export_onnx(model_path, config, size, workdir / "model.onnx"))
        pte_path, pte_state = None, None
        if "executorch" in engines and not skipped["executorch"]:
            log(f"exporting {config.model_id} @{size} to ExecuTorch (XNNPACK) ...")
            pte_path, pte_state = _export_executorch(model_path, size, workdir / "model.pte")
        results: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for rep in range(s.repeat):
            for threads in s.threads:
                for engine in engines:
                    if skipped[engine]:
                        continue
                    job = {"engine": engine, "model_path": str(model_path),
                           "config": config.to_dict(), "height": size, "width": size,
                           "threads": threads, "frames": s.frames, "warmup": s.warmup,
                           "seed": s.seed, "onnx_path": onnx_path, "tflite_path": s.tflite,
                           "int8_path": int8_path, "executorch_path": pte_path,
                           "executorch_state_shapes": pte_state}
                    r = _run_job(job, s, workdir)
                    results.setdefault((engine, threads), []).append(r)
                    msg = (f"{r['ms_per_frame']['median']:.2f} ms/frame" if r["status"] == "ok"
                           else r.get("reason", "failed"))
                    log(f"[{rep + 1}/{s.repeat}] {engine} threads={threads}: {msg}")
        summary = []
        for threads in s.threads:
            for engine in engines:
                row: dict[str, Any] = {"engine": engine, "threads": threads}
                if skipped[engine]:
                    row.update(status="skipped", reason=skipped[engine])
                else:
                    runs = results[(engine, threads)]
                    row.update(_summarise(runs, macs, per_core * threads))
                    row["runs"] = runs
                summary.append(row)
        _add_ratios(summary)
        streams = []
        # one stream-parallel Engine carries a single model: no 'many' row for ensembles
        modes = [m for m in s.stream_modes if m != "many" or not is_ensemble(model_path)]
        for n in s.streams:
            for mode in modes:
                why = _stream_mode_availability(mode)
                if why:
                    streams.append({"streams": n, "mode": mode, "status": "skipped",
                                    "reason": why})
                    log(f"streams N={n} {mode}: skipped: {why}")
                    continue
                vals = []
                for _ in range(s.repeat):
                    job = {"kind": "streams", "model_path": str(model_path), "height": size,
                           "width": size, "streams": n, "mode": mode,
                           "frames": s.stream_frames, "warmup": max(2, s.warmup // 4),
                           "seed": s.seed}
                    vals.append(_run_job(job, s, workdir))
                ok = [v for v in vals if v.get("status") == "ok"]
                entry: dict[str, Any] = {"streams": n, "mode": mode, "runs": vals}
                if ok:
                    entry.update(status="ok",
                                 fps_per_core=_spread([v["fps_per_core"] for v in ok]),
                                 fps_total=_spread([v["fps_total"] for v in ok]),
                                 cores_used=ok[0]["cores_used"],
                                 cpu_ms_per_frame=_spread([v["cpu_ms_per_frame"] for v in ok]),
                                 state_bytes_total=ok[0]["state_bytes_total"])
                    log(f"streams N={n} {mode}: {entry['fps_per_core']['median']:.1f} "
                        f"frames/s per core")
                else:
                    entry.update(status="error", reason=vals[-1].get("reason"))
                streams.append(entry)
    return {
        "schema": SCHEMA,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "host": measure.host_info(),
        "versions": measure.versions(),
        "model": {"spec": s.model, "source": source, "model_id": config.model_id,
                  "config": config.to_dict(), "height": size, "width": size,
                  "macs_per_frame": macs, "state_tensors": len(arch.state_shapes(
                      config, 1, size, size))},
        "settings": {"threads": list(s.threads), "frames": s.frames, "warmup": s.warmup,
                     "repeat": s.repeat, "seed": s.seed, "subprocess": s.subprocess,
                     "peak_gflops_per_core": per_core, "peak_source": peak_source,
                     "tflite": s.tflite, "against": list(s.against)},
        "results": summary,
        "streams": streams,
    }


DEFAULT_PEAK = measure.DEFAULT_PEAK_GFLOPS_PER_CORE


def _add_ratios(summary: list[dict[str, Any]]) -> None:
    """movicore time / peer time at the same thread count (< 1: movicore is faster)."""
    for row in summary:
        if row["engine"] != "movicore" or row.get("status") != "ok":
            continue
        ratios = {}
        for peer in summary:
            if (peer["engine"] != "movicore" and peer["threads"] == row["threads"]
                    and peer.get("status") == "ok"):
                ratios[peer["engine"]] = row["median_ms"]["median"] / peer["median_ms"]["median"]
        row["time_ratio_vs"] = ratios
