"""MOVICORE_HUGE_PAGES: the engine's weights, rings and buffers come from a huge-page pool by
default; =0 turns it off and changes nothing but where the memory lives; anything else is a
clear error at load. Fresh processes: the setting is read once."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

# A0-shaped demo model, a few frames of one seeded clip, the logits of the last one.
_RUN = ("import sys, numpy as np, movicore;"
        "m = movicore.load('demo'); e = movicore.Engine(m, threads=int(sys.argv[1]));"
        "f = np.random.default_rng(3).integers(0, 256, (6, e.height, e.width, 3), np.uint8);"
        "sys.stdout.buffer.write(np.asarray(e.step(f), np.float32).tobytes())")


def _logits(setting: str | None, threads: int) -> np.ndarray:
    env = dict(os.environ)
    env.pop("MOVICORE_HUGE_PAGES", None)
    if setting is not None:
        env["MOVICORE_HUGE_PAGES"] = setting
    proc = subprocess.run([sys.executable, "-c", _RUN, str(threads)], env=env,
                          capture_output=True, timeout=120, check=True)
    return np.frombuffer(proc.stdout, np.float32)


def test_off_and_on_give_the_same_logits():
    for threads in (1, 2):
        default = _logits(None, threads)
        assert default.size > 0 and np.isfinite(default).all()
        np.testing.assert_array_equal(_logits("1", threads), default)
        np.testing.assert_array_equal(_logits("0", threads), default)


def test_bad_setting_is_a_clear_error():
    env = dict(os.environ, MOVICORE_HUGE_PAGES="yes")
    proc = subprocess.run([sys.executable, "-m", "movicore", "demo", "--clips", "2"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode != 0
    assert "MOVICORE_HUGE_PAGES must be 0 or 1; got 'yes'" in proc.stderr
    assert "Traceback" not in proc.stderr
