"""What to tell the user when an optional dependency (a pip extra) is missing.

A source checkout (the package sits beside movicore's own pyproject.toml: an editable install
or PYTHONPATH) installs extras from the checkout, ``pip install -e ".[video]"``; an installed
package from the index, ``pip install "movicore[video]"``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _source_checkout() -> Path | None:
    """The checkout root when this package runs from one, else None."""
    root = _PACKAGE_DIR.parent
    pyproject = root / "pyproject.toml"
    try:
        text = pyproject.read_text(encoding="utf-8")
    except OSError:
        return None
    return root if 'name = "movicore"' in text else None


def install_hint(extra: str) -> str:
    """The pip command that installs ``extra`` for this copy of movicore."""
    root = _source_checkout()
    if root is not None:
        return f'pip install -e "{root}[{extra}]"' if Path.cwd() != root else \
            f'pip install -e ".[{extra}]"'
    return f'pip install "movicore[{extra}]"'


def require(module: str, extra: str, what: str, name: str | None = None) -> None:
    """ImportError naming the install command if ``module`` is not installed. Commands call it
    before long work whose end needs the module (a plot after a benchmark, training after a
    latency profile), so a missing extra costs nothing but the message."""
    if importlib.util.find_spec(module) is None:
        raise ImportError(f"{what} needs {name or module}: {install_hint(extra)}")
