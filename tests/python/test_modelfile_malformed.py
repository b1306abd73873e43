"""Malformed model files: every defect is a ModelFormatError naming it, never another error."""

from __future__ import annotations

import json
import shutil
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from movicore import ModelFormatError, arch, checksum, modelfile

CFG = arch.default_config("t0", num_classes=3)
FEAT = "blocks.block1_layer0.feature.conv.weight"


@pytest.fixture(scope="module")
def valid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(20240611)
    tensors = {k: rng.standard_normal(s).astype(np.float32)
               for k, s in arch.expected_tensors(CFG).items()}
    path = tmp_path_factory.mktemp("valid") / "valid.safetensors"
    modelfile.write_model_file(path, CFG, tensors, ["x", "y", "z"])
    return path


def split(path: Path) -> tuple[dict[str, Any], bytes]:
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8:8 + n]), raw[8 + n:]


def assemble(header: dict[str, Any] | bytes, data: bytes) -> bytes:
    """A file from an (edited) header and data section. A dict header's checksum is re-stamped
    for ``data``, so the edit under test is what the reader trips on (checksum mismatches:
    test_modelfile_checksum.py)."""
    if isinstance(header, dict) and isinstance(header.get("__metadata__"), dict) \
            and checksum.KEY in header["__metadata__"]:
        header["__metadata__"][checksum.KEY] = checksum.format_value(checksum.crc32c(data))
    h = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + data


def expect_error(path: Path, match: str | None = None) -> ModelFormatError:
    with pytest.raises(ModelFormatError, match=match) as info:
        modelfile.read_model_file(path)
    assert "\n" not in str(info.value)
    return info.value


def read_or_format_error(path: Path) -> None:
    """The only acceptable outcomes for arbitrary bytes: a valid ModelFile or ModelFormatError."""
    try:
        mf = modelfile.read_model_file(path)
    except ModelFormatError:
        return
    assert set(mf.tensors) == set(arch.expected_tensors(mf.config))


# ------------------------------------------------------------------ truncation, sizes


def test_truncation_at_every_region(valid: Path, tmp_path: Path) -> None:
    """Cut the file at every region boundary (+-1) and at each tensor's start, middle, end."""
    header, data = split(valid)
    size = valid.stat().st_size
    n = size - 8 - len(data)
    start = 8 + n
    cuts = {0, 1, 4, 7, 8, 9, 8 + n // 2, 8 + n - 1, start, start + 1, size - 4, size - 1}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        cuts |= {start + b - 1, start + b, start + b + 1, start + (b + end) // 2,
                 start + end - 1}
    work = tmp_path / "cut.safetensors"
    shutil.copyfile(valid, work)
    # Shrink one copy in place from the longest cut down: no per-cut copy of the file.
    with open(work, "r+b") as f:
        for cut in sorted((c for c in cuts if 0 <= c < size), reverse=True):
            f.truncate(cut)
            f.flush()
            expect_error(work)
    assert len(cuts) > 3 * (len(header) - 1)


def test_trailing_bytes(valid: Path, tmp_path: Path) -> None:
    p = tmp_path / "m.safetensors"
    p.write_bytes(valid.read_bytes() + b"\0\0\0\0")
    expect_error(p, "trailing bytes")


@pytest.mark.parametrize("n", [2**63, 2**64 - 1, 2**32, -7])
def test_absurd_header_length(valid: Path, tmp_path: Path, n: int) -> None:
    raw = bytearray(valid.read_bytes())
    if n < 0:  # one byte more than the file holds after the length field
        n += len(raw)
    raw[:8] = struct.pack("<Q", n)
    p = tmp_path / "m.safetensors"
    p.write_bytes(bytes(raw))
    expect_error(p, "header length")


def test_header_length_limit(tmp_path: Path) -> None:
    """A header over 100 MB is refused even when the file is that large (sparse file)."""
    p = tmp_path / "big.safetensors"
    n = modelfile.MAX_HEADER_BYTES + 1
    with open(p, "wb") as f:
        f.write(struct.pack("<Q", n) + b"{")
        f.truncate(8 + n + 16)
    expect_error(p, "limit")


@pytest.mark.parametrize("size", range(8))
def test_tiny_files(tmp_path: Path, size: int) -> None:
    p = tmp_path / "m.safetensors"
    p.write_bytes(b"\x10" * size)
    expect_error(p, "too small")


def test_directory_is_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        modelfile.read_model_file(tmp_path)


# ------------------------------------------------------------------ header bytes


def test_byte_flips_in_header(valid: Path, tmp_path: Path, rng: np.random.Generator) -> None:
    """Flip bytes all over the header: a valid file or a ModelFormatError, nothing else."""
    raw = bytearray(valid.read_bytes())
    (n,) = struct.unpack("<Q", raw[:8])
    positions = np.concatenate([np.arange(0, min(n + 8, 400)),
                                rng.integers(8, 8 + n, size=600)])
    p = tmp_path / "m.safetensors"
    rejected = 0
    with open(p, "wb") as f:
        f.write(raw)
    with open(p, "r+b") as f:
        for pos in positions:
            pos = int(pos)
            old = raw[pos]
            for new in (old ^ 0x01, old ^ 0x80, int(rng.integers(0, 256))):
                f.seek(pos)
                f.write(bytes([new]))
                f.flush()
                try:
                    modelfile.read_model_file(p, check_finite=False)
                except ModelFormatError:
                    rejected += 1
            f.seek(pos)
            f.write(bytes([old]))
    assert rejected > len(positions)  # most flips must be caught


def test_non_utf8_header(valid: Path, tmp_path: Path) -> None:
    header, data = split(valid)
    h = json.dumps(header).encode()
    h = h.replace(b'"F32"', b'"F\xff2"', 1)
    p = tmp_path / "m.safetensors"
    p.write_bytes(assemble(h, data))
    expect_error(p, "UTF-8")


@pytest.mark.parametrize("text,match", [
    (b"[]", "start with"), (b'"x"', "start with"), (b"1", "start with"), (b" {}", "start with"),
    (b"{", "not valid JSON"), (b'{"a": 1,}', "not valid JSON"), (b"{} x", "not valid JSON"),
    (b'{"a": NaN}', "NaN"), (b'{"a": Infinity}', "Infinity"), (b'{"a": 1, "a": 2}', "duplicate"),
    (b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
    (b'{"a": ' + b"9" * 5000 + b"}", "not valid JSON"),
    (b"{}", "no __metadata__"), (b"{\x00}", "not valid JSON"),
])
def test_bad_json(tmp_path: Path, text: bytes, match: str) -> None:
    p = tmp_path / "m.safetensors"
    p.write_bytes(assemble(text, b"\0" * 16))
    expect_error(p, match)


# ------------------------------------------------------------------ header semantics

Edit = Callable[[dict[str, Any]], None]


def _set_meta(key: str, value: Any) -> Edit:
    def f(h: dict[str, Any]) -> None:
        if value is None:
            del h["__metadata__"][key]
        else:
            h["__metadata__"][key] = value
    return f


def _set_config(key: str, value: Any) -> Edit:
    def f(h: dict[str, Any]) -> None:
        c = json.loads(h["__metadata__"]["config"])
        if value is None:
            del c[key]
        else:
            c[key] = value
        h["__metadata__"]["config"] = json.dumps(c)
    return f


def _set_entry(name: str, key: str, value: Any) -> Edit:
    def f(h: dict[str, Any]) -> None:
        if value is None:
            del h[name][key]
        else:
            h[name][key] = value
    return f


def _rename(old: str, new: str) -> Edit:
    def f(h: dict[str, Any]) -> None:
        h[new] = h.pop(old)
    return f


def _drop(name: str) -> Edit:
    """Remove a tensor entry and its bytes' claim: later tensors keep their offsets (a gap)."""
    def f(h: dict[str, Any]) -> None:
        del h[name]
    return f


def _shift_offsets(name: str, delta_begin: int, delta_end: int) -> Edit:
    def f(h: dict[str, Any]) -> None:
        b, e = h[name]["data_offsets"]
        h[name]["data_offsets"] = [b + delta_begin, e + delta_end]
    return f


def _overlap(h: dict[str, Any]) -> None:
    """Point a tensor at the bytes of another one of the same size."""
    a = "blocks.block0_layer0.expand.bn.bias"
    b = "blocks.block0_layer0.expand.bn.weight"
    assert h[a]["shape"] == h[b]["shape"]
    h[b]["data_offsets"] = list(h[a]["data_offsets"])


CASES: dict[str, tuple[Edit, str]] = {
    "metadata not a map": (lambda h: h.update({"__metadata__": ["x"]}), "map of strings"),
    "metadata non-string value": (_set_meta("format_version", 1), "map of strings"),
    "no format": (_set_meta("format", None), "missing the keys"),
    "no config": (_set_meta("config", None), "missing the keys"),
    "no format_version": (_set_meta("format_version", None), "missing the keys"),
    "no kind": (_set_meta("kind", None), "missing the keys"),
    "no bn": (_set_meta("bn", None), "missing the keys"),
    "wrong format": (_set_meta("format", "gguf"), "format must be"),
    "version 2": (_set_meta("format_version", "2"), "unsupported format_version 2.*newer"),
    "version 0": (_set_meta("format_version", "0"), "unsupported format_version 0"),
    "version text": (_set_meta("format_version", "one"), "decimal integer"),
    "version empty": (_set_meta("format_version", ""), "decimal integer"),
    "version huge": (_set_meta("format_version", "9" * 5000), "decimal integer"),
    "version unicode digit": (_set_meta("format_version", "\u0661"), "decimal integer"),
    "kind ensemble": (_set_meta("kind", "ensemble"), "unsupported kind"),
    "bn folded": (_set_meta("bn", "folded"), "bn layout"),
    "config not json": (_set_meta("config", "{model_id: a0"), "config is not valid JSON"),
    "config not object": (_set_meta("config", "[1, 2]"), "must be a JSON object"),
    "config missing key": (_set_config("gate", None), "missing the keys.*gate"),
    "config unknown key": (_set_config("dropout", 0.2), "unknown config keys"),
    "config bad model": (_set_config("model_id", "a9"), "model_id"),
    "config bad gate": (_set_config("gate", "relu"), "gate"),
    "config num_classes str": (_set_config("num_classes", "3"), "num_classes must be int"),
    "config num_classes bool": (_set_config("num_classes", True), "num_classes must be int"),
    "config num_classes 0": (_set_config("num_classes", 0), "num_classes"),
    "config causal int": (_set_config("causal", 1), "causal must be bool"),
    "config input_size float": (_set_config("input_size", 160.0), "input_size must be int"),
    "config pe without causal": (lambda h: (_set_config("causal", False)(h),
                                            _set_config("positional_encoding", True)(h)),
                                 "positional_encoding"),
    "config other arch": (_set_config("model_id", "a0"), "tensors do not match"),
    "config more classes": (_set_config("num_classes", 4), "expected 4 labels"),
    "labels not json": (_set_meta("labels", "[x"), "labels is not valid JSON"),
    "labels not list": (_set_meta("labels", '{"a": 1}'), "list of strings"),
    "labels not strings": (_set_meta("labels", "[1, 2, 3]"), "list of strings"),
    "labels too few": (_set_meta("labels", '["a", "b"]'), "expected 3 labels"),
    "labels too many": (_set_meta("labels", '["a", "b", "c", "d"]'), "expected 3 labels"),
    "entry not object": (lambda h: h.update({FEAT: [1, 2]}), "entry must be an object"),
    "entry extra key": (_set_entry(FEAT, "layout", "x"), "expected keys"),
    "entry no dtype": (_set_entry(FEAT, "dtype", None), "expected keys"),
    "dtype F16": (_set_entry(FEAT, "dtype", "F16"), "dtype F16.*F32 only"),
    "dtype F64": (_set_entry(FEAT, "dtype", "F64"), "dtype F64"),
    "dtype BF16": (_set_entry(FEAT, "dtype", "BF16"), "dtype BF16"),
    "dtype unknown": (_set_entry(FEAT, "dtype", "Q4"), "unknown dtype"),
    "dtype not str": (_set_entry(FEAT, "dtype", 7), "unknown dtype"),
    "shape not list": (_set_entry(FEAT, "shape", "72,1,1,3,3"), "shape must be a list"),
    "shape negative": (_set_entry(FEAT, "shape", [-72, 1, 1, -3, 3]), "non-negative"),
    "shape float": (_set_entry(FEAT, "shape", [72.0, 1, 1, 3, 3]), "shape must be a list"),
    "shape bool": (_set_entry(FEAT, "shape", [72, True, 1, 3, 3]), "shape must be a list"),
    "shape permuted": (_set_entry(FEAT, "shape", [72, 1, 3, 3, 1]), "expected shape"),
    "shape flattened": (_set_entry(FEAT, "shape", [72, 9]), "expected shape"),
    "shape vs offsets": (_set_entry(FEAT, "shape", [72, 1, 1, 3, 4]), "need"),
    "offsets not list": (_set_entry(FEAT, "data_offsets", 5), "data_offsets must be"),
    "offsets one": (_set_entry(FEAT, "data_offsets", [0]), "data_offsets must be"),
    "offsets three": (_set_entry(FEAT, "data_offsets", [0, 4, 8]), "data_offsets must be"),
    "offsets float": (_set_entry(FEAT, "data_offsets", [0.0, 2592.0]), "data_offsets must be"),
    "offsets reversed": (_shift_offsets(FEAT, 2592, -2592), "begin <= end"),
    "offsets negative": (_set_entry(FEAT, "data_offsets", [-2592, 0]), "begin <= end"),
    "offsets huge": (_set_entry(FEAT, "data_offsets", [2**70, 2**70 + 2592]), "past the end"),
    "offsets shifted": (_shift_offsets(FEAT, 4, 4), "overlap|gap"),
    "overlap": (_overlap, "overlap"),
    "missing tensor": (_drop(FEAT), "missing 1 tensor.*feature"),
    "extra tensor": (lambda h: h.update({"foo": {"dtype": "F32", "shape": [0],
                                                 "data_offsets": [0, 0]}}),
                     "unexpected 1 tensor.*foo"),
    "renamed tensor": (_rename(FEAT, FEAT + "_x"), "missing.*unexpected"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_header(valid: Path, tmp_path: Path, case: str) -> None:
    edit, match = CASES[case]
    header, data = split(valid)
    edit(header)
    p = tmp_path / "m.safetensors"
    p.write_bytes(assemble(header, data))
    expect_error(p, match)


def test_gap_in_data(valid: Path, tmp_path: Path) -> None:
    """Insert 4 unused bytes before the last tensor and shift its offsets: a gap."""
    header, data = split(valid)
    last = max((k for k in header if k != "__metadata__"),
               key=lambda k: header[k]["data_offsets"][0])
    b, e = header[last]["data_offsets"]
    header[last]["data_offsets"] = [b + 4, e + 4]
    p = tmp_path / "m.safetensors"
    p.write_bytes(assemble(header, data[:b] + b"\0\0\0\0" + data[b:]))
    expect_error(p, "gap in the data section")


def test_reordered_tensors_are_fine(valid: Path, tmp_path: Path) -> None:
    """Standard safetensors does not fix the data order; a permuted, contiguous layout reads."""
    header, data = split(valid)
    names = sorted((k for k in header if k != "__metadata__"), reverse=True)
    new_data, pos = [], 0
    for name in names:
        b, e = header[name]["data_offsets"]
        new_data.append(data[b:e])
        header[name]["data_offsets"] = [pos, pos + e - b]
        pos += e - b
    p = tmp_path / "m.safetensors"
    p.write_bytes(assemble(header, b"".join(new_data)))
    a, b = modelfile.read_model_file(valid), modelfile.read_model_file(p)
    for name in a.tensors:
        assert np.array_equal(a.tensors[name], b.tensors[name])


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_data(valid: Path, tmp_path: Path, value: float) -> None:
    header, data = split(valid)
    b, _ = header[FEAT]["data_offsets"]
    data = data[:b + 8] + np.float32(value).tobytes() + data[b + 12:]
    p = tmp_path / "m.safetensors"
    p.write_bytes(assemble(header, data))
    expect_error(p, FEAT.replace(".", r"\.") + ".*NaN or infinite")
    mf = modelfile.read_model_file(p, check_finite=False)
    assert not np.isfinite(mf.tensors[FEAT]).all()


def test_random_bytes_after_length(tmp_path: Path, rng: np.random.Generator) -> None:
    p = tmp_path / "m.safetensors"
    for _ in range(200):
        n = int(rng.integers(0, 64))
        body = rng.integers(0, 256, size=n + int(rng.integers(0, 64)), dtype=np.uint8).tobytes()
        if rng.random() < 0.5:
            body = b"{" + body
        p.write_bytes(struct.pack("<Q", n) + body)
        read_or_format_error(p)
