"""The data-section checksum (issue 16): every writer stores it, every reader verifies it, a
flipped bit in the weights is a ModelFormatError, old files without it still load, and
`movicore inspect --verify` insists on it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from modelfile_helpers import assemble, split

import movicore
from movicore import ModelFormatError, arch, checksum, modelfile
from movicore.benchmark.models import random_model_tensors, write_random_model
from movicore.cli.main import main

CFG = arch.default_config("t0", "stream", 3).replace(input_size=32)


def _tensors(seed: int, cfg: arch.Config = CFG) -> dict[str, np.ndarray]:
    return random_model_tensors(cfg, seed)


def flip_bit(path: Path, out: Path, byte_in_data: int, bit: int = 0) -> None:
    header, data = split(path)
    d = bytearray(data)
    d[byte_in_data] ^= 1 << bit
    out.write_bytes(assemble(header, bytes(d)))


@pytest.fixture
def model_path(tmp_path: Path) -> Path:
    p = tmp_path / "m.safetensors"
    modelfile.write_model_file(p, CFG, _tensors(0), ["a", "b", "c"])
    return p


@pytest.fixture
def ensemble_path(tmp_path: Path) -> Path:
    p = tmp_path / "e.safetensors"
    modelfile.write_ensemble_file(p, [(CFG, _tensors(1)), (CFG, _tensors(2))])
    return p


def test_writer_stores_the_crc32c_of_the_data_section(model_path: Path):
    header, data = split(model_path)
    value = header["__metadata__"]["checksum"]
    assert value == checksum.format_value(checksum.crc32c(data))
    assert value.startswith("crc32c:") and len(value) == len("crc32c:") + 8
    assert modelfile.read_model_file(model_path).metadata["checksum"] == value


def test_ensemble_writer_stores_it_too(ensemble_path: Path):
    header, data = split(ensemble_path)
    assert header["__metadata__"]["checksum"] == checksum.format_value(checksum.crc32c(data))


@pytest.mark.parametrize("where", ["first", "middle", "last"])
@pytest.mark.parametrize("bit", [0, 3, 7])
def test_a_flipped_bit_in_the_weights_is_refused(model_path: Path, tmp_path: Path, where: str,
                                                bit: int):
    _, data = split(model_path)
    byte = {"first": 0, "middle": len(data) // 2 + 1, "last": len(data) - 1}[where]
    bad = tmp_path / "bad.safetensors"
    flip_bit(model_path, bad, byte, bit)
    # Without the checksum this file is valid (finite weights, same layout): it loaded silently.
    with pytest.raises(ModelFormatError, match="checksum mismatch") as info:
        movicore.load(bad)
    assert "\n" not in str(info.value) and str(bad) in str(info.value)
    with pytest.raises(ModelFormatError, match="checksum mismatch"):
        modelfile.read_model_file(bad, check_finite=False)


def test_a_flipped_bit_in_an_ensemble_is_refused(ensemble_path: Path, tmp_path: Path):
    bad = tmp_path / "bad.safetensors"
    flip_bit(ensemble_path, bad, len(split(ensemble_path)[1]) - 5, 6)
    with pytest.raises(ModelFormatError, match="checksum mismatch"):
        movicore.load(bad)
    with pytest.raises(ModelFormatError, match="checksum mismatch"):
        modelfile.read_ensemble_file(bad)


def _without_checksum(path: Path, out: Path) -> Path:
    header, data = split(path)
    del header["__metadata__"]["checksum"]
    out.write_bytes(assemble(header, data))
    return out


def test_files_without_a_checksum_still_load(model_path: Path, ensemble_path: Path,
                                             tmp_path: Path):
    old = _without_checksum(model_path, tmp_path / "old.safetensors")
    m = movicore.load(old)
    assert isinstance(m, movicore.Model) and "checksum" not in m.metadata
    for name, arr in modelfile.read_model_file(model_path).tensors.items():
        np.testing.assert_array_equal(m.tensors[name], arr)
    old_e = _without_checksum(ensemble_path, tmp_path / "old_e.safetensors")
    assert isinstance(movicore.load(old_e), movicore.EnsembleModel)


@pytest.mark.parametrize("value", ["crc32c:1234567", "crc32c:ABCDEF01", "md5:0123456789",
                                   "", "crc32c:123456789"])
def test_malformed_checksum_value(model_path: Path, tmp_path: Path, value: str):
    header, data = split(model_path)
    header["__metadata__"]["checksum"] = value
    p = tmp_path / "x.safetensors"
    p.write_bytes(assemble(header, data))
    with pytest.raises(ModelFormatError, match="checksum must be 'crc32c:'"):
        movicore.load(p)


def test_checksum_key_is_reserved(tmp_path: Path):
    with pytest.raises(ValueError, match="reserved"):
        modelfile.write_model_file(tmp_path / "m.safetensors", CFG, _tensors(0),
                                   extra_metadata={"checksum": "crc32c:00000000"})
    with pytest.raises(ValueError, match="reserved"):
        modelfile.write_ensemble_file(tmp_path / "e.safetensors",
                                      [(CFG, _tensors(1)), (CFG, _tensors(2))],
                                      extra_metadata={"checksum": "crc32c:00000000"})


def test_every_writer_stores_a_checksum(tmp_path: Path):
    """The bench's random models, the reference's to_file (train/export) and convert."""
    p = write_random_model("t0", tmp_path / "bench.safetensors", num_classes=4)
    assert "checksum" in modelfile.read_model_file(p).metadata
    torch = pytest.importorskip("torch")
    from movicore import reference

    torch.manual_seed(0)
    ref = reference.build("t0", "stream", 3, input_size=32)
    reference.to_file(ref, tmp_path / "ref.safetensors")
    assert "checksum" in modelfile.read_model_file(tmp_path / "ref.safetensors").metadata
    torch.save({"config": CFG.to_dict(), "state_dict": ref.state_dict(), "labels": ["a", "b", "c"]},
               tmp_path / "ck.pt")
    assert main(["convert", str(tmp_path / "ck.pt"), "-o", str(tmp_path / "conv.safetensors")]) == 0
    assert "checksum" in modelfile.read_model_file(tmp_path / "conv.safetensors").metadata


# ------------------------------------------------------------------ inspect

def test_inspect_shows_the_verified_checksum(model_path: Path, capsys):
    assert main(["inspect", str(model_path)]) == 0
    out = capsys.readouterr().out
    value = split(model_path)[0]["__metadata__"]["checksum"]
    assert "checksum:" in out and f"{value} (verified)" in out
    assert main(["inspect", "--json", "--verify", str(model_path)]) == 0
    assert json.loads(capsys.readouterr().out)["checksum"] == value


def test_inspect_verify_fails_without_a_checksum(model_path: Path, tmp_path: Path, capsys):
    old = _without_checksum(model_path, tmp_path / "old.safetensors")
    assert main(["inspect", str(old)]) == 0  # plain inspect: old files are fine
    assert "none (file written before checksums" in capsys.readouterr().out
    assert main(["inspect", "--verify", str(old)]) == 1
    cap = capsys.readouterr()
    assert cap.out == ""
    assert cap.err.count("\n") == 1 and "has no checksum" in cap.err


def test_inspect_verify_fails_on_a_flipped_bit(ensemble_path: Path, tmp_path: Path, capsys):
    bad = tmp_path / "bad.safetensors"
    flip_bit(ensemble_path, bad, 17, 2)
    assert main(["inspect", "--verify", str(bad)]) == 1
    cap = capsys.readouterr()
    assert cap.out == "" and cap.err.count("\n") == 1 and "checksum mismatch" in cap.err
    assert main(["inspect", "--verify", str(ensemble_path)]) == 0
    assert "(verified)" in capsys.readouterr().out


def test_the_embedded_demo_model_verifies(capsys):
    assert main(["inspect", "--verify", "--json", "demo"]) == 0
    assert json.loads(capsys.readouterr().out)["checksum"].startswith("crc32c:")
