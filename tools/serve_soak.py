#!/usr/bin/env python3
"""Soak test of `movicore serve`: N looping video files for M minutes; samples the server's
RSS and its /streams totals every S seconds and prints one JSON line per sample.

  PYTHONPATH=. python tools/serve_soak.py --streams 8 --minutes 30 --model a0 > soak.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--streams", type=int, default=8)
    p.add_argument("--minutes", type=float, default=30)
    p.add_argument("--every", type=float, default=30, help="seconds between samples")
    p.add_argument("--model", default="a0", help="model file or id (random weights)")
    p.add_argument("--port", type=int, default=18712)
    args = p.parse_args()
    from movicore.benchmark.models import resolve_model
    from movicore.serve.bench import write_video

    with tempfile.TemporaryDirectory(prefix="movicore-soak-") as tmp:
        model, _, source = resolve_model(args.model, tmp)
        videos = [str(write_video(Path(tmp) / f"cam{i}.mp4", frames=50, size=(320, 240),
                                  fps=10, seed=i)) for i in range(args.streams)]
        cmd = [sys.executable, "-m", "movicore", "serve", *videos, "--model", str(model),
               "--loop", "--http", f"127.0.0.1:{args.port}", "--events", "none",
               "--snapshot-dir", str(Path(tmp) / "snaps")]
        proc = subprocess.Popen(cmd, env=dict(os.environ, OMP_NUM_THREADS="1"))
        print(json.dumps({"model": source, "streams": args.streams, "cmd": cmd}), flush=True)
        t0 = time.monotonic()
        try:
            while time.monotonic() - t0 < args.minutes * 60 and proc.poll() is None:
                time.sleep(args.every)
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/streams",
                                                timeout=10) as r:
                        streams = json.load(r)
                except OSError as exc:
                    streams = [{"error": str(exc)}]
                print(json.dumps({
                    "t_s": round(time.monotonic() - t0), "rss_mib": round(rss_mib(proc.pid), 1),
                    "frames": sum(s.get("frames", 0) for s in streams),
                    "drops": sum(s.get("drops", 0) for s in streams),
                    "running": sum(s.get("status") == "running" for s in streams),
                    "p90_ms": max((s.get("latency_ms", {}).get("p90") or 0) for s in streams),
                    "load1": os.getloadavg()[0]}), flush=True)
        finally:
            proc.send_signal(signal.SIGTERM)
            rc = proc.wait(timeout=60)
    return rc


if __name__ == "__main__":
    sys.exit(main())
