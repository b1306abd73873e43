"""Reference <-> model file round trips and ``movicore convert`` (torch and official TF)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from movicore import ModelFormatError, arch, labels, modelfile
from movicore import reference as R
from movicore.cli.main import main
from tests.conftest import DATA, REPO, shared_fixture


def randomized(model: torch.nn.Module, seed: int) -> torch.nn.Module:
    """Non-trivial values everywhere (BN stats, ReZero, biases), so mistakes show."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if not t.is_floating_point():
                continue
            r = torch.rand(t.shape, generator=g)
            if name.endswith(("running_var", "bn.weight")):
                t.copy_(0.5 + r)
            elif t.ndim == 0:
                t.copy_(0.5 + 0.5 * r)
            else:
                t.copy_(0.2 * torch.randn(t.shape, generator=g))
    return model.eval()


def stream_logits(model: torch.nn.Module, clip: torch.Tensor) -> np.ndarray:
    state = model.init_state(clip.shape[0], clip.shape[2], clip.shape[3])
    rows = []
    with torch.no_grad():
        for t in range(clip.shape[1]):
            logits, state = model(clip[:, t:t + 1], state)
            rows.append(logits.numpy())
    return np.concatenate(rows)


def cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, match: str) -> None:
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "error:" in lines[0] and "Traceback" not in err, err
    assert match in lines[0], lines[0]


# ------------------------------------------------------------------ reference round trip


@pytest.mark.parametrize("model_id,variant,overrides", [
    ("t0", "stream", {}),
    ("t0", "base", {}),
    ("t0", "stream", {"positional_encoding": True, "gate": "hard_sigmoid_keras"}),
    ("t0", "stream", {"conv_type": "3d", "se_type": "3d"}),
])
def test_reference_round_trip_exact(tmp_path: Path, seed: int, model_id: str, variant: str,
                                    overrides: dict) -> None:
    model = randomized(R.build(model_id, variant, num_classes=5, **overrides), seed)
    path = tmp_path / "m.safetensors"
    R.to_file(model, path, labels=list("abcde"))
    back = R.from_file(path)
    assert back.config == model.config and back.labels == list("abcde")
    clip = torch.rand(1, 3, 40, 36, 3, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        a, _ = model(clip)
        b, _ = back(clip)
    assert torch.equal(a, b)
    if model.config.causal:
        assert np.array_equal(stream_logits(model, clip), stream_logits(back, clip))


def test_to_file_drops_bn_counters(tmp_path: Path) -> None:
    model = R.build("t0", "stream", num_classes=3)
    assert any(k.endswith("num_batches_tracked") for k in model.state_dict())
    R.to_file(model, tmp_path / "m.safetensors")
    mf = modelfile.read_model_file(tmp_path / "m.safetensors")
    assert set(mf.tensors) == set(arch.expected_tensors(model.config))


# ------------------------------------------------------------------ official TF checkpoint


def _official_dirs() -> list[Path]:
    dirs = []
    root = DATA / "official"
    if root.is_dir():
        for d in sorted(root.iterdir()):
            if d.is_dir() and (d / "clip_logits.npy").exists() and (
                    (d / "checkpoint").exists() or any(d.glob("*.index"))):
                dirs.append(d)
    return dirs


def _fixture_flags(d: Path) -> tuple[list[str], dict]:
    """CLI flags for what the weights cannot tell (model, causality, activations) and the
    config expected after detection, from the fixture's config.json (or its name)."""
    cfg_file = d / "config.json"
    if not cfg_file.exists():
        model_id = next(p for p in d.name.split("_") if p in arch.MODEL_IDS)
        variant = "stream" if "stream" in d.name else "base"
        return ["--model", model_id, "--variant", variant], {}
    cfg = json.loads(cfg_file.read_text())
    bb, head = cfg["backbone"], cfg["classifier"]
    flags = ["--model", bb["model_id"], "--variant", "stream" if bb["causal"] else "base",
             "--activation", bb["activation"], "--gate", bb["gating_activation"],
             "--classifier-activation", head["activation"]]
    expect = {"conv_type": bb["conv_type"], "se_type": bb["se_type"], "causal": bb["causal"],
                  "positional_encoding": bb["use_positional_encoding"],
                  "num_classes": head["num_classes"]}
    return flags, expect


def _check_against_official(path: Path, d: Path) -> dict[str, float]:
    model = R.from_file(path)
    clip = torch.from_numpy(np.load(d / "input_clip.npy"))
    ref_clip = np.load(d / "clip_logits.npy")
    with torch.no_grad():
        got_clip = model(clip)[0].numpy()
    errs = {"clip": float(np.abs(got_clip - ref_clip).max())}
    tol = 2e-5 * float(np.abs(ref_clip).max())
    assert errs["clip"] <= tol, (errs, tol)
    if (d / "stream_logits.npy").exists() and model.config.causal:
        ref_stream = np.load(d / "stream_logits.npy")
        got = stream_logits(model, clip)
        errs["stream"] = float(np.abs(got - ref_stream).max())
        assert errs["stream"] <= 2e-5 * float(np.abs(ref_stream).max()), errs
    return errs


def test_official_a0_stream_fixture(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """In-process and subprocess conversion give the same bytes; logits match TF."""
    d = shared_fixture("a0_stream_ckpt")
    out1, out2 = tmp_path / "a.safetensors", tmp_path / "b.safetensors"
    code, out, err = cli(["convert", str(d), "-o", str(out1), "--model", "a0",
                          "--variant", "stream"], capsys)
    assert code == 0, err
    assert "hard_sigmoid_keras" in err and str(out1) in out
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "movicore", "convert", str(d), "-o", str(out2),
                           "--model", "a0", "--variant", "stream", "--from", "tf"],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert out1.read_bytes() == out2.read_bytes()
    mf = modelfile.read_model_file(out1)
    assert mf.config == arch.default_config("a0", "stream")
    assert mf.labels == list(labels.kinetics600())
    assert json.loads(mf.metadata["video"]) == {"fps": 5.0, "resize": 192}  # official a0 eval
    errs = _check_against_official(out1, d)
    print("max abs errors vs TF:", errs)


@pytest.mark.parametrize("d", _official_dirs(), ids=lambda d: d.name)
def test_committed_official_fixtures(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     d: Path) -> None:
    flags, expect = _fixture_flags(d)
    out = tmp_path / "m.safetensors"
    code, _, err = cli(["convert", str(d), "-o", str(out), *flags], capsys)
    assert code == 0, err
    got = modelfile.read_model_file(out).config.to_dict()
    assert {k: got[k] for k in expect} == expect
    _check_against_official(out, d)


def test_tf_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = shared_fixture("a0_stream_ckpt")
    out = tmp_path / "m.safetensors"
    code, _, err = cli(["convert", str(d), "-o", str(out)], capsys)
    assert_one_line_error(code, err, "--model")
    code, _, err = cli(["convert", str(d), "-o", str(out), "--model", "a1", "--variant",
                        "stream"], capsys)
    assert_one_line_error(code, err, "does not match")
    code, _, err = cli(["convert", str(d), "-o", str(out), "--model", "a0", "--variant",
                        "stream", "--num-classes", "400"], capsys)
    assert_one_line_error(code, err, "600")
    # truncated data shard
    bad = tmp_path / "bad"
    shutil.copytree(d, bad)
    shard = next(bad.glob("*.data-*"))
    with open(shard, "r+b") as f:
        f.truncate(shard.stat().st_size // 2)
    code, _, err = cli(["convert", str(bad), "-o", str(out), "--model", "a0", "--variant",
                        "stream"], capsys)
    assert_one_line_error(code, err, "")
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["bad"]


# ------------------------------------------------------------------ torch sources


@pytest.fixture
def t0_model(seed: int) -> torch.nn.Module:
    return randomized(R.build("t0", "stream", num_classes=3), seed)


def _logits(model: torch.nn.Module, seed: int) -> torch.Tensor:
    clip = torch.rand(1, 2, 32, 32, 3, generator=torch.Generator().manual_seed(seed + 1))
    with torch.no_grad():
        return model(clip)[0]


def test_trainer_checkpoint(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                            t0_model: torch.nn.Module, seed: int) -> None:
    src = tmp_path / "trainer.pt"
    torch.save({"config": t0_model.config.to_dict(), "state_dict": t0_model.state_dict(),
                "labels": ["x", "y", "z"]}, src)
    out = tmp_path / "m.safetensors"
    code, _, err = cli(["convert", str(src), "-o", str(out)], capsys)
    assert code == 0, err
    back = R.from_file(out)
    assert back.config == t0_model.config and back.labels == ["x", "y", "z"]
    assert torch.equal(_logits(back, seed), _logits(t0_model, seed))
    # an explicit flag overrides a stored inference-time choice
    out2 = tmp_path / "keras.safetensors"
    code, _, err = cli(["convert", str(src), "-o", str(out2), "--gate", "hard_sigmoid_keras",
                        "--input-size", "96"], capsys)
    assert code == 0, err
    cfg = modelfile.read_model_file(out2).config
    assert cfg.gate == "hard_sigmoid_keras" and cfg.input_size == 96
    code, _, err = cli(["convert", str(src), "-o", str(tmp_path / "c.safetensors"),
                        "--model", "a0"], capsys)
    assert_one_line_error(code, err, "contradicts")


def test_bare_state_dict(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                         t0_model: torch.nn.Module, seed: int) -> None:
    src = tmp_path / "bare.pth"
    sd = {f"module.{k}": v for k, v in t0_model.state_dict().items()}  # DDP-style prefix
    torch.save(sd, src)
    out = tmp_path / "m.safetensors"
    code, _, err = cli(["convert", str(src), "-o", str(out)], capsys)
    assert_one_line_error(code, err, "--model")
    code, _, err = cli(["convert", str(src), "-o", str(out), "--model", "a0", "--variant",
                        "stream"], capsys)
    assert_one_line_error(code, err, "do not match")
    assert not out.exists()
    code, _, err = cli(["convert", str(src), "-o", str(out), "--model", "t0", "--variant",
                        "stream", "--conv-type", "3d"], capsys)
    assert_one_line_error(code, err, "contradicts")
    lab = tmp_path / "labels.txt"
    lab.write_text("one\ntwo\r\nthree\n", encoding="utf-8")
    code, _, err = cli(["convert", str(src), "-o", str(out), "--model", "t0", "--variant",
                        "stream", "--labels", str(lab)], capsys)
    assert code == 0, err
    back = R.from_file(out)
    assert back.config == t0_model.config and back.labels == ["one", "two", "three"]
    assert torch.equal(_logits(back, seed), _logits(t0_model, seed))
    # existing output needs --force
    code, _, err = cli(["convert", str(src), "-o", str(out), "--model", "t0", "--variant",
                        "stream"], capsys)
    assert_one_line_error(code, err, "--force")
    code, _, err = cli(["convert", str(src), "-o", str(out), "--model", "t0", "--variant",
                        "stream", "--force", "--gate", "sigmoid"], capsys)
    assert code == 0, err
    assert modelfile.read_model_file(out).config.gate == "sigmoid"


@pytest.mark.parametrize("content,match", [
    ("one\ntwo\n", "has 2 labels but the model has 3"),
    ("one\n\nthree\n", "line 2 is empty"),
    (b"a\n\xff\nc\n", "UTF-8"),
])
def test_bad_labels_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                         t0_model: torch.nn.Module, content: str | bytes, match: str) -> None:
    src = tmp_path / "bare.pt"
    torch.save(t0_model.state_dict(), src)
    lab = tmp_path / "labels.txt"
    if isinstance(content, bytes):
        lab.write_bytes(content)
    else:
        lab.write_text(content)
    out = tmp_path / "m.safetensors"
    code, _, err = cli(["convert", str(src), "-o", str(out), "--model", "t0", "--variant",
                        "stream", "--labels", str(lab)], capsys)
    assert_one_line_error(code, err, match)
    assert not out.exists()


@pytest.mark.parametrize("payload", [b"", b"PK\x03\x04garbage", b"\x80\x02}q\x00.", b"\x80"])
def test_corrupt_torch_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                            payload: bytes) -> None:
    src = tmp_path / "bad.pt"
    src.write_bytes(payload)
    out = tmp_path / "m.safetensors"
    code, _, err = cli(["convert", str(src), "-o", str(out), "--model", "t0", "--variant",
                        "stream"], capsys)
    assert_one_line_error(code, err, "bad.pt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.pt"]


class _RunsCode:
    """Unpickling this calls Path.touch(marker): a checkpoint that would run code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[Path]]:
        return Path.touch, (self.marker,)


def test_checkpoint_with_code_is_refused_without_running_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "ran"
    src = tmp_path / "code.pt"
    torch.save({"state_dict": {"w": _RunsCode(marker)}}, src)
    code, _, err = cli(["convert", str(src), "-o", str(tmp_path / "m.safetensors"),
                        "--model", "t0", "--variant", "stream"], capsys)
    assert_one_line_error(code, err, "movicore never runs code from a checkpoint")
    assert "weights_only=False" not in err  # torch's advice is not ours to give
    assert not marker.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["code.pt"]


def test_non_finite_weights_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    t0_model: torch.nn.Module) -> None:
    sd = t0_model.state_dict()
    sd["head.bn.running_var"][3] = float("nan")
    src = tmp_path / "nan.pt"
    torch.save(sd, src)
    code, _, err = cli(["convert", str(src), "-o", str(tmp_path / "m.safetensors"),
                        "--model", "t0", "--variant", "stream"], capsys)
    assert_one_line_error(code, err, "head.bn.running_var")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nan.pt"]


def test_failed_conversion_leaves_no_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          t0_model: torch.nn.Module,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail after the data has been written (disk full at fsync): no output, no temp file."""
    src = tmp_path / "bare.pt"
    torch.save(t0_model.state_dict(), src)
    written: list[int] = []

    def fsync(fd: int) -> None:
        written.append(os.fstat(fd).st_size)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(modelfile.os, "fsync", fsync)
    code, _, err = cli(["convert", str(src), "-o", str(tmp_path / "m.safetensors"),
                        "--model", "t0", "--variant", "stream"], capsys)
    assert_one_line_error(code, err, "No space left")
    assert written and written[0] > 1_000_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bare.pt"]


def test_source_detection(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(["convert", str(tmp_path / "nothing"), "-o", str(tmp_path / "o")],
                       capsys)
    assert_one_line_error(code, err, "no such file")
    code, _, err = cli(["convert", str(tmp_path), "-o", str(tmp_path / "o")], capsys)
    assert_one_line_error(code, err, "without a TF checkpoint")
    other = tmp_path / "weights.dat"
    other.write_bytes(b"\x00\x01\x02\x03")
    code, _, err = cli(["convert", str(other), "-o", str(tmp_path / "o")], capsys)
    assert_one_line_error(code, err, "--from")


def test_help_documents_gate(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["convert", "--help"])
    out = capsys.readouterr().out
    assert "hard_sigmoid_keras" in out and "2021" in out and "2.8" in out


def test_model_format_error_is_value_error() -> None:
    assert issubclass(ModelFormatError, ValueError)


@pytest.mark.parametrize("root", ["model/layer_with_weights-0/", "backbone/"])
@pytest.mark.parametrize("z_mult,expected", [(2, "2plus3d"), (1, "3d")])
def test_tf_se_type_detection(root: str, z_mult: int, expected: str) -> None:
    """The SE descriptor width of the first layer tells 2plus3d (2E) from 3d SE (E)."""
    from movicore.cli import convert

    e, r = 24, 16
    s = "/.ATTRIBUTES/VARIABLE_VALUE"
    variables = {
        f"{root}layer_with_weights-1/_expansion/_conv/kernel{s}": np.zeros((1, 1, 1, 8, e)),
        f"{root}layer_with_weights-1/_attention/_se_reduce/_conv/kernel{s}":
            np.zeros((1, 1, 1, z_mult * e, r)),
        f"{root}layer_with_weights-11/_attention/_se_reduce/_conv/kernel{s}":
            np.zeros((1, 1, 1, 3 * e, r)),
        f"model/layer_with_weights-1/_classifier/_conv/bias{s}": np.zeros(7),
    }
    found = convert._detect_from_tf(variables)
    assert found["num_classes"] == 7 and found["positional_encoding"] is False
    args = convert_args(["x", "-o", "y", "--model", "a0", "--variant", "stream"])
    assert convert._build_config(args, found, None, "tf").se_type == expected


def convert_args(argv: list[str]) -> argparse.Namespace:
    from movicore.cli import convert

    p = argparse.ArgumentParser()
    convert.add_arguments(p)
    return p.parse_args(argv)
