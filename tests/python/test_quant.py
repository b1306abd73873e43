"""Int8 models end to end: the scheme, the file format (new dtype, metadata, every error),
the engine's int8 path against the float model, and ``movicore quantize``."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import movicore
from movicore import arch, modelfile
from movicore.assets import DEMO_MODEL
from movicore.cli.main import main
from movicore.errors import ModelFormatError
from movicore.quant import scheme
from movicore.quant.report import compare_streams


@pytest.fixture(autouse=True)
def _int8_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests run the int8 kernels on every CPU (auto picks float without VNNI/DotProd;
    test_int8_gemm_choice covers that)."""
    monkeypatch.setenv("MOVICORE_INT8_GEMM", "int8")


@pytest.fixture(scope="module")
def int8_demo(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("q") / "demo_int8.safetensors"
    movicore.quantize(DEMO_MODEL, out, report=False, min_channels=1, classifier=True)  # all
    return out


@pytest.fixture(scope="module")
def static_demo(tmp_path_factory: pytest.TempPathFactory):
    """Every pointwise layer static, calibrated on synthetic clips (report on other clips)."""
    out = tmp_path_factory.mktemp("q") / "demo_static.safetensors"
    report = movicore.quantize(DEMO_MODEL, out, dynamic=False, min_channels=1, classifier=True,
                               frames=24, calib_frames=128)
    return out, report


def test_quantize_weight_per_channel():
    w = np.array([[1.0, -0.5, 0.25], [0.0, 0.0, 0.0], [-3.0, 1.5, 0.001]], np.float32)
    q, s = scheme.quantize_weight(w)
    assert q.dtype == np.int8 and s.dtype == np.float32
    np.testing.assert_array_equal(q[0], [127, -64, 32])  # rint(63.5) = 64 (half to even)
    np.testing.assert_array_equal(q[1], [0, 0, 0])
    assert s[1] == 1.0 and np.isclose(s[2], 3.0 / 127)
    assert q.min() >= -127
    assert np.abs(q * s[:, None] - w).max() <= s.max() / 2 + 1e-7


def test_layer_selection():
    c = arch.default_config("a0", "stream")
    every = scheme.pointwise_layers(c)
    wide = scheme.quantizable_layers(c)
    assert set(wide) < set(every)
    shapes = arch.expected_tensors(c)
    se = [n for n in every if n.endswith(scheme.SE_SUFFIXES)]
    assert len(se) == 2 * len(arch.layer_plan(c))  # both FCs of every layer
    for n in every:
        want = (n.startswith("classifier.") or n in se
                or min(shapes[n][:2]) >= scheme.MIN_CHANNELS)
        assert (n in wide) == want, n
    assert "classifier.logits.weight" not in scheme.quantizable_layers(c, classifier=False)
    assert not set(se) & set(scheme.quantizable_layers(c, se=False))
    assert scheme.quantizable_layers(c, min_channels=1) == every


def test_file_roundtrip_and_inspect(int8_demo, capsys):
    mf = modelfile.read_model_file(int8_demo)
    assert mf.quant is not None and mf.quant.activations == "dynamic"
    assert set(mf.quant.layers) == set(scheme.pointwise_layers(mf.config))
    for name in mf.quant.layers:
        assert mf.tensors[name].dtype == np.int8
        assert mf.tensors[name + "_scale"].dtype == np.float32
    src = modelfile.read_model_file(DEMO_MODEL)
    back = scheme.dequantize_tensors(mf.tensors, mf.quant)
    assert set(back) == set(src.tensors)
    w = "head.conv.weight"
    step = mf.tensors[w + "_scale"].max()
    assert np.abs(back[w] - src.tensors[w]).max() <= step / 2 + 1e-7
    assert int8_demo.stat().st_size < 0.8 * DEMO_MODEL.stat().st_size
    assert main(["inspect", str(int8_demo)]) == 0
    out = capsys.readouterr().out
    assert "qd8_f32_qc8w" in out and "dynamic" in out
    assert main(["inspect", str(DEMO_MODEL), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["quantization"] is None


def test_engine_int8_close_to_float(int8_demo):
    fm, qm = movicore.load(DEMO_MODEL), movicore.load(int8_demo)
    assert qm._core.int8_layers == len(scheme.pointwise_layers(qm.config))
    assert fm._core.int8_layers == 0
    assert qm._core.packed_bytes < 0.8 * fm._core.packed_bytes
    size = fm.input_size[0]
    frames = np.random.default_rng(3).integers(0, 256, (24, size, size, 3), np.uint8)
    r = compare_streams(fm, qm, frames, checkpoints=(1, 16, 24))
    assert r["frames"] == 24 and set(r["at"]) == {1, 16, 24}
    assert r["max_rel_err"] < 0.05, r["max_rel_err"]
    assert r["top1_agreement"] >= 0.9
    # deterministic, and one frame at a time equals a clip of frames
    e1, e2 = movicore.Engine(qm), movicore.Engine(qm)
    a = e1.step(frames[:5], all_frames=True)
    b = np.stack([e2.step(frames[i:i + 1]) for i in range(5)])
    np.testing.assert_array_equal(a, b)
    e1.reset()
    np.testing.assert_array_equal(e1.step(frames[:1]), a[0])


def test_engine_int8_threads_agree(int8_demo):
    qm = movicore.load(int8_demo)
    size = qm.input_size[0]
    frames = np.random.default_rng(4).integers(0, 256, (6, size, size, 3), np.uint8)
    one = movicore.Engine(qm, threads=1).step(frames, all_frames=True)
    two = movicore.Engine(qm, threads=2).step(frames, all_frames=True)
    np.testing.assert_allclose(two, one, rtol=1e-5, atol=1e-5)


def _step_in_subprocess(path, env_updates: dict[str, str | None]) -> dict:
    import os

    env = dict(os.environ)
    for k, v in env_updates.items():
        env.pop(k, None) if v is None else env.__setitem__(k, v)
    code = ("import json, sys, movicore, numpy as np; m = movicore.load(sys.argv[1]); "
            "s = m.input_size[0]; x = np.random.default_rng(8).integers(0, 256, (3, s, s, 3), "
            "np.uint8); print(json.dumps({'int8_layers': m._core.int8_layers, 'isa': "
            "movicore.cpu_info()['int8_isa'], 'logits': movicore.Engine(m).step(x, "
            "all_frames=True).tolist()}))")
    r = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                       env=env, check=False)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_int8_gemm_choice(int8_demo, tmp_path):
    """auto: int8 kernels only with an int8 dot-product extension; otherwise (and with
    MOVICORE_INT8_GEMM=float) the float GEMM on the dequantized weights, i.e. the float model
    of the dequantized file up to the rounding of the BN fold (with float32 ring buffers, as
    the dequantized file has)."""
    mf = modelfile.read_model_file(int8_demo)
    assert mf.quant.bf16_ring  # the default
    f32_ring = tmp_path / "f32_ring.safetensors"
    q = json.loads(mf.metadata["quant"])
    del q["ring"]
    _rewrite(int8_demo, f32_ring, meta={"quant": json.dumps(q)})
    int8_demo = f32_ring
    deq = tmp_path / "deq.safetensors"
    modelfile.write_model_file(deq, mf.config, scheme.dequantize_tensors(mf.tensors, mf.quant),
                               mf.labels)
    want = np.array(_step_in_subprocess(deq, {})["logits"])
    n = len(mf.quant.layers)
    as_float = _step_in_subprocess(int8_demo, {"MOVICORE_INT8_GEMM": "float"})
    assert as_float["int8_layers"] == 0
    np.testing.assert_allclose(as_float["logits"], want, rtol=1e-4, atol=1e-4 * np.abs(want).max())
    capped = _step_in_subprocess(int8_demo, {"MOVICORE_INT8_GEMM": None,
                                             "MOVICORE_MAX_ISA": "avx2"})
    assert capped["int8_layers"] == 0  # AVX2 / NEON without DotProd: float is faster
    auto = _step_in_subprocess(int8_demo, {"MOVICORE_INT8_GEMM": "auto"})
    has_dot = movicore.cpu_info()["int8_isa"] in ("avx512vnni", "avxvnni", "neondot")
    assert auto["int8_layers"] == (n if has_dot else 0), auto["isa"]
    forced = _step_in_subprocess(int8_demo, {"MOVICORE_INT8_GEMM": "int8"})
    assert forced["int8_layers"] == n


def test_int8_gemm_env_error(int8_demo, monkeypatch):
    monkeypatch.setenv("MOVICORE_INT8_GEMM", "sometimes")
    with pytest.raises(ValueError, match="MOVICORE_INT8_GEMM must be auto, int8 or float"):
        movicore.load(int8_demo)


def _rewrite(path, dst, *, meta=None, tensors=None):
    mf = modelfile.read_model_file(path)
    t = dict(mf.tensors) if tensors is None else tensors
    m = dict(mf.metadata)
    m.update(meta or {})
    modelfile.write_atomic(dst, modelfile.assemble_header(m, t), t)


@pytest.mark.parametrize(("meta", "match"), [
    ({"quant": "{"}, "not valid JSON"),
    ({"quant": json.dumps({"scheme": "x"})}, "unsupported quantization scheme"),
    ({"quant": json.dumps({"scheme": scheme.SCHEME, "activations": "sometimes",
                           "layers": ["head.conv.weight"]})}, "activations"),
    ({"quant": json.dumps({"scheme": scheme.SCHEME, "activations": "dynamic",
                           "layers": ["stem.conv.weight"]})}, "not allowed"),
    ({"quant": json.dumps({"scheme": scheme.SCHEME, "activations": "dynamic",
                           "layers": ["head.conv.weight"], "ring": "float16"})}, "quant ring"),
])
def test_bad_quant_metadata(int8_demo, tmp_path, meta, match):
    dst = tmp_path / "bad.safetensors"
    _rewrite(int8_demo, dst, meta=meta)
    with pytest.raises(ModelFormatError, match=match):
        movicore.load(dst)


def test_int8_tensor_errors(int8_demo, tmp_path):
    mf = modelfile.read_model_file(int8_demo)
    dst = tmp_path / "bad.safetensors"
    t = dict(mf.tensors)
    t["head.conv.weight"] = np.full_like(t["head.conv.weight"], -128)
    _rewrite(int8_demo, dst, tensors=t)
    with pytest.raises(ModelFormatError, match="-127"):
        movicore.load(dst)
    t = dict(mf.tensors)
    del t["head.conv.weight_scale"]
    _rewrite(int8_demo, dst, tensors=t)
    with pytest.raises(ModelFormatError, match="missing"):
        movicore.load(dst)
    t = dict(mf.tensors)
    t["head.bn.weight"] = t["head.bn.weight"].astype(np.int8)  # I8 where F32 belongs
    _rewrite(int8_demo, dst, tensors=t)
    with pytest.raises(ModelFormatError, match="dtype"):
        movicore.load(dst)
    # int8 tensors without quant metadata: a float file may hold F32 only
    meta = {k: v for k, v in mf.metadata.items() if k != "quant"}
    modelfile.write_atomic(dst, modelfile.assemble_header(meta, mf.tensors), mf.tensors)
    with pytest.raises(ModelFormatError, match="I8"):
        movicore.load(dst)
    # truncated file
    raw = int8_demo.read_bytes()
    dst.write_bytes(raw[: len(raw) - 7])
    with pytest.raises(ModelFormatError):
        movicore.load(dst)


def test_dequantized_tensors_load_into_a_float_file(int8_demo, tmp_path):
    mf = modelfile.read_model_file(int8_demo)
    back = scheme.dequantize_tensors(mf.tensors, mf.quant)
    modelfile.write_model_file(tmp_path / "f.safetensors", mf.config, back, mf.labels)
    assert modelfile.read_model_file(tmp_path / "f.safetensors").quant is None


def test_cli_quantize_synthetic_report(tmp_path, capsys):
    out, js = tmp_path / "q.safetensors", tmp_path / "r.json"
    assert main(["quantize", str(DEMO_MODEL), "-o", str(out), "--synthetic", "--frames", "20",
                 "--int8-classifier", "--json", str(js)]) == 0
    text = capsys.readouterr().out
    assert "top-1 agreement" in text and "frame     1" in text and "frame    16" in text
    r = json.loads(js.read_text())
    assert r["frames"] == 20 and r["max_rel_err"] < 0.05
    assert modelfile.read_model_file(out).quant is not None


def test_cli_quantize_errors(int8_demo, tmp_path, capsys):
    out = tmp_path / "q.safetensors"
    assert main(["quantize", str(int8_demo), "-o", str(out), "--no-report"]) == 1
    assert "already quantized" in capsys.readouterr().err
    assert main(["quantize", "demo", "-o", str(out), "--no-report",
                 "--min-channels", "100000", "--float32-se"]) == 1
    assert "nothing to quantize" in capsys.readouterr().err
    assert not out.exists()
    assert main(["quantize", str(DEMO_MODEL), "-o", str(out),
                 "--calibrate", str(tmp_path / "none.mp4")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not found" in err
    assert not out.exists()
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video")
    assert main(["quantize", str(DEMO_MODEL), "-o", str(out), "--calibrate", str(bad)]) == 1
    assert capsys.readouterr().err.startswith("movicore quantize: error:")
    assert not out.exists()


def test_import_without_torch(int8_demo):
    code = ("import sys; sys.modules['torch'] = None; import movicore, numpy as np; "
            f"m = movicore.load({str(int8_demo)!r}); e = movicore.Engine(m); "
            "s = m.input_size[0]; print(e.step(np.zeros((1, s, s, 3), np.uint8)).shape)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("mode", ["dynamic", "static"])
def test_reference_engine_matches_int8_weights(int8_demo, static_demo, mode, torch_one_thread):
    """The torch reference on the dequantized weights vs the int8 engine: only the activation
    quantization separates them (dynamic per row, or the calibrated static ranges)."""
    import torch

    from movicore.reference.model_io import from_file

    path = int8_demo if mode == "dynamic" else static_demo[0]
    ref = from_file(path)
    qm = movicore.load(path)
    size = qm.input_size[0]
    frames = np.random.default_rng(5).integers(0, 256, (4, size, size, 3), np.uint8)
    got = movicore.Engine(qm).step(frames, all_frames=True)
    clip = torch.from_numpy(frames.astype(np.float32) / 255)[None]  # [1, T, H, W, 3]
    with torch.no_grad():
        want = ref(clip, all_frames=True)[0][0].numpy()
    rel = np.abs(got - want).max() / np.abs(want).max()
    assert rel < 0.05, rel


def test_static_params_rule():
    s, zp = scheme.static_params(-1.0, 3.0)
    assert s == pytest.approx(4 / 255) and zp == 64  # rint(63.75)
    assert scheme.static_params(0.5, 2.0) == (pytest.approx(2 / 255), 0)  # zero kept in range
    assert scheme.static_params(-2.0, -1.0) == (pytest.approx(2 / 255), 255)
    assert scheme.static_params(0.0, 0.0) == (1.0, 0)
    with pytest.raises(ValueError, match="not finite"):
        scheme.static_params(float("nan"), 1.0)


def test_static_file_and_report(static_demo):
    path, r = static_demo
    mf = modelfile.read_model_file(path)
    assert mf.quant.activations == "static"
    assert set(mf.quant.layers) == set(scheme.pointwise_layers(mf.config))
    assert set(mf.quant.static_layers) == {n for n in mf.quant.layers
                                           if not n.endswith(scheme.SE_SUFFIXES)}
    for name in mf.quant.layers:  # the SE FCs stay dynamic
        if name in mf.quant.static_layers:
            s, zp = mf.tensors[name + "_input"]
            assert s > 0 and zp == int(zp) and 0 <= zp <= 255
        else:
            assert name + "_input" not in mf.tensors
    # the report: static on held-out clips, dynamic on the same clips beside it
    assert "calibrated on seed 1" in r["source"] and r["frames"] == 24
    # per-tensor ranges are coarser than per-row ones: a looser bound (docs/quantization.md)
    assert r["max_rel_err"] < 0.1 and r["top1_agreement"] >= 0.9
    assert r["dynamic"]["frames"] == 24 and r["dynamic"]["max_rel_err"] < 0.05
    qm = movicore.load(path)
    assert qm._core.int8_layers == len(mf.quant.layers)
    size = qm.input_size[0]
    frames = np.random.default_rng(6).integers(0, 256, (3, size, size, 3), np.uint8)
    a = movicore.Engine(qm).step(frames, all_frames=True)
    b = movicore.Engine(qm, threads=2).step(frames, all_frames=True)
    np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-5)


def test_calibration_covers_the_calibration_frames(tmp_path):
    """Static ranges contain every value the float model fed each layer on those frames: the
    same frames then never clip (beyond the rounding of half a step)."""
    from movicore.quant.calibrate import calibrate_ranges

    fm = movicore.load(DEMO_MODEL)
    size = fm.input_size[0]
    frames = np.random.default_rng(9).integers(0, 256, (5, size, size, 3), np.uint8)
    layers = scheme.quantizable_layers(fm.config, min_channels=1)
    ranges = calibrate_ranges(fm, list(frames), layers)
    assert set(ranges) == set(layers)
    e = movicore.Engine(fm)
    e._core.set_observing_ranges(True)
    e.step(frames[:2], all_frames=True)
    seen = e._core.input_ranges()
    for n in layers:
        s, zp = ranges[n]
        lo, hi = seen[n]
        # covered up to half a step (the zero point is rounded to an integer): never clipped
        assert s * (0 - zp) <= lo + s / 2 + 1e-6 and s * (255 - zp) >= hi - s / 2 - 1e-6, n
    with pytest.raises(ValueError, match="no calibration frames"):
        calibrate_ranges(fm, [], layers)


def test_cli_static_errors(tmp_path, capsys):
    from video_helpers import make_clip

    out = tmp_path / "q.safetensors"
    one = make_clip(tmp_path / "one.mp4", seconds=1 / 30)  # a single frame: nothing held out
    assert main(["quantize", str(DEMO_MODEL), "-o", str(out), "--static", "--calibrate",
                 str(one)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "at least 2" in err
    assert not out.exists()
    assert main(["quantize", str(DEMO_MODEL), "-o", str(out), "--static",
                 "--calib-frames", "0"]) == 1
    assert "calib_frames must be >= 1" in capsys.readouterr().err
    assert not out.exists()
    clip = make_clip(tmp_path / "clip.mp4", seconds=0.4)  # 12 frames: 6 calibrate, 6 report
    assert main(["quantize", str(DEMO_MODEL), "-o", str(out), "--static", "--calibrate",
                 str(clip), "--frames", "8"]) == 0
    text = capsys.readouterr().out
    assert "held out from calibration" in text and "dynamic (per-row)" in text
    assert modelfile.read_model_file(out).quant.activations == "static"


def test_bf16_classifier(tmp_path):
    """Default int8 files run the float classifier with bfloat16 weights: the same logits as a
    float32-classifier file whose classifier weights were rounded to bfloat16 (up to float
    summation order), and the metadata records it (absent with --float32-classifier)."""
    q = tmp_path / "q.safetensors"
    f32 = tmp_path / "q_f32cls.safetensors"
    movicore.quantize(DEMO_MODEL, q, report=False)
    movicore.quantize(DEMO_MODEL, f32, report=False, classifier_bf16=False)
    mq, mf = modelfile.read_model_file(q), modelfile.read_model_file(f32)
    assert mq.quant.classifier_weights == "bfloat16" and "bfloat16" in mq.quant.describe()
    assert mf.quant.classifier_weights == "float32"
    assert "classifier_weights" not in json.loads(mf.metadata["quant"])
    t = dict(mf.tensors)
    for n in scheme.CLASSIFIER_LAYERS:
        t[n] = scheme.round_bf16(np.asarray(t[n]))
    rounded = tmp_path / "rounded.safetensors"
    modelfile.write_model_file(rounded, mf.config, t, mf.labels, quant=mf.quant)
    lq, lr = movicore.load(q), movicore.load(rounded)
    assert lq._core.packed_bytes < lr._core.packed_bytes
    size = lq.input_size[0]
    frames = np.random.default_rng(11).integers(0, 256, (4, size, size, 3), np.uint8)
    a = movicore.Engine(lq).step(frames, all_frames=True)
    b = movicore.Engine(lr).step(frames, all_frames=True)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5 * np.abs(b).max())
    two = movicore.Engine(lq, threads=2).step(frames, all_frames=True)
    np.testing.assert_allclose(two, a, rtol=1e-5, atol=1e-5 * np.abs(a).max())
    # dequantized tensors (the torch reference's view) carry the bfloat16 rounding
    back = scheme.dequantize_tensors(mq.tensors, mq.quant)
    np.testing.assert_array_equal(back["classifier.logits.weight"],
                                  t["classifier.logits.weight"])


def test_round_bf16():
    x = np.array([1.0, 1.0 + 2**-8, 1.0 + 3 * 2**-8, -2.5, 0.0, 3.14159], np.float32)
    got = scheme.round_bf16(x)
    np.testing.assert_array_equal(got[:5], [1.0, 1.0, 1.0 + 4 * 2**-8, -2.5, 0.0])  # ties even
    assert abs(got[5] - x[5]) <= abs(x[5]) * 2**-9


@pytest.mark.parametrize(("extra", "match"), [
    ({"classifier_weights": "int4"}, "classifier_weights must be one of"),
    ({"classifier_weights": "bfloat16", "layers": ["classifier.logits.weight"]},
     "needs a float32 classifier"),
])
def test_bad_classifier_weights_metadata(int8_demo, tmp_path, extra, match):
    mf = modelfile.read_model_file(int8_demo)
    d = json.loads(mf.metadata["quant"])
    d.update(extra)
    dst = tmp_path / "bad.safetensors"
    _rewrite(int8_demo, dst, meta={"quant": json.dumps(d)})
    with pytest.raises(ModelFormatError, match=match):
        movicore.load(dst)


def test_calibration_ranges_match_reference_layer_inputs(torch_one_thread):
    """The range the calibration observer records for each pointwise layer's input equals that
    of the tensor the torch reference feeds the same conv over the same frames (a projection
    must see the SE-gated features, a pooled skip the pooled ones)."""
    import torch

    from movicore.reference.model_io import from_file

    fm = movicore.load(DEMO_MODEL)
    size = fm.input_size[0]
    frames = np.random.default_rng(12).integers(0, 256, (3, size, size, 3), np.uint8)
    e = movicore.Engine(fm)
    e._core.set_observing_ranges(True)
    e.step(frames, all_frames=True)
    seen = e._core.input_ranges()
    ref = from_file(DEMO_MODEL)
    modules = dict(ref.named_modules())
    got: dict[str, list[float]] = {}

    def hook(name, use_output=False):
        def f(_module, inputs, out):
            x = (out if use_output else inputs[0]).detach()
            lo, hi = float(x.min()), float(x.max())
            r = got.setdefault(name, [lo, hi])
            r[0], r[1] = min(r[0], lo), max(r[1], hi)
        return f

    # the ConvBN (or skip) module whose input is the GEMM input; a pooled skip's is the pool's
    # output (the SE FCs, which static files keep dynamic, are called functionally: no hook)
    layers = [n for n in scheme.pointwise_layers(fm.config)
              if not n.startswith("classifier.") and not n.endswith(scheme.SE_SUFFIXES)]
    for n in layers:
        base = n.removesuffix(".conv.weight")
        if modules.get(base + ".pool") is not None:
            modules[base + ".pool"].register_forward_hook(hook(n, use_output=True))
        else:
            modules[base].register_forward_hook(hook(n))
    clip = torch.from_numpy(frames.astype(np.float32) / 255)[None]
    with torch.no_grad():
        ref(clip, all_frames=True)
    for n in layers:
        lo, hi = seen[n]
        scale = max(abs(lo), abs(hi), 1e-3)
        assert abs(lo - got[n][0]) <= 1e-3 * scale and abs(hi - got[n][1]) <= 1e-3 * scale, (
            n, seen[n], got[n])


def test_bf16_ring(int8_demo, tmp_path):
    """Default int8 files keep the temporal ring buffers in bfloat16: half their bytes, state
    export widens them exactly (a save/restore round trip continues bit for bit), and the
    logits stay within the rounding of the stored frames of the float32-ring file's."""
    mf = modelfile.read_model_file(int8_demo)
    assert mf.quant.bf16_ring and "ring buffers bfloat16" in mf.quant.describe()
    q = json.loads(mf.metadata["quant"])
    del q["ring"]
    f32 = tmp_path / "f32_ring.safetensors"
    _rewrite(int8_demo, f32, meta={"quant": json.dumps(q)})
    qm, fm = movicore.load(int8_demo), movicore.load(f32)
    e16, e32 = movicore.Engine(qm), movicore.Engine(fm)
    size = qm.input_size[0]
    shapes = arch.state_shapes(qm.config, 1, size, size)
    ring = sum(int(np.prod(s)) for n, (s, _) in shapes.items() if n.endswith("_stream_buffer"))
    assert ring > 0 and e32.state_bytes - e16.state_bytes == 2 * ring
    frames = np.random.default_rng(21).integers(0, 256, (10, size, size, 3), np.uint8)
    a = e16.step(frames[:6], all_frames=True)
    b = e32.step(frames[:6], all_frames=True)
    assert np.abs(a - b).max() < 0.02 * np.abs(b).max()
    saved = e16.state_dict()
    rings = [v for n, v in saved.items() if n.endswith("_stream_buffer")]
    assert rings and all(v.dtype == np.float32 for v in rings)
    for v in rings:  # every stored value is a bfloat16 value
        np.testing.assert_array_equal(scheme.round_bf16(v), v)
    after = e16.step(frames[6:], all_frames=True)
    e16.reset()
    e16.load_state_dict(saved)
    np.testing.assert_array_equal(e16.step(frames[6:], all_frames=True), after)
    # two threads split the rows of the same kernels: same logits up to summation order
    two = movicore.Engine(qm, threads=2).step(frames, all_frames=True)
    np.testing.assert_allclose(two, np.concatenate([a, after]), rtol=1e-5, atol=1e-5)
