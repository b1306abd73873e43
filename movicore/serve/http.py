"""The HTTP API (aiohttp), bound to 127.0.0.1 by default:

GET /streams, GET /streams/{id}, POST /streams {"source", "model", "id", "loop"},
DELETE /streams/{id}, GET /events (Server-Sent Events, one per prediction and status change),
GET /metrics (Prometheus text), GET /health.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from movicore.serve import metrics
from movicore.serve.server import Server

SSE_KEEPALIVE_S = 10.0


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status)


def _error(status: int, message: str) -> web.Response:
    return _json({"error": message}, status)


def make_app(server: Server) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    reg = metrics.registry(server)

    async def list_streams(request: web.Request) -> web.Response:
        return _json([s.to_json() for s in server.list()])

    async def get_stream(request: web.Request) -> web.Response:
        try:
            return _json(server.get(request.match_info["id"]).to_json())
        except KeyError:
            return _error(404, f"no stream {request.match_info['id']!r}")

    async def add_stream(request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _error(400, "body must be JSON: {\"source\": ..., \"model\": ...}")
        if not isinstance(body, dict) or not isinstance(body.get("source"), str):
            return _error(400, "body must be a JSON object with a 'source' string")
        unknown = set(body) - {"source", "model", "id", "loop"}
        if unknown:
            return _error(400, f"unknown field(s): {', '.join(sorted(unknown))}")
        try:
            stream = await asyncio.get_running_loop().run_in_executor(
                None, lambda: server.add_stream(body["source"], body.get("model"),
                                                sid=body.get("id"), loop=body.get("loop")))
        except (ValueError, OSError) as exc:
            return _error(409 if "exists" in str(exc) else 400, str(exc))
        return _json(stream.to_json(), 201)

    async def delete_stream(request: web.Request) -> web.Response:
        sid = request.match_info["id"]
        try:
            stream = await asyncio.get_running_loop().run_in_executor(
                None, server.remove_stream, sid)
        except KeyError:
            return _error(404, f"no stream {sid!r}")
        return _json(stream.to_json())

    async def events(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                           "Cache-Control": "no-cache"})
        await resp.prepare(request)
        queue = server.hub.subscribe()
        try:
            while True:
                try:
                    line = await asyncio.wait_for(queue.get(), SSE_KEEPALIVE_S)
                except asyncio.TimeoutError:
                    await resp.write(b": keep-alive\n\n")
                    continue
                kind = json.loads(line).get("event", "message")
                await resp.write(f"event: {kind}\ndata: {line}\n\n".encode())
        except ConnectionResetError:  # the client went away
            pass
        finally:
            server.hub.unsubscribe(queue)
        return resp

    async def get_metrics(request: web.Request) -> web.Response:
        body = await asyncio.get_running_loop().run_in_executor(None, metrics.render, reg)
        return web.Response(body=body, headers={"Content-Type": metrics.CONTENT_TYPE})

    async def health(request: web.Request) -> web.Response:
        return _json({"status": "ok", "streams": len(server.list()),
                      "executor": server.executor.kind,
                      "workers": server.executor.placements()})

    app.router.add_get("/streams", list_streams)
    app.router.add_post("/streams", add_stream)
    app.router.add_get("/streams/{id}", get_stream)
    app.router.add_delete("/streams/{id}", delete_stream)
    app.router.add_get("/events", events)
    app.router.add_get("/metrics", get_metrics)
    app.router.add_get("/health", health)
    return app


def parse_address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"--http must be HOST:PORT (e.g. 127.0.0.1:8080), got {text!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


async def serve_http(server: Server, address: str, stop: asyncio.Event) -> None:
    host, port = parse_address(address)
    runner = web.AppRunner(make_app(server), handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0] if runner.addresses else (host, port)
    server.hub.publish({"event": "listening", "url": f"http://{bound[0]}:{bound[1]}"})
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
