#!/usr/bin/env bash
# Side-by-side benchmark of issue 14 (AVX-512 kernels), for a quiet machine. Prints and saves
# (OUT=bench-avx512-<date>/):
#   1. fma_peak.txt: the measured AVX2 / AVX-512 FMA peak of one core and the gemm variants'
#      fraction of it on cache-resident shapes (bench/cpp/bench_fma_peak.cc);
#   2. <model>.txt/.json, a0..a3 stream at native size, threads 1 and 2, REPEAT fresh processes
#      per cell: movicore (dispatched ISA) vs OpenVINO f32 stateful, + LiteRT where a .tflite is
#      given (A0: the official export in $MOVICORE_SHARED/anchors; A1-A3: TFLITE_A1.. env vars);
#      the "floor%" column is the fraction of the measured AVX-512 FMA peak x threads;
#   3. <model>-avx2.txt: the same movicore runs capped with MOVICORE_MAX_ISA=avx2;
#   4. <model>-baseline-avx2.txt: the same on BASELINE (default: main before issue 14, built in
#      a scratch worktree) with MOVICORE_MAX_ISA=avx2, for "no slower on AVX2-only";
#   5. with BASELINE_NATIVE=1 also <model>-baseline.txt: BASELINE at its own best ISA (e.g.
#      BASELINE=aa2be38: the AVX-512 build before the engine/threading work, for 1 vs 2 threads).
# Needs: cmake, ninja, a C++17 compiler; python with numpy, torch, onnx, openvino,
# ai-edge-litert (pip install -e ".[bench]" in a venv; PYTHON=... to pick it).
# Usage: tools/bench_avx512.sh            (all; ~25 min)    MODELS="a0" REPEAT=1 ... (quicker)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-python3}
MODELS=${MODELS:-a0 a1 a2 a3}
REPEAT=${REPEAT:-3}
FRAMES=${FRAMES:-200}
BASELINE=${BASELINE:-6b1b590}
SHARED=${MOVICORE_SHARED:-/work/shared}
OUT=${OUT:-bench-avx512-$(date -u +%Y%m%dT%H%M)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
export OMP_NUM_THREADS=1

build() {  # build SRC DIR: Release core + _core + benches of the tree SRC into DIR
  cmake -S "$1" -B "$2" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMOVICORE_BUILD_BENCHES=ON \
    -DPython_EXECUTABLE="$($PY -c 'import sys; print(sys.executable)')" \
    -Dpybind11_DIR="$($PY -m pybind11 --cmakedir)" >/dev/null
  cmake --build "$2" -j "$(getconf _NPROCESSORS_ONLN)" >/dev/null
  local so
  so=$(ls "$2"/_core*.so)
  ln -sf "$(cd "$2" && pwd)/$(basename "$so")" "$1/movicore/$(basename "$so")"
}

{ echo "host: $(uname -srm), $(getconf _NPROCESSORS_ONLN) cpus; $(grep -m1 'model name' /proc/cpuinfo)"
  echo "uptime: $(uptime)"; echo "commit: $(git rev-parse --short HEAD)"; } | tee "$OUT/host.txt"

build "$ROOT" "$ROOT/build/bench"
"$ROOT/build/bench/bench_fma_peak" 0.5 | tee "$OUT/fma_peak.txt"
PEAK=$(awk '/FMA peak avx512/ {print $4}' "$OUT/fma_peak.txt")
PEAK=${PEAK:-$(awk '/FMA peak avx2/ {print $4}' "$OUT/fma_peak.txt")}

BASE_DIR=$(mktemp -d)/movicore-baseline
git worktree add --detach "$BASE_DIR" "$BASELINE" >/dev/null
trap 'git -C "$ROOT" worktree remove --force "$BASE_DIR" >/dev/null 2>&1 || true' EXIT
build "$BASE_DIR" "$BASE_DIR/build/bench"

bench() {  # bench TREE OUTNAME ENGINES [extra args]: one movicore bench table
  local tree=$1 name=$2 against=$3
  shift 3
  (cd "$tree" && PYTHONPATH="$tree" MOVICORE_SHARED=$SHARED $PY -m movicore bench "$model" \
     --threads 1,2 --frames "$FRAMES" --repeat "$REPEAT" --peak-gflops "$PEAK" \
     ${against:+--against "$against"} "$@" --json "$OUT/$name.json") \
    | tee "$OUT/$name.txt"
}

for model in $MODELS; do
  var=TFLITE_${model^^}
  tfl=${!var:-}
  [[ $model == a0 && -z $tfl ]] && tfl=$SHARED/anchors/movinet_a0_stream.tflite
  if [[ -n $tfl ]]; then
    bench "$ROOT" "$model" openvino,executorch,litert --tflite "$tfl"
  else
    bench "$ROOT" "$model" openvino,executorch
  fi
  MOVICORE_MAX_ISA=avx2 bench "$ROOT" "$model-avx2" ""
  MOVICORE_MAX_ISA=avx2 bench "$BASE_DIR" "$model-baseline-avx2" ""
  if [[ -n ${BASELINE_NATIVE:-} ]]; then bench "$BASE_DIR" "$model-baseline" ""; fi
done
echo "results in $OUT/"
