"""Ensemble files: write -> load round trip, malformed files, convert --ensemble and inspect."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from modelfile_helpers import assemble, split

import movicore
from movicore import ModelFormatError, arch, modelfile
from movicore.cli import main as cli

CFG_A = arch.default_config("t0", num_classes=3, input_size=32)
CFG_B = arch.default_config("a0", num_classes=3, input_size=32)
LABELS = ["x", "y", "z"]


def _tensors(config: arch.Config, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    out = {k: np.asarray(0.1 * rng.standard_normal(s), dtype=np.float32)
           for k, s in arch.expected_tensors(config).items()}
    for k, v in out.items():
        if k.endswith("running_var"):
            out[k] = np.abs(v) + np.float32(0.5)
    return out


@pytest.fixture(scope="module")
def members() -> list[tuple[arch.Config, dict[str, np.ndarray]]]:
    return [(CFG_A, _tensors(CFG_A, 1)), (CFG_B, _tensors(CFG_B, 2))]


@pytest.fixture(scope="module")
def valid(tmp_path_factory, members) -> Path:
    path = tmp_path_factory.mktemp("ensfile") / "pair.safetensors"
    modelfile.write_ensemble_file(path, members, LABELS, "parallel", [3, 1], [1, 0],
                                  {"note": "test"})
    return path


def test_write_read_round_trip(valid, members):
    ef = modelfile.read_ensemble_file(valid)
    assert ef.kind == "ensemble" and ef.mode == "parallel" and ef.labels == LABELS
    assert ef.weights == pytest.approx((0.75, 0.25)) and ef.phases == (1, 0)
    assert ef.configs == [CFG_A, CFG_B]
    assert ef.metadata["note"] == "test"
    for mf, (config, tensors) in zip(ef.members, members):
        assert mf.config == config and set(mf.tensors) == set(tensors)
        for name, arr in tensors.items():
            np.testing.assert_array_equal(mf.tensors[name], arr)
    assert isinstance(modelfile.read_any_file(valid), modelfile.EnsembleFile)
    # The file is plain safetensors with members.{i}. prefixes.
    st = pytest.importorskip("safetensors.numpy")
    raw = st.load_file(str(valid))
    assert set(raw) == {f"members.{i}.{n}" for i, (_, t) in enumerate(members) for n in t}


def test_single_model_reader_refuses_ensembles(valid, tmp_path, members):
    with pytest.raises(ModelFormatError, match="ensemble"):
        modelfile.read_model_file(valid)
    single = tmp_path / "one.safetensors"
    modelfile.write_model_file(single, *members[0], LABELS)
    with pytest.raises(ModelFormatError, match="kind"):
        modelfile.read_ensemble_file(single)
    assert isinstance(modelfile.read_any_file(single), modelfile.ModelFile)


def test_load_gives_ensemble_model_with_same_logits(valid, members, rng):
    em = movicore.load(valid)
    assert isinstance(em, movicore.EnsembleModel)
    assert em.mode == "parallel" and em.labels == LABELS and len(em.members) == 2
    assert em.macs_per_frame() == sum(arch.count_macs(c, 1, 32, 32) for c, _ in members)
    ens = movicore.Ensemble(em)
    assert ens.mode == "parallel" and ens.phases == (1, 0)
    clip = rng.random((4, 32, 32, 3), dtype=np.float32)
    got = ens.step(clip)
    # The same members loaded from single-model files give the same logits.
    sep = []
    for i, (config, tensors) in enumerate(members):
        p = valid.parent / f"m{i}.safetensors"
        modelfile.write_model_file(p, config, tensors, LABELS)
        sep.append(movicore.Engine(movicore.load(p)).step(clip))
    np.testing.assert_allclose(got, 0.75 * sep[0] + 0.25 * sep[1], rtol=1e-5, atol=1e-6)


def test_reference_round_trip(tmp_path, rng):
    torch = pytest.importorskip("torch")
    from movicore import reference
    from movicore.reference.testing import randomize_weights

    refs = [randomize_weights(reference.build(m, "stream", 3, input_size=32), seed=s).eval()
            for m, s in (("t0", 1), ("t0", 2))]
    ens = reference.Ensemble(refs, weights=[1, 2]).eval()
    path = tmp_path / "ref_pair.safetensors"
    reference.ensemble_to_file(ens, path, labels=LABELS)
    back = reference.ensemble_from_file(path)
    clip = torch.from_numpy(rng.random((1, 5, 32, 32, 3), dtype=np.float32))
    with torch.no_grad():
        want, _ = ens(clip, all_frames=True)
        again, _ = back(clip, all_frames=True)
    torch.testing.assert_close(again, want, rtol=0, atol=0)
    got = movicore.Ensemble(movicore.load(path)).step(clip[0].numpy(), all_frames=True)
    scale = float(want.abs().max())
    assert float(np.abs(got - want[0].numpy()).max()) <= 1e-4 * scale


# ------------------------------------------------------------------ malformed

def _meta(key: str, value: Any):
    def edit(h: dict[str, Any]) -> None:
        if value is None:
            del h["__metadata__"][key]
        else:
            h["__metadata__"][key] = value if isinstance(value, str) else json.dumps(value)
    return edit


def _members_edit(fn):
    def edit(h: dict[str, Any]) -> None:
        m = json.loads(h["__metadata__"]["members"])
        fn(m)
        h["__metadata__"]["members"] = json.dumps(m)
    return edit


def _rename(old: str, new: str):
    def edit(h: dict[str, Any]) -> None:
        h[new] = h.pop(old)
    return edit


FEAT = "blocks.block0_layer0.expand.conv.weight"
CASES = {
    "no members": (_meta("members", None), "missing the keys"),
    "no mode": (_meta("mode", None), "missing the keys"),
    "members not json": (_meta("members", "[{"), "members is not valid JSON"),
    "members not list": (_meta("members", {"a": 1}), "JSON list"),
    "one member": (_members_edit(lambda m: m.pop()), "2..64 members"),
    "member config bad": (_members_edit(lambda m: m[1].update(model_id="a9")), "members\\[1\\]"),
    "member config missing key": (_members_edit(lambda m: m[0].pop("gate")), "missing the keys"),
    "member classes differ": (_members_edit(lambda m: m[1].update(num_classes=4)),
                              "num_classes"),
    "member size differs": (_members_edit(lambda m: m[1].update(input_size=48)), "input_size"),
    "bad mode": (_meta("mode", "vote"), "mode must be one of"),
    "weights short": (_meta("weights", [1.0]), "list of 2 numbers"),
    "weights negative": (_meta("weights", [1.0, -1.0]), "> 0"),
    "weights bool": (_meta("weights", [True, 1.0]), "list of 2 numbers"),
    "weights nan": (_meta("weights", "[NaN, 1]"), "weights"),
    "phases dup": (_meta("phases", [0, 0]), "permutation"),
    "phases float": (_meta("phases", [0.0, 1.0]), "list of 2 ints"),
    "labels short": (_meta("labels", ["a"]), "expected 3 labels"),
    "kind model": (_meta("kind", "model"), "missing the keys|kind"),
    "version 2": (_meta("format_version", "2"), "unsupported format_version"),
    "tensor without prefix": (_rename(f"members.0.{FEAT}", FEAT), "members.<i>"),
    "tensor of member 2": (_rename(f"members.0.{FEAT}", f"members.2.{FEAT}"), "members.<i>"),
    "tensor index 00": (_rename(f"members.0.{FEAT}", f"members.00.{FEAT}"), "members.<i>"),
    "tensor moved to other member": (_rename(f"members.0.{FEAT}", "members.1.x"),
                                     "member 0: tensors do not match"),
    "dtype F16": (lambda h: h[f"members.1.{FEAT}"].update(dtype="F16"), "dtype F16"),
    "member shape": (lambda h: h[f"members.1.{FEAT}"].update(
        shape=h[f"members.1.{FEAT}"]["shape"][::-1]), "expected shape|need"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_ensemble_files(valid, tmp_path, case):
    edit, match = CASES[case]
    header, data = split(valid)
    edit(header)
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(assemble(header, data))
    with pytest.raises(ModelFormatError, match=match) as info:
        modelfile.read_ensemble_file(bad)
    assert "\n" not in str(info.value)
    with pytest.raises(ModelFormatError):
        movicore.load(bad)


def test_truncated_and_trailing(valid, tmp_path):
    raw = valid.read_bytes()
    bad = tmp_path / "t.safetensors"
    bad.write_bytes(raw[:-4])
    with pytest.raises(ModelFormatError, match=r"past the end|cover"):
        movicore.load(bad)
    bad.write_bytes(raw + b"\0\0\0\0")
    with pytest.raises(ModelFormatError, match="trailing"):
        movicore.load(bad)


def test_writer_validates(tmp_path, members):
    out = tmp_path / "w.safetensors"
    with pytest.raises(ModelFormatError, match=r"2\.\.64"):
        modelfile.write_ensemble_file(out, members[:1])
    other = arch.default_config("t0", num_classes=4, input_size=32)
    with pytest.raises(ModelFormatError, match="num_classes"):
        modelfile.write_ensemble_file(out, [members[0], (other, _tensors(other, 3))])
    broken = dict(members[1][1])
    broken.pop(FEAT)
    with pytest.raises(ModelFormatError, match="member 1"):
        modelfile.write_ensemble_file(out, [members[0], (CFG_B, broken)])
    with pytest.raises(ModelFormatError, match="weights"):
        modelfile.write_ensemble_file(out, members, weights=[0, 1])
    assert not out.exists() and not list(tmp_path.iterdir())


# ------------------------------------------------------------------ CLI

def test_cli_convert_and_inspect(tmp_path, members, capsys):
    paths = []
    for i, (config, tensors) in enumerate(members):
        p = tmp_path / f"m{i}.safetensors"
        modelfile.write_model_file(p, config, tensors, LABELS)
        paths.append(str(p))
    out = tmp_path / "pair.safetensors"
    assert cli.main(["convert", "--ensemble", *paths, "-o", str(out), "--weights", "1,3"]) == 0
    assert "ensemble of t0 stream + a0 stream" in capsys.readouterr().out
    ef = modelfile.read_ensemble_file(out)
    assert ef.mode == "interleave" and ef.weights == pytest.approx((0.25, 0.75))
    assert ef.labels == LABELS and ef.metadata["converter"] == "movicore convert --ensemble"

    assert cli.main(["inspect", str(out)]) == 0
    text = capsys.readouterr().out
    assert "ensemble" in text and "member 1:" in text and "MoViNet-A0-Stream" in text
    assert cli.main(["inspect", "--json", str(out)]) == 0
    s = json.loads(capsys.readouterr().out)
    macs = [arch.count_macs(c, 1, 32, 32) for c, _ in members]
    assert s["kind"] == "ensemble" and [m["phase"] for m in s["members"]] == [0, 1]
    assert s["macs_per_input_frame"] == round(sum(macs) / 2)
    assert s["parameters"] == sum(arch.parameter_count(c) for c, _ in members)

    # Existing output, bad weights, one member, mismatched labels, SRC + --ensemble: exit 1.
    assert cli.main(["convert", "--ensemble", *paths, "-o", str(out)]) == 1
    assert "exists" in capsys.readouterr().err
    assert cli.main(["convert", "--ensemble", *paths, "-o", str(out), "-f", "--mode",
                     "parallel"]) == 0
    assert modelfile.read_ensemble_file(out).mode == "parallel"
    capsys.readouterr()
    assert cli.main(["convert", "--ensemble", *paths, "-o", str(tmp_path / "w.safetensors"),
                     "--weights", "1,x"]) == 1
    assert "--weights" in capsys.readouterr().err
    assert cli.main(["convert", "--ensemble", paths[0], "-o",
                     str(tmp_path / "one.safetensors")]) == 1
    assert "at least 2" in capsys.readouterr().err
    relabeled = tmp_path / "relabeled.safetensors"
    modelfile.write_model_file(relabeled, *members[1], ["p", "q", "r"])
    assert cli.main(["convert", "--ensemble", paths[0], str(relabeled), "-o",
                     str(tmp_path / "l.safetensors")]) == 1
    assert "labels" in capsys.readouterr().err
    labels_file = tmp_path / "labels.txt"
    labels_file.write_text("a\nb\nc\n", encoding="utf-8")
    assert cli.main(["convert", "--ensemble", paths[0], str(relabeled), "-o",
                     str(tmp_path / "l.safetensors"), "--labels", str(labels_file)]) == 0
    assert modelfile.read_ensemble_file(tmp_path / "l.safetensors").labels == ["a", "b", "c"]
    capsys.readouterr()
    assert cli.main(["convert", paths[0], "--ensemble", *paths, "-o",
                     str(tmp_path / "both.safetensors")]) == 1
    assert "not both" in capsys.readouterr().err


def test_bench_runs_ensemble_files(valid, tmp_path, members):
    out = tmp_path / "bench.json"
    code = cli.main(["bench", str(valid), "--frames", "3", "--warmup", "1", "--in-process",
                     "--against", "torch", "--streams", "2", "--stream-frames", "2",
                     "--json", str(out), "--quiet"])
    assert code == 0
    report = json.loads(out.read_text())
    rows = {r["engine"]: r for r in report["results"]}
    assert rows["movicore"]["status"] == "ok" and rows["movicore"]["logits_finite"]
    assert rows["torch"]["status"] == "skipped" and "ensemble" in rows["torch"]["reason"]
    # parallel: every member sees every frame, so the MACs per input frame add up.
    assert report["model"]["macs_per_frame"] == sum(arch.count_macs(c, 1, 32, 32)
                                                   for c, _ in members)
    assert rows["movicore"]["state_bytes"] == sum(arch.state_bytes(c, 32, 32)
                                                  for c, _ in members)
    # the serve mode decodes video files: skipped with the install hint where PyAV is missing
    has_av = importlib.util.find_spec("av") is not None
    assert all(s["status"] == ("ok" if s["mode"] != "serve" or has_av else "skipped")
               for s in report["streams"])


def test_classify_runs_ensemble_files(tmp_path, rng, capsys, members):
    pytest.importorskip("av")
    from movicore.data.video import iter_frames
    from movicore.video.results import softmax

    pair = tmp_path / "pair.safetensors"
    modelfile.write_ensemble_file(pair, members, LABELS)
    em = movicore.load(pair)
    size = em.input_size[0]
    video = tmp_path / "v.avi"
    frames = rng.integers(0, 255, (6, size, size, 3), dtype=np.uint8)
    import av

    with av.open(str(video), mode="w") as c:
        s = c.add_stream("mpeg4", rate=10)
        s.width = s.height = size
        s.pix_fmt = "yuv420p"
        for f in frames:
            for pkt in s.encode(av.VideoFrame.from_ndarray(f, format="rgb24")):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    assert cli.main(["classify", str(video), "--model", str(pair), "--json", "-",
                     "--every", "0", "--quiet", "--top", "3"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["model_id"] == "t0+a0" and res["frames"] == 6
    decoded = np.stack(list(iter_frames(video, size=size)))
    want = softmax(movicore.Ensemble(em).step(decoded))
    best = int(np.argmax(want))
    assert res["final"]["top"][0]["label"] == em.labels[best]
    assert res["final"]["top"][0]["probability"] == pytest.approx(float(want[best]), rel=1e-5)


def test_eval_runs_ensemble_files(tmp_path, capsys):
    """`movicore eval` on an ensemble file: the pair's run() on synthetic clips, no traceback."""
    from movicore.data.synthetic import CLASSES

    cfgs = [arch.default_config(m, num_classes=len(CLASSES), input_size=32) for m in ("t0", "a0")]
    pair = tmp_path / "pair.safetensors"
    modelfile.write_ensemble_file(pair, [(c, _tensors(c, i)) for i, c in enumerate(cfgs)],
                                  list(CLASSES))
    code = cli.main(["eval", str(pair), "--synthetic", "--seed", "5", "--n", "6", "--quiet"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "t0+a0" in out and "top-1" in out
