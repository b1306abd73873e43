"""Shared pytest fixtures: seeded RNG, locations of test data."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
# ../shared beside the checkout (CI clones with shared/ next to it); optional.
SHARED = Path(os.environ.get("MOVICORE_SHARED", REPO.parent / "shared"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--seed", type=int, default=1234, help="seed for random test data")


@pytest.fixture
def seed(request: pytest.FixtureRequest) -> int:
    return int(request.config.getoption("--seed"))


@pytest.fixture
def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def shared_fixture(name: str) -> Path:
    """Path of a fixture under ../shared/fixtures, or skip when it is absent."""
    path = SHARED / "fixtures" / name
    if not path.exists():
        pytest.skip(f"{path} not available (the committed fixtures in tests/data cover this)")
    return path


@pytest.fixture
def torch_one_thread():
    """Small convs on a shared 2-core box: OpenMP contention costs 10x; use one torch thread."""
    torch = pytest.importorskip("torch")
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)
