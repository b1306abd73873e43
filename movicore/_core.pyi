# Type stubs for the compiled extension movicore._core (private; csrc/python/bind_*.cc).
# A new binding needs its stub here in the same commit: CI runs tools/check_stubs.sh
# (mypy.stubtest for the module, a name/parameter check for the _kernels submodule).
import builtins
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

# bind_errors.cc (the Python class of movicore.errors, re-exported)
from movicore.errors import StateError as StateError

# bind_cpu.cc
def cpu_info() -> dict[str, Any]:
    """Detected CPU features, the ISA dispatch uses, compiler and build type."""

# bind_checksum.cc
def crc32c(data: Any, crc: int = 0) -> int:
    """CRC-32C of a C-contiguous buffer; `crc` is the CRC of the bytes before it (0 to start), so crc32c(b, crc32c(a)) == crc32c(a + b)."""

def crc32c_kernel() -> str:
    """Name of the crc32c variant dispatch chose."""

# bind_engine.cc
def check_frames(frames: NDArray[np.float32]) -> None:
    """Raise ValueError unless float32 frames (..., H, W, 3) are finite and in [0, 1] (the engine's own check, for callers that must validate before feeding several engines)."""

class Model:
    def __init__(self, spec: dict[str, Any]) -> None: ...
    @property
    def num_layers(self) -> int: ...
    @property
    def causal(self) -> bool: ...
    @property
    def packed_bytes(self) -> int: ...
    @property
    def int8_layers(self) -> int: ...

class Engine:
    def __init__(
        self, model: Model, height: int, width: int, threads: int = 1, streams: int = 1
    ) -> None: ...
    def step(self, frames: NDArray[Any], all_frames: bool = False) -> NDArray[np.float32]: ...
    def step_streams(self, frames: NDArray[Any]) -> NDArray[np.float32]: ...
    def run(self, frames: NDArray[Any]) -> NDArray[np.float32]: ...
    def reset(self, stream: int = -1) -> None: ...
    def set_profiling(self, enabled: bool) -> None: ...
    def profile(self) -> list[dict[str, Any]]: ...
    def set_observing_ranges(self, enabled: bool) -> None: ...
    def input_ranges(self) -> dict[str, tuple[float, float]]: ...
    @property
    def streams(self) -> int: ...
    @property
    def threads(self) -> int: ...
    @property
    def state_bytes(self) -> int: ...
    @property
    def gemm_kernel(self) -> str: ...
    @property
    def qgemm_kernel(self) -> str: ...
    def state_spec(self) -> list[tuple[str, list[int], str]]: ...
    def get_state(self, stream: int = 0) -> dict[str, NDArray[Any]]: ...
    def set_state(self, state: Mapping[str, ArrayLike], stream: int = 0) -> None: ...

# bind_kernels.cc: the submodule movicore._core._kernels. A one-file stub cannot declare a
# submodule, so it is a class of static methods here (same attribute access, same types);
# stubtest skips it (.ci/stubtest-allowlist.txt) and tools/check_stubs.sh compares it instead.
# bind_video.cc
def resize_region_u8(
    src: NDArray[np.uint8], out_h: int, out_w: int, top: int, left: int, rows: int, cols: int
) -> NDArray[np.uint8]:
    """Region of the official bilinear resize of an (H, W, 3) uint8 image."""
def yuv420_resize_region_u8(
    y: NDArray[np.uint8], u: NDArray[np.uint8], v: NDArray[np.uint8],
    coeffs: builtins.list[float], out_h: int, out_w: int, top: int, left: int, rows: int,
    cols: int,
) -> NDArray[np.uint8]:
    """The same from YUV 4:2:0 planes, converting only the pixels it reads."""

class _kernels:
    @staticmethod
    def ops() -> builtins.list[str]:
        """Names of the kernel ops with bindings."""
    @staticmethod
    def list(op: str) -> builtins.list[dict[str, Any]]:
        """Variants of `op`: name, isa, supported, reference, selected, tile_m, tile_n."""

    # One block per csrc/python/kernels/bind_<op>.cc, in file-name order.
    # bind_act.cc
    @staticmethod
    def run_act(name: str, x: ArrayLike, act: str) -> NDArray[np.float32]: ...

    # bind_avgpool.cc
    @staticmethod
    def run_avgpool(
        name: str, x: ArrayLike, kh: int, kw: int, stride: int, pad_top: int, pad_left: int,
        out_h: int, out_w: int, oy_begin: int = 0, oy_end: int = -1, repeat: int = 1,
    ) -> NDArray[np.float32]: ...

    # bind_conv2d.cc
    @staticmethod
    def run_conv2d(
        name: str, x: ArrayLike, w: ArrayLike, bias: ArrayLike, stride: int, pad_top: int,
        pad_left: int, out_h: int, out_w: int, act: str, oy_begin: int = 0, oy_end: int = -1,
        repeat: int = 1,
    ) -> NDArray[np.float32]: ...

    # bind_crc32c.cc
    @staticmethod
    def run_crc32c(name: str, data: Any, crc: int = 0) -> int: ...

    # bind_dwconv.cc
    @staticmethod
    def run_dwconv(
        name: str, frames: builtins.list[ArrayLike], w: ArrayLike, bias: ArrayLike, stride: int,
        pad_top: int, pad_left: int, out_h: int, out_w: int, act: str, oy_begin: int = 0,
        oy_end: int = -1, want_sum: bool = False, repeat: int = 1,
    ) -> Any: ...

    # bind_frame_input.cc
    @staticmethod
    def run_range_check(name: str, x: ArrayLike, lo: float, hi: float) -> bool: ...
    @staticmethod
    def run_u8_to_unit(name: str, x: NDArray[np.uint8]) -> NDArray[np.float32]: ...

    # bind_gemm.cc
    GEMM_NR: int
    @staticmethod
    def pack_gemm(w: ArrayLike, bias: ArrayLike | None = None) -> NDArray[np.float32]: ...
    @staticmethod
    def run_gemm(
        name: str,
        a: ArrayLike,
        w: ArrayLike,
        bias: ArrayLike | None = None,
        residual: ArrayLike | None = None,
        act: str = "identity",
    ) -> NDArray[np.float32]: ...
    @staticmethod
    def run_gemm_strided(
        name: str,
        m: int,
        n: int,
        k: int,
        a: ArrayLike,
        a_stride: int,
        packed: ArrayLike,
        c: NDArray[np.float32],
        c_stride: int,
        residual: ArrayLike | None = None,
        r_stride: int = 0,
        act: str = "identity",
    ) -> None: ...

    # bind_qgemm.cc
    QGEMM_NR: int
    QGEMM_KR: int
    @staticmethod
    def pack_qgemm(
        w: NDArray[np.int8], scale: ArrayLike, bias: ArrayLike | None = None
    ) -> NDArray[np.uint8]: ...
    @staticmethod
    def run_qgemm(
        name: str,
        a: NDArray[np.uint8],
        k: int,
        zero_points: ArrayLike,
        scales: ArrayLike,
        packed: NDArray[np.uint8],
        n: int,
        residual: ArrayLike | None = None,
        act: str = "identity",
        c_pad: int = 0,
    ) -> NDArray[np.float32]: ...

    # bind_quantize.cc
    @staticmethod
    def run_quantize(
        name: str, x: ArrayLike, params: tuple[float, int] | None = None,
        col_scale: ArrayLike | None = None
    ) -> tuple[NDArray[np.uint8], NDArray[np.int32], NDArray[np.float32]]: ...
    # bind_resize.cc
    @staticmethod
    def run_resize(
        name: str, src: NDArray[np.uint8], out_h: int, out_w: int, top: int, left: int,
        rows: int, cols: int,
    ) -> NDArray[np.uint8]: ...
    @staticmethod
    def run_yuv_resize(
        name: str, y: NDArray[np.uint8], u: NDArray[np.uint8], v: NDArray[np.uint8],
        coeffs: builtins.list[float], out_h: int, out_w: int, top: int, left: int, rows: int,
        cols: int,
    ) -> NDArray[np.uint8]: ...

    # bind_rowsum.cc
    @staticmethod
    def run_rowsum(name: str, x: ArrayLike) -> NDArray[np.float32]: ...

    # bind_scale.cc
    @staticmethod
    def run_scale(
        name: str, x: ArrayLike, s: ArrayLike, in_place: bool = False, repeat: int = 1
    ) -> NDArray[np.float32]: ...

    # bind_tconv.cc
    @staticmethod
    def run_tconv(
        name: str, frames: builtins.list[ArrayLike], w: ArrayLike, bias: ArrayLike, act: str,
        want_sum: bool = False, repeat: int = 1,
    ) -> Any: ...
