"""The search space as data: block tables in configs and model files, random points run by
the reference, the engine and ``inspect`` alike."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import numpy as np
import pytest

import movicore
from movicore import arch, modelfile
from movicore.benchmark.models import random_model_tensors
from movicore.errors import ModelFormatError
from movicore.nas import space as S

# Small widths and depths, odd sizes: every kernel of the space, fast.
TINY = S.PAPER.scaled(0.25, 2, (23, 33, 40), (1, 2))


def _every_kernel_table() -> arch.ModelSpec:
    k = arch.SEARCH_KERNELS
    return arch.ModelSpec(8, 24, 32, 0, (
        arch.BlockSpec(8, (16, 24), (k[2], k[4]), 2),  # 1x7x7, 7x1x1
        arch.BlockSpec(16, (40, 24), (k[3], k[0]), 2),  # 5x1x1, 1x3x3
        arch.BlockSpec(16, (32,), (k[5],), 1),  # 3x3x3, project-free identity skip
        arch.BlockSpec(24, (48, 40), (k[6], k[1]), 2),  # 5x3x3, 1x5x5
        arch.BlockSpec(24, (56,), ((1, 1, 1),), 1),  # pointwise-only depthwise
    ))


def test_sample_is_deterministic_and_valid() -> None:
    a, b = S.sample(3, TINY), S.sample(3, TINY)
    assert a == b and a.model_id == arch.CUSTOM_ID
    assert len(a.spec.blocks) == 5
    configs = [S.sample(s) for s in range(30)]
    assert len({json.dumps(c.to_dict(), sort_keys=True) for c in configs}) == 30
    for c in configs:  # the paper's space
        for blk, base, stride in zip(c.spec.blocks, (24, 48, 96, 96, 192), (2, 2, 2, 1, 2)):
            assert blk.stride == stride and 1 <= len(blk.expand) <= 10
            assert blk.base in {arch.make_divisible(base * m) for m in (0.75, 1.0, 1.25)}
            assert all(k in arch.SEARCH_KERNELS for k in blk.kernels)
            assert all(1.5 * blk.base * 0.9 <= e <= 4 * blk.base * 1.1 for e in blk.expand)
        assert c.input_size in S.PAPER.input_sizes
        assert (c.spec.head, c.spec.hidden) == (512, 2048)


def test_config_round_trip_and_named_files_unchanged() -> None:
    c = S.sample(0, TINY, num_classes=5)
    d = json.loads(json.dumps(c.to_dict()))
    assert arch.Config.from_dict(d) == c
    assert modelfile.config_from_json(d) == c
    assert "blocks" not in arch.default_config("t0").to_dict()  # old readers still read it
    old = arch.default_config("a0").to_dict()
    assert modelfile.config_from_json(old) == arch.default_config("a0")


@pytest.mark.parametrize("model_id", arch.MODEL_IDS)
def test_named_models_are_points_of_the_space(model_id: str) -> None:
    named = arch.default_config(model_id)
    point = S.named_point(model_id)
    assert point.model_id == arch.CUSTOM_ID and point.spec.blocks == named.spec.blocks
    assert arch.expected_tensors(point) == arch.expected_tensors(named)
    assert arch.layer_plan(point) == arch.layer_plan(named)
    assert arch.count_macs(point, 1, 64, 64) == arch.count_macs(named, 1, 64, 64)


@pytest.mark.parametrize(("mutate", "match"), [
    (lambda t: t.update(stem=0), "stem"),
    (lambda t: t["blocks"][0].update(stride=3), "stride"),
    (lambda t: t["blocks"][1].update(kernels=[[1, 9, 9]] * 2), "kernel"),
    (lambda t: t["blocks"][1].update(kernels=[[1, 4, 4]] * 2), "odd"),
    (lambda t: t["blocks"][2].update(expand=[]), "layers"),
    (lambda t: t["blocks"][2].update(expand=[True]), "int"),
    (lambda t: t["blocks"].clear(), "blocks"),
    (lambda t: t.update(extra=1), "unknown"),
    (lambda t: t["blocks"][0].pop("base"), "missing"),
])
def test_bad_block_tables_are_rejected(mutate, match) -> None:
    d = arch.custom_config(_every_kernel_table(), 32, num_classes=3).to_dict()
    mutate(d["blocks"])
    with pytest.raises(ModelFormatError, match=match):
        modelfile.config_from_json(d)


def test_named_id_with_table_and_custom_without_are_rejected() -> None:
    t0 = arch.default_config("t0")
    with pytest.raises(ValueError, match="custom"):
        t0.replace(blocks=t0.spec)
    with pytest.raises(ValueError, match="block table"):
        t0.replace(model_id=arch.CUSTOM_ID)


def test_model_file_stores_the_table(tmp_path) -> None:
    c = arch.custom_config(_every_kernel_table(), 29, num_classes=4)
    path = tmp_path / "custom.safetensors"
    modelfile.write_model_file(path, c, random_model_tensors(c, 1))
    mf = modelfile.read_any_file(path)
    assert mf.config == c
    meta = json.loads(mf.metadata["config"])
    assert meta["blocks"]["blocks"][0]["kernels"] == [[1, 7, 7], [7, 1, 1]]
    out = subprocess.run([sys.executable, "-m", "movicore", "inspect", str(path)],
                         capture_output=True, text=True, check=True).stdout
    assert "MoViNet-custom-Stream" in out and "1x7x7" in out and "block 4" in out
    js = json.loads(subprocess.run([sys.executable, "-m", "movicore", "inspect", "--json",
                                    str(path)], capture_output=True, text=True,
                                   check=True).stdout)
    assert js["config"]["blocks"] == c.to_dict()["blocks"]
    assert js["macs_per_frame"] == arch.count_macs(c, 1, 29, 29)


def _engine_vs_reference(config: arch.Config, tmp_path, seed: int) -> None:
    torch = pytest.importorskip("torch")
    from engine_helpers import assert_logits_close, ref_logits

    from movicore import reference
    from movicore.reference.testing import randomize_weights

    torch.manual_seed(seed)
    ref = randomize_weights(reference.MoViNet(config), seed=seed).eval()
    path = tmp_path / f"m{seed}.safetensors"
    reference.to_file(ref, path)
    model = movicore.load(path)
    assert model.config == config
    size = config.input_size
    clip = np.random.default_rng(seed).random((5, size, size, 3), dtype=np.float32)
    engine = movicore.Engine(model)
    if config.causal:
        want = ref_logits(ref, clip, all_frames=True)
        got = np.stack([engine.step(f) for f in clip])
    else:
        want, got = ref_logits(ref, clip), engine.run(clip)
    assert_logits_close(got, want, what=f"point {seed}")


@pytest.mark.parametrize("seed", range(4))
def test_engine_matches_reference_on_random_points(seed: int, tmp_path) -> None:
    _engine_vs_reference(S.sample(seed, TINY, num_classes=6), tmp_path, seed)


@pytest.mark.parametrize("variant", ["stream", "base"])
def test_engine_matches_reference_on_every_kernel(variant: str, tmp_path) -> None:
    _engine_vs_reference(arch.custom_config(_every_kernel_table(), 27, variant, 5), tmp_path, 7)


def test_mutations_stay_in_the_space() -> None:
    rng = random.Random(0)
    g = S.sample_genome(0, TINY)
    for _ in range(200):
        g = S.mutate(TINY, g, rng, n=2)
        c = S.candidate(TINY, g)
        assert all(len(b.expand) in TINY.depths for b in c.config.spec.blocks)
        assert c.frame_stride in TINY.frame_strides and c.config.input_size in TINY.input_sizes
        assert S.Genome.from_json(json.loads(json.dumps(g.to_json()))) == g


def test_trainer_checkpoint_of_a_point_converts(tmp_path) -> None:
    torch = pytest.importorskip("torch")
    from movicore import reference

    c = arch.custom_config(_every_kernel_table(), 25, num_classes=3)
    model = reference.MoViNet(c)
    ck = tmp_path / "ck.pt"
    torch.save({"config": c.to_dict(), "state_dict": model.state_dict(),
                "labels": ["a", "b", "c"]}, ck)
    out = tmp_path / "out.safetensors"
    subprocess.run([sys.executable, "-m", "movicore", "convert", str(ck), "-o", str(out)],
                   check=True, capture_output=True)
    mf = modelfile.read_any_file(out)
    assert mf.config == c and list(mf.labels) == ["a", "b", "c"]
