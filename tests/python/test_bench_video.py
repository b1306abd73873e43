"""``movicore bench MODEL --video FILE`` runs every stage and reports consistent counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("movicore._core")
pytest.importorskip("av")

from video_helpers import make_clip

from movicore.assets import demo_model_path
from movicore.cli.main import main


def test_bench_video_stages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clip = make_clip(tmp_path / "c.mp4", size="96x64", rate=30, seconds=1)
    out = tmp_path / "v.json"
    assert main(["bench", str(demo_model_path()), "--video", str(clip), "--json",
                 str(out)]) == 0
    text = capsys.readouterr().out
    for stage in ("decode only", "preprocess from YUV", "engine only", "end to end"):
        assert stage in text, text
    r = json.loads(out.read_text())
    assert r["decode"]["frames"] == 30 and r["end_to_end"]["decoded"] == 30
    # the demo model takes every frame (no 'video' key, non-official input size)
    assert r["end_to_end"]["model_frames"] == r["engine"]["frames"] == 30
    assert r["preprocess_yuv"]["frames"] == 30 and r["end_to_end"]["over_decode"] > 0
    assert main(["bench", str(demo_model_path()), "--video", str(clip), "--threads",
                 "1,2"]) == 1
    assert "one --threads value" in capsys.readouterr().err
