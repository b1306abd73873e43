"""Float64 NumPy references for the convolution-like kernels (channels-last, TF SAME)."""

from __future__ import annotations

import numpy as np

from testers.common import act_ref


def same(n: int, k: int, s: int) -> tuple[int, int]:
    """TF SAME: (out, pad_before) with out = ceil(n/s), pad_total = max((out-1)*s + k - n, 0)."""
    out = -(-n // s)
    pad_total = max((out - 1) * s + k - n, 0)
    return out, pad_total // 2


def _windows(x: np.ndarray, kh: int, kw: int, s: int, pt: int, pl: int, oh: int, ow: int):
    """Zero-padded x (float64) and a function giving the strided [oh, ow, ...] slice at (i, j)."""
    h, w = x.shape[:2]
    ph = max(pt + h, (oh - 1) * s + kh)
    pw = max(pl + w, (ow - 1) * s + kw)
    xp = np.zeros((ph, pw, *x.shape[2:]), np.float64)
    xp[pt:pt + h, pl:pl + w] = x
    return lambda i, j: xp[i:i + (oh - 1) * s + 1:s, j:j + (ow - 1) * s + 1:s]


def dwconv_ref(frames, w, b, s, pt, pl, oh, ow, act):
    _, kh, kw, c = w.shape
    out = np.zeros((oh, ow, c)) + b.astype(np.float64)
    for t, f in enumerate(frames):
        if f is None:
            continue
        win = _windows(f, kh, kw, s, pt, pl, oh, ow)
        for i in range(kh):
            for j in range(kw):
                out += w[t, i, j].astype(np.float64) * win(i, j)
    return act_ref(out, act)


def tconv_ref(frames, w, b, act):
    out = b.astype(np.float64) + sum(w[t].astype(np.float64) * f for t, f in enumerate(frames))
    return act_ref(out, act)


def conv2d_ref(x, w, b, s, pt, pl, oh, ow, act):
    kh, kw, _, oc = w.shape
    win = _windows(x, kh, kw, s, pt, pl, oh, ow)
    out = np.zeros((oh, ow, oc)) + b.astype(np.float64)
    for i in range(kh):
        for j in range(kw):
            out += win(i, j) @ w[i, j].astype(np.float64)
    return act_ref(out, act)


def avgpool_ref(x, kh, kw, s, pt, pl, oh, ow):
    """Padded cells excluded from the divisor."""
    win = _windows(x, kh, kw, s, pt, pl, oh, ow)
    cnt = _windows(np.ones((*x.shape[:2], 1)), kh, kw, s, pt, pl, oh, ow)
    total = sum(win(i, j) for i in range(kh) for j in range(kw))
    count = sum(cnt(i, j) for i in range(kh) for j in range(kw))
    return total / np.maximum(count, 1.0)
