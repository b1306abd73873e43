"""movicore model files: safetensors with the architecture in ``__metadata__``.

Layout (standard safetensors): ``u64`` little-endian header length N, N bytes of UTF-8 JSON
(padded with spaces so the data section starts 8-byte aligned), then the raw little-endian
float32 data of every tensor, contiguous, in the order of the sorted tensor names. The
header maps tensor name -> ``{"dtype": "F32", "shape": [...], "data_offsets": [b, e]}``
(offsets relative to the data section) plus ``__metadata__``, a string -> string map holding
the format version, the architecture config and the labels (see ``docs/model-file.md``).

The reader needs numpy only. It validates every header field against the file size and the
architecture (``arch.expected_tensors``) before it touches the data, and reports every
problem as :class:`movicore.errors.ModelFormatError`, so a malformed file can never crash a
caller or reach the engine. Tensors are returned as read-only views of one memory map.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import struct
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from movicore import arch, checksum
from movicore.errors import ModelFormatError
from movicore.fileio import current_umask
from movicore.quant.scheme import QuantSpec, check_static_inputs, parse_quant_metadata
from movicore.video import settings as video_settings

FORMAT = "movicore"
KIND_MODEL = "model"
KIND_ENSEMBLE = "ensemble"
KINDS = (KIND_MODEL,)  # kinds read_model_file accepts; ensembles: read_ensemble_file
FILE_KINDS = (KIND_MODEL, KIND_ENSEMBLE)
BN_LAYOUT = "unfolded"  # BN stored as trained (gamma/beta/mean/var); the engine folds at load
MAX_HEADER_BYTES = 100 * 1024 * 1024
ALIGN = 8
RESERVED_KEYS = ("format", "format_version", "kind", "config", "labels", "bn", checksum.KEY)
REQUIRED_KEYS = ("format", "format_version", "kind", "config", "bn")
# safetensors dtype names, to say what was found when it is not F32.
_KNOWN_DTYPES = ("BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16",
                 "I32", "U32", "F32", "F64", "I64", "U64")
_TENSOR_KEYS = {"dtype", "shape", "data_offsets"}
# safetensors dtype name -> numpy dtype of the dtypes a model file may hold (I8: int8 layers of
# a quantized file, see movicore.quant.scheme).
_DTYPES = {"F32": np.dtype("<f4"), "I8": np.dtype("i1")}
_DTYPE_NAMES = {np.dtype(np.float32): "F32", np.dtype(np.int8): "I8"}


@dataclasses.dataclass(frozen=True)
class ModelFile:
    """A validated model file. ``tensors`` are read-only views of one memory map."""

    path: Path
    config: arch.Config
    labels: list[str]
    tensors: dict[str, np.ndarray]
    metadata: dict[str, str]
    format_version: int
    kind: str = KIND_MODEL
    quant: QuantSpec | None = None  # int8 scheme of a quantized file

    @property
    def parameter_count(self) -> int:
        return arch.parameter_count(self.config)


def default_labels(num_classes: int) -> list[str]:
    return [f"class_{i}" for i in range(num_classes)]


# --------------------------------------------------------------------------- writing

def expected_dtypes(config: arch.Config, quant: QuantSpec | None
                    ) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """Every tensor of a (possibly quantized) file: name -> (shape, numpy dtype)."""
    expected = arch.expected_tensors(config)
    out = {n: (shape, np.dtype(np.float32)) for n, shape in expected.items()}
    if quant is not None:
        for n, shape in quant.extra_tensors(expected).items():
            out[n] = (shape, np.dtype(np.float32))
        for n in quant.layers:
            out[n] = (expected[n], np.dtype(np.int8))
    return out


def validate_tensors(config: arch.Config, tensors: Mapping[str, Any], *,
                     check_finite: bool = True, quant: QuantSpec | None = None) -> None:
    """Raise ModelFormatError unless ``tensors`` are exactly the tensors of ``config`` (float32;
    with ``quant``, its int8 layers, their scales and static inputs)."""
    typed = expected_dtypes(config, quant)
    expected = {n: shape for n, (shape, _) in typed.items()}
    missing = sorted(set(expected) - set(tensors))
    extra = sorted(set(tensors) - set(expected))
    if missing or extra:
        raise ModelFormatError(_name_diff(config, missing, extra))
    for name, shape in expected.items():
        arr = tensors[name]
        if not isinstance(arr, np.ndarray):
            raise ModelFormatError(f"tensor {name!r}: expected a numpy array, got "
                                   f"{type(arr).__name__}")
        if arr.dtype != typed[name][1]:
            raise ModelFormatError(f"tensor {name!r}: expected dtype {typed[name][1]}, got "
                                   f"{arr.dtype}")
        if tuple(arr.shape) != shape:
            raise ModelFormatError(f"tensor {name!r}: expected shape {list(shape)}, got "
                                   f"{list(arr.shape)}")
        if check_finite and not np.isfinite(arr).all():
            raise ModelFormatError(f"tensor {name!r} contains NaN or infinite values")
        if arr.dtype == np.int8 and (arr == -128).any():
            raise ModelFormatError(f"tensor {name!r}: int8 weights must be within -127..127")
    if quant is not None:
        check_static_inputs(tensors, quant)


def _check_labels(labels: Any, num_classes: int) -> list[str]:
    if not isinstance(labels, list) or not all(isinstance(s, str) for s in labels):
        raise ModelFormatError("labels must be a list of strings")
    if len(labels) != num_classes:
        raise ModelFormatError(f"expected {num_classes} labels (num_classes), got {len(labels)}")
    return list(labels)


def build_header(config: arch.Config, tensors: Mapping[str, np.ndarray],
                 labels: list[str] | None = None,
                 extra_metadata: Mapping[str, str] | None = None,
                 quant: QuantSpec | None = None) -> bytes:
    """The padded JSON header for ``tensors`` laid out contiguously in sorted-name order."""
    labels = _check_labels(default_labels(config.num_classes) if labels is None else labels,
                           config.num_classes)
    meta = {
        "format": FORMAT,
        "format_version": str(arch.FORMAT_VERSION),
        "kind": KIND_MODEL,
        "config": json.dumps(config.to_dict(), sort_keys=True),
        "labels": json.dumps(labels, ensure_ascii=False),
        "bn": BN_LAYOUT,
    }
    if quant is not None:
        meta["quant"] = quant.to_json()
    for key, value in (extra_metadata or {}).items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"extra metadata must map str to str, got {key!r}: {value!r}")
        if key in meta or key in RESERVED_KEYS:
            raise ValueError(f"extra metadata key {key!r} is reserved")
        meta[key] = value
    return assemble_header(meta, tensors)


def assemble_header(meta: Mapping[str, str], tensors: Mapping[str, np.ndarray]) -> bytes:
    """Padded JSON header: ``meta`` plus the data section's checksum as ``__metadata__``,
    tensors contiguous in name order."""
    header: dict[str, Any] = {"__metadata__": {**meta, checksum.KEY:
                                               checksum.of_chunks(_data_chunks(tensors))}}
    offset = 0
    for name in sorted(tensors):
        arr = tensors[name]
        dtype = _DTYPE_NAMES.get(np.dtype(arr.dtype), "F32")
        size = _DTYPES[dtype].itemsize * math.prod(arr.shape)
        header[name] = {"dtype": dtype, "shape": list(arr.shape),
                        "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-(8 + len(raw)) % ALIGN)
    return raw


def write_model_file(path: str | os.PathLike[str], config: arch.Config,
                     tensors: Mapping[str, np.ndarray], labels: list[str] | None = None,
                     extra_metadata: Mapping[str, str] | None = None,
                     quant: QuantSpec | None = None) -> None:
    """Validate, then write atomically (temp file in the same directory, fsync, rename).

    On any failure no output and no temp file remain; an existing ``path`` is untouched.
    """
    if not isinstance(config, arch.Config):
        raise TypeError(f"config must be an arch.Config, got {type(config).__name__}")
    validate_tensors(config, tensors, quant=quant)
    header = build_header(config, tensors, labels, extra_metadata, quant)
    write_atomic(path, header, tensors)


def write_atomic(path: str | os.PathLike[str], header: bytes,
                 tensors: Mapping[str, np.ndarray]) -> None:
    """Header length, header, then the tensors in sorted-name order; temp file + rename."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise type(exc)(exc.errno, f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        os.fchmod(fd, 0o666 & ~current_umask())  # mkstemp makes 0600; give a normal file's mode
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(header)))
            f.write(header)
            for chunk in _data_chunks(tensors):
                f.write(chunk.data)
            f.flush()
            os.fsync(f.fileno())
        Path(tmp).replace(path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno is not None:
            # Name the file the caller asked for, not the hidden temporary beside it.
            raise type(exc)(exc.errno, f"cannot write {path}: {exc.strerror or exc}") from exc
        raise
    _fsync_dir(directory)


def _data_chunks(tensors: Mapping[str, np.ndarray]) -> Iterator[np.ndarray]:
    """The data section as written: each tensor little-endian float32 (int8 for the int8
    layers of a quantized file), sorted by name."""
    for name in sorted(tensors):
        dtype = _DTYPES[_DTYPE_NAMES.get(np.dtype(tensors[name].dtype), "F32")]
        yield np.ascontiguousarray(tensors[name], dtype=dtype)


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable (best effort: not every platform can open a directory)."""
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


# --------------------------------------------------------------------------- reading

def read_model_file(path: str | os.PathLike[str], *, check_finite: bool = True) -> ModelFile:
    """Read and fully validate a model file.

    A missing file raises FileNotFoundError (other OS errors pass through as OSError);
    anything wrong with the content raises ModelFormatError naming the problem.
    """
    path = Path(path)
    raw, size = read_header_bytes(path)
    data_start = 8 + len(raw)
    data_len = size - data_start
    header = parse_header(raw)
    mf_meta, entries = _split_header(header)
    meta = _parse_metadata(mf_meta)
    config: arch.Config = meta["config"]
    quant: QuantSpec | None = meta["quant"]
    _check_entries(entries, config, data_len, quant)
    tensors = map_tensors(path, size, data_start, entries, check_finite=check_finite,
                          checksum_value=meta["raw"].get(checksum.KEY))
    if quant is not None:
        check_static_inputs(tensors, quant)
        for name in quant.layers:
            if (tensors[name] == -128).any():
                raise ModelFormatError(f"tensor {name!r}: int8 weights must be within -127..127")
    return ModelFile(path=path, config=config, labels=meta["labels"], tensors=tensors,
                     metadata=meta["raw"], format_version=meta["version"], kind=meta["kind"],
                     quant=quant)


def read_header_bytes(path: Path) -> tuple[bytes, int]:
    """(raw header bytes, file size), after checking the length prefix against the file."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size < 8:
            raise ModelFormatError(f"{path}: file too small for a safetensors header "
                                   f"({size} bytes, need at least 8)")
        (n,) = struct.unpack("<Q", f.read(8))
        if n > size - 8:
            raise ModelFormatError(f"{path}: header length {n} exceeds the file size "
                                   f"({size} bytes): truncated or not a safetensors file")
        if n > MAX_HEADER_BYTES:
            raise ModelFormatError(f"{path}: header length {n} exceeds the limit of "
                                   f"{MAX_HEADER_BYTES} bytes")
        raw = f.read(n)
        if len(raw) != n:
            raise ModelFormatError(f"{path}: file shrank while reading the header")
    return raw, size


def map_tensors(path: Path, size: int, data_start: int, entries: Mapping[str, Any], *,
                check_finite: bool = True,
                checksum_value: str | None = None) -> dict[str, np.ndarray]:
    """Read-only float32 views of validated ``entries`` in one memory map of ``path``, after
    checking the data section against ``checksum_value`` (the metadata value) when given."""
    mm = np.memmap(path, dtype=np.uint8, mode="r")
    if mm.shape[0] != size:
        raise ModelFormatError(f"{path}: file size changed while reading")
    if checksum_value is not None:
        checksum.verify(checksum_value, mm[data_start:], str(path))
    tensors = {}
    for name in sorted(entries):
        shape = tuple(entries[name]["shape"])
        begin = entries[name]["data_offsets"][0]
        dtype = _DTYPES[entries[name]["dtype"]]
        arr = np.ndarray(shape, dtype=dtype, buffer=mm, offset=data_start + begin)
        if check_finite and not np.isfinite(arr).all():
            raise ModelFormatError(f"tensor {name!r} contains NaN or infinite values")
        tensors[name] = arr
    return tensors


def parse_header(raw: bytes) -> dict[str, Any]:
    """Decode the JSON header: strict UTF-8, an object, no duplicate keys, no NaN literals."""
    if not raw.startswith(b"{"):
        raise ModelFormatError("header does not start with '{': not a safetensors file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelFormatError(f"header is not valid UTF-8 (byte {exc.start})") from None

    def no_dupes(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for k, v in pairs:
            if k in d:
                raise ModelFormatError(f"header has a duplicate key {k!r}")
            d[k] = v
        return d

    def no_constant(name: str) -> Any:
        raise ModelFormatError(f"header contains the non-JSON constant {name}")

    try:
        header = json.loads(text, object_pairs_hook=no_dupes, parse_constant=no_constant)
    except ModelFormatError:
        raise
    except RecursionError:
        raise ModelFormatError("header JSON is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, over-long integers
        raise ModelFormatError(f"header is not valid JSON: {exc}") from None
    if not isinstance(header, dict):
        raise ModelFormatError(f"header must be a JSON object, got {type(header).__name__}")
    return header


def _split_header(header: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    if "__metadata__" not in header:
        raise ModelFormatError("header has no __metadata__: not a movicore model file")
    entries = {k: v for k, v in header.items() if k != "__metadata__"}
    return header["__metadata__"], entries


def _check_format_version(meta: dict[str, str]) -> int:
    """The ``format`` and ``format_version`` keys shared by model and ensemble files."""
    if meta["format"] != FORMAT:
        raise ModelFormatError(f"__metadata__ format must be {FORMAT!r}, got {meta['format']!r}")
    version_text = meta["format_version"]
    if not (version_text.isascii() and version_text.isdigit()) or len(version_text) > 9:
        raise ModelFormatError(f"format_version must be a decimal integer, got {version_text!r}")
    version = int(version_text)
    if not arch.MIN_FORMAT_VERSION <= version <= arch.FORMAT_VERSION:
        hint = " (written by a newer movicore; upgrade)" if version > arch.FORMAT_VERSION else ""
        raise ModelFormatError(f"unsupported format_version {version}: this movicore reads "
                               f"versions {arch.MIN_FORMAT_VERSION} to {arch.FORMAT_VERSION}{hint}")
    return version


def _parse_metadata(meta: Any) -> dict[str, Any]:
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise ModelFormatError("__metadata__ must be a map of strings to strings")
    if meta.get("kind") == KIND_ENSEMBLE:
        raise ModelFormatError("unsupported kind 'ensemble' for a single model: this is an "
                               "ensemble file; load it with movicore.load or "
                               "modelfile.read_ensemble_file")
    missing = [k for k in REQUIRED_KEYS if k not in meta]
    if missing:
        raise ModelFormatError(f"__metadata__ is missing the keys {missing}")
    version = _check_format_version(meta)
    if meta["kind"] not in KINDS:
        raise ModelFormatError(f"unsupported kind {meta['kind']!r}, expected one of {KINDS}")
    if meta["bn"] != BN_LAYOUT:
        raise ModelFormatError(f"unsupported bn layout {meta['bn']!r}, expected {BN_LAYOUT!r}")
    config = parse_config(meta["config"])
    if "labels" in meta:
        labels = _check_labels(_json_value(meta["labels"], "labels"), config.num_classes)
    else:
        labels = default_labels(config.num_classes)
    quant = parse_quant_metadata(meta["quant"], config) if "quant" in meta else None
    if video_settings.METADATA_KEY in meta:  # optional; checked here so a bad value fails load
        video_settings.parse(meta[video_settings.METADATA_KEY])
    return {"config": config, "labels": labels, "version": version, "kind": meta["kind"],
            "raw": dict(meta), "quant": quant}


def _json_value(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise ModelFormatError(f"__metadata__ {what} is nested too deeply") from None
    except ValueError as exc:
        raise ModelFormatError(f"__metadata__ {what} is not valid JSON: {exc}") from None


def parse_config(text: str) -> arch.Config:
    """Parse the ``config`` metadata value; every field must be present with the right type."""
    return config_from_json(_json_value(text, "config"))


# Config keys that older files lack: "blocks" (the block table of a custom architecture).
_OPTIONAL_CONFIG_KEYS = frozenset({"blocks"})


def config_from_json(d: Any, what: str = "config") -> arch.Config:
    """An ``arch.Config`` from a decoded JSON value: all fields, exact types."""
    if not isinstance(d, dict):
        raise ModelFormatError(f"__metadata__ {what} must be a JSON object")
    fields = {f.name: f for f in dataclasses.fields(arch.Config)}
    missing = sorted(set(fields) - set(d) - _OPTIONAL_CONFIG_KEYS)
    if missing:
        raise ModelFormatError(f"{what} is missing the keys {missing}")
    for name, value in d.items():
        if name not in fields or name in _OPTIONAL_CONFIG_KEYS:
            continue  # from_dict names unknown keys and parses the block table
        want = {"bool": bool, "int": int, "str": str}[str(fields[name].type)]
        if type(value) is not want:  # exact: rejects True as an int and 1 as a bool
            raise ModelFormatError(f"{what} {name} must be {want.__name__}, got {value!r}")
    try:
        return arch.Config.from_dict(d)
    except (ValueError, TypeError) as exc:
        raise ModelFormatError(f"invalid {what}: {exc}") from None


def _is_int(v: Any) -> bool:
    return type(v) is int


def _check_entries(entries: dict[str, Any], config: arch.Config, data_len: int,
                   quant: QuantSpec | None = None) -> None:
    """Structure, names, shapes, dtypes and byte ranges of every tensor entry."""
    check_entry_structure(entries, data_len, dtypes=("F32", "I8") if quant else ("F32",))
    typed = expected_dtypes(config, quant)
    expected = {n: shape for n, (shape, _) in typed.items()}
    missing = sorted(set(expected) - set(entries))
    extra = sorted(set(entries) - set(expected))
    if missing or extra:
        raise ModelFormatError(_name_diff(config, missing, extra))
    for name, shape in expected.items():
        if tuple(entries[name]["shape"]) != shape:
            raise ModelFormatError(f"tensor {name!r}: expected shape {list(shape)} for this "
                                   f"config, got {entries[name]['shape']}")
        want = _DTYPE_NAMES[typed[name][1]]
        if entries[name]["dtype"] != want:
            raise ModelFormatError(f"tensor {name!r}: expected dtype {want} (quant metadata), "
                                   f"got {entries[name]['dtype']}")
    check_layout(entries, data_len)


def check_entry_structure(entries: Mapping[str, Any], data_len: int,
                          dtypes: tuple[str, ...] = ("F32",)) -> None:
    """Keys, dtype, shape and offsets of each entry on its own (no cross-entry checks).
    ``dtypes``: the safetensors dtypes allowed (I8 only in a quantized model file)."""
    for name, e in entries.items():
        if not isinstance(e, dict):
            raise ModelFormatError(f"tensor {name!r}: entry must be an object")
        keys = set(e)
        if keys != _TENSOR_KEYS:
            raise ModelFormatError(f"tensor {name!r}: expected keys {sorted(_TENSOR_KEYS)}, "
                                   f"got {sorted(keys)}")
        dtype = e["dtype"]
        if dtype not in dtypes:
            what = (f"dtype {dtype}" if dtype in _KNOWN_DTYPES else f"unknown dtype {dtype!r}")
            raise ModelFormatError(f"tensor {name!r} has {what}; movicore model files store "
                                   f"F32 only (I8 only for the int8 layers named by 'quant' "
                                   f"metadata; convert the source with `movicore convert`)")
        shape = e["shape"]
        if not isinstance(shape, list) or not all(_is_int(d) and d >= 0 for d in shape):
            raise ModelFormatError(f"tensor {name!r}: shape must be a list of non-negative "
                                   f"ints, got {shape!r}")
        offs = e["data_offsets"]
        if not (isinstance(offs, list) and len(offs) == 2 and all(_is_int(o) for o in offs)):
            raise ModelFormatError(f"tensor {name!r}: data_offsets must be [begin, end] ints, "
                                   f"got {offs!r}")
        begin, end = offs
        if not 0 <= begin <= end:
            raise ModelFormatError(f"tensor {name!r}: data_offsets {offs} must satisfy "
                                   f"0 <= begin <= end")
        need = _DTYPES[dtype].itemsize * math.prod(shape)
        if end - begin != need:
            raise ModelFormatError(f"tensor {name!r}: data_offsets {offs} span {end - begin} "
                                   f"bytes but shape {shape} of {dtype} needs {need}")
        if end > data_len:
            raise ModelFormatError(f"tensor {name!r}: data_offsets {offs} run past the end of "
                                   f"the data section ({data_len} bytes): file truncated?")


def check_layout(entries: Mapping[str, Any], data_len: int) -> None:
    """Entries neither overlap nor leave gaps and cover the data section exactly."""
    pos, prev = 0, None
    for name, e in sorted(entries.items(), key=lambda kv: tuple(kv[1]["data_offsets"])):
        begin, end = e["data_offsets"]
        if begin < pos:
            raise ModelFormatError(f"tensor {name!r}: data_offsets {[begin, end]} overlap "
                                   f"tensor {prev!r}")
        if begin > pos:
            raise ModelFormatError(f"gap in the data section: bytes {pos}..{begin} before "
                                   f"tensor {name!r} belong to no tensor")
        pos, prev = end, name
    if pos != data_len:
        raise ModelFormatError(f"data section has {data_len} bytes but the tensors cover "
                               f"{pos}: trailing bytes or a corrupt header")


def _name_diff(config: arch.Config, missing: list[str], extra: list[str]) -> str:
    parts = []
    if missing:
        parts.append(f"missing {len(missing)} tensor(s) {_few(missing)}")
    if extra:
        parts.append(f"unexpected {len(extra)} tensor(s) {_few(extra)}")
    return (f"tensors do not match the architecture ({config.model_id} {config.variant}, "
            f"conv_type={config.conv_type}, se_type={config.se_type}): " + "; ".join(parts))


def _few(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return f"[{shown}{', ...' if len(names) > limit else ''}]"


# --------------------------------------------------------------------------- ensembles
#
# An ensemble file (kind "ensemble") is one safetensors file holding every member's
# tensors under ``members.{i}.`` plus metadata: ``members`` (JSON list of member configs),
# ``labels`` (shared), ``mode`` (interleave | parallel), ``weights`` (JSON list, normalised)
# and ``phases`` (JSON list: member i sees the frames t with t % n == phases[i] in
# interleave mode). See docs/ensembles.md.

ENSEMBLE_MODES = ("interleave", "parallel")
ENSEMBLE_REQUIRED_KEYS = ("format", "format_version", "kind", "bn", "members", "mode")
ENSEMBLE_RESERVED_KEYS = (*ENSEMBLE_REQUIRED_KEYS, "labels", "weights", "phases", checksum.KEY)
MAX_MEMBERS = 64


@dataclasses.dataclass(frozen=True)
class EnsembleFile:
    """A validated ensemble file; ``members`` are per-member :class:`ModelFile` views."""

    path: Path
    members: list[ModelFile]
    labels: list[str]
    mode: str
    weights: tuple[float, ...]
    phases: tuple[int, ...]
    metadata: dict[str, str]
    format_version: int
    kind: str = KIND_ENSEMBLE

    @property
    def configs(self) -> list[arch.Config]:
        return [m.config for m in self.members]

    @property
    def parameter_count(self) -> int:
        return sum(arch.parameter_count(c) for c in self.configs)


def member_prefix(i: int) -> str:
    return f"members.{i}."


def check_ensemble_settings(configs: list[arch.Config], mode: Any, weights: Any,
                            phases: Any) -> tuple[str, tuple[float, ...], tuple[int, ...]]:
    """Validate members' compatibility, mode, weights and phases; returns (mode, normalised
    weights, phases). Raises ModelFormatError naming what was expected."""
    n = len(configs)
    if not 2 <= n <= MAX_MEMBERS:
        raise ModelFormatError(f"an ensemble needs 2..{MAX_MEMBERS} members, got {n}")
    first = configs[0]
    for i, c in enumerate(configs[1:], 1):
        for field in ("num_classes", "causal", "input_size", "input_range"):
            if getattr(c, field) != getattr(first, field):
                raise ModelFormatError(f"member {i} has {field}={getattr(c, field)!r} but "
                                       f"member 0 has {getattr(first, field)!r}: members must "
                                       f"agree on {field}")
    if mode not in ENSEMBLE_MODES:
        raise ModelFormatError(f"ensemble mode must be one of {ENSEMBLE_MODES}, got {mode!r}")
    if weights is None:
        weights = [1.0] * n
    if (not isinstance(weights, (list, tuple)) or len(weights) != n
            or not all(type(w) in (int, float) for w in weights)):
        raise ModelFormatError(f"ensemble weights must be a list of {n} numbers, got "
                               f"{weights!r}")
    w = [float(x) for x in weights]
    if not all(math.isfinite(x) and x > 0 for x in w):
        raise ModelFormatError(f"ensemble weights must be finite and > 0, got {w}")
    total = math.fsum(w)
    norm = tuple(x / total for x in w)
    if phases is None:
        phases = list(range(n))
    if (not isinstance(phases, (list, tuple)) or len(phases) != n
            or not all(type(p) is int for p in phases)):
        raise ModelFormatError(f"ensemble phases must be a list of {n} ints, got {phases!r}")
    if sorted(phases) != list(range(n)):
        raise ModelFormatError(f"ensemble phases must be a permutation of 0..{n - 1} (member "
                               f"i sees frames t with t % {n} == phases[i]), got {phases!r}")
    return mode, norm, tuple(phases)


def build_ensemble_metadata(configs: list[arch.Config], labels: list[str] | None, mode: str,
                            weights: Any, phases: Any,
                            extra_metadata: Mapping[str, str] | None = None) -> dict[str, str]:
    mode, norm, ph = check_ensemble_settings(configs, mode, weights, phases)
    n_cls = configs[0].num_classes
    labels = _check_labels(default_labels(n_cls) if labels is None else labels, n_cls)
    meta = {
        "format": FORMAT,
        "format_version": str(arch.FORMAT_VERSION),
        "kind": KIND_ENSEMBLE,
        "bn": BN_LAYOUT,
        "members": json.dumps([c.to_dict() for c in configs], sort_keys=True),
        "labels": json.dumps(labels, ensure_ascii=False),
        "mode": mode,
        "weights": json.dumps(list(norm)),
        "phases": json.dumps(list(ph)),
    }
    for key, value in (extra_metadata or {}).items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"extra metadata must map str to str, got {key!r}: {value!r}")
        if key in meta or key in ENSEMBLE_RESERVED_KEYS:
            raise ValueError(f"extra metadata key {key!r} is reserved")
        meta[key] = value
    return meta


def write_ensemble_file(path: str | os.PathLike[str],
                        members: list[tuple[arch.Config, Mapping[str, np.ndarray]]],
                        labels: list[str] | None = None, mode: str = "interleave",
                        weights: Any = None, phases: Any = None,
                        extra_metadata: Mapping[str, str] | None = None) -> None:
    """Validate every member, then write one ensemble file atomically.

    ``members`` are ``(config, tensors)`` pairs as for :func:`write_model_file`; weights are
    stored normalised to sum 1; phases default to ``0..n-1`` (member i starts at frame i).
    """
    configs = []
    for i, (config, tensors) in enumerate(members):
        if not isinstance(config, arch.Config):
            raise TypeError(f"member {i}: config must be an arch.Config, got "
                            f"{type(config).__name__}")
        try:
            validate_tensors(config, tensors)
        except ModelFormatError as exc:
            raise ModelFormatError(f"member {i}: {exc}") from None
        configs.append(config)
    meta = build_ensemble_metadata(configs, labels, mode, weights, phases, extra_metadata)
    flat = {member_prefix(i) + name: arr
            for i, (_, tensors) in enumerate(members) for name, arr in tensors.items()}
    write_atomic(path, assemble_header(meta, flat), flat)


def _parse_ensemble_metadata(meta: Any) -> dict[str, Any]:
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise ModelFormatError("__metadata__ must be a map of strings to strings")
    if "kind" in meta and meta["kind"] != KIND_ENSEMBLE:
        raise ModelFormatError(f"expected kind {KIND_ENSEMBLE!r}, got {meta['kind']!r} (a "
                               f"single model file: use read_model_file or movicore.load)")
    missing = [k for k in ENSEMBLE_REQUIRED_KEYS if k not in meta]
    if missing:
        raise ModelFormatError(f"ensemble __metadata__ is missing the keys {missing}")
    version = _check_format_version(meta)
    if meta["bn"] != BN_LAYOUT:
        raise ModelFormatError(f"unsupported bn layout {meta['bn']!r}, expected {BN_LAYOUT!r}")
    members = _json_value(meta["members"], "members")
    if not isinstance(members, list):
        raise ModelFormatError("__metadata__ members must be a JSON list of configs")
    if not 2 <= len(members) <= MAX_MEMBERS:
        raise ModelFormatError(f"an ensemble needs 2..{MAX_MEMBERS} members, got "
                               f"{len(members)}")
    configs = [config_from_json(d, f"members[{i}] config") for i, d in enumerate(members)]
    weights = _json_value(meta["weights"], "weights") if "weights" in meta else None
    phases = _json_value(meta["phases"], "phases") if "phases" in meta else None
    mode, norm, ph = check_ensemble_settings(configs, meta["mode"], weights, phases)
    n_cls = configs[0].num_classes
    if "labels" in meta:
        labels = _check_labels(_json_value(meta["labels"], "labels"), n_cls)
    else:
        labels = default_labels(n_cls)
    return {"configs": configs, "labels": labels, "mode": mode, "weights": norm, "phases": ph,
            "version": version, "raw": dict(meta)}


def read_ensemble_file(path: str | os.PathLike[str], *,
                       check_finite: bool = True) -> EnsembleFile:
    """Read and fully validate an ensemble file (same checks as a model file, per member)."""
    path = Path(path)
    raw, size = read_header_bytes(path)
    return _read_ensemble(path, parse_header(raw), size, 8 + len(raw), check_finite)


def _read_ensemble(path: Path, header: dict[str, Any], size: int, data_start: int,
                   check_finite: bool) -> EnsembleFile:
    data_len = size - data_start
    ens_meta, entries = _split_header(header)
    meta = _parse_ensemble_metadata(ens_meta)
    configs: list[arch.Config] = meta["configs"]
    check_entry_structure(entries, data_len)
    per_member: list[dict[str, Any]] = [{} for _ in configs]
    for name, e in entries.items():
        head, _, rest = name.partition(".")
        idx, _, sub = rest.partition(".")
        if (head != "members" or not (idx.isascii() and idx.isdigit()) or not sub
                or int(idx) >= len(configs) or idx != str(int(idx))):
            raise ModelFormatError(f"tensor {name!r}: ensemble tensor names must be "
                                   f"'members.<i>.<name>' with i < {len(configs)}")
        per_member[int(idx)][sub] = e
    for i, (config, ents) in enumerate(zip(configs, per_member)):
        expected = arch.expected_tensors(config)
        missing = sorted(set(expected) - set(ents))
        extra = sorted(set(ents) - set(expected))
        if missing or extra:
            raise ModelFormatError(f"member {i}: " + _name_diff(config, missing, extra))
        for name, shape in expected.items():
            if tuple(ents[name]["shape"]) != shape:
                raise ModelFormatError(f"member {i}: tensor {name!r}: expected shape "
                                       f"{list(shape)} for this config, got "
                                       f"{ents[name]['shape']}")
    check_layout(entries, data_len)
    tensors = map_tensors(path, size, data_start, entries, check_finite=check_finite,
                          checksum_value=meta["raw"].get(checksum.KEY))
    members = []
    for i, config in enumerate(configs):
        prefix = member_prefix(i)
        sub = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
        member_meta = {"format": FORMAT, "format_version": str(meta["version"]),
                       "kind": KIND_MODEL, "bn": BN_LAYOUT,
                       "config": json.dumps(config.to_dict(), sort_keys=True),
                       "labels": json.dumps(meta["labels"], ensure_ascii=False),
                       "ensemble_member": str(i)}
        members.append(ModelFile(path=path, config=config, labels=list(meta["labels"]),
                                 tensors=sub, metadata=member_meta,
                                 format_version=meta["version"]))
    return EnsembleFile(path=path, members=members, labels=meta["labels"], mode=meta["mode"],
                        weights=meta["weights"], phases=meta["phases"], metadata=meta["raw"],
                        format_version=meta["version"])


def read_any_file(path: str | os.PathLike[str], *,
                  check_finite: bool = True) -> ModelFile | EnsembleFile:
    """A model file or an ensemble file, by its ``kind``."""
    path = Path(path)
    raw, size = read_header_bytes(path)
    header = parse_header(raw)
    meta = header.get("__metadata__")
    if isinstance(meta, dict) and meta.get("kind") == KIND_ENSEMBLE:
        return _read_ensemble(path, header, size, 8 + len(raw), check_finite)
    return read_model_file(path, check_finite=check_finite)
