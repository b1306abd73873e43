"""Pick frames by presentation time, not by index, so variable frame rates and dropped
frames give the model the rate it was trained at.

Time is cut into slots of ``1 / fps`` seconds from the first frame; the first frame that
falls in a slot is kept, later ones in the same slot are skipped. A 30 fps source sampled at
5 fps keeps frames 0, 6, 12, ...; 25 fps at 5 fps keeps every 5th frame, which is the
official ``temporal_stride``. A gap (dropped frames, a stalled stream) is not filled: the
next frame after it is kept and sampling resumes from its slot.
"""

from __future__ import annotations

import math

# A frame whose timestamp is within this fraction of a slot before the slot boundary counts
# as on the boundary (timestamps in coarse time bases round, e.g. 1/30 s in 1/90000 units).
_EPS = 1e-3


class TimeSampler:
    """``keep(t)`` says whether the frame at time ``t`` (seconds, non-decreasing) is used."""

    def __init__(self, fps: float | None) -> None:
        if fps is not None and not (math.isfinite(fps) and fps > 0):
            raise ValueError(f"fps must be a positive number, got {fps}")
        self.fps = fps
        self._start: float | None = None
        self._last_slot = -1

    def keep(self, t: float) -> bool:
        if self.fps is None:
            return True
        if self._start is None:
            self._start = t
        slot = math.floor((t - self._start) * self.fps + _EPS)
        if slot < self._last_slot - 1:  # time jumped back (a restarted live stream): restart
            self._start, slot = t, 0
        elif slot <= self._last_slot:
            return False
        self._last_slot = slot
        return True
