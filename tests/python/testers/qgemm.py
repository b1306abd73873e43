"""QGemmTester: one int8 gemm case vs the exact integer definition (numpy int64)."""

from __future__ import annotations

import numpy as np

from movicore import _core
from testers.common import act_ref, assert_close

KR = 4


def round_k(k: int) -> int:
    return (k + KR - 1) // KR * KR


def epilogue_ref(acc: np.ndarray, sa: np.ndarray, sw: np.ndarray, bias: np.ndarray | None
                 ) -> np.ndarray:
    """float32, in the order qgemm.h fixes: (float(acc) * sa) * sw + bias, no FMA."""
    v = acc.astype(np.float32) * sa[:, None].astype(np.float32)
    v = v * sw.astype(np.float32)
    return v + (np.zeros_like(sw) if bias is None else bias).astype(np.float32)


class QGemmTester:
    """Chainable knobs; check(kernel) runs the named variant through run_qgemm.

    A rows carry random garbage past column k (the kernel may read up to round_up(k, 4) and the
    zero pad weights must cancel it); C has `c_pad` NaN columns per row that must stay NaN, and
    the binding checks guard bands past both ends.
    """

    def __init__(self) -> None:
        self._m, self._n, self._k = 1, 1, 1
        self._act = "identity"
        self._bias = True
        self._residual = False
        self._c_pad = 0
        self._a_pad = 0
        self._extreme = False

    def m(self, v: int) -> QGemmTester:
        self._m = v
        return self

    def n(self, v: int) -> QGemmTester:
        self._n = v
        return self

    def k(self, v: int) -> QGemmTester:
        self._k = v
        return self

    def act(self, v: str) -> QGemmTester:
        self._act = v
        return self

    def bias(self, v: bool) -> QGemmTester:
        self._bias = v
        return self

    def residual(self, v: bool) -> QGemmTester:
        self._residual = v
        return self

    def pads(self, a_pad: int = 0, c_pad: int = 0) -> QGemmTester:
        self._a_pad, self._c_pad = a_pad, c_pad
        return self

    def extreme(self, v: bool = True) -> QGemmTester:
        """Saturating inputs: a in {0, 255}, w in {-127, 127}, zero points at 0 / 255."""
        self._extreme = v
        return self

    def describe(self) -> str:
        return (f"m={self._m} n={self._n} k={self._k} act={self._act} bias={self._bias} "
                f"residual={self._residual} pads=({self._a_pad},{self._c_pad}) "
                f"extreme={self._extreme}")

    def check(self, kernel: dict, rng: np.random.Generator, seed: int) -> None:
        m, n, k = self._m, self._n, self._k
        a_stride = round_k(k) + self._a_pad
        a = rng.integers(0, 256, (m, a_stride), dtype=np.uint8)  # garbage past k too
        if self._extreme:
            a[:, :k] = rng.choice(np.array([0, 255], np.uint8), (m, k))
            w = rng.choice(np.array([-127, 127], np.int8), (k, n))
            zp = rng.choice(np.array([0, 255], np.int32), m)
        else:
            w = rng.integers(-127, 128, (k, n), dtype=np.int8)
            zp = rng.integers(0, 256, m).astype(np.int32)
        sa = (rng.uniform(1e-3, 0.1, m) / np.sqrt(k)).astype(np.float32)  # keeps acts O(10)
        sw = rng.uniform(-0.05, 0.05, n).astype(np.float32)
        bias = rng.uniform(-1, 1, n).astype(np.float32) if self._bias else None
        res = rng.uniform(-2, 2, (m, n)).astype(np.float32) if self._residual else None
        acc = (a[:, :k].astype(np.int64) - zp[:, None]) @ w.astype(np.int64)
        assert np.abs(acc).max() < 2**31, "test case overflows the int32 contract"
        pre = epilogue_ref(acc, sa, sw, bias)
        packed = _core._kernels.pack_qgemm(w, sw, bias)
        got = _core._kernels.run_qgemm(kernel["name"], a, k, zp, sa, packed, n, res, self._act,
                                       self._c_pad)
        what = f"{kernel['name']} {self.describe()} seed={seed}"
        assert np.isnan(got[:, n:]).all(), f"{what}: wrote into the C row padding"
        got = got[:, :n]
        if self._act == "identity":
            want = pre if res is None else pre + res
            if not np.array_equal(got, want):
                i = int(np.argmax(got != want))
                raise AssertionError(f"{what}: not bit-exact at flat index {i}: got "
                                     f"{got.flat[i]!r}, want {want.flat[i]!r}")
            return
        want = act_ref(pre, self._act)
        if res is not None:
            want = want + res
        assert_close(got, want, 1e-5, 2e-5, what)
