"""First-use polish (issue 16): closed pipes, negative counts on the command line, --threads
help, install hints for a source checkout, the name 'demo' everywhere, write errors that name
the output and not its temporary file."""

from __future__ import annotations

import argparse
import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

import movicore
from movicore import arch, extras, modelfile
from movicore.assets import DEMO_MODEL
from movicore.benchmark.models import random_model_tensors
from movicore.cli.main import build_parser, main

REPO = Path(__file__).resolve().parents[2]
CFG = arch.default_config("t0", "stream", 3).replace(input_size=32)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    return env


# ------------------------------------------------------------------ stdout closed early

def test_inspect_into_a_closed_pipe_ends_quietly():
    """`movicore inspect FILE | head -0`: the reader is gone before the first line."""
    r, w = os.pipe()
    os.close(r)  # nobody will ever read: the first write fails with EPIPE
    try:
        proc = subprocess.run([sys.executable, "-m", "movicore", "inspect", str(DEMO_MODEL),
                               "--labels", "-1"], stdout=w, stderr=subprocess.PIPE,
                              env=_env(), timeout=120, check=False)
    finally:
        os.close(w)
    assert proc.stderr.decode() == ""  # no 'BrokenPipeError', no 'Exception ignored'
    assert proc.returncode == 141


def test_inspect_piped_into_head(tmp_path: Path):
    """The real shell pipeline: head takes one line and exits, movicore says nothing."""
    cmd = (f"{sys.executable} -m movicore inspect {DEMO_MODEL} --labels -1 --json | head -n 1")
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, env=_env(),
                          timeout=120, check=False)
    assert proc.stdout.decode().strip() == "{"
    assert "Error" not in proc.stderr.decode() and "Exception" not in proc.stderr.decode()


# ------------------------------------------------------------------ counts on the command line

@pytest.mark.parametrize("argv", [
    ["demo", "--clips", "1", "--threads", "-1"],
    ["demo", "--clips", "1", "--threads", "0"],
    ["eval", "demo", "--synthetic", "--n", "2", "--threads", "-2"],
])
def test_negative_threads_are_one_line_errors(argv: list[str], capsys):
    assert main(argv) == 1
    cap = capsys.readouterr()
    assert cap.err.count("\n") == 1
    assert "threads must be in 1..256" in cap.err
    assert "incompatible" not in cap.err and "Traceback" not in cap.err


def _options(parser: argparse.ArgumentParser, path: str = "movicore"):
    """(command path, action) for every option of every (nested) subcommand."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _options(sub, f"{path} {name}")
        else:
            yield path, action


def test_every_threads_option_has_help():
    found = [(cmd, a) for cmd, a in _options(build_parser()) if "--threads" in a.option_strings]
    assert len(found) >= 5, [c for c, _ in found]  # demo, eval, classify, bench, train, nas...
    for cmd, action in found:
        assert action.help and action.help != argparse.SUPPRESS, f"{cmd} --threads has no help"
        assert "thread" in action.help.lower(), cmd


# ------------------------------------------------------------------ install hints

def test_install_hint_in_a_source_checkout(monkeypatch, tmp_path: Path):
    # This test runs from the checkout: pip must install from it, not from the index.
    monkeypatch.chdir(REPO)
    assert extras.install_hint("video") == 'pip install -e ".[video]"'
    monkeypatch.chdir(tmp_path)
    assert extras.install_hint("video") == f'pip install -e "{REPO}[video]"'


def test_install_hint_for_an_installed_package(monkeypatch, tmp_path: Path):
    site = tmp_path / "site-packages" / "movicore"
    site.mkdir(parents=True)
    monkeypatch.setattr(extras, "_PACKAGE_DIR", site)
    assert extras.install_hint("video") == 'pip install "movicore[video]"'
    # a pyproject.toml of another project beside the package is not movicore's checkout
    (site.parent / "pyproject.toml").write_text('[project]\nname = "other"\n')
    assert extras.install_hint("plot") == 'pip install "movicore[plot]"'


def test_missing_pyav_names_the_right_command(monkeypatch):
    from movicore.video import sources

    monkeypatch.setitem(sys.modules, "av", None)  # import av -> ImportError
    with pytest.raises(ImportError, match=r'pip install -e .*\[video\]"'):
        sources._av()


def test_serve_without_pyav_refuses_at_start(monkeypatch, capsys, tmp_path: Path):
    pytest.importorskip("aiohttp")
    pytest.importorskip("prometheus_client")
    monkeypatch.setitem(sys.modules, "av", None)
    video = tmp_path / "cam.mp4"
    video.write_bytes(b"not decoded")
    assert main(["serve", str(video), "--http", "none", "--duration", "5"]) != 0
    captured = capsys.readouterr()
    assert "needs PyAV" in captured.err and "[video]" in captured.err
    assert captured.out == ""  # no server started, no stream events


@pytest.mark.parametrize("argv, hidden, message", [
    (["bench", "t0", "--size", "32", "--frames", "2", "--in-process", "--plot", "{tmp}/b.png"],
     "matplotlib", "--plot needs matplotlib: pip install"),
    (["eval", "demo", "--synthetic", "--n", "4", "--plot", "{tmp}/cm.png"],
     "matplotlib", "--plot needs matplotlib: pip install"),
    (["classify", "{tmp}/cam.mp4", "--plot", "{tmp}/c.png"],
     "matplotlib", "--plot needs matplotlib: pip install"),
    (["nas", "search", "--synthetic", "--trials", "2", "--budget-ms", "5", "--out", "{tmp}/nas"],
     "torch", "nas search (it trains every trial) needs PyTorch: pip install"),
    (["nas", "search", "--synthetic", "--trials", "2", "--budget-ms", "5", "--out", "{tmp}/nas",
      "--ray", "local"], "ray", "--ray needs Ray: pip install"),
    (["train", "--synthetic", "--steps", "1", "--out", "{tmp}/run"],
     "torch", "movicore train needs PyTorch: pip install"),
])
def test_a_missing_extra_is_named_before_the_long_work(argv, hidden, message, monkeypatch,
                                                         capsys, tmp_path: Path):
    if hidden == "ray":  # nas search checks torch and matplotlib before Ray
        pytest.importorskip("torch")
        pytest.importorskip("matplotlib")
    monkeypatch.setitem(sys.modules, hidden, None)
    assert main([a.replace("{tmp}", str(tmp_path)) for a in argv]) == 1
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""  # refused before benchmarking, evaluating or profiling
    assert list(tmp_path.iterdir()) == []  # and nothing written


# ------------------------------------------------------------------ 'demo'

def test_load_demo_is_the_embedded_model():
    model = movicore.load("demo")
    assert isinstance(model, movicore.Model)
    assert model.path == DEMO_MODEL
    assert model.num_classes == 10


def test_inspect_demo(capsys):
    assert main(["inspect", "demo"]) == 0
    assert str(DEMO_MODEL) in capsys.readouterr().out


def test_a_file_named_demo_is_reached_with_a_path(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    modelfile.write_model_file(tmp_path / "demo", CFG, random_model_tensors(CFG, 0))
    assert movicore.load("./demo").num_classes == 3
    assert movicore.load(Path("demo")).num_classes == 3
    assert movicore.load("demo").num_classes == 10


# ------------------------------------------------------------------ write errors

def test_write_error_names_the_output_not_the_temp_file(tmp_path: Path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    out = not_a_dir / "m.safetensors"
    with pytest.raises(OSError) as info:
        modelfile.write_model_file(out, CFG, random_model_tensors(CFG, 0))
    assert f"cannot write {out}" in str(info.value)
    assert ".tmp" not in str(info.value)
    assert info.value.errno == errno.ENOTDIR


def test_full_disk_names_the_output_and_leaves_nothing(tmp_path: Path, monkeypatch):
    out = tmp_path / "m.safetensors"

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError) as info:
        modelfile.write_model_file(out, CFG, random_model_tensors(CFG, 0))
    assert str(info.value) == f"[Errno {errno.ENOSPC}] cannot write {out}: No space left on device"
    assert list(tmp_path.iterdir()) == []  # no output, no temporary file


def test_convert_write_error_is_one_line(tmp_path: Path, capsys):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    out = not_a_dir / "m.safetensors"
    assert main(["convert", "--ensemble", str(DEMO_MODEL), str(DEMO_MODEL), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"cannot write {out}" in err and ".tmp" not in err
