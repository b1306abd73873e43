#!/usr/bin/env bash
# Incremental developer build: compiles movicore._core into build/dev and links it into the
# source tree so `PYTHONPATH=. python` imports it; also builds the C++ test binary.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
cmake -S . -B build/dev -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} \
  -DMOVICORE_BUILD_TESTS=ON -DPython_EXECUTABLE="$($PY -c 'import sys; print(sys.executable)')" \
  -Dpybind11_DIR="$($PY -m pybind11 --cmakedir)" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
cmake --build build/dev -j 2
so=$(ls build/dev/_core*.so)
ln -sf "../$so" "movicore/$(basename "$so")"
echo "built $so"
