#!/usr/bin/env bash
# One pass of checks and benchmarks on a many-core x86 host, sized for about 8 minutes on 16
# cores (the device tool's Xeon; any Linux box with Python, numpy, torch, pybind11, cmake, ninja):
#   1. build with every core; the C++ tests and the kernel/engine tests (another vendor's
#      AVX-512: Intel here, AMD on the development machines);
#   2. the FMA peak and the GEMM micro-kernel's fraction of it;
#   3. A0-A3 stream, movicore at 1/2/4/8 threads, dispatched (AVX-512) and MOVICORE_MAX_ISA=avx2;
#      with LiteRT beside it where TFLITE_A0.. name the official .tflite exports (needs
#      ai-edge-litert);
#   4. float vs int8 (VNNI) per frame, and the same with the AVX2 cap;
#   5. concurrent streams on one host (1..16);
#   6. the NAS latency model: a table profiled on this host, checked on 30 other architectures.
# Step 6 runs pinned to the last core while 3-5 run pinned to the first half of the others.
# Usage: OUT=dir [PYTHON=python3] [MODELS="a0 a1 a2 a3"] [QUICK=1] [PACK=file.tgz]
#        [TFLITE_A0=movinet_a0_stream.tflite ...]
#        tools/bench_manycore.sh
# PACK: after every step, also pack OUT into one tarball (for hosts that hand back few files).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
OUT=${OUT:-bench-manycore}
MODELS=${MODELS:-a0 a1 a2 a3}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
NCPU=$(getconf _NPROCESSORS_ONLN)  # not nproc: it honours OMP_NUM_THREADS
LAST=$((NCPU - 1))
HALF=$((NCPU / 2 > 1 ? NCPU / 2 : 1))
BENCH_CPUS=0-$((HALF - 1))
if [[ ${QUICK:-0} == 1 ]]; then  # a smoke run of the script itself
  FRAMES=20 REPEAT=1 NAS_MODELS=2 NAS_CHECK=2 THREADS=1,2 STREAMS=1,2
else
  FRAMES=100 REPEAT=3 NAS_MODELS=40 NAS_CHECK=30 THREADS=1,2,4,8 STREAMS=1,4,8,16
fi
export OMP_NUM_THREADS=1 PYTHONPATH=$PWD PYTHONUNBUFFERED=1
step() {
  [[ -n ${PACK:-} ]] && tar czf "$PACK" -C "$OUT" .
  echo; echo "=== $* ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))"
}

step host
{ echo "$(uname -srm), $NCPU cpus; $(grep -m1 'model name' /proc/cpuinfo)"
  grep -m1 -o -w -E 'avx512f|avx512_vnni|avx_vnni|amx_tile' /proc/cpuinfo | sort -u | tr '\n' ' '
  echo; $PY -c 'import sys, numpy; print(sys.version.split()[0], "numpy", numpy.__version__)'
} | tee "$OUT/host.txt"

step build
cmake -S . -B build/many -G Ninja -DCMAKE_BUILD_TYPE=Release -DMOVICORE_BUILD_TESTS=ON \
  -DMOVICORE_BUILD_BENCHES=ON -DPython_EXECUTABLE="$($PY -c 'import sys; print(sys.executable)')" \
  -Dpybind11_DIR="$($PY -m pybind11 --cmakedir)" >"$OUT/build.txt" 2>&1 &&
  cmake --build build/many -j "$NCPU" >>"$OUT/build.txt" 2>&1 || { tail -30 "$OUT/build.txt"; exit 1; }
so=$(ls build/many/_core*.so)
ln -sf "../$so" "movicore/$(basename "$so")"
$PY -c 'import movicore, json; print(json.dumps(movicore.cpu_info()))' | tee "$OUT/cpu_info.json"

step "NAS latency model, pinned to cpu $LAST (background)"
( taskset -c "$LAST" $PY -m movicore nas profile -o "$OUT/nas_table64.json" --threads 1 \
    --size 64 --models "$NAS_MODELS" &&
  taskset -c "$LAST" $PY tools/nas_latency_check.py --table "$OUT/nas_table64.json" --size 64 \
    --models "$NAS_CHECK" --json "$OUT/nas_check64.json" ) >"$OUT/nas.txt" 2>&1 &
NAS_PID=$!

step "C++ tests and kernel/engine tests (cpus $BENCH_CPUS)"
taskset -c "$BENCH_CPUS" build/many/movicore_tests 2>&1 | tail -3 | tee "$OUT/tests.txt"
taskset -c "$BENCH_CPUS" $PY -m pytest -q -x -p no:cacheprovider tests/python/test_kernels_*.py \
  tests/python/test_engine.py tests/python/test_isa_cap.py 2>&1 | tail -5 | tee -a "$OUT/tests.txt"

step "FMA peak (cpu 0)"
taskset -c 0 build/many/bench_fma_peak 0.5 | tee "$OUT/fma_peak.txt"
PEAK=$(awk '/FMA peak avx512/ {print $4}' "$OUT/fma_peak.txt")

for model in $MODELS; do
  step "$model: movicore AVX-512 / avx2 cap, threads $THREADS (cpus $BENCH_CPUS)"
  var=TFLITE_${model^^}
  peer=()
  [[ -n ${!var:-} ]] && peer=(--against litert --tflite "${!var}")
  taskset -c "$BENCH_CPUS" $PY -m movicore bench "$model" --threads "$THREADS" --frames "$FRAMES" \
    --repeat "$REPEAT" ${PEAK:+--peak-gflops "$PEAK"} "${peer[@]}" --json "$OUT/$model.json" |
    tee "$OUT/$model.txt"
  MOVICORE_MAX_ISA=avx2 taskset -c "$BENCH_CPUS" $PY -m movicore bench "$model" --threads 1,2 \
    --frames "$FRAMES" --repeat "$REPEAT" --json "$OUT/$model-avx2.json" | tee "$OUT/$model-avx2.txt"
done

step "int8 vs float (cpu 0)"
taskset -c 0 $PY tools/bench_int8.py --models "${MODELS// /,}" --isa native,avx2 \
  --json "$OUT/int8.json" 2>&1 | tee "$OUT/int8.txt"

step "NAS latency check (waiting for it)"
wait "$NAS_PID"; echo "exit $?"; tail -6 "$OUT/nas.txt"

step "streams on one host, A0 (all cpus)"
$PY -m movicore bench a0 --streams "$STREAMS" --stream-modes sequential,threads,many \
  --frames 20 --json "$OUT/streams.json" | tee "$OUT/streams.txt"
step done
