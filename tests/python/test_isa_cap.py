"""MOVICORE_MAX_ISA emulates a CPU without the higher ISA levels: dispatch and the kernel tests
(the `supported` flag they skip on) both see the capped mask. Fresh processes: the cap is read
once."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import movicore

_LIST = ("import json; from movicore import _core;"
         "print(json.dumps({op: _core._kernels.list(op) for op in _core._kernels.ops()}))")


def _kernels_under(cap: str) -> dict[str, list[dict]]:
    env = dict(os.environ, MOVICORE_MAX_ISA=cap)
    proc = subprocess.run([sys.executable, "-c", _LIST], env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(proc.stdout)


# avx2 keeps SSE4.2 (the CRC32C instruction of the checksum: every AVX2 CPU has it).
@pytest.mark.parametrize("cap,allowed", [("avx2", {"avx2_fma3", "sse42", "scalar"}),
                                         ("scalar", {"scalar"})])
def test_cap_marks_higher_isas_unsupported(cap: str, allowed: set[str]):
    if movicore.cpu_info()["arch"] != "x86_64":
        pytest.skip("x86 ISA levels")
    for op, kernels in _kernels_under(cap).items():
        for k in kernels:
            if k["reference"]:
                continue
            if k["isa"] not in allowed:
                assert not k["supported"], f"{op}: {k['name']} must be skipped under cap {cap}"
        chosen = [k for k in kernels if k["selected"]]
        assert len(chosen) == 1 and chosen[0]["isa"] in allowed, (op, chosen)


def test_avx512_cap_keeps_what_the_cpu_has():
    if "avx512" not in movicore.cpu_info()["features"]:
        pytest.skip("no AVX-512 on this CPU")
    if os.environ.get("MOVICORE_MAX_ISA", "avx512") not in ("", "avx512"):
        pytest.skip("this process runs under a lower MOVICORE_MAX_ISA cap")
    from movicore import _core

    capped = _kernels_under("avx512")
    for op, kernels in capped.items():
        assert kernels == _core._kernels.list(op), op


def test_unknown_cap_is_a_clear_error():
    env = dict(os.environ, MOVICORE_MAX_ISA="avx1024")
    proc = subprocess.run([sys.executable, "-c", _LIST], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode != 0
    assert "MOVICORE_MAX_ISA must be one of avx512, avx2, neon, neondot, scalar" in proc.stderr
