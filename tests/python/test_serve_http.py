"""``movicore serve`` as a real process on 127.0.0.1, driven through a real HTTP client
(aiohttp): list, add, events (SSE), metrics, delete, errors; and CLI errors."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from serve_helpers import write_video

from movicore.cli.main import main

aiohttp = pytest.importorskip("aiohttp")
pytest.importorskip("prometheus_client")
pytest.importorskip("av")

ROOT = Path(__file__).resolve().parents[2]


class _ServeProcess:
    def __init__(self, args: list[str]) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get(
            "PYTHONPATH", ""), OMP_NUM_THREADS="1")
        self.proc = subprocess.Popen([sys.executable, "-m", "movicore", "serve", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env=env)
        self.lines: queue.Queue[dict] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        try:
            self.url = self.expect(lambda e: e["event"] == "listening", 60)["url"]
        except BaseException:
            self.stop()
            raise

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(json.loads(line))

    def expect(self, pred, timeout: float) -> dict:
        import time

        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                e = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise AssertionError(f"serve exited: {self.proc.stderr.read()}") from None
                continue
            if pred(e):
                return e
        raise AssertionError("timed out waiting for an event")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait(timeout=10)
        self.reader.join(timeout=10)
        self.proc.stdout.close()
        self.stderr = self.proc.stderr.read()[-3000:]  # shown when the exit code is wrong
        self.proc.stderr.close()
        return rc


@pytest.fixture
def videos(tmp_path):
    return write_video(tmp_path / "door.mp4"), write_video(tmp_path / "hall.mp4", frames=12)


async def _exercise(url: str, second: Path) -> dict:
    out: dict = {}
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        async with http.get(f"{url}/streams") as r:
            assert r.status == 200
            out["initial"] = await r.json()
        async with http.post(f"{url}/streams", json={"source": str(second), "id": "hall"}) as r:
            assert r.status == 201, await r.text()
            out["added"] = await r.json()
        async with http.post(f"{url}/streams", json={"source": str(second), "id": "hall"}) as r:
            out["duplicate"] = r.status
        async with http.post(f"{url}/streams", json={"source": 3}) as r:
            out["bad_body"] = r.status
        async with http.post(f"{url}/streams", data=b"{") as r:
            out["bad_json"] = r.status
        async with http.post(f"{url}/streams",
                             json={"source": str(second), "model": "/nope.safetensors"}) as r:
            out["bad_model"] = (r.status, (await r.json())["error"])
        async with http.post(f"{url}/streams", json={"source": str(second), "loop": "false"}) as r:
            out["bad_loop"] = (r.status, (await r.json())["error"])
        predictions = []
        async with http.get(f"{url}/events") as r:
            assert r.headers["Content-Type"].startswith("text/event-stream")
            event = None
            async for raw in r.content:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "prediction":
                    predictions.append(json.loads(line[6:]))
                    if {p["stream"] for p in predictions} >= {"hall", out["initial"][0]["id"]}:
                        break
        out["predictions"] = predictions
        async with http.get(f"{url}/streams/hall") as r:
            out["hall"] = await r.json()
        async with http.get(f"{url}/metrics") as r:
            out["metrics_type"] = r.headers["Content-Type"]
            out["metrics"] = await r.text()
        async with http.delete(f"{url}/streams/hall") as r:
            out["deleted"] = r.status
        async with http.get(f"{url}/streams/hall") as r:
            out["after_delete"] = r.status
        async with http.delete(f"{url}/streams/hall") as r:
            out["delete_again"] = r.status
        async with http.get(f"{url}/streams") as r:
            out["final"] = await r.json()
    return out


def test_http_api_add_list_events_metrics_delete(videos):
    door, hall = videos
    server = _ServeProcess([str(door), "--loop", "--http", "127.0.0.1:0", "--events", "status"])
    try:
        assert server.url.startswith("http://127.0.0.1:")
        out = asyncio.run(asyncio.wait_for(_exercise(server.url, hall), 90))
    finally:
        rc = server.stop()
    assert rc == 0, server.stderr
    (first,) = out["initial"]
    assert first["source"] == str(door) and first["loop"] is True
    for key in ("id", "source", "status", "frames", "drops", "top", "latency_ms"):
        assert key in first
    assert out["added"]["id"] == "hall" and out["added"]["source"] == str(hall)
    assert out["duplicate"] == 409 and out["bad_body"] == 400 and out["bad_json"] == 400
    assert out["bad_model"][0] == 400 and "nope" in out["bad_model"][1]
    assert out["bad_loop"] == (400, "loop must be true or false, got 'false'")
    p = out["predictions"][-1]
    assert {"stream", "frame", "top", "latency_ms"} <= set(p)
    hall_json = out["hall"]
    assert hall_json["frames"] > 0 and hall_json["status"] in ("running", "finished")
    label, prob = hall_json["top"][0]
    assert isinstance(label, str) and 0 < prob <= 1
    assert hall_json["latency_ms"]["p50"] is not None
    assert hall_json["latency_ms"]["p90"] >= hall_json["latency_ms"]["p50"]
    assert out["metrics_type"].startswith("text/plain")
    m = out["metrics"]
    assert "# TYPE movicore_stream_frames_total counter" in m
    assert 'movicore_stream_frames_total{stream="hall"}' in m
    assert 'movicore_stream_dropped_frames_total{stream="hall"}' in m
    assert 'movicore_stream_latency_seconds{quantile="0.9",stream="hall"}' in m
    assert "process_resident_memory_bytes" in m
    assert out["deleted"] == 200 and out["after_delete"] == 404 and out["delete_again"] == 404
    assert [s["id"] for s in out["final"]] == [first["id"]]


def test_cli_errors_are_one_line(tmp_path, capsys):
    assert main(["serve", "--http", "nonsense"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "HOST:PORT" in err[0]
    bad = tmp_path / "c.json"
    bad.write_text("[1]")
    assert main(["serve", "--config", str(bad), "--http", "none", "--duration", "1"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "streams[0]" in err[0]
    assert main(["serve", "x.mp4", "--model", str(tmp_path / "no.safetensors"),
                 "--http", "none"]) == 1
    assert "no.safetensors" in capsys.readouterr().err
