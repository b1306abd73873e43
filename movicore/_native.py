"""Import of the compiled core with an error that says what to do when it is missing."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType


def core() -> ModuleType:
    """``movicore._core``; ImportError naming the likely cause when it is not built."""
    try:
        from movicore import _core
    except ImportError as exc:
        here = Path(__file__).resolve().parent
        raise ImportError(
            f"movicore's compiled core (movicore._core) is missing from {here}. Either this is "
            "the source tree shadowing an installed movicore (run from another directory, or "
            "install in editable mode: pip install -e .), or the build failed (reinstall and "
            f"read the build log). Original error: {exc}") from exc
    return _core
