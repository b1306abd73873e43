"""``movicore serve``: run many video streams with an HTTP API, events and snapshots."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from typing import Any

COMMAND = "serve"
HELP = "serve many video streams: HTTP API, JSON-lines events, snapshots, Ray scale-out"
DESCRIPTION = """\
Run every SOURCE (file, http(s)/rtsp URL, /dev/videoN) through a stream model, each sampled
at the model's frame rate, with one decode thread per source and inference workers that carry
whole streams. Predictions and status changes are printed as JSON lines and served over HTTP
(127.0.0.1 by default):

  GET /streams            list: id, source, status, frames, drops, top, latency_ms p50/p90
  GET /streams/ID         one stream
  POST /streams           {"source": ..., "model": ..., "id": ..., "loop": ...} -> the stream
  DELETE /streams/ID      stop a stream
  GET /events             Server-Sent Events, one per prediction / status change
  GET /metrics            Prometheus text format

Each stream has a bounded queue: when inference falls behind, the oldest frames are dropped
and counted. A source that fails (or a live one that ends) is reopened with exponential
backoff. With --snapshot-dir each stream's state is saved atomically every few seconds and
on exit, and a restarted server resumes every stream from it (also streams added over the
API). With --ray the streams run on Ray actors; when one dies its streams move to a live
actor and resume from their latest snapshot.

examples:
  movicore serve cam1.mp4 cam2.mp4 --model a0_stream.safetensors --loop
  movicore serve --config cameras.json --snapshot-dir snaps --http 127.0.0.1:8080
  movicore serve rtsp://10.0.0.5/stream --model m.safetensors --ray auto
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("sources", nargs="*", metavar="SOURCE", help="video file, URL or webcam")
    p.add_argument("--model", default=None, metavar="M",
                   help="stream model file for the sources (default: the embedded demo model)")
    p.add_argument("--config", default=None, metavar="FILE.json",
                   help='sources file: {"model": ..., "loop": ..., "streams": [{"source": ..., '
                        '"id": ..., "model": ..., "loop": ...}]}')
    p.add_argument("--http", default="127.0.0.1:8080", metavar="HOST:PORT",
                   help="API address (default 127.0.0.1:8080; port 0 picks one; 'none': no API)")
    p.add_argument("--loop", action="store_true", help="replay files at their end")
    p.add_argument("--no-pace", action="store_true",
                   help="read files as fast as inference takes them (lossless) instead of at "
                        "their frame times")
    p.add_argument("--queue", type=int, default=8, help="frames queued per stream (default 8)")
    p.add_argument("--workers", type=int, default=0,
                   help="inference threads (default: one per core)")
    p.add_argument("--snapshot-dir", default=None, metavar="DIR",
                   help="save stream states here and resume from them on restart")
    p.add_argument("--snapshot-every", type=float, default=5.0, metavar="S",
                   help="seconds between snapshots of a stream (default 5)")
    p.add_argument("--ray", default=None, metavar="ADDRESS|auto",
                   help="run inference on Ray actors: a cluster address, auto (the running "
                        "cluster) or local (start one here); extra 'ray'")
    p.add_argument("--ray-actors", type=int, default=0,
                   help="Ray actors (default: one per cluster CPU)")
    p.add_argument("--events", choices=("all", "status", "none"), default="all",
                   help="JSON lines on stdout: every event (default), no predictions, none")
    p.add_argument("--duration", type=float, default=0.0, metavar="S",
                   help="stop after S seconds (default: run until interrupted)")


def _options(args: argparse.Namespace, model: str | None) -> Any:
    from movicore.serve.server import ServeOptions

    return ServeOptions(model=model, loop=args.loop, pace=not args.no_pace, queue=args.queue,
                        workers=args.workers, snapshot_dir=args.snapshot_dir,
                        snapshot_every=args.snapshot_every, ray=args.ray,
                        ray_actors=args.ray_actors)


def run(args: argparse.Namespace) -> int:
    from movicore.extras import require

    require("aiohttp", "serve", "the HTTP API")
    require("prometheus_client", "serve", "the /metrics endpoint")
    # every source is decoded with PyAV: refuse now, not stream by stream
    require("av", "video", "decoding the sources", "PyAV")
    from movicore.serve.events import EventHub
    from movicore.serve.server import Server, read_config

    specs: list[dict[str, Any]] = [{"source": s} for s in args.sources]
    model = args.model
    loop_default = args.loop
    if args.config:
        defaults, more = read_config(args.config)
        model = model or defaults.get("model")
        loop_default = loop_default or bool(defaults.get("loop", False))
        specs += more
    if model is None and not any(s.get("model") for s in specs):
        from movicore.assets import demo_model_path

        model = str(demo_model_path())
    if args.http != "none":
        from movicore.serve.http import parse_address

        parse_address(args.http)
    if args.duration < 0:
        raise ValueError(f"--duration must be >= 0, got {args.duration}")
    args.loop = loop_default
    server = Server(_options(args, model), EventHub(args.events))
    server.start()
    try:
        for s in specs:
            server.add_stream(s["source"], s.get("model"), sid=s.get("id"),
                              loop=s.get("loop"))
        server.resume_snapshots()
        asyncio.run(_main(server, args))
    finally:
        server.stop()
    return 0


async def _main(server: Any, args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not main thread
            loop.add_signal_handler(sig, stop.set)
    if args.duration:
        loop.call_later(args.duration, stop.set)
    if args.http == "none":
        await stop.wait()
        return
    from movicore.serve.http import serve_http

    try:
        await serve_http(server, args.http, stop)
    except OSError as exc:
        print(f"movicore serve: error: cannot listen on {args.http}: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
