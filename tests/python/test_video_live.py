"""Live sources: HTTP (MPEG-TS) and RTMP streams served by a local ffmpeg process on
127.0.0.1, a stream that stops mid-way, classify until Ctrl-C, raw RGB on stdin."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from video_helpers import need_ffmpeg

from movicore.errors import VideoSourceError
from movicore.video.api import VideoSource

pytest.importorskip("av")
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(seconds: float, protocol: str = "http") -> tuple[subprocess.Popen[bytes], str]:
    """ffmpeg serving a real-time (-re) H.264 test pattern to one client: MPEG-TS over HTTP
    or FLV over RTMP (ffmpeg's own listen mode for both)."""
    port = _free_port()
    url, fmt = ((f"http://127.0.0.1:{port}/live.ts", "mpegts") if protocol == "http"
                else (f"rtmp://127.0.0.1:{port}/live/cam", "flv"))
    proc = subprocess.Popen(
        [need_ffmpeg(), "-v", "error", "-re", "-f", "lavfi", "-i",
         "testsrc2=size=160x120:rate=25", "-t", str(seconds), "-c:v", "libx264",
         "-preset", "ultrafast", "-tune", "zerolatency", "-g", "10", "-f", fmt,
         "-listen", "1", url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, url


def _connect(url: str, **kw: object) -> VideoSource:
    deadline = time.monotonic() + 10
    while True:  # the server needs a moment to listen; -listen 1 serves one client only
        try:
            return VideoSource(url, **kw)  # type: ignore[arg-type]
        except VideoSourceError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture(params=["http", "rtmp"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    proc, url = _serve(60, request.param)
    yield proc, url
    proc.kill()
    proc.wait(10)


@pytest.fixture
def http_server() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    proc, url = _serve(60)
    yield proc, url
    proc.kill()
    proc.wait(10)


def test_network_stream_is_read_live_then_stop_is_a_clear_error(
        server: tuple[subprocess.Popen[bytes], str]) -> None:
    proc, url = server
    src = _connect(url, fps=5, timeout=5)
    assert src.info.live and src.info.width == 160
    times = []
    t0 = time.monotonic()
    with pytest.raises(VideoSourceError, match=r"live source .* (stopped|ended)"):
        for t, frame in src:
            assert frame.shape == (120, 160, 3) and frame.dtype == np.uint8
            times.append(t)
            if len(times) == 6:
                proc.kill()  # the server dies mid-stream
            assert time.monotonic() - t0 < 30
    src.close()
    assert len(times) >= 6
    # read at the source's pace (-re): 5 frames/s of stream time, about real time
    np.testing.assert_allclose(np.diff(times[:6]), 0.2, atol=0.05)


def test_stalled_stream_times_out(tmp_path: Path) -> None:
    """A server that accepts the connection and then sends nothing: read timeout."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/x.ts"
        t0 = time.monotonic()
        with pytest.raises(VideoSourceError,
                           match=r"cannot open .*: no answer within 1 s \(read timeout\)$"):
            VideoSource(url, timeout=1.0)
        assert time.monotonic() - t0 < 10


# A shell runs background jobs with SIGINT ignored and children inherit that (Python then
# installs no KeyboardInterrupt handler): the child gets Python's handler, as in a terminal.
_WITH_SIGINT = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler);"
                " sys.argv[0] = 'movicore'; runpy.run_module('movicore', run_name='__main__')")


def test_classify_live_url_until_ctrl_c(
        http_server: tuple[subprocess.Popen[bytes], str]) -> None:
    _, url = http_server
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.Popen([sys.executable, "-c", _WITH_SIGINT, "classify", url, "--fps", "5",
                             "--every", "1", "--quiet", "--timeout", "5"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = []
        deadline = time.monotonic() + 40
        while len([s for s in lines if "frame" in s]) < 3 and time.monotonic() < deadline:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            lines.append(line)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=90)  # generous: CI machines can be loaded
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "(live)" in lines[0] and "final (" in out and "Ctrl-C" in out, (lines, out, err)


def test_raw_rgb_pipe(rng: np.random.Generator) -> None:
    frames = rng.integers(0, 256, (7, 12, 16, 3), dtype=np.uint8)
    src = VideoSource(io.BytesIO(frames.tobytes()), size=(16, 12), input_fps=10, fps=5)
    got = list(src)
    assert [t for t, _ in got] == pytest.approx([0.0, 0.2, 0.4, 0.6])
    np.testing.assert_array_equal(np.stack([f for _, f in got]), frames[::2])
    torn = io.BytesIO(frames.tobytes()[:-5])
    with pytest.raises(VideoSourceError, match="inside frame 7"):
        list(VideoSource(torn, size=(16, 12), input_fps=10))
    with pytest.raises(ValueError, match="size"):
        VideoSource("-")


def test_classify_raw_rgb_on_stdin(rng: np.random.Generator) -> None:
    """`movicore classify - --size WxH --input-fps R`: frames piped in, model rate applied."""
    frames = rng.integers(0, 256, (12, 24, 40, 3), dtype=np.uint8)
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.run([sys.executable, "-m", "movicore", "classify", "-", "--size", "40x24",
                           "--input-fps", "10", "--fps", "5", "--json", "-", "--quiet"],
                          input=frames.tobytes(), capture_output=True, timeout=120, env=env,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    import json

    res = json.loads(proc.stdout)
    assert res["frames"] == 6 and res["frames_decoded"] == 12
    assert [e["time"] for e in res["timeline"]] == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    bad = subprocess.run([sys.executable, "-m", "movicore", "classify", "-", "--size", "40x24"],
                         input=frames.tobytes()[:-7], capture_output=True, timeout=120,
                         env=env, check=False, text=False)
    err = bad.stderr.decode()
    assert bad.returncode == 1 and "ended inside frame 12" in err and len(err.splitlines()) == 1


def test_import_movicore_needs_numpy_only() -> None:
    code = ("import sys, movicore; bad = [m for m in ('av', 'torch', 'matplotlib') "
            "if m in sys.modules]; assert not bad, bad; movicore.VideoSource; movicore.classify")
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, env=env)


def test_stream_that_stalls_mid_way_hits_the_read_timeout(tmp_path: Path) -> None:
    """A local HTTP server sends half of an MPEG-TS stream, then nothing: after the frames it
    got, the source fails with a clear error within about the read timeout."""
    import threading

    ts = tmp_path / "s.ts"
    subprocess.run([need_ffmpeg(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=160x120:rate=25", "-t", "4", "-c:v", "libx264", "-g", "5",
                    "-f", "mpegts", str(ts)], check=True, timeout=60)
    data = ts.read_bytes()
    release = threading.Event()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: video/mp2t\r\n\r\n")
            conn.sendall(data[:len(data) // 2 // 188 * 188])
            release.wait(30)  # stall with the connection open

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/s.ts"
        src = VideoSource(url, timeout=1.0)
        assert src.info.live
        got = 0
        t0 = time.monotonic()
        with pytest.raises(VideoSourceError, match=r"live source .* stopped after \d+ frames: "
                                                   r"no data for 1 s \(read timeout\)"):
            for _ in src:
                got += 1
        assert got >= 10 and time.monotonic() - t0 < 20
        src.close()
    finally:
        release.set()
        listener.close()
        thread.join(10)
