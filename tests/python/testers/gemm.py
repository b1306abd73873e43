"""GemmTester: one gemm case (shape, act, bias, residual, strides) vs the float64 definition."""

from __future__ import annotations

import numpy as np

from movicore import _core
from testers.common import act_ref, assert_close


class GemmTester:
    """Chainable shape knobs; check(kernel) runs the named variant through run_gemm_strided.

    A and C rows are embedded in wider NaN-filled buffers (a_stride > k, c_stride > n plus guard
    floats past the last row): a read of A past column k poisons C, and every gap of C must
    still be NaN afterwards.
    """

    def __init__(self) -> None:
        self._m, self._n, self._k = 1, 1, 1
        self._act = "identity"
        self._bias = True
        self._residual = False
        self._a_pad = self._c_pad = self._r_pad = 0

    def m(self, v: int) -> GemmTester:
        self._m = v
        return self

    def n(self, v: int) -> GemmTester:
        self._n = v
        return self

    def k(self, v: int) -> GemmTester:
        self._k = v
        return self

    def act(self, v: str) -> GemmTester:
        self._act = v
        return self

    def bias(self, v: bool) -> GemmTester:
        self._bias = v
        return self

    def residual(self, v: bool) -> GemmTester:
        self._residual = v
        return self

    def strides(self, a_pad: int = 0, c_pad: int = 0, r_pad: int = 0) -> GemmTester:
        """Extra floats between rows of A, C and the residual."""
        self._a_pad, self._c_pad, self._r_pad = a_pad, c_pad, r_pad
        return self

    def describe(self) -> str:
        return (
            f"m={self._m} n={self._n} k={self._k} act={self._act} bias={self._bias} "
            f"residual={self._residual} pads=({self._a_pad},{self._c_pad},{self._r_pad})"
        )

    def reference(self, a, w, bias, residual) -> np.ndarray:
        acc = a.astype(np.float64) @ w.astype(np.float64)
        if bias is not None:
            acc += bias
        # act is evaluated on the float32-rounded accumulator, as the kernels do.
        out = act_ref(acc.astype(np.float32), self._act)
        if residual is not None:
            out = out + residual
        return out

    def check(self, kernel: dict, rng: np.random.Generator, seed: int) -> None:
        m, n, k = self._m, self._n, self._k
        a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
        w = rng.uniform(-1, 1, (k, n)).astype(np.float32)
        bias = rng.uniform(-1, 1, n).astype(np.float32) if self._bias else None
        res = rng.uniform(-2, 2, (m, n)).astype(np.float32) if self._residual else None
        want = self.reference(a, w, bias, res)
        what = f"{kernel['name']} {self.describe()} seed={seed}"
        atol, rtol = 1e-5 * np.sqrt(k) + 1e-6, 1e-5

        # Contiguous convenience path.
        got = _core._kernels.run_gemm(kernel["name"], a, w, bias, res, self._act)
        assert got.shape == (m, n)
        assert_close(got, want, atol, rtol, what + " (contiguous)")

        # Strided path with NaN canaries.
        a_stride, c_stride, r_stride = k + self._a_pad, n + self._c_pad, n + self._r_pad
        guard = 13
        a_buf = np.full((m, a_stride), np.nan, np.float32)
        a_buf[:, :k] = a
        a_flat = a_buf.reshape(-1)[: (m - 1) * a_stride + k]
        r_flat = None
        if res is not None:
            r_buf = np.full((m, r_stride), np.nan, np.float32)
            r_buf[:, :n] = res
            r_flat = r_buf.reshape(-1)[: (m - 1) * r_stride + n]
        c_buf = np.full(m * c_stride + guard, np.nan, np.float32)
        packed = _core._kernels.pack_gemm(w, bias)
        _core._kernels.run_gemm_strided(
            kernel["name"],
            m,
            n,
            k,
            a_flat,
            a_stride,
            packed,
            c_buf,
            c_stride,
            r_flat,
            r_stride,
            self._act,
        )
        c_rows = c_buf[: m * c_stride].reshape(m, c_stride)
        assert_close(c_rows[:, :n], want, atol, rtol, what + " (strided)")
        gap = np.concatenate([c_rows[:, n:].reshape(-1), c_buf[m * c_stride :]])
        assert np.isnan(gap).all(), f"{what}: wrote outside C (canary overwritten)"
