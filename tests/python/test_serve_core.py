"""The server core without HTTP: bounded queues and drops, snapshot -> restart -> resume,
reconnect after the source server goes away, config files."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from serve_helpers import frame_source, wait_for, write_video

import movicore
from movicore.assets import demo_model_path
from movicore.serve import snapshots
from movicore.serve.frames import Frame, FrameQueue
from movicore.serve.server import ServeOptions, Server, read_config

pytest.importorskip("av")


def _frame(seq: int) -> Frame:
    return Frame(seq, 0.1 * seq, np.zeros((2, 2, 3), np.uint8), time.monotonic())


def test_frame_queue_drops_oldest_and_counts():
    q = FrameQueue(3)
    for i in range(10):
        assert q.put(_frame(i))
    assert len(q) == 3 and q.dropped == 7 and q.pushed == 10
    assert [q.get_nowait().seq for _ in range(3)] == [7, 8, 9]
    assert q.get_nowait() is None
    q.close()
    assert not q.put(_frame(11))
    with pytest.raises(ValueError, match="queue size"):
        FrameQueue(0)


def test_lossless_queue_waits_for_the_consumer():
    q = FrameQueue(2, drop_oldest=False)
    got: list[int] = []

    def consume() -> None:
        while len(got) < 6:
            item = q.get_nowait()
            if item is None:
                time.sleep(0.01)
            else:
                got.append(item.seq)

    t = threading.Thread(target=consume)
    t.start()
    for i in range(6):
        q.put(_frame(i))
        assert len(q) <= 2
    t.join(timeout=10)
    assert got == list(range(6)) and q.dropped == 0


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc")
def test_backpressure_slow_consumer_keeps_memory_bounded_and_counts_drops():
    model = movicore.load(demo_model_path())
    size = model.input_size[0]
    base = np.random.default_rng(0).integers(0, 256, (size, size, 3), dtype=np.uint8)
    produced = [0]
    seen_queue = [0]

    def fast_camera():  # new frames as fast as Python can copy them: faster than inference
        end = time.monotonic() + 1.5
        while time.monotonic() < end:
            produced[0] += 1
            yield 0.0, base.copy()

    fast_camera.lossless = False
    server = Server(ServeOptions(model=str(demo_model_path()), queue=4, workers=1))
    server.start()
    try:
        rss0 = _rss_mib()
        stream = server.add_stream(fast_camera, sid="fast")
        end = time.monotonic() + 30
        while stream.status != "finished" and time.monotonic() < end:
            seen_queue[0] = max(seen_queue[0], len(stream.queue))
            time.sleep(0.002)
        growth = _rss_mib() - rss0
        wait_for(lambda: len(stream.queue) == 0, 10, "the queue to drain")
        time.sleep(0.1)
        assert stream.status == "finished"
        # every frame was either inferred or dropped; the queue never held more than 4
        assert seen_queue[0] <= 4
        assert stream.drops > 0 and stream.frames > 0
        assert stream.frames + stream.drops == produced[0] == stream.queue.pushed
        unbounded_mib = produced[0] * base.nbytes / 2**20
        assert unbounded_mib > 200, "the producer was too slow to test the bound"
        assert growth < 60, f"RSS grew {growth:.0f} MiB"
        assert stream.to_json()["drops"] == stream.drops
    finally:
        server.stop()


def test_snapshot_restart_resume(tmp_path):
    model = movicore.load(demo_model_path())
    size = model.input_size[0]
    rng = np.random.default_rng(1)
    first = rng.integers(0, 256, (30, size, size, 3), dtype=np.uint8)
    second = rng.integers(0, 256, (20, size, size, 3), dtype=np.uint8)
    opts = {"model": str(demo_model_path()), "snapshot_dir": str(tmp_path / "snaps"),
                "snapshot_every": 0.05, "workers": 1}

    server = Server(ServeOptions(**opts))
    server.start()
    try:
        stream = server.add_stream(frame_source(first, delay=0.005), sid="cam")
        wait_for(lambda: stream.frames == 30, 30, "30 frames")
        periodic = snapshots.find(tmp_path / "snaps")
        assert "cam" in periodic  # saved while running, not only at exit
    finally:
        server.stop()  # final snapshot after frame 29
    _state, info = snapshots.load(tmp_path / "snaps" / "cam.npz")
    assert info["frame"] == 29 and info["model"] == str(demo_model_path())
    assert not list((tmp_path / "snaps").glob(".*tmp"))  # atomic: no temporaries left

    server = Server(ServeOptions(**opts))
    server.start()
    try:
        stream = server.add_stream(frame_source(second), sid="cam")
        assert stream.resumed_from is not None and stream.resumed_from["frame"] == 29
        wait_for(lambda: stream.frames == 20, 30, "20 frames after the restart")
        got = stream.last_logits
    finally:
        server.stop()
    want = movicore.Engine(model).step(np.concatenate([first, second]))
    np.testing.assert_array_equal(got, want)


def test_unusable_snapshot_starts_fresh_with_an_error_event(tmp_path):
    from movicore.serve.events import EventHub

    (tmp_path / "cam.npz").write_bytes(b"not a snapshot")
    out = tmp_path / "events.jsonl"
    with open(out, "w") as f:
        server = Server(ServeOptions(model=str(demo_model_path()), snapshot_dir=str(tmp_path)),
                        EventHub("status", f))
        server.start()
        try:
            frames = np.zeros((2, 32, 32, 3), np.uint8)
            stream = server.add_stream(frame_source(frames), sid="cam")
            assert stream.resumed_from is None
            wait_for(lambda: stream.frames == 2, 20, "2 frames")
        finally:
            server.stop()
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert any(e["event"] == "error" and "snapshot not resumed" in e["error"] for e in events)


def test_snapshot_write_error_names_the_file(tmp_path):
    state = {"x": np.zeros(3, np.float32)}
    with pytest.raises(OSError, match=r"cannot write snapshot .*cam\.npz"):
        snapshots.save(tmp_path / "gone", "cam", state, {})
    snapshots.save(tmp_path, "cam", state, {})
    assert [p.name for p in tmp_path.iterdir()] == ["cam.npz"]


def test_a_failing_snapshot_is_an_error_event_and_the_stream_goes_on(tmp_path, monkeypatch):
    """A full disk under --snapshot-dir: every due snapshot fails. The worker must keep
    inferring (it used to die with the OSError), each failure is an event and a count, and
    stop() still stops everything before it reports the failed final snapshot."""
    import errno

    from movicore.serve import server as server_mod
    from movicore.serve.events import EventHub

    def full_disk(directory, sid, state, info):
        raise OSError(errno.ENOSPC, f"cannot write snapshot {directory}/{sid}.npz: "
                                    "No space left on device")

    monkeypatch.setattr(server_mod.snapshots, "save", full_disk)
    out = tmp_path / "events.jsonl"
    frames = np.zeros((40, 32, 32, 3), np.uint8)
    with open(out, "w") as f:
        server = Server(ServeOptions(model=str(demo_model_path()), snapshot_dir=str(tmp_path),
                                     snapshot_every=0.01, workers=1), EventHub("status", f))
        server.start()
        stopped = False
        try:
            streams = [server.add_stream(frame_source(frames, delay=0.002), sid=f"cam{i}")
                       for i in range(2)]
            wait_for(lambda: all(s.frames == 40 for s in streams), 30, "every frame inferred")
            assert all(s.snapshot_errors >= 1 for s in streams)
            assert all(s.to_json()["snapshot_errors"] == s.snapshot_errors for s in streams)
            with pytest.raises(OSError, match="No space left on device"):
                server.stop()
            stopped = True
            assert server.list() == [] and all(s.status == "stopped" for s in streams)
        finally:
            if not stopped:
                with contextlib.suppress(OSError):
                    server.stop()
    events = [json.loads(line) for line in out.read_text().splitlines()]
    errors = [e for e in events if e["event"] == "error"]
    assert errors and all("cannot write snapshot" in e["error"] for e in errors)
    assert {e["stream"] for e in events if e["event"] == "removed"} == {"cam0", "cam1"}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _http_server(directory: Path, port: int = 0) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def test_reconnect_after_the_source_server_restarts(tmp_path):
    write_video(tmp_path / "cam.mp4")
    httpd = _http_server(tmp_path)
    port = httpd.server_address[1]
    server = Server(ServeOptions(model=str(demo_model_path()), backoff=0.05, max_backoff=0.2))
    server.start()
    try:
        stream = server.add_stream(f"http://127.0.0.1:{port}/cam.mp4", sid="cam")
        wait_for(lambda: stream.frames > 0, 30, "frames over HTTP")
        httpd.shutdown()
        httpd.server_close()
        wait_for(lambda: stream.status == "reconnecting" and stream.error, 30, "reconnecting")
        down = stream.reader.reconnects
        time.sleep(0.5)
        assert stream.reader.reconnects > down  # retried (with backoff) while down
        frames = stream.frames
        httpd = _http_server(tmp_path, port)
        wait_for(lambda: stream.frames > frames, 30, "frames after the source came back")
        assert stream.to_json()["reconnects"] >= 2
    finally:
        server.stop()
        httpd.shutdown()
        httpd.server_close()


def test_config_file(tmp_path):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"model": "m.safetensors", "loop": True,
                               "streams": ["a.mp4", {"source": "b.mp4", "id": "door"}]}))
    defaults, streams = read_config(cfg)
    assert defaults == {"model": "m.safetensors", "loop": True}
    assert streams == [{"source": "a.mp4"}, {"source": "b.mp4", "id": "door"}]
    cfg.write_text(json.dumps({"streams": [{"src": "a.mp4"}]}))
    with pytest.raises(ValueError, match=r"streams\[0\]"):
        read_config(cfg)
    cfg.write_text("{")
    with pytest.raises(ValueError, match="not valid JSON"):
        read_config(cfg)
    # bool("no") is True: a string would loop a stream meant to end
    cfg.write_text(json.dumps({"loop": "no", "streams": ["a.mp4"]}))
    with pytest.raises(ValueError, match=r"loop must be true or false, got 'no'"):
        read_config(cfg)
    cfg.write_text(json.dumps({"streams": [{"source": "a.mp4", "loop": 1}]}))
    with pytest.raises(ValueError, match=r"streams\[0\]\.loop must be true or false"):
        read_config(cfg)


def test_stop_waits_for_every_source_reader(tmp_path):
    # A reader still decoding at interpreter exit can hold movicore's resize with the GIL
    # released; the process then aborts during finalization. stop() must leave none running.
    video = write_video(tmp_path / "loop.mp4")
    size = movicore.load(demo_model_path()).input_size[0]
    slow = np.zeros((50, size, size, 3), np.uint8)
    server = Server(ServeOptions(model=str(demo_model_path())))
    server.start()
    try:
        busy = server.add_stream(frame_source(slow, delay=0.4), sid="busy")  # in a frame at stop
        deleted = server.add_stream(str(video), sid="deleted", loop=True)
        wait_for(lambda: busy.frames >= 1 and deleted.frames >= 3, 30, "frames on both")
        server.remove_stream("deleted")
    finally:
        server.stop()
    assert not busy.reader.is_alive() and not deleted.reader.is_alive()
