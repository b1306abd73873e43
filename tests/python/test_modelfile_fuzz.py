"""Bounded fuzzing of the model-file reader (hypothesis): mutated valid files must give a valid
ModelFile or a ModelFormatError — never another exception, never a crash.

Budget: a few hundred examples (about 10 s); raise ``MOVICORE_FUZZ_EXAMPLES`` for a longer run.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from movicore import ModelFormatError, arch, modelfile

CFG = arch.default_config("t0", num_classes=3)
EXAMPLES = int(os.environ.get("MOVICORE_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def _valid_bytes() -> bytes:
    import tempfile

    rng = np.random.default_rng(7)
    tensors = {k: rng.standard_normal(s).astype(np.float32)
               for k, s in arch.expected_tensors(CFG).items()}
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "v.safetensors"
        modelfile.write_model_file(p, CFG, tensors)
        return p.read_bytes()


VALID = _valid_bytes()
(HEADER_LEN,) = struct.unpack("<Q", VALID[:8])
HEADER: dict[str, Any] = json.loads(VALID[8:8 + HEADER_LEN])
DATA = VALID[8 + HEADER_LEN:]
NAMES = sorted(k for k in HEADER if k != "__metadata__")


def check(path: Path, raw: bytes) -> None:
    path.write_bytes(raw)
    try:
        mf = modelfile.read_model_file(path)
    except ModelFormatError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert set(mf.tensors) == set(arch.expected_tensors(mf.config))


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, 8 + HEADER_LEN + 64), st.integers(0, 255)),
                      min_size=1, max_size=8),
       cut=st.one_of(st.none(), st.integers(0, len(VALID))))
def test_byte_mutations(tmp_path: Path, edits: list[tuple[int, int]], cut: int | None) -> None:
    raw = bytearray(VALID)
    for pos, value in edits:
        raw[pos] = value
    check(tmp_path / "f.safetensors", bytes(raw[:cut]))


@FUZZ
@given(pos=st.integers(8, 8 + HEADER_LEN), chunk=st.binary(max_size=32),
       delete=st.integers(0, 32))
def test_splices_in_header(tmp_path: Path, pos: int, chunk: bytes, delete: int) -> None:
    """Insert/delete bytes inside the header; the length field is kept consistent."""
    h = VALID[8:8 + HEADER_LEN]
    rel = pos - 8
    h = h[:rel] + chunk + h[rel + delete:]
    check(tmp_path / "f.safetensors", struct.pack("<Q", len(h)) + h + DATA)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=4),
    max_leaves=8)


@FUZZ
@given(name=st.sampled_from([*NAMES, "__metadata__"]),
       field=st.sampled_from(["dtype", "shape", "data_offsets", "format", "format_version",
                              "kind", "config", "labels", "bn", "extra"]),
       value=JSON_VALUES, as_string=st.booleans())
def test_header_value_mutations(tmp_path: Path, name: str, field: str, value: Any,
                                as_string: bool) -> None:
    header = json.loads(json.dumps(HEADER))
    header[name][field] = json.dumps(value) if as_string else value
    h = json.dumps(header).encode()
    check(tmp_path / "f.safetensors", struct.pack("<Q", len(h)) + h + DATA)


@FUZZ
@given(name=st.sampled_from(NAMES), begin=st.integers(-8, len(DATA) + 8),
       length=st.integers(-8, 4096), shape=st.lists(st.integers(-1, 80), max_size=6))
def test_offset_and_shape_mutations(tmp_path: Path, name: str, begin: int, length: int,
                                    shape: list[int]) -> None:
    header = json.loads(json.dumps(HEADER))
    header[name]["data_offsets"] = [begin, begin + length]
    if shape:
        header[name]["shape"] = shape
    h = json.dumps(header).encode()
    check(tmp_path / "f.safetensors", struct.pack("<Q", len(h)) + h + DATA)
