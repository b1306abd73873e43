"""Reference model <-> arch contract: parameter names/shapes, state names/shapes/dtypes,
parameter counts (official table) and MACs (official README)."""

from __future__ import annotations

import itertools

import pytest

torch = pytest.importorskip("torch")

from movicore import arch
from movicore import reference as ref

pytestmark = [pytest.mark.needs_torch, pytest.mark.usefixtures("torch_one_thread")]


COMBOS = list(itertools.product(arch.MODEL_IDS, arch.CONV_TYPES, arch.SE_TYPES))


def _meta_model(model_id: str, **overrides: object) -> ref.MoViNet:
    with torch.device("meta"):  # no allocation, no init cost
        return ref.build(model_id, "stream", **overrides)


def _layout(model: torch.nn.Module) -> dict[str, tuple[int, ...]]:
    return {k: tuple(v.shape) for k, v in model.state_dict().items()
            if not k.endswith("num_batches_tracked")}


@pytest.mark.parametrize(("model_id", "conv_type", "se_type"), COMBOS)
def test_state_dict_matches_expected_tensors(model_id: str, conv_type: str, se_type: str) -> None:
    for causal in (True, False):
        model = _meta_model(model_id, conv_type=conv_type, se_type=se_type, causal=causal,
                            positional_encoding=causal and se_type != "none"
                            and model_id in ("a3", "a4"))
        want = arch.expected_tensors(model.config)
        got = _layout(model)
        assert sorted(set(want) - set(got)) == [], "missing in state_dict"
        assert sorted(set(got) - set(want)) == [], "unexpected in state_dict"
        bad = {k: (got[k], want[k]) for k in want if got[k] != want[k]}
        assert bad == {}


@pytest.mark.parametrize("model_id", arch.MODEL_IDS)
@pytest.mark.parametrize("variant", arch.VARIANTS)
def test_default_models_layout_and_parameter_count(model_id: str, variant: str) -> None:
    with torch.device("meta"):
        model = ref.build(model_id, variant)
    assert _layout(model) == arch.expected_tensors(model.config)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert trainable == ref.parameter_count(model_id, variant) == ref.parameter_count(model)


# Official table (reference doc 1.2, dumped from the TF code, 600 classes).
OFFICIAL_PARAMS = {
    "a0": (3_111_799, 3_748_031), "a1": (4_690_296, 6_447_352), "a2": (5_249_562, 7_326_962),
    "a3": (7_397_545, 10_986_618), "a4": (11_349_463, 18_136_182),
    "a5": (18_650_523, 31_495_934), "t0": (1_727_414, 2_368_958),
}


@pytest.mark.parametrize("model_id", arch.MODEL_IDS)
def test_parameter_count_matches_official_table(model_id: str) -> None:
    for variant, want in zip(("base", "stream"), OFFICIAL_PARAMS[model_id]):
        with torch.device("meta"):
            model = ref.build(model_id, variant)
        assert sum(p.numel() for p in model.parameters()) == want, variant


# README GFLOPs column (K600 table) at the README eval input. "GFLOPs" there are MACs.
README_GFLOPS = {"a0": (2.7, 50, 172), "a1": (6.0, 50, 172), "a2": (10.0, 50, 224),
                 "a3": (57.0, 120, 256), "a4": (110.0, 80, 290), "a5": (280.0, 120, 320)}
_MACS_XFAIL = {
    "a2": "known deviation: arch/official spec gives 11.56 G at 50x224x224 vs README 10 "
          "(paper 10.3); no counting convention found that fixes a2 without breaking the others",
    "a4": "known deviation: 103.3 G vs README 110 (-6.1%); the paper's K400 table lists "
          "105 G for A4 (-1.6%), see test_macs_a4_matches_paper",
}


@pytest.mark.parametrize("model_id", sorted(README_GFLOPS))
def test_base_macs_match_readme(model_id: str, request: pytest.FixtureRequest) -> None:
    if model_id in _MACS_XFAIL:
        request.applymarker(pytest.mark.xfail(reason=_MACS_XFAIL[model_id], strict=True))
    gflops, frames, size = README_GFLOPS[model_id]
    macs = ref.count_macs(model_id, frames, size, size, variant="base")
    assert abs(macs / 1e9 / gflops - 1.0) <= 0.05, f"{macs / 1e9:.3f} G vs {gflops} G"


def test_macs_a4_matches_paper() -> None:
    macs = ref.count_macs("a4", 80, 290, 290, variant="base")
    assert abs(macs / 1e9 / 105.0 - 1.0) <= 0.05


def test_count_macs_accepts_model_and_config() -> None:
    with torch.device("meta"):
        model = ref.build("t0", "stream")
    want = arch.count_macs(model.config, 4, 64, 64)
    assert ref.count_macs(model, 4, 64, 64) == want
    assert ref.count_macs(model.config, 4, 64, 64) == want
    with pytest.raises(ValueError, match="model id"):
        ref.count_macs(3.5, 4, 64, 64)


STATE_CASES = [
    ("a0", {}), ("t0", {"conv_type": "3d_2plus1d"}), ("a0", {"conv_type": "3d"}),
    ("a3", {}), ("a1", {"se_type": "2d"}), ("a0", {"se_type": "3d", "conv_type": "3d"}),
    ("t0", {"se_type": "none"}),
]


@pytest.mark.parametrize(("model_id", "overrides"), STATE_CASES)
def test_state_contract(model_id: str, overrides: dict[str, str], rng: object) -> None:
    model = ref.build(model_id, "stream", num_classes=7, **overrides).eval()
    b, h, w = 2, 40, 36
    want = arch.state_shapes(model.config, b, h, w)
    init = model.init_state(b, h, w)
    dtypes = {"float32": torch.float32, "int32": torch.int32}
    assert {k: (tuple(v.shape), v.dtype) for k, v in init.items()} == \
        {k: (s, dtypes[d]) for k, (s, d) in want.items()}
    assert all(not v.any() for v in init.values())
    clip = torch.rand(b, 3, h, w, 3, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        logits, new = model(clip, init)
    assert logits.shape == (b, 7)
    assert {k: (tuple(v.shape), v.dtype) for k, v in new.items()} == \
        {k: (tuple(v.shape), v.dtype) for k, v in init.items()}
    counters = [k for k in new if k.endswith("frame_count")]
    assert counters and all(int(new[k][0]) == 3 for k in counters)


def test_base_model_ignores_state_and_returns_empty() -> None:
    model = ref.build("t0", "base", num_classes=5).eval()
    assert model.init_state(1, 32, 32) == {}
    clip = torch.rand(1, 3, 32, 32, 3, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        logits, state = model(clip, {"anything": torch.zeros(1)})
    assert logits.shape == (1, 5)
    assert state == {}
    with pytest.raises(ValueError, match="causal"):
        model(clip, all_frames=True)


def test_bad_inputs_raise() -> None:
    model = ref.build("t0", "stream", num_classes=5).eval()
    with pytest.raises(ValueError, match="NTHWC"):
        model(torch.rand(1, 3, 32, 32))
    with pytest.raises(ValueError, match="float"):
        model(torch.zeros(1, 1, 32, 32, 3, dtype=torch.uint8))
    state = model.init_state(1, 32, 32)
    with pytest.raises(ValueError, match="expected shape"):
        model(torch.rand(1, 1, 48, 48, 3), state)
    state.pop("state_head_pool_buffer")
    with pytest.raises(ValueError, match="missing"):
        model(torch.rand(1, 1, 32, 32, 3), state)


def test_config_and_dropout_defaults() -> None:
    with torch.device("meta"):
        assert ref.build("a0", "base").dropout_rate == 0.2
        assert ref.build("a1", "stream").dropout_rate == 0.2
        assert ref.build("a1", "base").dropout_rate == 0.5
        assert ref.build("t0", "base").dropout_rate == 0.2
        assert ref.build("a3", "stream").dropout_rate == 0.5
        m = ref.build("a2", "base", num_classes=10, dropout=0.1, gate="hard_sigmoid_keras")
    assert m.dropout_rate == 0.1
    assert m.classifier.dropout.p == 0.1
    assert m.config == arch.default_config("a2", "base", 10, gate="hard_sigmoid_keras")
    assert ref.MoViNet(m.config).config is m.config
    with pytest.raises(ValueError, match="Config"):
        ref.MoViNet("a0")  # type: ignore[arg-type]


def test_lazy_exports() -> None:
    import movicore.reference as pkg

    for name in pkg.__all__:
        if name in ("from_file", "to_file"):
            continue  # provided by model_io (another module); only checked for laziness
        assert callable(getattr(pkg, name)), name
    with pytest.raises(AttributeError):
        _ = pkg.does_not_exist
