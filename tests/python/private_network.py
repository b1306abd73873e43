"""Run a test module inside a network namespace of its own, with loopback as its only interface.

Ray 2.60 binds its GCS, raylet and object-manager servers to every interface of the host, even
when the driver passes `_node_ip_address="127.0.0.1"`. Tests must not open servers to the
network, so a module that starts a Ray cluster is run again in a private namespace
(`unshare --net`, needs root or user namespaces): there, nothing but 127.0.0.1 exists to bind.

A module uses it as

    if private_network.inside():
        ...the real tests...
    else:
        def test_in_a_private_network_namespace():
            private_network.rerun_inside(__file__, timeout=...)
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

_ENV = "MOVICORE_TEST_PRIVATE_NETNS"


def inside() -> bool:
    """True in the rerun; then the namespace really has loopback only (checked, not assumed)."""
    if os.environ.get(_ENV) != "1":
        return False
    interfaces = sorted(name for _, name in socket.if_nameindex())  # this namespace's
    if interfaces != ["lo"]:
        raise RuntimeError(f"{_ENV}=1 but this network namespace has {interfaces}")
    return True


def rerun_inside(module: str, timeout: float) -> None:
    """Run `module`'s tests with pytest in a fresh network namespace; fail with its output."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("needs `unshare` (util-linux) and `ip` (iproute2) for a private network")
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True, text=True,
                           check=False)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a private network namespace: {probe.stderr.strip()}")
    script = 'ip link set lo up && exec "$0" -m pytest -q -p no:cacheprovider -rs "$1"'
    try:
        run = subprocess.run(["unshare", "--net", "sh", "-c", script, sys.executable, module],
                             env={**os.environ, _ENV: "1"}, capture_output=True, text=True,
                             timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout
        pytest.fail(f"{Path(module).name} in a private network namespace: over {timeout:.0f} s"
                    f"\n{out or ''}")
    summary = run.stdout.strip().splitlines()[-1:] or ["(no output)"]
    print(f"\n{Path(module).name} in a private network namespace: {summary[0]}")
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    assert " passed" in summary[0] and "skipped" not in summary[0], run.stdout[-3000:]
