"""Reference vs official TF outputs, and the TF-checkpoint key mapping.

Tolerance: max |ours - official| <= 2e-5 * max |official logit| for float32 eager TF
(the fixture README measured TF-vs-TFLite agreement of ~1e-5 on logits of magnitude ~5).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from conftest import DATA, shared_fixture

from movicore import arch, tfckpt
from movicore import reference as ref
from movicore.reference import tf_mapping

pytestmark = [pytest.mark.needs_torch, pytest.mark.usefixtures("torch_one_thread")]
REL_TOL = 2e-5
A0_STREAM = {"gate": "hard_sigmoid", "classifier_activation": "swish"}


def _run(model: ref.MoViNet, clip: np.ndarray, causal: bool
         ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    x = torch.from_numpy(clip)
    with torch.no_grad():
        whole, _ = model(x)
        if not causal:
            return whole.numpy(), None, None
        state = model.init_state(x.shape[0], x.shape[2], x.shape[3])
        rows = []
        for t in range(x.shape[1]):
            logits, state = model(x[:, t:t + 1], state)
            rows.append(logits[0].numpy())
        per_frame, _ = model(x, all_frames=True)
    return whole.numpy(), np.stack(rows), per_frame[0].numpy()


def _max_err(ours: np.ndarray, official: np.ndarray) -> tuple[float, float]:
    err = float(np.abs(ours - official).max())
    return err, err / float(np.abs(official).max())


# ---------------------------------------------------------------- /work/shared a0 stream

@pytest.fixture(scope="module")
def a0_stream() -> tuple[Path, ref.MoViNet]:
    d = shared_fixture("a0_stream_ckpt")
    model = ref.build("a0", "stream", **A0_STREAM).eval()
    ref.load_tf_checkpoint(model, d)
    return d, model


def test_a0_stream_matches_official(a0_stream: tuple[Path, ref.MoViNet],
                                    record_property: pytest.RecordProperty) -> None:
    d, model = a0_stream
    clip = np.load(d / "input_clip.npy")
    whole, stream, per_frame = _run(model, clip, causal=True)
    clip_ref, stream_ref = np.load(d / "clip_logits.npy"), np.load(d / "stream_logits.npy")
    bound = REL_TOL * float(np.abs(clip_ref).max())
    for label, ours, theirs in (("clip", whole, clip_ref), ("stream", stream, stream_ref),
                                ("all_frames", per_frame, stream_ref)):
        err, rel = _max_err(ours, theirs)
        record_property(f"a0_stream_{label}_max_abs_err", err)
        print(f"a0_stream {label}: max abs err {err:.3g} (relative {rel:.3g})")
        assert err <= bound, f"{label}: {err:.3g} > {bound:.3g}"


def test_a0_stream_wrong_gate_is_detected(a0_stream: tuple[Path, ref.MoViNet]) -> None:
    """The comparison can fail: the Keras hard sigmoid moves logits far beyond the bound."""
    d, model = a0_stream
    other = ref.build("a0", "stream", gate="hard_sigmoid_keras").eval()
    other.load_state_dict(model.state_dict())
    clip = np.load(d / "input_clip.npy")[:, :2]
    with torch.no_grad():
        a, _ = model(torch.from_numpy(clip))
        b, _ = other(torch.from_numpy(clip))
    bound = REL_TOL * float(np.abs(np.load(d / "clip_logits.npy")).max())
    assert float((a - b).abs().max()) > 10 * bound


def _fixture_variables() -> dict[str, np.ndarray]:
    return tfckpt.read_checkpoint(shared_fixture("a0_stream_ckpt"))


def test_alt_layout_model_plus_backbone() -> None:
    """Checkpoint(model=, backbone=) keys: backbone/layer_with_weights-K/..."""
    d = shared_fixture("a0_stream_ckpt")
    variables = _fixture_variables()
    cfg = arch.default_config("a0", "stream", **A0_STREAM)
    canon = tf_mapping.convert_variables(cfg, variables)
    prefix = "model/layer_with_weights-0/"
    alt = {("backbone/" + k[len(prefix):] if k.startswith(prefix) else k): v
           for k, v in variables.items()}
    listed = {line.split("\t")[0] for line in
              (d / "variables_alt_layout_model+backbone.txt").read_text().splitlines()}
    assert set(alt) == listed
    alt["optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE"] = np.array(3)
    alt["backbone/layer_with_weights-1/_feature/_conv/_conv/depthwise_kernel/.OPTIMIZER_SLOT/"
        "optimizer/rms/.ATTRIBUTES/VARIABLE_VALUE"] = np.zeros((5, 5, 24, 1), np.float32)
    got = tf_mapping.convert_variables(cfg, alt)
    assert sorted(got) == sorted(canon)
    for k in canon:
        np.testing.assert_array_equal(got[k], canon[k])
    assert tf_mapping.detect_conv_type(variables) == "2plus1d"


def test_mapping_errors_name_the_variable() -> None:
    variables = _fixture_variables()
    cfg = arch.default_config("a0", "stream", **A0_STREAM)
    key = ("model/layer_with_weights-0/layer_with_weights-3/_feature/_conv_temporal/_conv/"
           "depthwise_kernel/.ATTRIBUTES/VARIABLE_VALUE")
    missing = dict(variables)
    del missing[key]
    with pytest.raises(ValueError, match=r"missing.*blocks\.block1_layer1\.feature\.conv_t"):
        tf_mapping.convert_variables(cfg, missing)
    unknown = dict(variables)
    unknown["model/layer_with_weights-0/layer_with_weights-3/_extra/kernel"] = np.zeros(3)
    with pytest.raises(ValueError, match=r"unknown.*_extra"):
        tf_mapping.convert_variables(cfg, unknown)
    bad = dict(variables)
    bad[key] = np.zeros((5, 1, 80, 1), np.float32)
    with pytest.raises(ValueError, match=r"layer_with_weights-3/_feature/_conv_temporal.*expected"):
        tf_mapping.convert_variables(cfg, bad)
    with pytest.raises(ValueError, match="classes=10"):
        tf_mapping.convert_variables(cfg.replace(num_classes=10), variables)
    with pytest.raises(ValueError, match="shape"):  # wrong architecture
        tf_mapping.convert_variables(arch.default_config("a0", "stream", se_type="3d"), variables)


def test_state_dict_numpy_path_matches_torch_load(a0_stream: tuple[Path, ref.MoViNet]) -> None:
    d, model = a0_stream
    tensors = ref.tf_checkpoint_to_state_dict(model.config, d)
    assert set(tensors) == set(arch.expected_tensors(model.config))
    sd = model.state_dict()
    for k, v in tensors.items():
        assert v.dtype == np.float32
        np.testing.assert_array_equal(sd[k].numpy(), v)


# ---------------------------------------------------------------- 3d / 3d_2plus1d layouts

def _to_tf(cfg: arch.Config, tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Canonical -> official object-graph keys for the Conv3D layouts (doc 7.1/7.3)."""
    plan = arch.layer_plan(cfg)
    names = {"weight": "kernel", "bias": "bias"}
    bn = {"weight": "gamma", "bias": "beta", "running_mean": "moving_mean",
          "running_var": "moving_variance"}
    mods = {"expand.conv": "_expansion/_conv", "expand.bn": "_expansion/_batch_norm",
            "feature.conv": "_feature/_conv", "feature.bn": "_feature/_batch_norm",
            "feature.conv_t": "_feature/_conv_temporal",
            "feature.bn_t": "_feature/_batch_norm_temporal",
            "se.reduce": "_attention/_se_reduce/_conv", "se.expand": "_attention/_se_expand/_conv",
            "project.conv": "_projection/_conv", "project.bn": "_projection/_batch_norm",
            "skip.conv": "_skip/_projection/_conv", "skip.bn": "_skip/_projection/_batch_norm",
            "stem.conv": "_stem/_conv", "stem.bn": "_stem/_batch_norm",
            "head.conv": "_project/_conv", "head.bn": "_project/_batch_norm",
            "classifier.hidden": "_head/_conv", "classifier.logits": "_classifier/_conv"}
    index = {lp.name: i + 1 for i, lp in enumerate(plan)}
    out = {}
    for name, v in tensors.items():
        parts = name.split(".")
        if parts[0] == "blocks":
            root = f"backbone/layer_with_weights-{index[parts[1]]}/"
            rest = parts[2:]
        elif parts[0] == "classifier":
            root, rest = "model/layer_with_weights-1/", parts
        else:
            k = 0 if parts[0] == "stem" else len(plan) + 1
            root, rest = f"backbone/layer_with_weights-{k}/", parts
        if rest == ["rezero"]:
            path = "_mobile_bottleneck/_rezero/scale"
        elif rest == ["se", "pos_scale"]:
            path = "_attention/_pos_encoding/_rezero/scale"
        else:
            mod, var = ".".join(rest[:-1]), rest[-1]
            path = f"{mods[mod]}/{(bn if mod.endswith(('bn', 'bn_t')) else names)[var]}"
        if v.ndim == 5:
            v = v.transpose(2, 3, 4, 1, 0)
        out[root + path + "/.ATTRIBUTES/VARIABLE_VALUE"] = v
    return out


@pytest.mark.parametrize(("model_id", "variant", "overrides"), [
    ("a0", "base", {}), ("t0", "stream", {"conv_type": "3d_2plus1d"}),
    ("a3", "stream", {"conv_type": "3d_2plus1d"}), ("a0", "stream", {"conv_type": "3d"}),
])
def test_conv3d_layouts_roundtrip(model_id: str, variant: str, overrides: dict[str, str],
                                  rng: np.random.Generator) -> None:
    cfg = arch.default_config(model_id, variant, 11, **overrides)
    canon = {k: rng.standard_normal(s).astype(np.float32)
             for k, s in arch.expected_tensors(cfg).items()}
    tf_vars = _to_tf(cfg, canon)
    if cfg.conv_type == "3d":
        assert any(v.ndim == 5 and v.shape[0] > 1 and "_feature/_conv/" in k
                   for k, v in tf_vars.items())
    got = tf_mapping.convert_variables(cfg, tf_vars)
    assert sorted(got) == sorted(canon)
    for k, v in canon.items():
        np.testing.assert_array_equal(got[k], v)
    assert tf_mapping.detect_conv_type(tf_vars) == ("3d" if cfg.conv_type == "3d"
                                                    else "3d_2plus1d")


# ---------------------------------------------------------------- compact official fixtures

OFFICIAL = DATA / "official"
OFFICIAL_CASES = sorted(p.name for p in OFFICIAL.iterdir() if p.is_dir()) if OFFICIAL.is_dir() \
    else []


def _fixture_config(meta: dict) -> arch.Config:
    """config.json: official constructor kwargs {"backbone": {...}, "classifier": {...}}, or
    flat arch.Config fields."""
    if "backbone" not in meta:
        return arch.Config.from_dict({k: v for k, v in meta.items()
                                      if k in arch.Config.__dataclass_fields__})
    bb, head = meta["backbone"], meta.get("classifier", {})
    causal = bool(bb["causal"])
    overrides = {"causal": causal, "conv_type": bb.get("conv_type", "3d"),
                 "se_type": bb.get("se_type", "3d"), "activation": bb.get("activation", "swish"),
                 "gate": bb.get("gating_activation", "sigmoid"),
                 "positional_encoding": bool(bb.get("use_positional_encoding", False)),
                 "classifier_activation": head.get("activation", "swish")}
    return arch.default_config(bb["model_id"], "stream" if causal else "base",
                               int(head.get("num_classes", 600)), **overrides)


@pytest.mark.parametrize("name", OFFICIAL_CASES or [pytest.param("none", marks=pytest.mark.skip(
    reason="tests/data/official not committed yet"))])
def test_compact_official_fixture(name: str, record_property: pytest.RecordProperty) -> None:
    d = OFFICIAL / name
    cfg = _fixture_config(json.loads((d / "config.json").read_text()))
    model = ref.MoViNet(cfg).eval()
    ref.load_tf_checkpoint(model, d)
    clip = np.load(d / "input_clip.npy")
    whole, stream, _ = _run(model, clip, cfg.causal)
    clip_ref = np.load(d / "clip_logits.npy")
    bound = REL_TOL * float(np.abs(clip_ref).max())
    err, _ = _max_err(whole, clip_ref)
    record_property(f"{name}_clip_max_abs_err", err)
    print(f"{name} clip: max abs err {err:.3g} (bound {bound:.3g})")
    assert err <= bound
    if cfg.causal:
        stream_ref = np.load(d / "stream_logits.npy")
        err, _ = _max_err(stream, stream_ref.reshape(stream.shape))
        record_property(f"{name}_stream_max_abs_err", err)
        print(f"{name} stream: max abs err {err:.3g}")
        assert err <= bound
