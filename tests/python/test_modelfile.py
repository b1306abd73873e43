"""Model file writer/reader: round trip, layout, safetensors compatibility, atomic writes."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from movicore import ModelFormatError, arch, modelfile

CFG = arch.default_config("t0", num_classes=3)


def random_tensors(cfg: arch.Config, rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {k: rng.standard_normal(s).astype(np.float32)
            for k, s in arch.expected_tensors(cfg).items()}


@pytest.fixture
def tensors(rng: np.random.Generator) -> dict[str, np.ndarray]:
    return random_tensors(CFG, rng)


def test_round_trip_is_exact(tmp_path: Path, tensors: dict[str, np.ndarray]) -> None:
    path = tmp_path / "m.safetensors"
    modelfile.write_model_file(path, CFG, tensors, ["a", "b", "c"], {"source": "test"})
    mf = modelfile.read_model_file(path)
    assert mf.config == CFG
    assert mf.labels == ["a", "b", "c"]
    assert mf.format_version == arch.FORMAT_VERSION
    assert mf.kind == "model"
    assert mf.metadata["source"] == "test"
    assert mf.metadata["bn"] == "unfolded"
    assert set(mf.tensors) == set(tensors)
    for name, arr in tensors.items():
        got = mf.tensors[name]
        assert got.dtype == np.float32 and got.shape == arr.shape
        assert np.array_equal(got, arr), name
        assert not got.flags.writeable
    assert mf.parameter_count == arch.parameter_count(CFG)


def test_default_labels(tmp_path: Path, tensors: dict[str, np.ndarray]) -> None:
    path = tmp_path / "m.safetensors"
    modelfile.write_model_file(path, CFG, tensors)
    assert modelfile.read_model_file(path).labels == ["class_0", "class_1", "class_2"]


def test_layout(tmp_path: Path, tensors: dict[str, np.ndarray]) -> None:
    """Sorted names, contiguous offsets, data section 8-aligned, metadata all strings."""
    path = tmp_path / "m.safetensors"
    modelfile.write_model_file(path, CFG, tensors)
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    assert (8 + n) % 8 == 0
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__")
    assert all(isinstance(v, str) for v in meta.values())
    assert meta["format"] == "movicore" and meta["format_version"] == str(arch.FORMAT_VERSION)
    assert arch.Config.from_dict(json.loads(meta["config"])) == CFG
    names = list(header)
    assert names == sorted(names)
    pos = 0
    for name in names:
        begin, end = header[name]["data_offsets"]
        assert begin == pos and header[name]["dtype"] == "F32"
        data = np.frombuffer(raw[8 + n + begin:8 + n + end], dtype="<f4")
        assert np.array_equal(data, tensors[name].ravel())
        pos = end
    assert 8 + n + pos == len(raw)


def test_readable_by_safetensors(tmp_path: Path, tensors: dict[str, np.ndarray]) -> None:
    st = pytest.importorskip("safetensors.numpy")
    path = tmp_path / "m.safetensors"
    modelfile.write_model_file(path, CFG, tensors)
    loaded = st.load_file(str(path))
    assert set(loaded) == set(tensors)
    for name, arr in tensors.items():
        assert np.array_equal(loaded[name], arr)


def test_reads_files_written_by_safetensors(tmp_path: Path, tensors: dict[str, np.ndarray]
                                            ) -> None:
    """Another writer (different padding/ordering) is accepted when the content is right."""
    st = pytest.importorskip("safetensors.numpy")
    meta = {"format": "movicore", "format_version": str(arch.FORMAT_VERSION), "kind": "model",
            "config": json.dumps(CFG.to_dict()), "bn": "unfolded"}
    path = tmp_path / "st.safetensors"
    st.save_file(tensors, str(path), metadata=meta)
    mf = modelfile.read_model_file(path)
    assert mf.labels == ["class_0", "class_1", "class_2"]
    for name, arr in tensors.items():
        assert np.array_equal(mf.tensors[name], arr)


@pytest.mark.parametrize("change", ["missing", "extra", "shape", "dtype", "nan", "inf"])
def test_write_validates_before_writing(tmp_path: Path, tensors: dict[str, np.ndarray],
                                        change: str) -> None:
    name = "blocks.block2_layer1.feature.conv.weight"
    if change == "missing":
        del tensors[name]
    elif change == "extra":
        tensors["foo.num_batches_tracked"] = np.zeros((), np.float32)
        name = "foo.num_batches_tracked"
    elif change == "shape":
        tensors[name] = tensors[name][:-1]
    elif change == "dtype":
        tensors[name] = tensors[name].astype(np.float64)
    else:
        tensors[name].flat[5] = np.nan if change == "nan" else -np.inf
    path = tmp_path / "m.safetensors"
    with pytest.raises(ModelFormatError, match=name.replace(".", r"\.")):
        modelfile.write_model_file(path, CFG, tensors)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_write_rejects_wrong_label_count(tmp_path: Path, tensors: dict[str, np.ndarray]) -> None:
    with pytest.raises(ModelFormatError, match="expected 3 labels"):
        modelfile.write_model_file(tmp_path / "m.safetensors", CFG, tensors, ["a", "b"])
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_write_rejects_reserved_extra_metadata(tmp_path: Path, tensors: dict[str, np.ndarray]
                                               ) -> None:
    with pytest.raises(ValueError, match="reserved"):
        modelfile.write_model_file(tmp_path / "m.safetensors", CFG, tensors,
                                   extra_metadata={"config": "{}"})
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("exc", [OSError("disk full"), KeyboardInterrupt()])
def test_failed_write_leaves_nothing(tmp_path: Path, tensors: dict[str, np.ndarray],
                                     monkeypatch: pytest.MonkeyPatch, exc: BaseException
                                     ) -> None:
    """A failure after the data was written (here: fsync) removes the temp file; an existing
    output file is left as it was."""
    path = tmp_path / "m.safetensors"
    path.write_bytes(b"previous")

    def failing_fsync(fd: int) -> None:
        assert os.fstat(fd).st_size > 1_000_000  # the data really was written
        raise exc

    monkeypatch.setattr(modelfile.os, "fsync", failing_fsync)
    with pytest.raises(type(exc)):
        modelfile.write_model_file(path, CFG, tensors)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.safetensors"]
    assert path.read_bytes() == b"previous"


def test_overwrite_replaces_file(tmp_path: Path, tensors: dict[str, np.ndarray]) -> None:
    path = tmp_path / "m.safetensors"
    path.write_bytes(b"old")
    modelfile.write_model_file(path, CFG, tensors)
    assert modelfile.read_model_file(path).config == CFG
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.safetensors"]


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        modelfile.read_model_file(tmp_path / "nope.safetensors")


@pytest.mark.parametrize("model_id,variant", [("a0", "stream"), ("a3", "stream"), ("a1", "base"),
                                              ("t0", "base")])
def test_header_matches_expected_tensors(model_id: str, variant: str) -> None:
    """Header construction and validation agree for several architectures (no data)."""
    cfg = arch.default_config(model_id, variant, num_classes=5)
    fake = {k: np.empty(s, np.float32) for k, s in arch.expected_tensors(cfg).items()}
    raw = modelfile.build_header(cfg, fake)
    header = modelfile.parse_header(raw)
    meta = header.pop("__metadata__")
    assert modelfile.parse_config(meta["config"]) == cfg
    data_len = sum(4 * int(np.prod(s)) for s in arch.expected_tensors(cfg).values())
    modelfile._check_entries(header, cfg, data_len)
    with pytest.raises(ModelFormatError, match="trailing bytes"):
        modelfile._check_entries(header, cfg, data_len + 4)
