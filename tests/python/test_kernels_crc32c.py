"""Every crc32c variant (hardware CRC32C instruction, portable table, bitwise reference) vs a
pure-Python bitwise CRC-32C and the published check values, over every size around the 8-byte
step, every start alignment, and in pieces."""

from __future__ import annotations

import os

import numpy as np
import pytest
from testers.common import require, variant_params

from movicore import _core, checksum


def crc32c_py(data: bytes, crc: int = 0) -> int:
    """CRC-32C from the definition (reflected polynomial 0x82F63B78)."""
    c = crc ^ 0xFFFFFFFF
    for byte in data:
        c ^= byte
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 & -(c & 1))
    return c ^ 0xFFFFFFFF


# RFC 3720 (iSCSI) appendix B.4 and the usual "123456789" check value.
KNOWN = [
    (b"123456789", 0xE3069283),
    (bytes(32), 0x8A9136AA),
    (b"\xff" * 32, 0x62A8AB43),
    (bytes(range(32)), 0x46DD794E),
    (bytes(range(31, -1, -1)), 0x113FDB5C),
    (b"", 0x00000000),
]


def test_python_reference_matches_known_values():
    for data, want in KNOWN:
        assert crc32c_py(data) == want


@pytest.mark.parametrize("kernel", variant_params("crc32c"))
def test_crc32c_known_values(kernel: dict):
    require(kernel)
    for data, want in KNOWN:
        assert _core._kernels.run_crc32c(kernel["name"], data) == want, data


@pytest.mark.parametrize("kernel", variant_params("crc32c"))
def test_crc32c_sizes_and_alignments(kernel: dict, rng: np.random.Generator, seed: int):
    require(kernel)
    buf = rng.integers(0, 256, 4200, dtype=np.uint8).tobytes()
    view = memoryview(buf)
    for size in [*range(34), 63, 64, 65, 255, 256, 257, 1001]:
        for start in range(8):  # every alignment of the 8-byte loads
            piece = view[start:start + size]
            want = crc32c_py(bytes(piece))
            got = _core._kernels.run_crc32c(kernel["name"], piece)
            assert got == want, f"{kernel['name']} size={size} start={start} seed={seed}"


@pytest.mark.parametrize("kernel", variant_params("crc32c"))
def test_crc32c_large_and_in_pieces(kernel: dict, rng: np.random.Generator):
    require(kernel)
    data = rng.integers(0, 256, 100_003, dtype=np.uint8)
    ref = _core._kernels.run_crc32c("u8_crc32c__reference", data)
    assert _core._kernels.run_crc32c(kernel["name"], data) == ref
    # crc32c(b, crc32c(a)) == crc32c(a + b), at cuts that split an 8-byte step
    for cut in (1, 7, 8, 4099, 99_999):
        a = _core._kernels.run_crc32c(kernel["name"], data[:cut])
        assert _core._kernels.run_crc32c(kernel["name"], data[cut:], a) == ref


def test_dispatched_crc32c_is_the_best_supported_variant():
    chosen = [k for k in _core._kernels.list("crc32c") if k["selected"]]
    assert [k["name"] for k in chosen] == [_core.crc32c_kernel()]
    features = _core.cpu_info()["features"]
    capped = os.environ.get("MOVICORE_MAX_ISA", "") == "scalar"
    if ("sse42" in features or "arm_crc" in features) and not capped:
        assert chosen[0]["isa"] in ("sse42", "arm_crc")
    assert _core.crc32c(b"123456789") == 0xE3069283


def test_crc32c_any_buffer_type_and_dtype(rng: np.random.Generator):
    """The checksum is over bytes: float32 arrays, memoryviews and bytes agree."""
    x = rng.standard_normal((13, 7)).astype("<f4")
    want = crc32c_py(x.tobytes())
    assert checksum.crc32c(x) == want
    assert checksum.crc32c(memoryview(x.tobytes())) == want
    assert checksum.crc32c(x.tobytes()) == want


def test_crc32c_refuses_non_contiguous_buffers():
    x = np.arange(64, dtype=np.uint8)[::2]
    with pytest.raises((BufferError, ValueError), match="contiguous"):
        _core.crc32c(x)
