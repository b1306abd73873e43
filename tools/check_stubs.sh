#!/usr/bin/env bash
# Check movicore/_core.pyi against the built extension:
#   1. python -m mypy.stubtest movicore._core (allowlist .ci/stubtest-allowlist.txt)
#   2. the `_kernels` class of the stub vs the runtime submodule movicore._core._kernels:
#      same function names, same parameter names (from pybind11's signature docstrings).
# Uses whichever `movicore` the current python imports: from the repo root after an editable
# install or tools/dev_build.sh, from elsewhere to check an installed wheel.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${PYTHON:-python}
"$PY" -c 'import mypy.stubtest' 2>/dev/null || { echo "check_stubs: mypy is not installed" >&2; exit 77; }
"$PY" -m mypy.stubtest movicore._core --allowlist "$here/.ci/stubtest-allowlist.txt"
"$PY" - <<'PY'
import ast
import re
from pathlib import Path

import movicore
from movicore import _core

# Beside the package's Python files (an editable install keeps only the .so in site-packages).
stub_path = Path(movicore.__file__).with_name("_core.pyi")
tree = ast.parse(stub_path.read_text())
cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "_kernels")
stub: dict[str, list[str] | None] = {}  # function -> parameter names; constant -> None
for node in cls.body:
    if isinstance(node, ast.FunctionDef):
        stub[node.name] = [a.arg for a in node.args.args]
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        stub[node.target.id] = None
runtime: dict[str, list[str] | None] = {}
for name, value in vars(_core._kernels).items():
    if name.startswith("__"):
        continue
    if not callable(value):
        runtime[name] = None
        continue
    # pybind11 docstrings start with the signature: run_act(name: str, x: ..., act: str) -> ...
    m = re.match(rf"{re.escape(name)}\((.*?)\) ->", (value.__doc__ or "").lstrip())
    params = [p.split(":")[0].strip() for p in re.split(r",\s*(?![^\[]*\])", m.group(1))] if m and m.group(1) else []
    runtime[name] = [p for p in params if p and p not in ("*", "/")]
errors = [f"_kernels.{n} is not present in stub {stub_path}" for n in sorted(set(runtime) - set(stub))]
errors += [f"_kernels.{n} is in the stub but not at runtime" for n in sorted(set(stub) - set(runtime))]
errors += [f"_kernels.{n}: stub parameters {stub[n]} != runtime {runtime[n]}"
           for n in sorted(set(stub) & set(runtime)) if stub[n] != runtime[n]]
for e in errors:
    print("error:", e)
if errors:
    raise SystemExit(1)
print(f"_kernels stub matches the runtime submodule ({len(runtime)} members)")
PY
