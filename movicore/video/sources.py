"""Frame sources: video files, network URLs (HTTP(S), RTSP, RTMP, ...), V4L2 webcams through
PyAV, and raw RGB frames on a pipe (stdin).

A source yields ``(t, frame)``: ``t`` the presentation time in seconds since the first frame
(``frame.pts * time_base``; a frame counter only where the container has no timestamps) and
``frame`` an opaque decoded frame, turned into an RGB uint8 array by ``source.rgb(frame)``
only for the frames that are used. Decoding uses FFmpeg's own threads
(``thread_type = "AUTO"``). Live sources (URLs without a duration, devices) are read at
their own pace with a read timeout; when one ends or times out it raises VideoSourceError.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from movicore.errors import VideoSourceError
from movicore.extras import install_hint

DEFAULT_TIMEOUT = 10.0  # seconds without data before a network/device source counts as dead
LIVE_SCHEMES = ("rtsp", "rtsps", "rtmp", "rtmps", "udp", "rtp", "srt", "tcp")


def _av() -> Any:
    try:
        import av
    except ImportError as exc:
        raise ImportError(f"video decoding needs PyAV: {install_hint('video')}") from exc
    return av


def _reason(exc: BaseException) -> str:
    """FFmpeg's / the OS's words without "[Errno 1094995529]" and the repeated file name."""
    return getattr(exc, "strerror", None) or str(exc)


@dataclasses.dataclass(frozen=True)
class SourceInfo:
    """What is known about a source before decoding (0 = unknown)."""

    name: str
    width: int
    height: int
    fps: float  # nominal frame rate of the container
    frames: int  # frame count (container's, or estimated from the duration)
    codec: str
    live: bool  # read at its own pace: ends are errors, no seeking, no looping


def is_url(source: str) -> bool:
    return "://" in source


def is_device(source: str) -> bool:
    return source.startswith("/dev/video")


def open_source(source: str | os.PathLike[str] | BinaryIO, *,
                size: tuple[int, int] | None = None, input_fps: float | None = None,
                timeout: float = DEFAULT_TIMEOUT) -> AvSource | RawSource:
    """Open ``source``: a path, a URL, ``/dev/videoN``, or ``'-'`` / a binary file object of
    raw RGB24 frames of ``size`` (width, height)."""
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, got {timeout}")
    if source == "-" or hasattr(source, "read"):
        if size is None:
            raise ValueError("raw RGB input needs the frame size (--size WxH)")
        stream = sys.stdin.buffer if source == "-" else source
        return RawSource(stream, size[0], size[1], input_fps)  # type: ignore[arg-type]
    if isinstance(source, str) and (is_url(source) or is_device(source)):
        return AvSource(source, timeout=timeout)
    p = Path(source)  # type: ignore[arg-type]
    if not p.exists():
        raise VideoSourceError(f"video not found: {p}")
    if not p.is_file():
        raise VideoSourceError(f"not a file: {p}")
    if p.stat().st_size == 0:
        raise VideoSourceError(f"video file is empty: {p}")
    return AvSource(str(p), timeout=None)


class AvSource:
    """A file, URL or device decoded by PyAV."""

    def __init__(self, target: str, *, timeout: float | None) -> None:
        av = self._av = _av()
        self.target, self.timeout = target, timeout
        kw: dict[str, Any] = {}
        if timeout is not None:
            kw["timeout"] = (timeout, timeout)
        if is_device(target):
            kw["format"] = "v4l2"
        try:
            self._container = av.open(target, mode="r", **kw)
        except av.EOFError as exc:
            raise VideoSourceError(f"video is empty (no frames before the end of file): "
                                   f"{target}") from exc
        except (av.FFmpegError, OSError) as exc:
            if isinstance(exc, av.error.ExitError) and timeout is not None:
                why = f"no answer within {timeout:g} s (read timeout)"  # the interrupt fired
            else:
                why = _reason(exc)
                if isinstance(exc, av.error.InvalidDataError):
                    why += " (not a video file, or cut short)"
            raise VideoSourceError(f"cannot open {target}: {why}") from exc
        c = self._container
        if not c.streams.video:
            c.close()
            raise VideoSourceError(f"no video stream in {target}")
        self._stream = s = c.streams.video[0]
        cc = s.codec_context
        codec = getattr(cc, "name", None) if cc else None
        if not codec or codec == "none":
            c.close()
            raise VideoSourceError(f"unsupported video codec in {target} (no FFmpeg decoder)")
        s.thread_type = "AUTO"
        fps = float(s.average_rate or s.guessed_rate or 0.0)
        frames = int(s.frames or 0)
        if frames <= 0 and s.duration is not None and s.time_base and fps:
            frames = round(float(s.duration * s.time_base) * fps)
        if frames <= 0 and c.duration and fps:
            frames = round(c.duration / 1e6 * fps)
        scheme = target.split("://", 1)[0].lower() if is_url(target) else ""
        live = is_device(target) or scheme in LIVE_SCHEMES or (bool(scheme) and not c.duration)
        self.info = SourceInfo(target, int(cc.width), int(cc.height), fps, max(frames, 0),
                               codec, live)
        self.frames_read = 0

    def frames(self) -> Iterator[tuple[float, Any]]:
        """Decoded frames with their time in seconds since the first frame."""
        av = self._av
        t0: float | None = None
        step = 1.0 / self.info.fps if self.info.fps else 1.0 / 30
        try:
            for frame in self._container.decode(self._stream):
                t = frame.time
                if t is None:  # no timestamps: count frames at the nominal rate
                    rel = self.frames_read * step
                else:
                    t0 = t if t0 is None else t0
                    rel = t - t0
                self.frames_read += 1
                yield rel, frame
        except av.FFmpegError as exc:
            if self.info.live:
                why = (f"no data for {self.timeout:g} s (read timeout)"
                       if isinstance(exc, av.error.ExitError) and self.timeout else _reason(exc))
                raise VideoSourceError(f"live source {self.target} stopped after "
                                       f"{self.frames_read} frames: {why}") from exc
            if self.frames_read == 0:
                raise VideoSourceError(f"cannot decode video {self.target}: {_reason(exc)}"
                                       ) from exc
            return  # a truncated file: keep what was decoded
        if self.info.live:
            raise VideoSourceError(f"live source {self.target} ended after {self.frames_read} "
                                   f"frames (end of stream: the sender stopped)")
        if self.frames_read == 0:
            raise VideoSourceError(f"video has no frames: {self.target}")

    def rgb(self, frame: Any) -> np.ndarray:
        """(H, W, 3) uint8 RGB, rotated as the container says (a view; may be strided)."""
        arr = frame.to_ndarray(format="rgb24")
        rot = _frame_rotation(frame)
        return np.rot90(arr, rot // 90) if rot else arr

    def yuv420(self, frame: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                          tuple[float, ...]] | None:
        """Zero-copy Y, U, V planes and YUV->RGB coefficients of an unrotated, even-sized
        8-bit 4:2:0 frame in a matrix/range the compiled converter knows; None otherwise
        (use ``rgb``)."""
        from movicore.video.preprocess import YUV_TO_RGB

        fmt = frame.format.name
        # Odd sizes: libswscale takes its scaled path (interpolated chroma); follow it there.
        if (fmt not in ("yuv420p", "yuvj420p") or _frame_rotation(frame) or frame.width % 2
                or frame.height % 2):
            return None
        matrix = _MATRIX.get(int(frame.colorspace or 2))
        full = fmt == "yuvj420p" or int(frame.color_range or 0) == 2
        coeffs = YUV_TO_RGB.get((matrix, "full" if full else "limited")) if matrix else None
        if coeffs is None:
            return None
        planes = [np.frombuffer(p, np.uint8).reshape(p.height, p.line_size)[:, :p.width]
                  for p in frame.planes[:3]]
        return planes[0], planes[1], planes[2], coeffs

    def close(self) -> None:
        self._container.close()


# AVColorSpace -> matrix; 2 = unspecified, which libswscale treats as BT.601.
_MATRIX = {1: "bt709", 2: "bt601", 5: "bt601", 6: "bt601"}


def _frame_rotation(frame: Any) -> int:
    """Counterclockwise display rotation of a decoded frame (display-matrix side data)."""
    rot = getattr(frame, "rotation", 0) or 0
    return round(rot / 90) * 90 % 360


class RawSource:
    """Raw RGB24 frames of a known size from a binary stream (a pipe, usually stdin).

    Timestamps: ``index / input_fps`` when the rate is given, else the arrival time (a live
    producer). End of input on a frame boundary ends the source; inside a frame it is an
    error.
    """

    def __init__(self, stream: BinaryIO, width: int, height: int,
                 input_fps: float | None) -> None:
        if width < 1 or height < 1:
            raise ValueError(f"frame size must be positive, got {width}x{height}")
        if input_fps is not None and not input_fps > 0:
            raise ValueError(f"input fps must be positive, got {input_fps}")
        self._stream = stream
        self.width, self.height, self.input_fps = width, height, input_fps
        self.info = SourceInfo("stdin", width, height, input_fps or 0.0, 0, "rawvideo",
                               input_fps is None)
        self.frames_read = 0

    def frames(self) -> Iterator[tuple[float, np.ndarray]]:
        n = self.width * self.height * 3
        t0 = None
        while True:
            buf = bytearray(n)
            view, got = memoryview(buf), 0
            while got < n:
                k = self._stream.readinto(view[got:])  # type: ignore[attr-defined]
                if not k:
                    break
                got += k
            if got == 0:
                return
            if got < n:
                raise VideoSourceError(f"raw input ended inside frame {self.frames_read + 1} "
                                       f"(got {got} of {n} bytes for {self.width}x"
                                       f"{self.height} RGB24)")
            now = time.monotonic()
            t0 = now if t0 is None else t0
            t = self.frames_read / self.input_fps if self.input_fps else now - t0
            self.frames_read += 1
            yield t, np.frombuffer(buf, np.uint8).reshape(self.height, self.width, 3)

    def rgb(self, frame: np.ndarray) -> np.ndarray:
        return frame

    def close(self) -> None:
        pass
