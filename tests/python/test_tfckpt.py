"""TF tensor-bundle reader: CRC32C, SSTable parsing, official fixture, malformed files."""

from __future__ import annotations

import ast
import struct
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import shared_fixture

from movicore import ModelFormatError, tfckpt

# ---------------------------------------------------------------- minimal bundle writer
# Independent re-statement of the on-disk format (LevelDB table + BundleEntryProto), used
# to build small and deliberately broken checkpoints.


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(num: int, wt: int, payload: bytes) -> bytes:
    return _varint(num << 3 | wt) + payload


def _crc_bitwise(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def _mask(c: int) -> int:
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def _block(entries: list[tuple[bytes, bytes]], restart_every: int = 2) -> bytes:
    out = bytearray()
    restarts = []
    prev = b""
    for i, (k, v) in enumerate(entries):
        if i % restart_every == 0:
            restarts.append(len(out))
            shared = 0
        else:
            shared = 0
            while shared < min(len(prev), len(k)) and prev[shared] == k[shared]:
                shared += 1
        out += _varint(shared) + _varint(len(k) - shared) + _varint(len(v)) + k[shared:] + v
        prev = k
    for r in restarts or [0]:
        out += struct.pack("<I", r)
    out += struct.pack("<I", len(restarts or [0]))
    return bytes(out)


def _with_trailer(block: bytes) -> bytes:
    return block + b"\x00" + struct.pack("<I", _mask(_crc_bitwise(block + b"\x00")))


def write_bundle(prefix: Path, tensors: dict[str, np.ndarray]) -> None:
    data = bytearray()
    entries = [(b"", _field(1, 0, _varint(1)))]  # header: num_shards = 1
    dtypes = {np.dtype("float32"): 1, np.dtype("int32"): 3, np.dtype("int64"): 9}
    for name in sorted(tensors):
        arr = np.array(tensors[name], order="C")  # keeps 0-d shapes
        raw = arr.tobytes()
        shape = b"".join(_field(2, 2, _varint(len(d)) + d)
                         for d in (_field(1, 0, _varint(s)) for s in arr.shape))
        entry = (_field(1, 0, _varint(dtypes[arr.dtype])) + _field(2, 2, _varint(len(shape)) + shape)
                 + _field(4, 0, _varint(len(data))) + _field(5, 0, _varint(len(raw)))
                 + _field(6, 5, struct.pack("<I", _mask(_crc_bitwise(raw)))))
        entries.append((name.encode(), entry))
        data += raw
    index = bytearray()
    data_block = _block(entries)
    index += _with_trailer(data_block)
    meta_off = len(index)
    meta = _block([])
    index += _with_trailer(meta)
    idx_off = len(index)
    last_key = entries[-1][0]
    idx_block = _block([(last_key, _varint(0) + _varint(len(data_block)))])
    index += _with_trailer(idx_block)
    footer = _varint(meta_off) + _varint(len(meta)) + _varint(idx_off) + _varint(len(idx_block))
    footer = footer.ljust(40, b"\x00") + struct.pack("<Q", tfckpt.TABLE_MAGIC)
    index += footer
    prefix.with_name(prefix.name + ".index").write_bytes(bytes(index))
    prefix.with_name(prefix.name + ".data-00000-of-00001").write_bytes(bytes(data))


@pytest.fixture
def bundle(tmp_path: Path, rng: np.random.Generator) -> tuple[Path, dict[str, np.ndarray]]:
    tensors = {
        "a/kernel/.ATTRIBUTES/VARIABLE_VALUE": rng.standard_normal((3, 3, 4, 5)).astype(np.float32),
        "a/kernel2/.ATTRIBUTES/VARIABLE_VALUE": rng.standard_normal((7,)).astype(np.float32),
        "b/count": np.array([5], dtype=np.int32),
        "c/scalar": np.array(2.5, dtype=np.float32),
        "d/big": rng.standard_normal(40_000).astype(np.float32),
        "save_counter/.ATTRIBUTES/VARIABLE_VALUE": np.array(1, dtype=np.int64),
    }
    prefix = tmp_path / "ckpt-3"
    write_bundle(prefix, tensors)
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "ckpt-3"\n'
                                         'all_model_checkpoint_paths: "ckpt-3"\n')
    return prefix, tensors


# ---------------------------------------------------------------- crc32c

def test_crc32c_known_vectors(rng: np.random.Generator) -> None:
    assert tfckpt.crc32c(b"123456789") == 0xE3069283
    assert tfckpt.crc32c(b"") == 0
    assert tfckpt.crc32c(bytes(32)) == 0x8A9136AA  # RFC 3720 B.4
    assert tfckpt.crc32c(b"\xff" * 32) == 0x62A8AB43
    for n in (1, 63, 257, 4099, 70_001):
        data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        assert tfckpt.crc32c(data) == _crc_bitwise(data), n
        assert tfckpt.crc32c(data[n // 3:], tfckpt.crc32c(data[: n // 3])) == _crc_bitwise(data)


def test_crc32c_speed(rng: np.random.Generator) -> None:
    data = rng.integers(0, 256, 15 << 20, dtype=np.uint8).tobytes()
    t = time.perf_counter()
    tfckpt.crc32c(data)
    assert time.perf_counter() - t < 2.0  # < 1 s on an idle core; margin for loaded CI


# ---------------------------------------------------------------- synthetic bundles

def test_roundtrip_dir_prefix_and_index(bundle: tuple[Path, dict[str, np.ndarray]]) -> None:
    prefix, tensors = bundle
    for path in (prefix.parent, prefix, prefix.with_name(prefix.name + ".index")):
        got = tfckpt.read_checkpoint(path)
        assert sorted(got) == sorted(tensors)
        for k, v in tensors.items():
            assert got[k].dtype == v.dtype and got[k].shape == v.shape, k
            np.testing.assert_array_equal(got[k], v)


def _flip(path: Path, offset: int) -> None:
    b = bytearray(path.read_bytes())
    b[offset] ^= 0x40
    path.write_bytes(bytes(b))


def test_corrupt_tensor_bytes(bundle: tuple[Path, dict[str, np.ndarray]]) -> None:
    prefix, _ = bundle
    _flip(prefix.with_name(prefix.name + ".data-00000-of-00001"), 5)
    with pytest.raises(ModelFormatError, match="crc32c mismatch"):
        tfckpt.read_checkpoint(prefix)
    tfckpt.read_checkpoint(prefix, verify=False)  # opt-out still parses


def test_truncated_data(bundle: tuple[Path, dict[str, np.ndarray]]) -> None:
    prefix, _ = bundle
    data = prefix.with_name(prefix.name + ".data-00000-of-00001")
    data.write_bytes(data.read_bytes()[:-10])
    with pytest.raises(ModelFormatError, match="exceed the data file"):
        tfckpt.read_checkpoint(prefix)


def test_missing_data_file(bundle: tuple[Path, dict[str, np.ndarray]]) -> None:
    prefix, _ = bundle
    prefix.with_name(prefix.name + ".data-00000-of-00001").unlink()
    with pytest.raises(ModelFormatError, match="missing"):
        tfckpt.read_checkpoint(prefix)


@pytest.mark.parametrize("cut", [1, 20, 47, 60])
def test_truncated_index(bundle: tuple[Path, dict[str, np.ndarray]], cut: int) -> None:
    prefix, _ = bundle
    idx = prefix.with_name(prefix.name + ".index")
    idx.write_bytes(idx.read_bytes()[:-cut])
    with pytest.raises(ModelFormatError):
        tfckpt.read_checkpoint(prefix)


def test_corrupt_index_block(bundle: tuple[Path, dict[str, np.ndarray]]) -> None:
    prefix, _ = bundle
    _flip(prefix.with_name(prefix.name + ".index"), 3)
    with pytest.raises(ModelFormatError, match="checksum"):
        tfckpt.read_checkpoint(prefix)


def test_not_a_checkpoint(tmp_path: Path) -> None:
    with pytest.raises(ModelFormatError, match="no TF checkpoint"):
        tfckpt.read_checkpoint(tmp_path)
    (tmp_path / "x.index").write_bytes(b"\x00" * 100)
    with pytest.raises(ModelFormatError, match="magic"):
        tfckpt.read_checkpoint(tmp_path / "x")
    with pytest.raises(ModelFormatError, match="neither"):
        tfckpt.read_checkpoint(tmp_path / "nothing")


# ---------------------------------------------------------------- official fixture

def test_official_fixture_every_variable() -> None:
    d = shared_fixture("a0_stream_ckpt")
    got = tfckpt.read_checkpoint(d)
    listed = {}
    for line in (d / "variables.txt").read_text().splitlines():
        name, shape = line.split("\t")
        listed[name] = tuple(ast.literal_eval(shape))
    assert len(listed) == 391
    assert sorted(got) == sorted(listed)
    for name, shape in listed.items():
        assert got[name].shape == shape, name
    assert got["save_counter/.ATTRIBUTES/VARIABLE_VALUE"].dtype == np.int64
    assert got["_CHECKPOINTABLE_OBJECT_GRAPH"].dtype == object
    floats = [v for k, v in got.items() if v.dtype == np.float32]
    assert len(floats) == 389 and all(np.isfinite(v).all() for v in floats)
