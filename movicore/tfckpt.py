"""Reader for TensorFlow "tensor bundle" checkpoints (``*.index`` + ``*.data-*``), numpy only.

Lets ``movicore convert`` and the reference import official MoViNet checkpoints without
TensorFlow. Format: the ``.index`` file is a LevelDB-style SSTable mapping tensor names to
``BundleEntryProto`` records (dtype, shape, shard, offset, size, masked crc32c); the header
(key "") is a ``BundleHeaderProto``. Tensor bytes live in ``<prefix>.data-SSSSS-of-NNNNN``.
"""

from __future__ import annotations

import re
import struct
from functools import lru_cache
from pathlib import Path

import numpy as np

from movicore.errors import ModelFormatError

TABLE_MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
BLOCK_TRAILER_SIZE = 5
_CRC_POLY = 0x82F63B78  # CRC-32C (Castagnoli), reflected
_MASK_DELTA = 0xA282EAD8

# TF DataType enum -> numpy dtype (DT_STRING = 7 handled separately).
_DTYPES: dict[int, np.dtype] = {
    1: np.dtype("<f4"), 2: np.dtype("<f8"), 3: np.dtype("<i4"), 4: np.dtype("u1"),
    5: np.dtype("<i2"), 6: np.dtype("i1"), 9: np.dtype("<i8"), 10: np.dtype("?"),
    17: np.dtype("<u2"), 19: np.dtype("<f2"), 22: np.dtype("<u4"), 23: np.dtype("<u8"),
}
DT_STRING = 7


# --------------------------------------------------------------------------- crc32c

@lru_cache(maxsize=1)
def _crc_table() -> np.ndarray:
    t = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        t = np.where(t & 1, (t >> 1) ^ np.uint32(_CRC_POLY), t >> 1).astype(np.uint32)
    return t


def _crc_raw_py(data: bytes | memoryview, crc: int) -> int:
    """Register update without pre/post inversion (pure Python; small inputs only)."""
    table = _crc_table().tolist()
    for b in bytes(data):
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


@lru_cache(maxsize=8)
def _shift_tables(length: int) -> list[list[int]]:
    """Byte tables of the linear map 'advance the register over `length` zero bytes'."""
    table = _crc_table()
    basis = (np.uint32(1) << np.arange(32, dtype=np.uint32)).astype(np.uint32)
    for _ in range(length):
        basis = table[basis & 0xFF] ^ (basis >> 8)
    out = []
    for k in range(4):
        vals = np.zeros(256, dtype=np.uint32)
        for bit in range(8):
            vals ^= np.where((np.arange(256) >> bit) & 1, basis[8 * k + bit], 0).astype(np.uint32)
        out.append(vals.tolist())
    return out


@lru_cache(maxsize=1)
def _slice4_tables() -> np.ndarray:
    """Slicing-by-4 tables: row k advances a byte by k further zero bytes."""
    t = np.empty((4, 256), dtype=np.uint32)
    t[0] = _crc_table()
    for k in range(1, 4):
        t[k] = (t[k - 1] >> 8) ^ t[0][t[k - 1] & 0xFF]
    return t


def _chunk_length(n: int) -> int:
    """Power-of-two chunk length balancing per-step numpy overhead and the chaining loop."""
    target = max(64.0, (n / 8.0) ** 0.5)
    return 1 << round(np.log2(target))


def crc32c(data: bytes | memoryview | np.ndarray, crc: int = 0) -> int:
    """CRC-32C of ``data`` (continuing from a previous ``crc``), vectorised with numpy.

    Splits the input into equal chunks, runs a slicing-by-4 table update on all chunks at
    once (4 bytes per step), then chains the chunk CRCs with a precomputed 'advance over one
    chunk of zeros' operator (CRC is linear over GF(2)).
    """
    buf = np.frombuffer(memoryview(data).cast("B"), dtype=np.uint8)
    state = (crc ^ 0xFFFFFFFF) & 0xFFFFFFFF
    n = buf.size
    length = _chunk_length(n)
    nchunks = n // length
    if nchunks >= 4:
        words = buf[: nchunks * length].view("<u4").reshape(nchunks, length // 4).T.copy()
        t0, t1, t2, t3 = _slice4_tables()
        r = np.zeros(nchunks, dtype=np.uint32)
        for w in words:
            x = r ^ w
            r = t3[x & 0xFF] ^ t2[(x >> 8) & 0xFF] ^ t1[(x >> 16) & 0xFF] ^ t0[x >> 24]
        s0, s1, s2, s3 = _shift_tables(length)
        for v in r.tolist():
            state = (s0[state & 0xFF] ^ s1[(state >> 8) & 0xFF] ^ s2[(state >> 16) & 0xFF]
                     ^ s3[state >> 24] ^ v)
        buf = buf[nchunks * length:]
    state = _crc_raw_py(buf.tobytes(), state)
    return state ^ 0xFFFFFFFF


def mask_crc(crc: int) -> int:
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + _MASK_DELTA) & 0xFFFFFFFF


# --------------------------------------------------------------------------- protobuf

def _varint(buf: bytes | memoryview, pos: int, what: str) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ModelFormatError(f"truncated varint in {what}")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ModelFormatError(f"varint too long in {what}")


def _proto_fields(buf: bytes, what: str) -> list[tuple[int, int, int | bytes]]:
    """Flat protobuf decoding: [(field, wire_type, value)]."""
    out: list[tuple[int, int, int | bytes]] = []
    pos = 0
    while pos < len(buf):
        tag, pos = _varint(buf, pos, what)
        field, wt = tag >> 3, tag & 7
        if wt == 0:
            val, pos = _varint(buf, pos, what)
            out.append((field, wt, val))
        elif wt == 1:
            if pos + 8 > len(buf):
                raise ModelFormatError(f"truncated fixed64 in {what}")
            out.append((field, wt, struct.unpack_from("<Q", buf, pos)[0]))
            pos += 8
        elif wt == 2:
            ln, pos = _varint(buf, pos, what)
            if pos + ln > len(buf):
                raise ModelFormatError(f"truncated length-delimited field {field} in {what}")
            out.append((field, wt, bytes(buf[pos:pos + ln])))
            pos += ln
        elif wt == 5:
            if pos + 4 > len(buf):
                raise ModelFormatError(f"truncated fixed32 in {what}")
            out.append((field, wt, struct.unpack_from("<I", buf, pos)[0]))
            pos += 4
        else:
            raise ModelFormatError(f"unsupported protobuf wire type {wt} in {what}")
    return out


class _Entry:
    __slots__ = ("crc", "dtype", "name", "offset", "shape", "shard", "size", "sliced")

    def __init__(self, name: str, raw: bytes) -> None:
        self.name = name
        self.dtype = 0
        self.shape: tuple[int, ...] = ()
        self.shard = self.offset = self.size = 0
        self.crc: int | None = None
        self.sliced = False
        what = f"BundleEntryProto of {name!r}"
        for field, _, val in _proto_fields(raw, what):
            if field == 1:
                self.dtype = int(val)  # type: ignore[arg-type]
            elif field == 2:
                self.shape = _parse_shape(val, what)  # type: ignore[arg-type]
            elif field == 3:
                self.shard = int(val)  # type: ignore[arg-type]
            elif field == 4:
                self.offset = int(val)  # type: ignore[arg-type]
            elif field == 5:
                self.size = int(val)  # type: ignore[arg-type]
            elif field == 6:
                self.crc = int(val)  # type: ignore[arg-type]
            elif field == 7:
                self.sliced = True


def _parse_shape(raw: bytes, what: str) -> tuple[int, ...]:
    dims: list[int] = []
    for field, _, val in _proto_fields(raw, what):
        if field == 2:
            size = 0
            for f2, _, v2 in _proto_fields(val, what):  # type: ignore[arg-type]
                if f2 == 1:
                    size = int(v2)  # type: ignore[arg-type]
                    if size >= 1 << 63:
                        size -= 1 << 64
            if size < 0:
                raise ModelFormatError(f"unknown dimension in shape of {what}")
            dims.append(size)
        elif field == 3 and val:
            raise ModelFormatError(f"unknown rank in shape of {what}")
    return tuple(dims)


# --------------------------------------------------------------------------- SSTable

def _block(data: bytes, offset: int, size: int, what: str, verify: bool) -> bytes:
    end = offset + size + BLOCK_TRAILER_SIZE
    if offset < 0 or size < 4 or end > len(data):
        raise ModelFormatError(f"{what}: block (offset {offset}, size {size}) exceeds the index "
                               f"file ({len(data)} bytes)")
    contents = data[offset:offset + size]
    kind = data[offset + size]
    if verify:
        want = struct.unpack_from("<I", data, offset + size + 1)[0]
        got = mask_crc(crc32c(data[offset:offset + size + 1]))
        if got != want:
            raise ModelFormatError(f"{what}: block checksum mismatch (stored {want:#010x}, "
                                   f"computed {got:#010x})")
    if kind != 0:
        raise ModelFormatError(f"{what}: compressed blocks (type {kind}) are not supported; "
                               "TF tensor bundles are written uncompressed")
    return contents


def _block_entries(block: bytes, what: str) -> list[tuple[bytes, bytes]]:
    if len(block) < 4:
        raise ModelFormatError(f"{what}: block too small")
    nrestarts = struct.unpack_from("<I", block, len(block) - 4)[0]
    limit = len(block) - 4 - 4 * nrestarts
    if limit < 0:
        raise ModelFormatError(f"{what}: restart array ({nrestarts}) larger than the block")
    out: list[tuple[bytes, bytes]] = []
    pos = 0
    key = b""
    while pos < limit:
        shared, pos = _varint(block, pos, what)
        unshared, pos = _varint(block, pos, what)
        vlen, pos = _varint(block, pos, what)
        if shared > len(key) or pos + unshared + vlen > limit:
            raise ModelFormatError(f"{what}: corrupt entry at byte {pos}")
        key = key[:shared] + block[pos:pos + unshared]
        pos += unshared
        out.append((key, block[pos:pos + vlen]))
        pos += vlen
    return out


def _handle(buf: bytes, pos: int, what: str) -> tuple[int, int, int]:
    off, pos = _varint(buf, pos, what)
    size, pos = _varint(buf, pos, what)
    return off, size, pos


def read_index(index_path: str | Path, verify: bool = True) -> tuple[dict[str, _Entry], int]:
    """Entries of a ``.index`` file and the number of data shards."""
    path = Path(index_path)
    data = path.read_bytes()
    what = str(path)
    if len(data) < FOOTER_SIZE:
        raise ModelFormatError(f"{what}: {len(data)} bytes, too small for an SSTable footer "
                               f"({FOOTER_SIZE} bytes)")
    footer = data[-FOOTER_SIZE:]
    magic = struct.unpack_from("<Q", footer, 40)[0]
    if magic != TABLE_MAGIC:
        raise ModelFormatError(f"{what}: bad table magic {magic:#x}, expected {TABLE_MAGIC:#x} "
                               "(not a TF checkpoint index or truncated)")
    _, _, pos = _handle(footer, 0, f"{what} footer")
    ioff, isize, _ = _handle(footer, pos, f"{what} footer")
    index_block = _block(data, ioff, isize, f"{what} index block", verify)
    entries: dict[str, _Entry] = {}
    num_shards = 1
    header_seen = False
    for _, handle in _block_entries(index_block, f"{what} index block"):
        boff, bsize, _ = _handle(handle, 0, f"{what} block handle")
        block = _block(data, boff, bsize, f"{what} data block @{boff}", verify)
        for key, value in _block_entries(block, f"{what} data block @{boff}"):
            if key == b"":
                header_seen = True
                for field, _, val in _proto_fields(value, f"{what} BundleHeaderProto"):
                    if field == 1:
                        num_shards = int(val)  # type: ignore[arg-type]
                    elif field == 2 and val != 0:
                        raise ModelFormatError(f"{what}: big-endian bundles are not supported")
                continue
            name = key.decode("utf-8", errors="replace")
            entries[name] = _Entry(name, value)
    if not header_seen:
        raise ModelFormatError(f"{what}: missing BundleHeaderProto (empty key)")
    return entries, num_shards


def _read_string_tensor(raw: bytes, count: int, what: str) -> tuple[np.ndarray, int]:
    lengths = []
    pos = 0
    crc = 0
    for _ in range(count):
        ln, pos = _varint(raw, pos, what)
        lengths.append(ln)
        # lengths are checksummed as uint32 (uint64 only beyond 4 GiB), not as varints
        crc = crc32c(struct.pack("<I" if ln <= 0xFFFFFFFF else "<Q", ln), crc)
    if pos + 4 > len(raw):
        raise ModelFormatError(f"{what}: truncated string lengths")
    crc = crc32c(raw[pos:pos + 4], crc)
    pos += 4
    vals = []
    for ln in lengths:
        if pos + ln > len(raw):
            raise ModelFormatError(f"{what}: truncated string data")
        vals.append(raw[pos:pos + ln])
        crc = crc32c(raw[pos:pos + ln], crc)
        pos += ln
    arr = np.empty(count, dtype=object)
    arr[:] = vals
    return arr, crc


def resolve_prefix(path: str | Path) -> Path:
    """Checkpoint prefix from a directory (its ``checkpoint`` file or newest ``.index``),
    an ``.index`` file, or a prefix."""
    p = Path(path)
    if p.is_dir():
        ckpt_file = p / "checkpoint"
        if ckpt_file.is_file():
            m = re.search(r'^model_checkpoint_path:\s*"(.*)"\s*$', ckpt_file.read_text(),
                          re.MULTILINE)
            if m:
                cand = Path(m.group(1))
                cand = cand if cand.is_absolute() else p / cand
                if cand.with_name(cand.name + ".index").is_file():
                    return cand
        indexes = sorted(p.glob("*.index"), key=lambda f: f.stat().st_mtime)
        if not indexes:
            raise ModelFormatError(f"{p}: no TF checkpoint (*.index) in this directory")
        return indexes[-1].with_suffix("")
    if p.suffix == ".index":
        return p.with_suffix("")
    if not p.with_name(p.name + ".index").is_file():
        raise ModelFormatError(f"{p}: neither a directory, an .index file nor a checkpoint "
                               "prefix with an .index file")
    return p


def read_checkpoint(path: str | Path, verify: bool = True) -> dict[str, np.ndarray]:
    """All tensors of a TF checkpoint as numpy arrays (string tensors as object arrays).

    ``verify`` checks the masked crc32c of every block and tensor.
    Raises ModelFormatError for malformed, truncated or unsupported files.
    """
    prefix = resolve_prefix(path)
    entries, num_shards = read_index(prefix.with_name(prefix.name + ".index"), verify)
    if num_shards < 1:
        raise ModelFormatError(f"{prefix}: invalid shard count {num_shards}")
    shards: dict[int, bytes] = {}
    out: dict[str, np.ndarray] = {}
    for name, e in sorted(entries.items()):
        what = f"tensor {name!r} in {prefix}"
        if e.sliced:
            raise ModelFormatError(f"{what}: partitioned (sliced) variables are not supported")
        if not 0 <= e.shard < num_shards:
            raise ModelFormatError(f"{what}: shard {e.shard} out of range [0, {num_shards})")
        if e.shard not in shards:
            shard = prefix.with_name(f"{prefix.name}.data-{e.shard:05d}-of-{num_shards:05d}")
            if not shard.is_file():
                raise ModelFormatError(f"{what}: data file {shard} is missing")
            shards[e.shard] = shard.read_bytes()
        data = shards[e.shard]
        if e.offset < 0 or e.offset + e.size > len(data):
            raise ModelFormatError(f"{what}: bytes [{e.offset}, {e.offset + e.size}) exceed the "
                                   f"data file ({len(data)} bytes; truncated?)")
        raw = data[e.offset:e.offset + e.size]
        count = int(np.prod(e.shape, dtype=np.int64))
        if e.dtype == DT_STRING:
            arr, crc = _read_string_tensor(raw, count, what)
            arr = arr.reshape(e.shape)
        else:
            dt = _DTYPES.get(e.dtype)
            if dt is None:
                raise ModelFormatError(f"{what}: unsupported dtype enum {e.dtype}")
            if count * dt.itemsize != e.size:
                raise ModelFormatError(f"{what}: size {e.size} bytes does not match shape "
                                       f"{e.shape} of {dt} ({count * dt.itemsize} bytes)")
            arr = np.frombuffer(raw, dtype=dt).reshape(e.shape).astype(dt.newbyteorder("="))
            crc = crc32c(raw) if verify else 0
        if verify and e.crc is not None and mask_crc(crc) != e.crc:
            raise ModelFormatError(f"{what}: crc32c mismatch (stored {e.crc:#010x}, computed "
                                   f"{mask_crc(crc):#010x}); file corrupt")
        out[name] = arr
    return out
