"""CPU feature report (wraps the compiled core)."""

from __future__ import annotations

from typing import Any


def cpu_info() -> dict[str, Any]:
    """Detected CPU features, the ISA the kernels dispatch to, compiler and build type.

    ``MOVICORE_MAX_ISA=avx512|avx2|scalar|neon`` (read once at import) caps the ISA in use.
    """
    from movicore._native import core

    _core = core()

    return dict(_core.cpu_info())
